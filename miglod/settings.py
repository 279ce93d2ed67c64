"""The one table of settings: name, default, help.

Each setting is read, in increasing priority, from its default, from the
environment variable ``MIGLOD_<NAME>``, from a mapping passed by the caller
(the app config or the CLI's flags). The README documents every row; a test
fails when one is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from converter.iris import normalize_base


@dataclass(frozen=True, slots=True)
class Setting:
    """One configurable value."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        """Return the environment variable that sets this value."""
        return "MIGLOD_" + self.name.upper()

    @property
    def flag(self) -> str:
        """Return the command-line flag that sets this value."""
        return "--" + self.name.replace("_", "-")


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", "https://w3id.org/miglod/", "Base of every IRI the dataset mints."),
    Setting("publisher", "iom", "Slug of the organisation that publishes the listings."),
    Setting("store", "var/store", "Directory of the embedded on-disk store."),
    Setting(
        "sparql_query_url",
        "",
        "SPARQL 1.1 query endpoint of a remote store (set: it is used instead of the embedded one).",
    ),
    Setting("sparql_update_url", "", "SPARQL 1.1 Update endpoint of the remote store."),
    Setting(
        "gsp_url",
        "",
        "Graph Store Protocol endpoint of the remote store (optional: whole graphs are then read"
        " through it).",
    ),
    Setting("store_user", "", "User name for the remote store (Basic or Digest, as it asks)."),
    Setting("store_password", "", "Password for the remote store."),
    Setting("store_timeout", 60.0, "Seconds any one request to the remote store may take.", float),
    Setting("data_dir", "data", "Directory of the input news files that `build` converts."),
    Setting("host", "127.0.0.1", "Address `serve` listens on."),
    Setting("port", 8080, "Port `serve` listens on.", int),
    Setting("workers", 2, "Number of web worker processes `serve` starts.", int),
    Setting(
        "write_workers",
        1,
        "Number of write processes `serve` starts: web workers forward writes to them, and they"
        " run at a lower CPU priority (`write_nice`) so reads come first (0: web workers write).",
        int,
    ),
    Setting(
        "write_nice",
        10,
        "How much the write processes lower their CPU priority (`nice`, 0 to 19): the higher,"
        " the more reads come first and writes wait when the cores are busy.",
        int,
    ),
    Setting("query_timeout", 10.0, "Seconds after which a SPARQL query is stopped.", float),
    Setting("result_limit", 10000, "Maximum rows of a SPARQL result.", int),
    Setting(
        "sparql_columnar",
        True,
        "Also hold the data in a columnar database (DuckDB) that answers the SELECT queries it"
        " can compile once the data has a million triples or more (those that group or count"
        " from 150,000), aggregates several times faster (about 0.8 GB more memory at 100,000"
        " items); off: every query goes to"
        " pyoxigraph.",
        _bool,
    ),
    Setting("page_size", 50, "Items per page of the /news collection.", int),
    Setting("debug", False, "Run with debug logging.", _bool),
    Setting("dumps", "var/dumps", "Directory of the dumps `build` writes and /dumps/ serves."),
    Setting("cache_mb", 64, "Megabytes of rendered pages each web worker keeps in memory.", int),
    Setting("max_age", 60, "Seconds clients and proxies may reuse a read response unasked.", int),
    Setting(
        "license",
        "https://creativecommons.org/licenses/by/4.0/",
        "IRI of the licence the dataset is published under (empty: none stated).",
    ),
    Setting(
        "write_tokens",
        "",
        "Who may write: `name=token` pairs separated by commas, or the path of a file of"
        " such lines (empty: writes are refused).",
    ),
    Setting(
        "fold_delay",
        2.0,
        "Seconds after a write before the server folds the embedded store's journal into a"
        " new generation (SPARQL queries, listings and dumps see writes from then on).",
        float,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """Raise when a setting has a value that cannot be used."""


def resolve(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return every setting's value: default, then environment, then ``overrides``.

    Unknown names in ``overrides`` are rejected so that a typo is not silently ignored.
    """
    values: dict[str, Any] = {}
    env = environ or {}
    for setting in SETTINGS:
        value: Any = setting.default
        if setting.env in env:
            value = _parse(setting, env[setting.env])
        values[setting.name] = value
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        known = SETTINGS_BY_NAME.get(name)
        if known is None:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _parse(known, value) if isinstance(value, str) else value
    try:
        values["base_iri"] = normalize_base(str(values["base_iri"]))
    except ValueError as exc:
        raise SettingsError(f"base_iri: {exc}") from None
    return values


def _parse(setting: Setting, raw: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingsError(f"{setting.env}: cannot read {raw!r}: {exc}") from None
