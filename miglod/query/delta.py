"""Read what changed between two generations of the store, for the in-memory copy to catch up.

Only the graphs the new generation's index lists as changed since the old
generation's latest change are read, so a catch-up costs what changed, not
what is stored. The reading happens in a small process of its own
(:class:`DeltaReader`), forked before the copy grows: the on-disk store starts
threads, and forking a process that holds a large copy costs its page table.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from miglod.query import wire
from miglod.store import layout
from miglod.store.index import GraphIndex

#: Above this many changed graphs a full reload is cheaper than a delta.
MAX_DELTA_GRAPHS = 5000
#: Sorts after every IRI: asks the index for changes strictly after a time.
LAST_IRI = "\U0010ffff"


class DeltaReader:
    """A small process that reads the deltas between generations for the copy's owner.

    It opens the on-disk store (and so starts RocksDB's threads) in its own
    process, and exits when the owner closes the socket.
    """

    def __init__(self, path: Path) -> None:
        mine, theirs = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the reader
            status = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                mine.close()
                _read_deltas(path, theirs)
            except BaseException:
                traceback.print_exc(file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        theirs.close()
        self.sock = mine

    def close(self) -> None:
        """Close the socket, which ends the reader, and wait for it."""
        self.sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def delta(self, old: str, new: str) -> object:
        """Return the pickled delta's value, or ``False`` when the reader is gone."""
        try:
            wire.send(self.sock, (old, new))
            found, _ = wire.receive(self.sock)
        except (wire.ChannelClosedError, OSError):
            return False
        if isinstance(found, str):
            raise RuntimeError(f"reading the store failed: {found}")
        return found


def _read_deltas(path: Path, sock: socket.socket) -> None:
    """Answer delta requests from ``sock`` until it closes."""
    opened = Opened(path)
    while True:
        try:
            request, _ = wire.receive(sock)
        except wire.ChannelClosedError:
            return
        assert isinstance(request, tuple)
        out = io.BytesIO()
        try:
            write_delta(path, str(request[0]), str(request[1]), out, opened)
            answer: object = pickle.loads(out.getvalue())
        except Exception as exc:  # reported by the owner
            answer = f"{type(exc).__name__}: {exc}"
        wire.send(sock, answer)


class Opened:
    """Open generations read-only, keeping the last two (a delta starts where the last ended)."""

    def __init__(self, path: Path, keep: int = 2) -> None:
        self.path = path
        self.keep = keep
        self.handles: dict[str, ox.Store] = {}

    def __call__(self, name: str) -> ox.Store:
        """Return a read-only handle on generation ``name``."""
        found = self.handles.get(name)
        if found is None:
            directory = layout.generation_dir(self.path, name) / layout.RDF_DIR
            found = self.handles[name] = ox.Store.read_only(str(directory))
            while len(self.handles) > self.keep:
                del self.handles[next(iter(self.handles))]
        return found


def write_delta(
    path: Path, old: str, new: str, out: IO[bytes], opened: Opened | None = None
) -> None:
    """Pickle the triples to remove from and add to the union of ``old`` to get that of ``new``.

    Only the graphs the new generation's index lists as changed since the
    latest change ``old`` knew are read (modification times only grow, as
    incremental harvesting also assumes). ``None`` is written when a full
    reload is needed: ``old`` is gone, a default graph holds triples, or too
    much changed.
    """
    old_dir, new_dir = layout.generation_dir(path, old), layout.generation_dir(path, new)
    if not (old_dir / layout.INDEX_FILE).exists():
        pickle.dump(None, out)
        return
    changed = _changed_graphs(old_dir / layout.INDEX_FILE, new_dir / layout.INDEX_FILE)
    if changed is None:
        pickle.dump(None, out)
        return
    opened = opened or Opened(path)
    old_rdf, new_rdf = opened(old), opened(new)
    for rdf in (old_rdf, new_rdf):
        if next(iter(rdf.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            pickle.dump(None, out)
            return
    removed: list[ox.Triple] = []
    added: list[ox.Triple] = []
    for iri in changed:
        graph = ox.NamedNode(iri)
        was = {q.triple for q in old_rdf.quads_for_pattern(None, None, None, graph)}
        now = {q.triple for q in new_rdf.quads_for_pattern(None, None, None, graph)}
        added.extend(now - was)
        for t in was - now:
            if (
                next(iter(new_rdf.quads_for_pattern(t.subject, t.predicate, t.object)), None)
                is None
            ):
                removed.append(t)
    nt = ox.RdfFormat.N_TRIPLES
    pickle.dump((ox.serialize(removed, format=nt), ox.serialize(added, format=nt)), out)


def _changed_graphs(old_index: Path, new_index: Path) -> list[str] | None:
    """Return the graphs changed between two generations, or ``None`` when there are too many."""
    before = GraphIndex(old_index)
    try:
        since = before.last_modified()
    finally:
        before.close()
    after = GraphIndex(new_index)
    try:
        # Strictly later changes: every graph of a build shares its time, and each
        # write reads the clock anew under the store's lock.
        changes = after.changes(since, LAST_IRI, MAX_DELTA_GRAPHS + 1)
    finally:
        after.close()
    if len(changes) > MAX_DELTA_GRAPHS:
        return None
    return sorted({c.graph for c in changes})
