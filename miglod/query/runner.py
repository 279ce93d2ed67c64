"""Answer queries, one at a time, in a process that can be killed when a query runs too long.

A runner is forked from the zygote, so it starts at once with the zygote's
in-memory union of the data (shared copy-on-write). It serves the one web
worker holding the other end of its socket until that end closes, and it
never forks. Named-graph queries open the on-disk generation the copy was
made from, read-only, on first use.

Between queries the web worker may ask it to :class:`Follow` the data to a
newer version, with the deltas the zygote read; it then keeps its warm pages
and plans instead of being replaced by a fork.

A runner forked ahead of requests (the zygote's spare) first runs the
example queries once and then says it is ready (:func:`serve_requests`): the
first queries in a forked process write to many pages it shares with the
zygote, each copied on that first write (measured at 100,000 items: the theme
page took 40-56 ms as a fresh fork's first query, and 12 ms once warm).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miglod.query import wire
from miglod.query.errors import QueryError
from miglod.query.evaluate import Engines, QueryRequest, Spool, evaluate
from miglod.query.formats import TSV
from miglod.query.union import KEPT_DELTAS, Delta, UnionCopy
from miglod.store import layout
from miglod.store.compact import fold_chain


@dataclass(frozen=True, slots=True)
class Follow:
    """Ask a runner to apply ``deltas`` (from the zygote) before its next query.

    It answers ``("followed", VERSION)``, or ``("error", ...)`` after which it
    must be replaced: a failed delta may have left its copy half changed. With
    ``settle`` it then also applies the deltas to its columns at once (a runner
    brought up to date ahead of any query), not when a query needs them.

    With no ``deltas`` and a ``target`` the runner reads the change itself, as
    the fold that made ``target`` from ``since`` (the runner's version) wrote
    it: one exchange instead of two when the data moved by one fold. It
    answers ``("behind", VERSION)``, its copy untouched, when there is no such
    change to read (the zygote's deltas are then needed).
    """

    deltas: list[Delta]
    settle: bool = False
    target: str = ""
    since: str = ""


#: Changes a runner follows before it is replaced by a fresh fork: its pages copied on
#: write grow with every change it applies.
MAX_FOLLOWS = 64
#: What a spare runner sends once it has run its warm-up queries, with its version.
READY = "ready"


def serve_requests(
    sock: socket.socket,
    copy: UnionCopy,
    spool_dir: str,
    *,
    warm_up: Sequence[str] | None = None,
) -> None:
    """Answer requests from ``sock`` until it closes; never return.

    While the copy in memory is still being loaded, every query reads the
    on-disk generation the copy names. With ``warm_up`` (a spare's) the
    runner first evaluates those queries, discarding their answers, then
    sends ``(READY, version)`` before reading any request.
    """
    for name in ("SIGTERM", "SIGINT", "SIGCHLD"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    engines = _engines(copy)
    if warm_up is not None:
        for query in warm_up:
            # Only a warm-up: a query's own error comes when it is asked.
            with contextlib.suppress(Exception):
                evaluate(QueryRequest(query, TSV.name), engines, Spool(None, "warm-up"))
        try:
            wire.send(sock, (READY, copy.version))
        except OSError:
            os._exit(0)
    count = 0
    while True:
        try:
            request, _ = wire.receive(sock)
        except (wire.ChannelClosedError, OSError):
            os._exit(0)
        if isinstance(request, Follow):
            followed = False
            try:
                chain = request.deltas or _written_delta(copy, request.since, request.target)
                if chain:
                    copy.follow(chain)
                    engines = _engines(copy)
                    answer: object = ("followed", copy.version)
                    followed = True
                else:
                    answer = ("behind", copy.version)
            except Exception as exc:
                traceback.print_exc()
                answer = ("error", 500, "query_crashed", f"{type(exc).__name__}: {exc}")
            try:
                wire.send(sock, answer)
            except OSError:
                os._exit(0)
            if followed and request.settle and copy.columnar is not None:
                copy.columnar.settle()
            continue
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
        if copy.columnar is not None:
            copy.columnar.settle()  # deltas a followed change left: now, not in the next query


def _written_delta(copy: UnionCopy, since: str, target: str) -> list[Delta]:
    """Return the changes from ``since`` to ``target`` as the folds wrote them ([]: none to read).

    Only when ``since`` is the copy's version: the changes apply to it alone.
    """
    if since != copy.version or target <= since:
        return []
    return fold_chain(copy.path, since, target, KEPT_DELTAS) or []


def _engines(copy: UnionCopy) -> Engines:
    """Return the stores queries go to for the version the copy holds now."""
    return Engines(
        disk=_disk_opener(copy.path, copy.version),
        union=copy.store if copy.ready else None,
        version=copy.version,
        columnar=copy.live_columnar(),
    )


def _disk_opener(path: Path, version: str) -> Callable[[], ox.Store]:
    opened: list[tuple[ox.Store, layout.Hold]] = []

    def disk() -> ox.Store:
        if not opened:
            try:
                if not version:
                    raise layout.GenerationGoneError(version)
                name, hold = version, layout.hold(path, version)
            except layout.GenerationGoneError:
                # Removed after three newer ones: their data includes the version's.
                name, hold = layout.hold_current(path)
            directory = layout.generation_dir(path, name) / layout.RDF_DIR
            opened.append((ox.Store.read_only(str(directory)), hold))
        return opened[0][0]

    return disk
