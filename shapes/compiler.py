"""Compile a SHACL Core shapes graph into SPARQL queries, one per constraint and shape.

Each query finds, over the whole data graph at once, the results pyshacl would report one
focus node at a time. Shapes that use a feature outside the supported subset raise
:class:`Unsupported`, and the caller falls back to pyshacl for the whole shapes graph.

The tests one value must pass, to meet a parameter or to conform to a nested shape, and
the lists of the parameters the compiler knows are in :mod:`shapes.conformance`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.term import Node

from shapes import sparqlgen as gen
from shapes.conformance import (
    IGNORED,
    KNOWN,
    PER_FOCUS,
    PER_VALUE,
    SH_PREFIX,
    STRUCTURE,
    TARGETS,
    Conformance,
)
from shapes.sparqlgen import Names, Unsupported

__all__ = [
    "IGNORED",
    "KNOWN",
    "PER_FOCUS",
    "PER_VALUE",
    "SH_PREFIX",
    "STRUCTURE",
    "TARGETS",
    "Check",
    "Compiler",
    "Unsupported",
]

_IRI = re.compile(r"^<[^>]*>$")


@dataclass(frozen=True, slots=True)
class Check:
    """One SPARQL query and what its rows mean."""

    sparql: str
    kind: str  # "value": rows bind ?this ?value; "focus": ?this only; "sparql": a SPARQL constraint
    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None
    constraint: Node | None = None
    # ``size`` counts the focus nodes of the targeted shape the check belongs to: none, no
    # rows. ``scan`` finds the same rows the other way round, scanning the property's triples
    # first and keeping those of focus nodes: faster when the focus nodes are many.
    size: str = ""
    scan: str | None = None
    nested: bool = False  # its focus nodes are values of an enclosing property shape


class Compiler(Conformance):
    """Turn the shapes of one shapes graph into :class:`Check` queries."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.names = Names()
        self.checks: list[Check] = []
        self._members: dict[str, str] = {}
        self._size = ""
        if (None, RDF.type, SH.ConstraintComponent) in graph or (None, SH.rule, None) in graph:
            raise Unsupported("custom constraint components and rules")
        if (None, SH.target, None) in graph:
            raise Unsupported("SPARQL-based targets")

    def compile(self) -> list[Check]:
        """Return the checks of every shape that has targets."""
        for shape in sorted(self._targeted(), key=str):
            focus = self._target_focus(shape)
            self._members[focus] = self._target_member(shape)
            self._size = f"SELECT (COUNT(*) AS ?n) WHERE {{ {focus} }}"
            self._emit(shape, focus, set(), ())
        return self.checks

    def _targeted(self) -> set[Node]:
        shapes = {s for p in TARGETS for s in self.graph.subjects(p, None)}
        class_types = {RDFS.Class, *self.graph.subjects(RDFS.subClassOf, RDFS.Class)}
        for shape_type in (SH.NodeShape, SH.PropertyShape):
            for s in self.graph.subjects(RDF.type, shape_type):
                if any((s, RDF.type, t) in self.graph for t in class_types):
                    shapes.add(s)
        return shapes

    def _target_patterns(self, shape: Node, blank: str | None) -> tuple[list[str], bool]:
        """Return a pattern per target of ``shape`` binding ``?this``; say if one is a class.

        ``blank`` names the other end of sh:targetSubjectsOf/ObjectsOf triples (fresh
        variables when ``None``).
        """
        g, alts = self.graph, []
        classes = list(g.objects(shape, SH.targetClass))
        class_types = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        if any((shape, RDF.type, t) in g for t in class_types):
            classes.append(shape)
        alts += [f"?this {gen.TYPE_PATH} {gen.term(c)} ." for c in classes]
        alts += [f"VALUES ?this {{ {gen.term(n)} }}" for n in g.objects(shape, SH.targetNode)]
        for p in g.objects(shape, SH.targetSubjectsOf):
            alts.append(f"?this {gen.term(p)} {blank or self.names.fresh('t')} .")
        for p in g.objects(shape, SH.targetObjectsOf):
            alts.append(f"{blank or self.names.fresh('t')} {gen.term(p)} ?this .")
        return alts, bool(classes)

    def _target_focus(self, shape: Node) -> str:
        alts, has_class = self._target_patterns(shape, None)
        if len(alts) == 1 and has_class:
            return alts[0]  # one class target: each instance is bound once already
        union = " UNION ".join("{ " + a + " }" for a in alts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def _target_member(self, shape: Node) -> str:
        """Return a pattern that holds when the bound ``?this`` is a focus node of ``shape``."""
        alts, _has_class = self._target_patterns(shape, "[]")
        return " UNION ".join("{ " + a + " }" for a in alts)

    def _scan(self, p: Node, o: Node, focus: str, ptext: str, ok: str | None) -> str | None:
        """Return the scan-first query of one top-level check on a predicate path, if any."""
        member = self._members[focus]
        if ok is not None:
            found = (
                f"SELECT DISTINCT ?this ?value WHERE {{ ?this {ptext} ?value FILTER (!({ok})) }}"
            )
            return f"SELECT DISTINCT ?this ?value WHERE {{ {{ {found} }} FILTER EXISTS {{ {member} }} }}"
        v = self.names.fresh("c")
        # sh:minCount and sh:hasValue look up each focus node: no faster the other way round.
        if p == SH.maxCount:
            n = gen.integer(o, "sh:maxCount")
            found = f"SELECT ?this WHERE {{ ?this {ptext} {v} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {n})"
            return f"SELECT ?this WHERE {{ {{ {found} }} FILTER EXISTS {{ {member} }} }}"
        if p == SH.uniqueLang and gen.is_true(o):
            found = (
                f'SELECT ?this ?lang WHERE {{ ?this {ptext} {v} FILTER (LANG({v}) != "") }}'
                f" GROUP BY ?this (LCASE(LANG({v})) AS ?lang) HAVING (COUNT(DISTINCT {v}) > 1)"
            )
            return f"SELECT ?this ?lang WHERE {{ {{ {found} }} FILTER EXISTS {{ {member} }} }}"
        return None

    def _severity(self, shape: Node) -> URIRef:
        found = self.graph.value(shape, SH.severity)
        return found if isinstance(found, URIRef) else SH.Violation

    def _emit(self, shape: Node, focus: str, stack: set[Node], scope: tuple[str, ...]) -> None:
        """Add the checks of ``shape`` for the focus nodes ``focus`` binds to ``?this``.

        ``scope`` names the variables of enclosing focus nodes, so that a property shape
        nested in another is checked once per parent focus node, as pyshacl does.
        """
        if self._deactivated(shape):
            return
        if shape in stack:
            raise Unsupported("recursive shapes")
        stack = stack | {shape}
        params = self._params(shape)
        keep = " ".join(scope)
        path_node = self.graph.value(shape, SH.path)
        ptext = gen.path(self.graph, path_node) if path_node is not None else None
        values = f"?this {ptext} ?value ." if ptext else "BIND (?this AS ?value)"
        severity = self._severity(shape)

        scannable = not scope and ptext is not None and _IRI.match(ptext) is not None

        def add(
            sparql: str,
            kind: str,
            component: URIRef,
            constraint: Node | None = None,
            scan: str | None = None,
        ) -> None:
            self.checks.append(
                Check(
                    sparql,
                    kind,
                    shape,
                    component,
                    severity,
                    path_node,
                    constraint,
                    self._size,
                    scan,
                    bool(scope),
                )
            )

        for p, o in params:
            if p in PER_VALUE:
                ok: str = self.ok(shape, p, o, "?value", stack)
                query = (
                    f"SELECT DISTINCT {keep} ?this ?value"
                    f" WHERE {{ {focus} {values} FILTER (!({ok})) }}"
                )
                scan = self._scan(p, o, focus, ptext, ok) if scannable and ptext else None
                add(query, "value", PER_VALUE[p], scan=scan)
            elif p in PER_FOCUS:
                found = self._focus_query(p, o, focus, ptext, keep)
                if found:
                    scan = self._scan(p, o, focus, ptext, None) if scannable and ptext else None
                    add(found, "focus", URIRef(SH_PREFIX + _component_name(p)), scan=scan)
        child_focus, child_scope = focus, scope
        if ptext:
            outer = self.names.fresh("f")
            child_scope = (*scope, outer)
            child_focus = (
                f"{{ SELECT DISTINCT {keep} {outer} ?this WHERE"
                f" {{ {{ SELECT {keep} (?this AS {outer})"
                f" WHERE {{ {focus} }} }} {outer} {ptext} ?this }} }}"
            )
        for child in self.graph.objects(shape, SH.property):
            self._emit(child, child_focus, stack, child_scope)
        for constraint in self.graph.objects(shape, SH.sparql):
            if ptext:
                raise Unsupported("SPARQL constraints on property shapes")
            if not self._deactivated(constraint):
                add(
                    self._sparql_query(constraint, focus),
                    "sparql",
                    SH.SPARQLConstraintComponent,
                    constraint,
                )

    def _focus_query(
        self, p: Node, o: Node, focus: str, ptext: str | None, keep: str
    ) -> str | None:
        if p == SH.hasValue and ptext is None:
            return (
                f"SELECT {keep} ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {gen.term(o)})) }}"
            )
        if ptext is None:
            raise Unsupported(f"{p} on a node shape")
        v = self.names.fresh("c")
        if p == SH.minCount:
            n = gen.integer(o, "sh:minCount")
            if n == 0:
                return None
            if n == 1:
                missing = f"FILTER NOT EXISTS {{ ?this {ptext} {v} }}"
                return f"SELECT {keep} ?this WHERE {{ {focus} {missing} }}"
            return (
                f"SELECT {keep} ?this WHERE {{ {focus} OPTIONAL {{ ?this {ptext} {v} }} }}"
                f" GROUP BY {keep} ?this HAVING (COUNT(DISTINCT {v}) < {n})"
            )
        if p == SH.maxCount:
            n = gen.integer(o, "sh:maxCount")
            return (
                f"SELECT {keep} ?this WHERE {{ {focus} ?this {ptext} {v} }}"
                f" GROUP BY {keep} ?this HAVING (COUNT(DISTINCT {v}) > {n})"
            )
        if p == SH.hasValue:
            return (
                f"SELECT {keep} ?this WHERE {{ {focus}"
                f" FILTER NOT EXISTS {{ ?this {ptext} {gen.term(o)} }} }}"
            )
        if not gen.is_true(o):
            return None
        return (
            f"SELECT {keep} ?this ?lang WHERE"
            f' {{ {focus} ?this {ptext} {v} FILTER (LANG({v}) != "") }}'
            f" GROUP BY {keep} ?this (LCASE(LANG({v})) AS ?lang) HAVING (COUNT(DISTINCT {v}) > 1)"
        )

    def _sparql_query(self, constraint: Node, focus: str) -> str:
        g = self.graph
        select = g.value(constraint, SH.select)
        if not isinstance(select, Literal):
            raise Unsupported("sh:sparql without sh:select")
        text = str(select)
        if re.search(r"\$(PATH|shapesGraph|currentShape|value)\b", text) or "{?" in str(
            g.value(constraint, SH.message) or ""
        ):
            raise Unsupported("pre-bound variables other than $this, or message templates")
        text = re.sub(r"\$this\b", "?this", text)
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        head = re.search(r"\bSELECT\s+((DISTINCT|REDUCED)\s+)?", text, re.IGNORECASE)
        if where is None or head is None or re.search(r"\bSELECT\b", text[where.end() :], re.I):
            raise Unsupported("SPARQL constraint that is not a flat SELECT ... WHERE { }")
        projection = text[head.end() : where.start()]
        if "?this" not in projection and "*" not in projection:
            text = text[: head.end()] + "?this " + text[head.end() :]
            where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
            assert where is not None
        text = text[: where.end()] + f" {focus} " + text[where.end() :]
        prologue = []
        for holder in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(holder, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                prologue.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join([*prologue, text])


def _component_name(p: Node) -> str:
    local = str(p)[len(SH_PREFIX) :]
    return local[0].upper() + local[1:] + "ConstraintComponent"
