"""Convert RDF terms between rdflib and pyoxigraph without losing what pyshacl would see.

Oxigraph canonicalises valid typed literals (``"01"^^xsd:integer`` becomes ``"1"``) and
lower-cases language tags, and it stores every simple literal as ``xsd:string``. The
converter remembers the rdflib literal behind each canonicalised one so results can name
the value as it was written, and it records literals rdflib found ill-typed in a side graph
so ``sh:datatype`` judges them as pyshacl does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DATA_GRAPH = ox.NamedNode("urn:miglod:validation:data")
ILL_TYPED_GRAPH = ox.NamedNode("urn:miglod:validation:ill-typed")
DERIVED_GRAPH = ox.NamedNode("urn:miglod:validation:derived-integers")
_ILL = ox.NamedNode("urn:miglod:validation:illTyped")
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph stores valid literals of these types as xsd:integer; the side graph keeps the type.
_DERIVED_NAMES = (
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
)
DERIVED_INTEGERS = frozenset(_XSD + name for name in _DERIVED_NAMES)
SMALL_LOAD = 2_000  # quads; up to this many are added in one transaction, not bulk-loaded


class TermConverter:
    """Map rdflib terms to Oxigraph terms and back; build one per store."""

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}
        self._literals: dict[Literal, ox.Literal] = {}
        self._bnodes: dict[str, ox.BlankNode] = {}
        self._back: dict[Any, Node] = {}
        self.ill_typed: list[ox.Literal] = []
        self._typed: list[tuple[Literal, ox.Literal]] = []

    def to_ox(self, term: Node) -> Any:
        """Return the Oxigraph term for an rdflib term."""
        if isinstance(term, URIRef):
            found = self._iris.get(term)
            if found is None:
                found = self._iris[term] = ox.NamedNode(term)
            return found
        if isinstance(term, Literal):
            cached = self._literals.get(term)
            if cached is None:
                cached = self._literals[term] = self._new_literal(term)
            return cached
        if isinstance(term, BNode):
            blank = self._bnodes.get(term)
            if blank is None:
                blank = self._bnodes[term] = ox.BlankNode()
                self._back[blank] = term
            return blank
        raise TypeError(f"cannot convert {term!r} to an Oxigraph term")

    def _new_literal(self, term: Literal) -> ox.Literal:
        if term.language:
            made = ox.Literal(str(term), language=term.language)
            if made.language != term.language:
                self._back[made] = term
            return made
        if term.datatype is None or str(term.datatype) == XSD_STRING:
            return ox.Literal(str(term))
        made = ox.Literal(str(term), datatype=self.to_ox(term.datatype))
        self._typed.append((term, made))
        if getattr(term, "ill_typed", False):
            self.ill_typed.append(made)
        return made

    def _settle_typed(self) -> list[ox.Quad]:
        """Learn how the store rewrites typed literals; return the derived-integer side quads.

        A scratch store holds each distinct typed literal once, so this costs little
        even for large graphs, whose typed literals (dates, counts) repeat.
        """
        pending, self._typed = self._typed, []
        if not pending:
            return []
        scratch = ox.Store()
        _extend(
            scratch,
            [
                ox.Quad(ox.NamedNode(f"urn:miglod:i:{i}"), _ILL, made)
                for i, (_t, made) in enumerate(pending)
            ],
        )
        side = []
        for quad in scratch:
            original = pending[int(quad.subject.value.rsplit(":", 1)[1])][0]
            stored = quad.object
            if stored.value != str(original) or stored.datatype.value != str(original.datatype):
                self._back[stored] = original
            if str(original.datatype) in DERIVED_INTEGERS:
                side.append(
                    ox.Quad(ox.NamedNode(str(original.datatype)), _ILL, stored, DERIVED_GRAPH)
                )
        return side

    def learn(self, graph: Graph) -> None:
        """Remember how Oxigraph writes the typed literals of ``graph`` (e.g. the shapes).

        Results that name such a literal (an ``sh:targetNode`` or ``sh:in`` member) then
        name it as the graph wrote it, as pyshacl does.
        """
        for node in graph.all_nodes():
            if isinstance(node, Literal) and node.datatype is not None:
                self.to_ox(node)
        self.ill_typed = []
        self._settle_typed()

    def to_rdf(self, term: Any) -> Node:
        """Return the rdflib term for an Oxigraph term, as it was before conversion."""
        known = self._back.get(term)
        if known is not None:
            return known
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(datatype))
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        raise TypeError(f"cannot convert {term!r} to an rdflib term")

    def quads(
        self, graph: Iterable[tuple[Node, Node, Node]], name: Any = DATA_GRAPH
    ) -> Iterable[ox.Quad]:
        """Yield the graph's triples as Oxigraph quads in graph ``name``."""
        convert = self.to_ox
        for s, p, o in graph:
            yield ox.Quad(convert(s), convert(p), convert(o), name)

    def load(
        self, store: ox.Store, graph: Iterable[tuple[Node, Node, Node]], name: Any = DATA_GRAPH
    ) -> None:
        """Add ``graph`` to ``store`` as the named graph ``name``, plus the ill-typed side graph."""
        _extend(store, self.quads(graph, name))
        if self.ill_typed:
            _extend(store, [ox.Quad(_ILL, _ILL, lit, ILL_TYPED_GRAPH) for lit in self.ill_typed])
            self.ill_typed = []
        _extend(store, self._settle_typed())


def _extend(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add ``quads`` to ``store``: in one transaction when few, by the bulk loader when many.

    The bulk loader costs a fixed tenth of a millisecond or so, too much for one update's
    hundred quads; a transaction costs more per quad.
    """
    rest = iter(quads)
    head = list(itertools.islice(rest, SMALL_LOAD + 1))
    if len(head) > SMALL_LOAD:
        store.bulk_extend(itertools.chain(head, rest))
    elif head:
        store.extend(head)
