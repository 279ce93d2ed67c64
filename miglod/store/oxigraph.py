"""Store the dataset on disk with pyoxigraph, one immutable generation at a time.

Reads go to a read-only handle on the generation ``current`` names (see
:mod:`miglod.store.layout`). A write copies the current generation (RocksDB
hard-links its files, so the copy costs milliseconds), changes the copy, and
publishes it; readers in any process pick it up on their next
:meth:`OxigraphStore.refresh`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from miglod.store import layout
from miglod.store.base import (
    INBOUND_LIMIT,
    Change,
    Description,
    Listing,
    QueryError,
    QueryResult,
    QueryTimeoutError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    Triple,
)
from miglod.store.describe import describe
from miglod.store.index import GraphIndex, GraphRecord
from miglod.store.links import LinkCollector
from miglod.store.terms import ox_triple, to_rdflib, triples_digest

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Generation:
    """Open handles on one published generation."""

    name: str
    rdf: ox.Store
    index: GraphIndex
    modified: dt.datetime | None

    @classmethod
    def open(cls, path: Path) -> Generation:
        """Open the generation ``current`` points at, read-only."""
        for attempt in range(3):
            name = layout.current_name(path)
            directory = layout.generation_dir(path, name)
            try:
                rdf = ox.Store.read_only(str(directory / layout.RDF_DIR))
            except OSError:
                if attempt == 2:
                    raise
                continue  # pruned between reading the link and opening it
            index = GraphIndex(directory / layout.INDEX_FILE)
            return cls(name, rdf, index, index.last_modified())
        raise StoreError(f"cannot open the current generation of {path}")  # pragma: no cover


class OxigraphStore(Store):
    """Read and write an on-disk store made of pyoxigraph generations."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._swap = threading.Lock()
        self._gen: Generation | None = Generation.open(path)

    @property
    def generation(self) -> Generation:
        """Return the generation reads go to."""
        if self._gen is None:
            raise StoreError("the store is closed")
        return self._gen

    @property
    def version(self) -> str:
        """Return the name of the generation reads go to."""
        return self.generation.name

    @property
    def modified(self) -> dt.datetime | None:
        """Return the time of the last change recorded in the current generation."""
        return self.generation.modified

    def refresh(self) -> bool:
        """Reopen when another writer has published a newer generation."""
        if layout.current_name(self.path) == self.generation.name:
            return False
        with self._swap:
            if layout.current_name(self.path) == self.generation.name:
                return False
            self._gen = Generation.open(self.path)
        return True

    def describe(self, iri: str, *, inbound_limit: int = INBOUND_LIMIT) -> Description:
        """Return the description of ``iri`` from the current generation."""
        generation = self.generation
        return describe(generation.rdf, generation.index, iri, inbound_limit=inbound_limit)

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        """Evaluate a read-only query over the union of the graphs.

        The time limit is checked while results are read; pyoxigraph cannot stop
        an evaluation (oxigraph#1926), so a limit that always holds needs the
        query to run in a process that can be killed.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            result = self.generation.rdf.query(sparql, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("boolean", boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                names = tuple(v.value for v in result.variables)
                rows, truncated = _collect(
                    (tuple(None if t is None else to_rdflib(t) for t in s) for s in result),
                    limit,
                    deadline,
                )
                return QueryResult(
                    "solutions", variables=names, rows=tuple(rows), truncated=truncated
                )
            triples, truncated = _collect(
                (
                    (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                    for t in result
                ),
                limit,
                deadline,
            )
            return QueryResult("triples", triples=tuple(triples), truncated=truncated)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from exc

    def latest(
        self,
        *,
        linked_to: Sequence[str] = (),
        since: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Listing:
        """Return dated resources, newest first, from the current generation's index."""
        items, total = self.generation.index.latest(linked_to, since, offset, limit)
        return Listing(tuple(items), total)

    def changes(
        self, since: dt.datetime | None = None, *, after: str = "", limit: int = 1000
    ) -> list[Change]:
        """Return the graphs written or removed after ``since``, oldest first."""
        return self.generation.index.changes(since, after, limit)

    def replace_graphs(
        self, quads_by_graph: Mapping[str, Iterable[Triple]], *, at: dt.datetime | None = None
    ) -> list[Change]:
        """Publish a new generation in which each graph holds exactly its triples."""
        prepared = {}
        for graph, triples in quads_by_graph.items():
            try:
                ox.NamedNode(str(graph))
                prepared[str(graph)] = [ox_triple(t) for t in triples]
            except (TypeError, ValueError) as exc:
                raise StoreError(f"graph {graph}: {exc}") from None
        return self._write(prepared, at)

    def delete_graphs(
        self, graphs: Iterable[str], *, at: dt.datetime | None = None
    ) -> list[Change]:
        """Publish a new generation without ``graphs``, recording their removal."""
        return self._write({str(g): [] for g in graphs}, at)

    def close(self) -> None:
        """Drop the handles on the current generation."""
        self._gen = None

    def _write(
        self, triples_by_graph: dict[str, list[ox.Triple]], at: dt.datetime | None
    ) -> list[Change]:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path} was opened read-only")
        when = at or dt.datetime.now(dt.UTC)
        with layout.writer_lock(self.path):
            base = layout.generation_dir(self.path, layout.current_name(self.path))
            old = GraphIndex(base / layout.INDEX_FILE)
            records = _changed_records(old, triples_by_graph, when)
            old.close()
            if records:
                tmp = layout.make_tmp(self.path)
                try:
                    _copy_generation(base, tmp)
                    _apply(tmp, {r.iri: triples_by_graph[r.iri] for r in records}, records)
                    layout.publish(self.path, tmp, layout.new_name(dt.datetime.now(dt.UTC)))
                except BaseException:
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise
                layout.prune(self.path)
        self.refresh()
        return [Change(r.modified, r.iri, r.deleted) for r in records]


def _changed_records(
    old: GraphIndex, triples_by_graph: dict[str, list[ox.Triple]], when: dt.datetime
) -> list[GraphRecord]:
    records = []
    for graph, triples in sorted(triples_by_graph.items()):
        before = old.get(graph)
        if not triples:
            if before is not None and not before.deleted:
                records.append(GraphRecord(graph, before.digest, when, deleted=True))
            continue
        digest = triples_digest(triples)
        if before is None or before.deleted or before.digest != digest:
            records.append(GraphRecord(graph, digest, when))
    return records


def _copy_generation(source: Path, target: Path) -> None:
    reader = ox.Store.read_only(str(source / layout.RDF_DIR))
    reader.backup(str(target / layout.RDF_DIR))
    del reader
    shutil.copyfile(source / layout.INDEX_FILE, target / layout.INDEX_FILE)


def _apply(
    target: Path, triples_by_graph: dict[str, list[ox.Triple]], records: list[GraphRecord]
) -> None:
    writer = ox.Store(str(target / layout.RDF_DIR))
    links = LinkCollector()
    for graph, triples in triples_by_graph.items():
        name = ox.NamedNode(graph)
        writer.remove_graph(name)
        writer.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        for triple in triples:
            links.add_triple(triple, graph)
    writer.flush()
    del writer
    index = GraphIndex(target / layout.INDEX_FILE, writable=True)
    index.write(records)
    index.replace_links(triples_by_graph, links)
    index.close()


def _collect(items: Iterable[T], limit: int | None, deadline: float | None) -> tuple[list[T], bool]:
    kept: list[T] = []
    for item in items:
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeoutError("the query ran past its time limit")
        if limit is not None and len(kept) >= limit:
            return kept, True
        kept.append(item)
    return kept, False
