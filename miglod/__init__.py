"""miglod: linked open data for migration-governance news."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("miglod")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
