"""Answer queries, one at a time, in a process that can be killed when a query runs too long.

A runner is forked from the zygote, so it starts at once with the zygote's
in-memory union of the data (shared copy-on-write). It serves the one web
worker holding the other end of its socket until that end closes, and it
never forks. Named-graph queries open the on-disk generation the copy was
made from, read-only, on first use.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from miglod.query import wire
from miglod.query.errors import QueryError
from miglod.query.evaluate import Engines, QueryRequest, Spool, evaluate
from miglod.query.union import UnionCopy
from miglod.store import layout


def serve_requests(sock: socket.socket, copy: UnionCopy, spool_dir: str) -> None:
    """Answer requests from ``sock`` until it closes; never return.

    While the copy in memory is still being loaded, every query reads the
    on-disk generation the copy names.
    """
    for name in ("SIGTERM", "SIGINT", "SIGCHLD"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    union = copy.store if copy.ready else None
    engines = Engines(
        disk=_disk_opener(copy.path, copy.version),
        union=union,
        version=copy.version,
        columnar=copy.live_columnar(),
    )
    count = 0
    while True:
        try:
            request, _ = wire.receive(sock)
        except (wire.ChannelClosedError, OSError):
            os._exit(0)
        assert isinstance(request, QueryRequest)
        count += 1
        spool = Spool(spool_dir, f"{os.getpid()}-{count}.out")
        try:
            reply: object = ("ok", evaluate(request, engines, spool))
        except QueryError as exc:
            reply = ("error", exc.status, exc.code, exc.message)
        except Exception as exc:  # reported to the web worker, which logs it
            reply = ("error", 500, "query_crashed", f"{type(exc).__name__}: {exc}")
        try:
            wire.send(sock, reply)
        except OSError:
            os._exit(0)


def _disk_opener(path: Path, version: str) -> Callable[[], ox.Store]:
    opened: list[ox.Store] = []

    def disk() -> ox.Store:
        if not opened:
            name = version or layout.current_name(path)
            opened.append(
                ox.Store.read_only(str(layout.generation_dir(path, name) / layout.RDF_DIR))
            )
        return opened[0]

    return disk
