"""What validating one item needs from the published dataset, behind a small protocol.

:func:`context_for` gathers an item's graph plus, from the published data, everything
known about the nodes it names: the item's own nodes (a person may also be described by
other items), the resources it links to, the resources those link to, and the class
hierarchy of every type involved. For shapes whose constraints look at most ``depth`` links
away from a node (the shipped shapes look one link away), validating that context gives
the item's nodes exactly the results a full validation of the merged data would.
:func:`context_triples` gathers the same triples as a plain set, the cheap form the
Python evaluator of updates (:mod:`shapes.local`) works on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import PROV, RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.namespace import SDO
from rdflib.term import Node

from shapes.oxterms import TermConverter

Triple = tuple[Node, Node, Node]
ToRdf = Callable[[Any], Node]


class Published(Protocol):
    """The published dataset, as far as validating one update needs it.

    An implementation may also offer ``describe_triples(iris, to_rdf)``, returning the same
    triples as any collection (no graph to build): ``to_rdf`` converts Oxigraph terms
    to rdflib ones through a cache shared by all updates of a validator.
    """

    def describe(self, iris: Collection[URIRef]) -> Graph:
        """Return every published triple whose subject is one of ``iris``."""
        ...


class GraphPublished:
    """Answer for an rdflib graph; skip the named graph ``replacing`` of a Dataset.

    Pass the item's own graph name as ``replacing`` when the item replaces a published
    version, so the old version's triples do not count.
    """

    def __init__(self, graph: Graph, *, replacing: URIRef | None = None) -> None:
        self.graph = graph
        self.replacing = replacing

    def describe(self, iris: Collection[URIRef]) -> Graph:
        """Return every published triple whose subject is one of ``iris``."""
        out = Graph()
        if isinstance(self.graph, Dataset):
            for iri in iris:
                for s, p, o, g in self.graph.quads((iri, None, None, None)):
                    name = getattr(g, "identifier", g)
                    if name != self.replacing:
                        out.add((s, p, o))
            return out
        for iri in iris:
            for triple in self.graph.triples((iri, None, None)):
                out.add(triple)
        return out

    def describe_triples(
        self, iris: Collection[URIRef], _to_rdf: ToRdf | None = None
    ) -> set[Triple]:
        """Return the triples :meth:`describe` gives, without building a graph."""
        if isinstance(self.graph, Dataset):
            return {
                (s, p, o)
                for iri in iris
                for s, p, o, g in self.graph.quads((iri, None, None, None))
                if getattr(g, "identifier", g) != self.replacing
            }
        return {t for iri in iris for t in self.graph.triples((iri, None, None))}


class QuadSource(Protocol):
    """What reads quads by pattern: a pyoxigraph store, or a view of one with later writes."""

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> Iterable[ox.Quad]:
        """Return the quads matching the pattern (``None`` matches anything)."""
        ...


class StorePublished:
    """Answer for a pyoxigraph store, or any :class:`QuadSource` (all graphs but ``replacing``)."""

    def __init__(self, store: QuadSource, *, replacing: URIRef | None = None) -> None:
        self.store = store
        self.replacing = ox.NamedNode(replacing) if replacing is not None else None

    def describe(self, iris: Collection[URIRef]) -> Graph:
        """Return every published triple whose subject is one of ``iris``."""
        out, to_rdf = Graph(), TermConverter().to_rdf
        for iri in iris:
            # A resource described by many items is in many graphs: convert each triple once.
            seen: set[tuple[Any, Any]] = set()
            subject = URIRef(iri)
            for quad in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
                key = (quad.predicate, quad.object)
                if key in seen or (
                    self.replacing is not None and quad.graph_name == self.replacing
                ):
                    continue
                seen.add(key)
                out.add((subject, to_rdf(quad.predicate), to_rdf(quad.object)))
        return out

    def describe_triples(
        self, iris: Collection[URIRef], to_rdf: ToRdf | None = None
    ) -> list[Triple]:
        """Return the triples :meth:`describe` gives, converted by ``to_rdf`` (a cache)."""
        convert = to_rdf or TermConverter().to_rdf
        found: list[Triple] = []
        lookup, replacing = self.store.quads_for_pattern, self.replacing
        for iri in iris:
            subject = URIRef(iri)
            seen: set[tuple[Any, Any]] = set()
            for quad in lookup(ox.NamedNode(iri), None, None, None):
                key = (quad.predicate, quad.object)
                if key in seen or (replacing is not None and quad.graph_name == replacing):
                    continue
                seen.add(key)
                found.append((subject, convert(quad.predicate), convert(quad.object)))
        return found


class TermCache:
    """Convert Oxigraph terms to rdflib once; share one across updates (it is bounded)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._known: dict[Any, Node] = {}
        self._convert = TermConverter().to_rdf  # learns nothing: a pure conversion

    def __call__(self, term: Any) -> Node:
        """Return the rdflib term for an Oxigraph term."""
        found = self._known.get(term)
        if found is None:
            if len(self._known) >= self.size:
                self._known.clear()
            found = self._known[term] = self._convert(term)
        return found


def item_nodes(item: Graph) -> set[Node]:
    """Return the nodes an item graph describes: its subjects."""
    return set(item.subjects())


def context_triples(
    item: Graph, published: Published, *, depth: int = 2, to_rdf: ToRdf | None = None
) -> set[Triple]:
    """Return the triples of :func:`context_for`, without building a graph.

    ``to_rdf`` converts the Oxigraph terms of a :class:`StorePublished` (pass a
    :class:`TermCache` to convert each term once across many updates).
    """
    describe = _describer(published, to_rdf)
    context: set[Triple] = set(item)
    seen: set[Node] = set()
    frontier = _iris(t[0] for t in context) | _iris(t[2] for t in context)
    for _ in range(depth):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        found = describe(frontier)
        context.update(found)
        frontier = _iris(t[2] for t in found)
    seen = set()
    frontier = _iris(o for _s, p, o in context if p == RDF.type or p == RDFS.subClassOf)
    while frontier:
        seen |= frontier
        chains = [t for t in describe(frontier) if t[1] == RDFS.subClassOf]
        context.update(chains)
        frontier = _iris(t[2] for t in chains) - seen
    return context


def _describer(
    published: Published, to_rdf: ToRdf | None
) -> Callable[[Collection[URIRef]], Collection[Triple]]:
    """Return how to ask ``published`` about IRIs: its ``describe_triples`` if it has one."""
    triples = getattr(published, "describe_triples", None)
    if callable(triples):
        return lambda iris: triples(iris, to_rdf)
    return lambda iris: list(published.describe(iris))


def context_for(item: Graph, published: Published, *, depth: int = 2) -> Graph:
    """Return the item graph plus what ``published`` knows that validating it needs."""
    context = Graph()
    context += item
    seen: set[Node] = set()
    frontier = _iris(item_nodes(item)) | _iris(item.objects())
    for _ in range(depth):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        found = published.describe(frontier)
        context += found
        frontier = _iris(found.objects())
    _add_class_hierarchy(context, published)
    return context


def _add_class_hierarchy(context: Graph, published: Published) -> None:
    """Add the published rdfs:subClassOf chains above every type in ``context``."""
    seen: set[Node] = set()
    frontier = _iris(context.objects(None, RDF.type)) | _iris(
        context.objects(None, RDFS.subClassOf)
    )
    while frontier:
        seen |= frontier
        found = published.describe(frontier)
        for triple in found.triples((None, RDFS.subClassOf, None)):
            context.add(triple)
        frontier = _iris(found.objects(None, RDFS.subClassOf)) - seen


def _iris(nodes: Iterable[Node]) -> set[URIRef]:
    return {n for n in nodes if isinstance(n, URIRef) and not isinstance(n, BNode)}


def report_context(store: ox.Store, focus_nodes: Iterable[Node], base: str) -> Graph:
    """Return what a report needs to name each focus node: its item, headline and source.

    That is, for each focus IRI (without its fragment) or the article an event is the
    subject of: the headline, date and source record, and the source's file and line.
    """
    subject_of, derived_from = (
        ox.NamedNode(str(SDO.subjectOf)),
        ox.NamedNode(str(PROV.wasDerivedFrom)),
    )
    own = [ox.NamedNode(str(SDO.headline)), ox.NamedNode(str(SDO.datePublished))]
    where = [ox.NamedNode(str(SDO.name)), ox.NamedNode(base + "def/mig/sourceLine")]
    context, to_rdf = Graph(), TermConverter().to_rdf
    seen: set[str] = set()

    def copy(subject: ox.NamedNode, predicate: ox.NamedNode) -> list[Any]:
        found = []
        for quad in store.quads_for_pattern(subject, predicate, None, None):
            context.add((URIRef(subject.value), to_rdf(predicate), to_rdf(quad.object)))
            found.append(quad.object)
        return found

    for node in focus_nodes:
        if not isinstance(node, URIRef) or str(node).split("#", 1)[0] in seen:
            continue
        seen.add(str(node).split("#", 1)[0])
        subject = ox.NamedNode(str(node).split("#", 1)[0])
        articles = [a for a in copy(subject, subject_of) if isinstance(a, ox.NamedNode)]
        for article in [subject, *articles]:
            for predicate in own:
                copy(article, predicate)
            for source in copy(article, derived_from):
                if isinstance(source, ox.NamedNode):
                    for predicate in where:
                        copy(source, predicate)
    return context
