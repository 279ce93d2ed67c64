"""Answer the on-disk store's reads that combine a generation with the journaled writes.

A reader's generation is immutable, and the writes journaled since it are
held beside it (see :mod:`miglod.store.overlay`). The listings of dated
resources and of changes, a graph's history and its earlier versions are
read here from both, the journaled record of a graph standing in for the
generation's. SPARQL queries go to the generation alone. Each function
takes the :class:`~miglod.store.oxigraph.OxigraphStore` whose method of
the same name calls it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from miglod.store.base import (
    Change,
    Listing,
    QueryError,
    QueryResult,
    QueryTimeoutError,
    Triple,
)
from miglod.store.index import GraphRecord
from miglod.store.terms import to_rdflib

if TYPE_CHECKING:
    from miglod.store.oxigraph import OxigraphStore

T = TypeVar("T")


def query(
    store: OxigraphStore, sparql: str, *, timeout: float | None, limit: int | None
) -> QueryResult:
    """Evaluate a read-only query over the union of the generation's graphs."""
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        result = store.generation.rdf.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("boolean", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = tuple(v.value for v in result.variables)
            rows, truncated = _collect(
                (tuple(None if t is None else to_rdflib(t) for t in s) for s in result),
                limit,
                deadline,
            )
            return QueryResult("solutions", variables=names, rows=tuple(rows), truncated=truncated)
        triples, truncated = _collect(
            ((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result),
            limit,
            deadline,
        )
        return QueryResult("triples", triples=tuple(triples), truncated=truncated)
    except SyntaxError as exc:
        raise QueryError(str(exc)) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc


def latest(
    store: OxigraphStore,
    *,
    linked_to: Sequence[str],
    since: str | None,
    offset: int,
    limit: int,
) -> Listing:
    """Return dated resources, newest first, journaled writes included."""
    generation = store.generation
    overlay = generation.overlay
    if not overlay.records:
        items, total = generation.index.latest(linked_to, since, offset, limit)
        return Listing(tuple(items), total)
    hidden = set(generation.index.latest_in(list(overlay.records), linked_to, since))
    mine = overlay.latest(linked_to, since)
    window = offset + limit + len(hidden)
    rows, total = generation.index.latest(linked_to, since, 0, window)
    merged = [row for row in rows if row not in hidden] + mine
    merged.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return Listing(tuple(merged[offset : offset + limit]), total - len(hidden) + len(mine))


def changes(
    store: OxigraphStore, since: dt.datetime | None, *, after: str, limit: int
) -> list[Change]:
    """Return the graphs written or removed after ``since``, oldest first."""
    generation = store.generation
    journaled = generation.overlay.records
    if not journaled:
        return generation.index.changes(since, after, limit)
    older = generation.index.changes(since, after, limit + len(journaled))
    found = [c for c in older if c.graph not in journaled]
    found.extend(r.change() for r in journaled.values() if _after(r, since, after))
    found.sort(key=lambda c: (c.modified, c.graph))
    return found[:limit]


def history(store: OxigraphStore, graph: str) -> list[Change]:
    """Return every change to ``graph`` that reads see, oldest first."""
    generation = store.generation
    found = store.journal.of(graph, generation.overlay.seq)
    record = generation.index.get(graph)
    if record is not None and not any(c.modified == record.modified for c in found):
        # Made by a build (which journals nothing), or folded before the journal began.
        found = [record.change(), *[c for c in found if c.modified > record.modified]]
    return found


def version_of(store: OxigraphStore, graph: str, digest: str) -> tuple[Triple, ...] | None:
    """Return the triples ``graph`` held when its digest was ``digest``, if kept."""
    generation = store.generation
    record = generation.record(graph)
    if record is not None and not record.deleted and record.digest == digest:
        if graph in generation.overlay.records:
            return tuple(_rdflib_triple(t) for t in generation.overlay.quads(graph))
        quads = generation.rdf.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return tuple(_rdflib_triple(q.triple) for q in quads)
    known = {d for c in store.history(graph) for d in (c.before, c.after)}
    content = store.journal.version(digest) if digest in known else None
    if content is None:
        return None
    parsed = ox.parse(content, format=ox.RdfFormat.N_TRIPLES)
    return tuple(_rdflib_triple(q.triple) for q in parsed)


def _after(record: GraphRecord, since: dt.datetime | None, after: str) -> bool:
    if since is None:
        return True
    return record.modified > since or (
        bool(after) and record.modified == since and record.iri > after
    )


def _rdflib_triple(triple: ox.Triple) -> Triple:
    return (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))


def _collect(items: Iterable[T], limit: int | None, deadline: float | None) -> tuple[list[T], bool]:
    kept: list[T] = []
    for item in items:
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeoutError("the query ran past its time limit")
        if limit is not None and len(kept) >= limit:
            return kept, True
        kept.append(item)
    return kept, False
