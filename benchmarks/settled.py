"""Wait until a freshly started server has settled: its query helper holds the data in memory.

At 100,000 items the helper spends about a minute of one core loading its
in-memory copy, then precomputes the example queries; measuring reads or writes
meanwhile would measure that too. A server keeps the precomputed results in its
private runtime directory (see :mod:`miglod.query.helper`), which is found here
as the newest query helper's one made since the server started.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from miglod.query.helper import PREFIX, HelperPaths
from miglod.query.precompute import done_marker
from miglod.store import open_store

#: The caps a server precomputes the examples under by default (result rows, page rows).
LIMITS = (10_000, 1000)


def runtime_since(started: float) -> Path | None:
    """Return the newest query helper's runtime directory made since ``started`` (``time.time()``)."""
    found = [
        (path.stat().st_mtime, path)
        for path in Path(tempfile.gettempdir()).glob(PREFIX + "*")
        if HelperPaths(path).socket.exists() and path.stat().st_mtime >= started - 1
    ]
    return max(found)[1] if found else None


def wait_settled(store: Path, base: str, started: float, timeout: float = 900.0) -> float:
    """Wait until the server started at ``started`` precomputed the examples; return seconds.

    Raise :class:`TimeoutError` when it has not within ``timeout`` seconds.
    """
    with open_store(store, read_only=True) as opened:
        version = opened.query_version
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime = runtime_since(started)
        if runtime is not None:
            marker = done_marker(store, version, base, LIMITS, HelperPaths(runtime).cache)
            if marker.exists():
                return time.time() - started
        time.sleep(0.5)
    raise TimeoutError(f"the server on {store} did not settle within {timeout:.0f} s")
