"""Hold the journal entries written since a generation in memory, and read through them.

A reader's generation is immutable; the writes journaled after it (see
:mod:`miglod.store.history`) are kept here: the latest content of each graph
they touched, in a small in-memory pyoxigraph store, and the latest record of
each such graph. :class:`Merged` answers quad patterns from both, the
generation's copy of a touched graph hidden by the newer one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from miglod.store.base import Change
from miglod.store.history import Journal
from miglod.store.index import GraphIndex, GraphRecord
from miglod.store.links import LinkCollector
from miglod.store.terms import object_key, resource_key

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None
GraphTerm = ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None
#: A link from a graph touched: (date of the source, source, predicate, graph).
Link = tuple[str, str, str, str]


class Overlay:
    """The journal entries after entry ``folded``, applied up to entry :attr:`seq`."""

    def __init__(self, folded: int) -> None:
        self.folded = folded
        self.seq = folded
        self.rdf = ox.Store()
        #: The latest record of every graph touched; replaced, never changed in place,
        #: so readers iterating over one are not disturbed by a refresh.
        self.records: dict[str, GraphRecord] = {}
        self.modified: dt.datetime | None = None
        #: Links from the graphs touched, by target and then by graph: (date of the
        #: source, source, predicate, graph); replaced, never changed in place, like
        #: ``records`` (a write replaces the few targets its graph links to).
        self.inbound: dict[str, dict[str, tuple[Link, ...]]] = {}
        #: The dated resources of each graph touched, with what each links to.
        self.dated: dict[str, tuple[tuple[str, str, frozenset[str]], ...]] = {}
        self._targets: dict[str, set[str]] = {}
        #: The number of the latest entry applied to each graph touched.
        self._last: dict[str, int] = {}
        #: For each entry applied with a base: the keys of the subjects and of the
        #: objects (see :mod:`miglod.store.terms`) of its graph's triples before and after it.
        self.touched: dict[int, frozenset[int]] = {}

    def apply(
        self, entries: list[tuple[int, Change]], journal: Journal, base: ox.Store | None = None
    ) -> None:
        """Apply journal entries (in order) on top of what is held already.

        With ``base`` (the generation below), what each entry touched is noted
        in :attr:`touched`: the resources named in the graph before and after.
        """
        records = dict(self.records)
        inbound = dict(self.inbound)
        dated = dict(self.dated)
        for seq, change in entries:
            name = ox.NamedNode(change.graph)
            touched: set[int] = set()
            if change.graph in records:
                if base is not None:
                    _note(touched, self.rdf.quads_for_pattern(None, None, None, name))
                self.rdf.remove_graph(name)
            elif base is not None:
                _note(touched, base.quads_for_pattern(None, None, None, name))
            links = LinkCollector()
            if not change.deleted and change.after is not None:
                content = journal.version(change.after)
                if content:
                    self.rdf.load(content, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
                    after = self.rdf.quads_for_pattern(None, None, None, name)
                    for quad in after:
                        links.add_triple(quad.triple, change.graph)
                        if base is not None:
                            _note_quad(touched, quad)
            if base is not None:
                self.touched[seq] = frozenset(touched)
            self._relink(inbound, change.graph, links)
            dated[change.graph] = _dated(links)
            digest = change.after or change.before or ""
            records[change.graph] = GraphRecord(
                change.graph, digest, change.modified, change.deleted, change.agent, change.before
            )
            if self.modified is None or change.modified > self.modified:
                self.modified = change.modified
            self._last[change.graph] = seq
            self.seq = seq
        self.records = records
        self.inbound = inbound
        self.dated = dated

    def rebased(self, folded: int) -> Overlay:
        """Return this overlay above a newer generation that folded the entries up to ``folded``.

        The result is what applying this overlay's entries after ``folded`` to
        an empty overlay would give (each graph's latest content, record and
        links are those of its latest entry), made from what is held here
        instead: the graphs whose latest entry is after ``folded``. This overlay
        is left as it is, for the readers still using it. What the entries
        touched is not carried: it was noted when they were applied.
        """
        kept = {graph for graph, seq in self._last.items() if seq > folded}
        found = Overlay(folded)
        found.seq = self.seq
        quads = [
            quad
            for graph in sorted(kept)
            for quad in self.rdf.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        ]
        if quads:
            found.rdf.extend(quads)
        found.records = {g: r for g, r in self.records.items() if g in kept}
        found.dated = {g: rows for g, rows in self.dated.items() if g in kept}
        found._last = {g: seq for g, seq in self._last.items() if g in kept}
        found._targets = {g: set(targets) for g, targets in self._targets.items() if g in kept}
        for target, by_graph in self.inbound.items():
            mine = {graph: rows for graph, rows in by_graph.items() if graph in kept}
            if mine:
                found.inbound[target] = mine
        found.modified = max((r.modified for r in found.records.values()), default=None)
        return found

    def latest(self, linked_to: Sequence[str], since: str | None) -> list[tuple[str, str]]:
        """Return the dated resources of the graphs touched that match, as (IRI, date)."""
        wanted = set(linked_to)
        return [
            (source, date)
            for rows in self.dated.values()
            for source, date, targets in rows
            if date >= (since or "") and wanted <= targets
        ]

    def _relink(
        self, inbound: dict[str, dict[str, tuple[Link, ...]]], graph: str, links: LinkCollector
    ) -> None:
        """Replace the links from ``graph`` in ``inbound`` by those collected."""
        found: dict[str, list[Link]] = {}
        for _, source, predicate, target, date in links.rows():
            found.setdefault(target, []).append((date or "", source, predicate, graph))
        for target in self._targets.pop(graph, set()) | found.keys():
            by_graph = dict(inbound.get(target, {}))
            by_graph.pop(graph, None)
            if target in found:
                by_graph[graph] = tuple(found[target])
            if by_graph:
                inbound[target] = by_graph
            else:
                inbound.pop(target, None)
        if found:
            self._targets[graph] = set(found)

    def quads(self, graph: str) -> list[ox.Triple]:
        """Return the triples the overlay holds for one graph it touched."""
        found = self.rdf.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return [q.triple for q in found]


def _note_quad(touched: set[int], quad: ox.Quad) -> None:
    subject, obj = quad.subject, quad.object
    if isinstance(subject, ox.NamedNode | ox.BlankNode):
        touched.add(resource_key(subject))
    if isinstance(obj, ox.NamedNode):
        touched.add(object_key(obj.value))
    elif isinstance(obj, ox.BlankNode):
        touched.add(object_key("_:" + obj.value))


def _note(touched: set[int], quads: Iterator[ox.Quad]) -> None:
    for quad in quads:
        _note_quad(touched, quad)


def _dated(links: LinkCollector) -> tuple[tuple[str, str, frozenset[str]], ...]:
    targets: dict[str, set[str]] = {}
    for _, source, _, target, _ in links.rows():
        targets.setdefault(source, set()).add(target)
    return tuple(
        (source, date, frozenset(targets.get(source, ()))) for _, source, date in links.dated()
    )


class MergedIndex:
    """Answer a description's inbound links from a generation's index and an overlay."""

    def __init__(self, index: GraphIndex, overlay: Overlay) -> None:
        self.index = index
        self.overlay = overlay

    def inbound(self, target: str, limit: int) -> list[tuple[str, str]]:
        """Return up to ``limit`` resources linking to ``target``, newest first, with the property."""
        hidden = self.overlay.records
        mine = [row for rows in self.overlay.inbound.get(target, {}).values() for row in rows]
        rows = [
            (date or "", source, predicate)
            for source, predicate, date, graph in self.index.inbound_rows(
                target, limit + 4 * len(hidden)
            )
            if graph not in hidden
        ]
        rows.extend((date, source, predicate) for date, source, predicate, _ in mine)
        rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
        return [(source, predicate) for _, source, predicate in rows[:limit]]

    def count_inbound(self, target: str) -> int:
        """Return how many distinct resources link to ``target``."""
        mine = {
            source
            for rows in self.overlay.inbound.get(target, {}).values()
            for _, source, _, _ in rows
        }
        return self.index.count_inbound(target, excluding=list(self.overlay.records)) + len(mine)


class Merged:
    """Answer quad patterns from a generation's store and an overlay above it."""

    def __init__(self, base: ox.Store, overlay: Overlay) -> None:
        self.base = base
        self.overlay = overlay

    def quads_for_pattern(
        self, subject: Term, predicate: Term, obj: Term, graph_name: GraphTerm = None
    ) -> Iterator[ox.Quad]:
        """Yield the quads matching the pattern, newer graph versions hiding older ones."""
        hidden = self.overlay.records
        for quad in self.base.quads_for_pattern(subject, predicate, obj, graph_name):  # type: ignore[arg-type]
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name.value in hidden:
                continue
            yield quad
        if hidden:
            yield from self.overlay.rdf.quads_for_pattern(subject, predicate, obj, graph_name)  # type: ignore[arg-type]
