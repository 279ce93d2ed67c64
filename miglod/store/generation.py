"""One opened generation of the on-disk store, and what a write changes in it.

A :class:`Generation` holds read-only handles on the files of one published
generation (see :mod:`miglod.store.layout`), the hold that keeps them on disk,
and the journal entries read after it (:mod:`miglod.store.overlay`). The
functions below work out, from a generation, what a write records: the
expectations it checks, the graph records it makes and the versions it keeps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from miglod.store import layout
from miglod.store.base import live_digest
from miglod.store.history import Journal
from miglod.store.index import GraphIndex, GraphRecord
from miglod.store.overlay import Overlay
from miglod.store.terms import triples_digest


class Handles(NamedTuple):
    """The opened files of one generation, and the hold that keeps them on disk."""

    name: str
    rdf: ox.Store
    graph_index: GraphIndex
    hold: layout.Hold


@dataclass(frozen=True, slots=True)
class Generation:
    """Open handles on one published generation, and the journal entries read after it."""

    name: str
    rdf: ox.Store
    index: GraphIndex
    modified: dt.datetime | None
    overlay: Overlay
    lineage: str | None
    #: Keeps the generation on disk while this process reads it.
    hold: layout.Hold

    @classmethod
    def open(cls, path: Path, journal: Journal, after: Overlay | None = None) -> Generation:
        """Open the generation ``current`` points at, read-only, with the entries after it.

        With ``after``, the overlay of the generation read until now, the entries
        it holds beyond what the new generation folded are carried over rather
        than read from the journal and applied again: a reader then moves to a
        new generation in milliseconds, however many writes came during the fold.
        """
        return cls.complete(cls.handles(path), journal, after)

    @staticmethod
    def handles(path: Path) -> Handles:
        """Open the files of the generation ``current`` points at: the slow part of :meth:`open`.

        It reads nothing a reader changes, so it needs none of a reader's locks. The
        generation is held (:class:`~miglod.store.layout.Hold`) before it is opened.
        """
        name, hold = layout.hold_current(path)
        directory = layout.generation_dir(path, name)
        try:
            rdf = ox.Store.read_only(str(directory / layout.RDF_DIR))
            return Handles(name, rdf, GraphIndex(directory / layout.INDEX_FILE), hold)
        except BaseException:
            hold.release()
            raise

    @classmethod
    def complete(cls, handles: Handles, journal: Journal, after: Overlay | None) -> Generation:
        """Return the generation of opened ``handles``, with the journal entries after it."""
        name, rdf, index, hold = handles
        folded = index.folded()
        if after is not None and after.folded <= folded <= after.seq:
            overlay = after.rebased(folded)
        else:
            overlay = Overlay(folded)
        overlay.apply(journal.entries(overlay.seq), journal, rdf)
        return cls(name, rdf, index, index.last_modified(), overlay, index.lineage(), hold)

    def record(self, graph: str) -> GraphRecord | None:
        """Return the latest record of ``graph``, journaled or in the generation."""
        return self.overlay.records.get(graph) or self.index.get(graph)


def changed_records(
    generation: Generation,
    triples_by_graph: dict[str, list[ox.Triple]],
    when: dt.datetime,
    agent: str,
) -> list[GraphRecord]:
    records = []
    for graph, triples in sorted(triples_by_graph.items()):
        live = live_digest(generation.record(graph))
        if not triples:
            if live is not None:
                records.append(GraphRecord(graph, live, when, True, agent, live))
            continue
        digest = triples_digest(triples)
        if live != digest:
            records.append(GraphRecord(graph, digest, when, False, agent, live))
    return records


def versions_written(
    generation: Generation,
    journal: Journal,
    triples_by_graph: dict[str, list[ox.Triple]],
    records: list[GraphRecord],
) -> dict[str, bytes]:
    """Return the N-Triples of the versions a write makes, and of those it supersedes.

    A superseded version is only read here when the generation holds it (one
    journaled earlier is kept already).
    """
    nt = ox.RdfFormat.N_TRIPLES
    versions: dict[str, bytes] = {}
    for record in records:
        if not record.deleted:
            versions[record.digest] = ox.serialize(triples_by_graph[record.iri], format=nt) or b""
        old = record.before
        if old is not None and not journal.has_version(old):
            quads = generation.rdf.quads_for_pattern(None, None, None, ox.NamedNode(record.iri))
            versions[old] = ox.serialize([q.triple for q in quads], format=nt) or b""
    return versions
