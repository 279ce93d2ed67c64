"""A small graph indexed both ways, and SHACL property paths evaluated over it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rdflib import RDF, RDFS, SH, Graph, URIRef
from rdflib.term import Node

from shapes import sparqlgen as gen
from shapes.sparqlgen import Unsupported

Triple = tuple[Node, Node, Node]
_EMPTY: frozenset[Node] = frozenset()
_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # namespaces look attributes up slowly


class Index:
    """Hold a set of rdflib triples indexed by subject and by object."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        out: dict[Node, dict[Node, set[Node]]] = {}
        back: dict[Node, dict[Node, set[Node]]] = {}
        for s, p, o in triples:
            out.setdefault(s, {}).setdefault(p, set()).add(o)
            back.setdefault(o, {}).setdefault(p, set()).add(s)
        self.out, self.back = out, back
        self._supers: dict[Node, set[Node]] = {}

    def objects(self, s: Node, p: Node) -> set[Node] | frozenset[Node]:
        """Return the objects of ``s p ?o``."""
        return self.out.get(s, {}).get(p, _EMPTY)

    def subjects(self, p: Node, o: Node) -> set[Node] | frozenset[Node]:
        """Return the subjects of ``?s p o``."""
        return self.back.get(o, {}).get(p, _EMPTY)

    def subjects_of(self, p: Node) -> set[Node]:
        """Return every subject of a ``p`` triple."""
        return {s for s, by in self.out.items() if p in by}

    def objects_of(self, p: Node) -> set[Node]:
        """Return every object of a ``p`` triple."""
        return {o for o, by in self.back.items() if p in by}

    def superclasses(self, c: Node) -> set[Node]:
        """Return ``c`` and every class it is an rdfs:subClassOf of, transitively."""
        found = self._supers.get(c)
        if found is None:
            found = self._supers[c] = _closure(self.out, c, _SUBCLASS)
        return found

    def is_instance(self, node: Node, c: Node) -> bool:
        """Return whether ``node`` has a type that is ``c`` or a subclass of it."""
        return any(c in self.superclasses(t) for t in self.objects(node, _TYPE))

    def instances(self, c: Node) -> set[Node]:
        """Return the nodes whose type is ``c`` or a subclass of it."""
        found: set[Node] = set()
        for sub in _closure(self.back, c, _SUBCLASS):
            found |= self.subjects(_TYPE, sub)
        return found


def _closure(links: dict[Node, dict[Node, set[Node]]], start: Node, p: Node) -> set[Node]:
    seen, pending = {start}, [start]
    while pending:
        for nxt in links.get(pending.pop(), {}).get(p, _EMPTY):
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return seen


class Path(NamedTuple):
    """A SHACL property path: ``kind`` is pred, inv, seq, alt, star, plus or opt."""

    kind: str
    predicate: Node | None = None
    parts: tuple[Path, ...] = ()


_CLOSURES = ((SH.zeroOrMorePath, "star"), (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt"))


def path_of(graph: Graph, node: Node) -> Path:
    """Return the path a SHACL path node describes."""
    if isinstance(node, URIRef):
        return Path("pred", node)
    if (node, RDF.first, None) in graph:
        return Path("seq", parts=tuple(path_of(graph, n) for n in gen.items(graph, node)))
    inner = graph.value(node, SH.inversePath)
    if inner is not None:
        return Path("inv", parts=(path_of(graph, inner),))
    for predicate, kind in _CLOSURES:
        inner = graph.value(node, predicate)
        if inner is not None:
            return Path(kind, parts=(path_of(graph, inner),))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        members = tuple(path_of(graph, n) for n in gen.items(graph, alternatives))
        return Path("alt", parts=members)
    raise Unsupported(f"unknown property path {node!r}")


def values_of(index: Index, path: Path, node: Node) -> set[Node] | frozenset[Node]:
    """Return the distinct nodes ``path`` reaches from ``node``."""
    return _walk(index, path, {node}, forward=True)


def _walk(
    index: Index, path: Path, starts: set[Node] | frozenset[Node], *, forward: bool
) -> set[Node] | frozenset[Node]:
    kind = path.kind
    if kind == "pred":
        assert path.predicate is not None
        step = index.objects if forward else (lambda n, p: index.subjects(p, n))
        if len(starts) == 1:
            return step(next(iter(starts)), path.predicate)
        found: set[Node] = set()
        for n in starts:
            found |= step(n, path.predicate)
        return found
    if kind == "inv":
        return _walk(index, path.parts[0], starts, forward=not forward)
    if kind == "seq":
        current = starts
        for part in path.parts if forward else reversed(path.parts):
            current = _walk(index, part, current, forward=forward)
        return current
    if kind == "alt":
        union: set[Node] = set()
        for part in path.parts:
            union |= _walk(index, part, starts, forward=forward)
        return union
    inner = path.parts[0]
    if kind == "opt":
        return set(starts) | _walk(index, inner, starts, forward=forward)
    reached: set[Node] = set(starts) if kind == "star" else set()
    frontier = set(starts)
    while frontier:
        frontier = set(_walk(index, inner, frontier, forward=forward)) - reached
        reached |= frontier
    return reached
