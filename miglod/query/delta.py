"""Read what changed between two generations of the store, for the in-memory copy to catch up.

Only the graphs changed between them are read, so a catch-up costs what
changed, not what is stored. Between two generations of one lineage (a fold)
the changes are the journal entries the newer one folded in addition, read
from the journal with the old generation at hand: the new generation need not
be opened first (a RocksDB open, 5-15 ms with 100,000 items, on the way of the
first query after a fold); it is opened after the answer, for the next delta.
Otherwise (a build) the graphs the new generation's index lists as changed
since the old generation's latest change are read from both. The reading
happens in a small process of its own (:class:`DeltaReader`), forked before
the copy grows: the on-disk store starts threads, and forking a process that
holds a large copy costs its page table.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import socket
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from miglod.query import wire
from miglod.query.forking import fork_child
from miglod.store import layout
from miglod.store.compact import MAX_DELTA_GRAPHS, has_default_graph, union_change
from miglod.store.history import Journal
from miglod.store.index import GraphIndex, lineage_of

#: Sorts after every IRI: asks the index for changes strictly after a time.
LAST_IRI = "\U0010ffff"


class DeltaReader:
    """A small process that reads the deltas between generations for the copy's owner.

    It opens the on-disk store (and so starts RocksDB's threads) in its own
    process, and exits when the owner closes the socket.
    """

    def __init__(self, path: Path) -> None:
        mine, theirs = socket.socketpair()

        def reader() -> None:  # pragma: no cover - runs in the reader
            mine.close()
            _read_deltas(path, theirs)

        self.pid = fork_child(reader)
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
        # The next delta starts where this one ended: open that generation now, not then
        # (only to save time: a generation gone meanwhile is the next request's concern).
        with contextlib.suppress(Exception):
            opened(str(request[1]))


class Opened:
    """Open generations read-only, keeping the last two (a delta starts where the last ended)."""

    def __init__(self, path: Path, keep: int = 2) -> None:
        self.path = path
        self.keep = keep
        self.handles: dict[str, tuple[ox.Store, layout.Hold]] = {}
        self._journal: Journal | None = None

    @property
    def journal(self) -> Journal:
        """Return the store's journal, opened at first use."""
        if self._journal is None:
            self._journal = Journal(self.path)
        return self._journal

    def __call__(self, name: str) -> ox.Store:
        """Return a read-only handle on generation ``name``, held while it is kept."""
        found = self.handles.get(name)
        if found is None:
            hold = layout.hold(self.path, name)
            directory = layout.generation_dir(self.path, name) / layout.RDF_DIR
            try:
                found = self.handles[name] = (ox.Store.read_only(str(directory)), hold)
            except BaseException:
                hold.release()
                raise
            while len(self.handles) > self.keep:
                del self.handles[next(iter(self.handles))]
        return found[0]


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
    try:
        holds = [layout.hold(path, old), layout.hold(path, new)]  # both stay while read
    except layout.GenerationGoneError:
        pickle.dump(None, out)
        return
    try:
        opened = opened or Opened(path)
        span = _folded_span(old_dir / layout.INDEX_FILE, new_dir / layout.INDEX_FILE)
        if span is not None:
            delta = _from_journal(opened, old, *span)
        else:
            delta = _between(opened, old, new, old_dir, new_dir)
    finally:
        for hold in holds:
            hold.release()
    if delta is None:
        pickle.dump(None, out)
        return
    removed, added = delta
    nt = ox.RdfFormat.N_TRIPLES
    pickle.dump((ox.serialize(removed, format=nt), ox.serialize(added, format=nt)), out)


Triples = tuple[list[ox.Triple], list[ox.Triple]]


def _folded_span(old_index: Path, new_index: Path) -> tuple[int, int] | None:
    """Return the journal entries folded by the old and the new generation, if one lineage."""
    (old_lineage, old_folded), (new_lineage, new_folded) = map(lineage_of, (old_index, new_index))
    if old_lineage is None or old_lineage != new_lineage or old_folded > new_folded:
        return None
    return old_folded, new_folded


def _from_journal(opened: Opened, old: str, after: int, upto: int) -> Triples | None:
    """Return the triples removed from and added to the union by journal entries ``after``..``upto``.

    The union after them is the old generation's graphs that no entry names
    plus the latest version of each graph named, exactly what a fold makes.
    """
    latest = opened.journal.latest(after, upto)
    if len(latest) > MAX_DELTA_GRAPHS:
        return None
    old_rdf = opened(old)
    if has_default_graph(old_rdf):
        return None
    nt = ox.RdfFormat.N_TRIPLES
    now_by_graph: dict[str, set[ox.Triple]] = {}
    for graph, change in latest.items():
        content = b""
        if not change.deleted and change.after is not None:
            content = opened.journal.version(change.after) or b""
        now_by_graph[graph] = {q.triple for q in ox.parse(content, format=nt)}
    return union_change(old_rdf, now_by_graph)


def _between(opened: Opened, old: str, new: str, old_dir: Path, new_dir: Path) -> Triples | None:
    """Return the triples removed from and added to the union, from both generations' graphs."""
    changed = _changed_graphs(old_dir / layout.INDEX_FILE, new_dir / layout.INDEX_FILE)
    if changed is None:
        return None
    old_rdf, new_rdf = opened(old), opened(new)
    if has_default_graph(old_rdf) or has_default_graph(new_rdf):
        return None
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
    return removed, added


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
