"""Store the dataset on disk with pyoxigraph: immutable generations plus a journal of writes.

Reads go to a read-only handle on the generation ``current`` names (see
:mod:`miglod.store.layout`) and to the writes journaled since (see
:mod:`miglod.store.history` and :mod:`miglod.store.overlay`), which every
reader picks up on its next :meth:`OxigraphStore.refresh`. A write appends to
the journal in one transaction, after checking what it expects under the
writers' lock: milliseconds, whatever the size of the data. :meth:`compact`
folds the journal into a new generation, for many writes at a time.

Resource descriptions (with the links to them from other resources), listings,
graph status, changes, history and versions include journaled writes at once;
SPARQL queries see them once they are folded into a generation. The longer reads
(listings, changes, history, earlier versions and SPARQL queries) are answered
in :mod:`miglod.store.oxigraph_read`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from miglod.store import layout, oxigraph_read
from miglod.store.base import (
    INBOUND_LIMIT,
    Change,
    Description,
    GraphStatus,
    Listing,
    Position,
    QueryResult,
    ReadOnlyStoreError,
    Store,
    StoreError,
    Triple,
    check_expected,
)
from miglod.store.compact import compact
from miglod.store.describe import describe
from miglod.store.generation import (
    Generation,
    changed_records,
    versions_written,
)
from miglod.store.history import Journal
from miglod.store.index import lineage_of
from miglod.store.kept import KeptSubjects
from miglod.store.overlay import Merged, MergedIndex
from miglod.store.terms import ox_triple

#: Journal entries whose touched resources a reader remembers (older ones count as unknown).
TOUCHED_KEPT = 4096


class OxigraphStore(Store):
    """Read and write an on-disk store made of pyoxigraph generations."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._swap = threading.Lock()
        #: Held by the one thread opening a new generation (see :meth:`refresh`).
        self._opening = threading.Lock()
        #: The last generation checked by :meth:`_continues`, and what was found.
        self._continuing: tuple[str, bool] | None = None
        self.journal = Journal(path)
        self._gen: Generation | None = Generation.open(path, self.journal)
        #: What the changes this reader applied named, by entry (see :meth:`untouched`).
        self._touched: dict[int, frozenset[int]] = {}
        self._lineage: str | None = None
        self._note_touched()
        #: Quads found by subject through :meth:`quads_view`, with the position they were read at.
        self._subjects: dict[str, tuple[Position, tuple[ox.Quad, ...]]] = {}
        #: Called inside a write's transaction, just before it commits (tests stop a
        #: writer there to show that a write killed midway leaves nothing behind).
        self.before_publish: Callable[[], None] | None = None

    @property
    def generation(self) -> Generation:
        """Return the generation reads go to."""
        if self._gen is None:
            raise StoreError("the store is closed")
        return self._gen

    @property
    def version(self) -> str:
        """Return a name for the data reads go to: the generation's, and the journal's position."""
        generation = self.generation
        overlay = generation.overlay
        if overlay.seq == overlay.folded:
            return generation.name
        return f"{generation.name}+{overlay.seq:012d}"

    @property
    def query_version(self) -> str:
        """Return the name of the generation queries read (journaled writes are not in it).

        That is the newest one published, even before this reader has opened
        it: queries run in the query service's copies, which are brought up to
        it (see :mod:`miglod.query.service`), so a query need not wait while
        this reader opens it (see :func:`server.http.see_latest_data`).
        """
        return layout.current_name(self.path)

    @property
    def modified(self) -> dt.datetime | None:
        """Return the time of the last change to any graph."""
        generation = self.generation
        times = [t for t in (generation.modified, generation.overlay.modified) if t is not None]
        return max(times) if times else None

    @property
    def position(self) -> Position | None:
        """Return the generation's lineage and the last journal entry reads include."""
        generation = self.generation
        if generation.lineage is None:
            return None
        return (generation.lineage, generation.overlay.seq)

    def untouched(self, since: Position, until: Position, resources: frozenset[int]) -> bool:
        """Return whether no journal entry after ``since`` up to ``until`` named ``resources``."""
        if since[0] != until[0] or until[0] != self._lineage or since[1] > until[1]:
            return False
        touched = self._touched
        for seq in range(since[1] + 1, until[1] + 1):
            named = touched.get(seq)
            if named is None or not named.isdisjoint(resources):
                return False
        return True

    def refresh(self, *, wait: bool = True) -> bool:
        """Catch up with new generations and journaled writes; return whether anything moved.

        The files of a new generation are opened outside the lock readers take
        to apply journal entries; only carrying the overlay over and the swap
        are done under it. With ``wait=False`` the caller never waits for a new
        generation to be opened: that is left to a thread of its own (or to the
        thread already at it), and the caller goes on with the generation it
        has and the journal entries since, which together hold everything the
        new generation holds (the old one stays on disk meanwhile, see
        :data:`~miglod.store.layout.KEEP`). Documents may be read so, and SPARQL
        queries may be sent so (they name :attr:`query_version`, the newest
        published generation). A build's new lineage is always waited for.
        """
        moved = False
        name = layout.current_name(self.path)
        if name != self.generation.name:
            if wait or not self._continues(name):
                with self._opening:
                    moved = self._switch()
            elif self._opening.acquire(blocking=False):
                opener = threading.Thread(
                    target=self._switch_aside, name="miglod-open", daemon=True
                )
                opener.start()
        if self.journal.last() > self.generation.overlay.seq:
            with self._swap:
                moved = self._apply_new(self.generation) or moved
        return moved

    def _continues(self, name: str) -> bool:
        """Return whether generation ``name`` only folded journal entries after this reader's.

        Such a generation holds nothing the journal does not: a reader may go on
        without it. A build starts a new lineage, which a reader must wait for.
        """
        known = self._continuing
        if known is not None and known[0] == name:
            return known[1]
        generation = self.generation
        try:
            lineage, folded = lineage_of(layout.generation_dir(self.path, name) / layout.INDEX_FILE)
        except (OSError, sqlite3.Error, StoreError):  # pruned or unreadable: wait for it
            return False
        same = lineage is not None and lineage == generation.lineage
        continues = same and folded >= generation.overlay.folded
        self._continuing = (name, continues)
        return continues

    def _switch_aside(self) -> None:
        """Move to the new generation in a thread of its own, then let others open again."""
        try:
            self._switch()
        except Exception:  # the next refresh that waits meets it again and raises it
            pass
        finally:
            self._opening.release()

    def _switch(self) -> bool:
        """Move to the generation ``current`` points at (the caller holds ``_opening``)."""
        if layout.current_name(self.path) == self.generation.name:
            return False  # another thread moved meanwhile
        handles = Generation.handles(self.path)
        with self._swap:
            # Note what the entries folded meanwhile touched before moving on.
            self._apply_new(self.generation)
            self._gen = Generation.complete(handles, self.journal, self.generation.overlay)
            self._note_touched()
        return True

    def _apply_new(self, generation: Generation) -> bool:
        """Apply the journal entries after those ``generation`` holds; return whether any."""
        overlay = generation.overlay
        entries = self.journal.entries(overlay.seq)
        if not entries:
            return False
        overlay.apply(entries, self.journal, generation.rdf)
        self._note_touched()
        return True

    def _note_touched(self) -> None:
        """Move what the overlay's new entries touched into this reader's record."""
        generation = self.generation
        overlay = generation.overlay
        if generation.lineage != self._lineage:
            self._touched = {}
        self._lineage = generation.lineage
        self._touched.update(overlay.touched)
        overlay.touched.clear()
        while len(self._touched) > TOUCHED_KEPT:  # entries go in in order: drop the oldest
            del self._touched[next(iter(self._touched))]

    def compact(self, *, wait: bool = True) -> bool:
        """Fold the journaled writes into a new generation; return whether one was made."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path} was opened read-only")
        made = compact(self.path, self.journal, wait=wait)
        self.refresh()
        return made is not None

    def pending(self) -> int:
        """Return how many journaled writes wait to be folded into a generation."""
        overlay = self.generation.overlay
        return overlay.seq - overlay.folded

    def describe(self, iri: str, *, inbound_limit: int = INBOUND_LIMIT) -> Description:
        """Return the description of ``iri``, journaled writes included."""
        generation = self.generation
        if not generation.overlay.records:
            return describe(generation.rdf, generation.index, iri, inbound_limit=inbound_limit)
        return describe(
            Merged(generation.rdf, generation.overlay),  # type: ignore[arg-type]
            MergedIndex(generation.index, generation.overlay),  # type: ignore[arg-type]
            iri,
            inbound_limit=inbound_limit,
        )

    def quads_view(self) -> ox.Store | Merged | KeptSubjects:
        """Return what answers quad patterns over every graph, journaled writes included.

        Lookups by subject alone are kept from one view to the next while no
        change names the subject (see :class:`KeptSubjects`).
        """
        generation = self.generation
        view: ox.Store | Merged = generation.rdf
        if generation.overlay.records:
            view = Merged(generation.rdf, generation.overlay)
        position = self.position
        if position is None:
            return view
        return KeptSubjects(view, position, self, self._subjects)

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        """Evaluate a read-only query over the union of the graphs.

        The time limit is checked while results are read; pyoxigraph cannot stop
        an evaluation (oxigraph#1926), so a limit that always holds needs the
        query to run in a process that can be killed.
        """
        return oxigraph_read.query(self, sparql, timeout=timeout, limit=limit)

    def latest(
        self,
        *,
        linked_to: Sequence[str] = (),
        since: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Listing:
        """Return dated resources, newest first, journaled writes included."""
        return oxigraph_read.latest(
            self, linked_to=linked_to, since=since, offset=offset, limit=limit
        )

    def changes(
        self, since: dt.datetime | None = None, *, after: str = "", limit: int = 1000
    ) -> list[Change]:
        """Return the graphs written or removed after ``since``, oldest first."""
        return oxigraph_read.changes(self, since, after=after, limit=limit)

    def status(self, graph: str) -> GraphStatus | None:
        """Return the digest and last change of ``graph``."""
        found = self.generation.record(graph)
        if found is None:
            return None
        return GraphStatus(found.iri, found.digest, found.modified, found.deleted)

    def history(self, graph: str) -> list[Change]:
        """Return every change to ``graph`` that reads see, oldest first."""
        return oxigraph_read.history(self, graph)

    def version_of(self, graph: str, digest: str) -> tuple[Triple, ...] | None:
        """Return the triples ``graph`` held when its digest was ``digest``, if kept."""
        return oxigraph_read.version_of(self, graph, digest)

    def replace_graphs(
        self,
        quads_by_graph: Mapping[str, Iterable[Triple]],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Journal a write after which each graph holds exactly its triples."""
        prepared = {}
        for graph, triples in quads_by_graph.items():
            try:
                ox.NamedNode(str(graph))
                prepared[str(graph)] = [ox_triple(t) for t in triples]
            except (TypeError, ValueError) as exc:
                raise StoreError(f"graph {graph}: {exc}") from None
        return self._write(prepared, at, agent, expect)

    def delete_graphs(
        self,
        graphs: Iterable[str],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Journal the removal of ``graphs``."""
        return self._write({str(g): [] for g in graphs}, at, agent, expect)

    def close(self) -> None:
        """Drop the handles on the current generation and the journal."""
        with self._opening:  # a generation being opened aside is in place first
            self._gen = None
            self.journal.close()

    def _write(
        self,
        triples_by_graph: dict[str, list[ox.Triple]],
        at: dt.datetime | None,
        agent: str,
        expect: Mapping[str, str | None] | None,
    ) -> list[Change]:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path} was opened read-only")
        when = at or dt.datetime.now(dt.UTC)
        with layout.writer_lock(self.path):
            self.refresh()  # nobody else writes now: this is the latest state
            generation = self.generation
            expected = expect or {}
            check_expected(expected, {g: generation.record(g) for g in expected})
            records = changed_records(generation, triples_by_graph, when, agent)
            changes = [r.change() for r in records]
            if records:
                versions = versions_written(generation, self.journal, triples_by_graph, records)
                self.journal.append(changes, versions, before_commit=self.before_publish)
        self.refresh()
        return changes
