"""Evaluate shapes in Python over a small graph: the fast path for validating one update.

A one-item context holds about a hundred triples. Setting up a SPARQL query costs more
than answering it there, so instead each shape is turned, once, into Python tests over
rdflib terms, judged the way pyshacl judges them (the reference the compiled engine also
equals). Only SHACL-SPARQL constraints still need SPARQL: :meth:`LocalShapes.run` returns
the compiled checks to run for them, on a scratch store, beside its own results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from pyshacl.rdfutil.compare import compare_literal
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from shapes import sparqlgen as gen
from shapes.compiler import KNOWN, PER_FOCUS, PER_VALUE, SH_PREFIX, Check
from shapes.engine import RawResult
from shapes.localdata import Index, Path, Triple, path_of, values_of
from shapes.sparqlgen import Unsupported

Test = Callable[[Index, Node], bool]
_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}
_VALUE_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}
# rdflib namespaces look attributes up slowly: the terms of the hot path, once.
_MINCOUNT = SH.MinCountConstraintComponent
_MAXCOUNT = SH.MaxCountConstraintComponent
_HASVALUE = SH.HasValueConstraintComponent
_UNIQUELANG = SH.UniqueLangConstraintComponent
_STRING_TYPES = (None, RDF.langString, XSD.string)
_RANGES: dict[Node, Callable[[int], bool]] = {
    SH.minInclusive: lambda c: c >= 0,
    SH.maxInclusive: lambda c: c <= 0,
    SH.minExclusive: lambda c: c > 0,
    SH.maxExclusive: lambda c: c < 0,
}


@dataclass(eq=False, slots=True)
class LocalShape:
    """One shape turned into Python tests."""

    node: Node
    path_node: Node | None
    path: Path | None
    severity: URIRef
    values: list[tuple[URIRef, Test]] = field(default_factory=list)
    max_counts: list[int] = field(default_factory=list)
    has_values: list[Node] = field(default_factory=list)
    unique_lang: int = 0  # how many sh:uniqueLang true the shape states
    children: list[LocalShape] = field(default_factory=list)
    sparql: list[Check] = field(default_factory=list)
    min_counts: list[int] = field(default_factory=list)
    deactivated: bool = False


@dataclass(slots=True)
class _Targets:
    classes: list[Node]
    nodes: list[Node]
    subjects_of: list[Node]
    objects_of: list[Node]


class LocalShapes:
    """The shapes of one shapes graph as Python tests; build once, run on many small graphs.

    Raise :class:`Unsupported` for what the compiled engine does not evaluate either.
    """

    def __init__(self, shapes: Graph, checks: Iterable[Check]) -> None:
        self.graph = shapes
        self._sparql = {(c.shape, c.constraint): c for c in checks if c.kind == "sparql"}
        self._done: dict[Node, LocalShape] = {}
        # Each targeted shape, its targets, and whether its results may be about nodes
        # other than its focus nodes (so that these cannot be narrowed down).
        self.top: list[tuple[LocalShape, _Targets, bool]] = []
        for node in sorted(_targeted(shapes), key=str):
            shape = self._shape(node, set(), top=True)
            self.top.append((shape, self._targets(node), _nested(shape)))

    def run(
        self, triples: Iterable[Triple], focus_nodes: Collection[Node] | None = None
    ) -> tuple[list[RawResult], list[Check]]:
        """Return the results of the Python tests and the SPARQL checks still to run.

        With ``focus_nodes``, the results about those nodes are complete; others may be
        missing. The SPARQL checks returned are those whose shape has a focus node here.
        """
        index = Index(triples)
        results: list[RawResult] = []
        pending: list[Check] = []
        for shape, targets, nested in self.top:
            if shape.deactivated:
                continue
            found = _focus_nodes(index, targets, None if nested else focus_nodes)
            if not found:
                continue
            pending.extend(shape.sparql)
            for focus in found:
                results.extend(_results(index, shape, focus))
        return results, pending

    def _targets(self, node: Node) -> _Targets:
        g = self.graph
        classes = list(g.objects(node, SH.targetClass))
        class_types = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        if any((node, RDF.type, t) in g for t in class_types):
            classes.append(node)
        return _Targets(
            classes,
            list(g.objects(node, SH.targetNode)),
            list(g.objects(node, SH.targetSubjectsOf)),
            list(g.objects(node, SH.targetObjectsOf)),
        )

    def _shape(self, node: Node, stack: set[Node], *, top: bool = False) -> LocalShape:
        """Return the Python form of ``node`` (built once; cycles are unsupported)."""
        if not top and (node, SH.sparql, None) in self.graph:
            raise Unsupported("SPARQL constraints outside targeted node shapes")
        done = self._done.get(node)
        if done is not None:
            return done
        if node in stack:
            raise Unsupported("recursive shapes")
        stack = stack | {node}
        g = self.graph
        path_node = g.value(node, SH.path)
        found = g.value(node, SH.severity)
        severity = found if isinstance(found, URIRef) else SH.Violation
        if _deactivated(g, node):  # nothing of it is looked at, as in the compiled engine
            self._done[node] = LocalShape(node, path_node, None, severity, deactivated=True)
            return self._done[node]
        path = path_of(g, path_node) if path_node is not None else None
        shape = LocalShape(node, path_node, path, severity)
        for p, o in g.predicate_objects(node):
            if not (isinstance(p, URIRef) and p.startswith(SH_PREFIX)):
                continue
            if p not in KNOWN:
                raise Unsupported(f"{p} on {node}")
            if p in PER_VALUE:
                shape.values.append((PER_VALUE[p], self._test(node, p, o, stack)))
            elif p in PER_FOCUS:
                self._focus_param(shape, p, o)
        for child in g.objects(node, SH.property):
            shape.children.append(self._shape(child, stack))
        for constraint in g.objects(node, SH.sparql):
            if path_node is not None:
                raise Unsupported("SPARQL constraints outside targeted node shapes")
            check = self._sparql.get((node, constraint))
            if check is not None:
                shape.sparql.append(check)
            elif not _deactivated(g, constraint):
                raise Unsupported(f"no compiled check for the SPARQL constraint of {node}")
        self._done[node] = shape
        return shape

    def _focus_param(self, shape: LocalShape, p: Node, o: Node) -> None:
        if p == SH.hasValue:
            shape.has_values.append(o)
            return
        if shape.path is None:
            raise Unsupported(f"{p} on a node shape")
        if p == SH.minCount:
            shape.min_counts.append(gen.integer(o, "sh:minCount"))
        elif p == SH.maxCount:
            shape.max_counts.append(gen.integer(o, "sh:maxCount"))
        elif gen.is_true(o):
            shape.unique_lang += 1

    def _test(self, node: Node, p: Node, o: Node, stack: set[Node]) -> Test:
        """Return the test that a value satisfies parameter ``p`` = ``o``, as pyshacl judges."""
        g = self.graph
        if p == SH["class"]:
            return lambda index, v: not isinstance(v, Literal) and index.is_instance(v, o)
        if p == SH.datatype:
            return _datatype_test(o)
        if p == SH.nodeKind:
            if o not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {o!r}")
            kinds = _NODE_KINDS[o]
            return lambda _index, v: isinstance(v, kinds)
        if p in (SH.minLength, SH.maxLength):
            n = gen.integer(o, str(p))
            if p == SH.minLength:
                return lambda _i, v: n == 0 or (not isinstance(v, BNode) and len(_text(v)) >= n)
            return lambda _i, v: not isinstance(v, BNode) and len(_text(v)) <= n
        if p == SH.pattern:
            return _pattern_test(o, g.value(node, SH.flags))
        if p == SH["in"]:
            allowed = set(gen.items(g, o))
            return lambda _index, v: v in allowed
        if p == SH.languageIn:
            return _language_test([str(t).lower() for t in gen.items(g, o)])
        if p in _RANGES:
            return _range_test(o, _RANGES[p])
        if p in (SH.node, SH["not"]):
            inner = self._shape(o, stack)
            if p == SH.node:
                return lambda index, v: _conforms(index, inner, v)
            return lambda index, v: not _conforms(index, inner, v)
        members = [self._shape(m, stack) for m in gen.items(g, o)]
        if p == SH["or"]:
            return lambda index, v: any(_conforms(index, m, v) for m in members)
        if p == SH["and"]:
            return lambda index, v: all(_conforms(index, m, v) for m in members)
        return lambda index, v: sum(_conforms(index, m, v) for m in members) == 1


def _deactivated(g: Graph, node: Node) -> bool:
    return any(isinstance(o, Literal) and o.value is True for o in g.objects(node, SH.deactivated))


def _targeted(g: Graph) -> set[Node]:
    shapes = {
        s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf) for s in g.subjects(p)
    }
    shapes |= set(g.subjects(SH.targetObjectsOf))
    class_types = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for s in g.subjects(RDF.type, shape_type):
            if any((s, RDF.type, t) in g for t in class_types):
                shapes.add(s)
    return shapes


def _nested(shape: LocalShape) -> bool:
    """Return whether results of ``shape`` may name focus nodes other than its own."""
    return (shape.path is not None and bool(shape.children)) or any(
        _nested(c) for c in shape.children
    )


def _focus_nodes(index: Index, targets: _Targets, only: Collection[Node] | None) -> list[Node]:
    """Return the focus nodes of a shape, or those among ``only``."""
    if only is not None:
        return [n for n in only if _is_focus(index, targets, n)]
    found: dict[Node, None] = {}
    for c in targets.classes:
        found.update(dict.fromkeys(index.instances(c)))
    found.update(dict.fromkeys(targets.nodes))
    for p in targets.subjects_of:
        found.update(dict.fromkeys(index.subjects_of(p)))
    for p in targets.objects_of:
        found.update(dict.fromkeys(index.objects_of(p)))
    return list(found)


def _is_focus(index: Index, targets: _Targets, node: Node) -> bool:
    return (
        any(index.is_instance(node, c) for c in targets.classes)
        or node in targets.nodes
        or any(index.objects(node, p) for p in targets.subjects_of)
        or any(index.subjects(p, node) for p in targets.objects_of)
    )


def _conforms(index: Index, shape: LocalShape, node: Node) -> bool:
    """Return whether ``node`` conforms to ``shape``: no results at all."""
    if shape.deactivated:
        return True
    return next(_results(index, shape, node), None) is None


def _results(index: Index, shape: LocalShape, focus: Node) -> Iterator[RawResult]:
    """Yield the results of ``shape`` for one focus node (not those of SPARQL constraints)."""
    if shape.deactivated:
        return
    values: Collection[Node]
    values = [focus] if shape.path is None else values_of(index, shape.path, focus)

    def result(component: URIRef, value: Node | None) -> RawResult:
        return RawResult(focus, shape.path_node, value, shape.severity, shape.node, component, None)

    for component, test in shape.values:
        for value in values:
            if not test(index, value):
                yield result(component, value)
    for n in shape.min_counts:
        if n and len(values) < n:
            yield result(_MINCOUNT, None)
    for n in shape.max_counts:
        if len(values) > n:
            yield result(_MAXCOUNT, None)
    for wanted in shape.has_values:
        if not any(v == wanted for v in values):
            yield result(_HASVALUE, None)
    for _ in range(shape.unique_lang):
        seen: set[str] = set()
        repeated: set[str] = set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                lang = v.language.lower()
                (repeated if lang in seen else seen).add(lang)
        for _lang in repeated:
            yield result(_UNIQUELANG, None)
    # Child shapes check each value node (a node shape's one value is its focus node),
    # once per parent focus node, as pyshacl does.
    for child in shape.children:
        for value in values:
            yield from _results(index, child, value)


def _text(v: Node) -> str:
    """Return the string pyshacl measures and matches for a value node."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in _STRING_TYPES:
        return str(v.value)
    return str(v)


def _datatype_test(rule: Node) -> Test:
    if not isinstance(rule, URIRef):
        raise Unsupported(f"sh:datatype {rule!r}")
    wanted = _VALUE_TYPES.get(rule)
    any_literal, any_typed = rule == gen.RDFS_LITERAL, rule == gen.RDFS_DATATYPE
    string, lang_string = rule == XSD.string, rule == RDF.langString

    def actual(v: Literal) -> bool:
        return wanted is None or isinstance(v.value, wanted)

    def test(_index: Index, v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        datatype = v.datatype
        if datatype == rule:
            return getattr(v, "ill_typed", None) is not True and actual(v)
        if any_literal or (any_typed and datatype):
            return True
        if string and datatype is None and v.language is None:
            return actual(v)
        return lang_string and bool(v.language) and actual(v)

    return test


def _pattern_test(regex: Node, flags: Node | None) -> Test:
    if not isinstance(regex, Literal):
        raise Unsupported(f"sh:pattern {regex!r}")
    options = 0
    text = str(flags.value if isinstance(flags, Literal) else flags or "").lower()
    if "i" in text:
        options |= re.I
    if "m" in text:
        options |= re.M
    try:
        matcher = re.compile(str(regex), options)
    except re.error as exc:
        raise Unsupported(f"sh:pattern {regex!r}: {exc}") from None
    return lambda _index, v: not isinstance(v, BNode) and matcher.search(_text(v)) is not None


def _language_test(tags: list[str]) -> Test:
    wanted, wildcard = set(tags), "*" in tags

    def test(_index: Index, v: Node) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = v.language.lower()
        return wildcard or lang in wanted or lang.split("-")[0] in wanted

    return test


def _range_test(bound: Node, holds: Callable[[int], bool]) -> Test:
    if not isinstance(bound, Literal):
        raise Unsupported(f"range bound {bound!r}")
    bound_is_string = isinstance(bound.value, str)

    def test(_index: Index, v: Node) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != bound_is_string:
            return False
        try:
            return holds(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    return test
