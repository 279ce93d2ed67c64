"""Write SPARQL for SHACL Core: terms, property paths and per-value conformance tests.

Every boolean expression built here is total (it never raises a SPARQL error), so it can be
negated and combined without SPARQL's three-valued logic dropping a violation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from rdflib import RDF, SH, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from shapes.oxterms import DERIVED_GRAPH, DERIVED_INTEGERS, ILL_TYPED_GRAPH

RDF_LANGSTRING = RDF.langString
RDFS_LITERAL = URIRef("http://www.w3.org/2000/01/rdf-schema#Literal")
RDFS_DATATYPE = URIRef("http://www.w3.org/2000/01/rdf-schema#Datatype")
TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

# Constructs Python's re accepts but Rust's regex (Oxigraph's REGEX) does not.
_NOT_RUST_REGEX = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P=")


class Unsupported(Exception):
    """Raise when a shapes graph uses a feature the compiled engine does not evaluate."""


class Names:
    """Hand out fresh SPARQL variable names."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def fresh(self, stem: str = "v") -> str:
        """Return a new variable, e.g. ``?v7``."""
        return f"?{stem}{next(self._counter)}"


def string(text: str) -> str:
    """Return ``text`` as a SPARQL string literal."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def term(node: Node) -> str:
    """Return an IRI or literal in SPARQL syntax; blank nodes cannot be named in a query."""
    if isinstance(node, URIRef):
        if any(c in node for c in '<>"{}|^`\\ '):
            raise Unsupported(f"IRI {node!r} cannot be written in SPARQL")
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.language:
            return f"{string(str(node))}@{node.language}"
        if node.datatype is None:
            return string(str(node))
        return f"{string(str(node))}^^{term(node.datatype)}"
    raise Unsupported(f"cannot name {node!r} in SPARQL")


def items(graph: Graph, head: Node) -> list[Node]:
    """Return the members of the RDF list at ``head``."""
    return list(Collection(graph, head))


def path(graph: Graph, node: Node) -> str:
    """Return a SHACL property path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return term(node)
    if (node, RDF.first, None) in graph:
        return "(" + " / ".join(path(graph, n) for n in items(graph, node)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(node, predicate)
        if inner is not None:
            return template.format(path(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(path(graph, n) for n in items(graph, alternatives)) + ")"
    raise Unsupported(f"unknown property path {node!r}")


def total(expression: str) -> str:
    """Return ``expression`` made total: an error counts as false."""
    return f"COALESCE(({expression}), false)"


def datatype_test(var: str, datatype: Node, names: Names) -> str:
    """Return the test that ``var`` is a well-formed literal of ``datatype`` (as pyshacl judges)."""
    if datatype == RDF_LANGSTRING:
        return f'(isLiteral({var}) && LANG({var}) != "")'
    if datatype == XSD.string:
        return f'(isLiteral({var}) && LANG({var}) = "" && DATATYPE({var}) = {term(XSD.string)})'
    if datatype == RDFS_LITERAL:
        return f"isLiteral({var})"
    if not isinstance(datatype, URIRef) or datatype == RDFS_DATATYPE:
        raise Unsupported(f"sh:datatype {datatype!r}")
    s, p = names.fresh("ill"), names.fresh("ill")
    well_formed = f"NOT EXISTS {{ GRAPH <{ILL_TYPED_GRAPH.value}> {{ {s} {p} {var} }} }}"
    derived = f"GRAPH <{DERIVED_GRAPH.value}> {{ {term(datatype)} {p} {var} }}"
    if str(datatype) in DERIVED_INTEGERS:
        declared = f"(DATATYPE({var}) = {term(XSD.integer)} && EXISTS {{ {derived} }})"
        return total(f"isLiteral({var}) && {declared} && {well_formed}")
    if datatype == XSD.integer:
        derived = f"GRAPH <{DERIVED_GRAPH.value}> {{ {s} {p} {var} }}"
        declared = f"DATATYPE({var}) = {term(datatype)} && NOT EXISTS {{ {derived} }}"
        return total(f"isLiteral({var}) && {declared} && {well_formed}")
    return total(f"isLiteral({var}) && DATATYPE({var}) = {term(datatype)} && {well_formed}")


_SIDE = r"\{{ GRAPH <{graph}> \{{ (\S+) \?ill\d+ (\?\w+) \}} \}}"
_ILL_TEST = re.compile(r"NOT EXISTS " + _SIDE.format(graph=re.escape(ILL_TYPED_GRAPH.value)))
_DERIVED_TEST = re.compile(r"(NOT )?EXISTS " + _SIDE.format(graph=re.escape(DERIVED_GRAPH.value)))


WELL_FORMED = "urn:miglod:validation:wellFormed"
# Tests that hold only of literals Oxigraph stored as valid values in canonical form, whose
# lexical forms rdflib accepts too (a test checks it); others are asked of rdflib.
# {0} is the literal, {1} its datatype; the cast gives back the same term only for a valid
# value in canonical form.
_CANONICAL = "sameTerm({0}, {1}({0}))"
_DATES = _CANONICAL + " && YEAR({0}) >= 1 && YEAR({0}) <= 9999 && "
SURELY_WELL_FORMED = {
    str(XSD.integer): _CANONICAL,
    str(XSD.date): _DATES + 'TZ({0}) = ""',
    str(XSD.dateTime): _DATES + 'TZ({0}) IN ("", "Z")',
    str(XSD.double): _CANONICAL,
    str(XSD.boolean): _CANONICAL,
}


def surely_well_formed(var: str) -> str:
    """Return a cheap test that implies rdflib accepts the typed literal ``var``."""
    return " || ".join(
        f"(DATATYPE({var}) = <{dt}> && {test.format(var, f'<{dt}>')})"
        for dt, test in SURELY_WELL_FORMED.items()
    )


def inline_side_graphs(sparql: str) -> str:
    """Return ``sparql`` with the side-graph lookups of :func:`datatype_test` written inline.

    For data validated where it is (no side graphs): no literal has a derived integer type
    (Oxigraph stores those as ``xsd:integer``), and whether a literal is well-formed is
    rdflib's verdict, asked of the :data:`WELL_FORMED` function only when its lexical form
    is not one of the :data:`SURELY_WELL_FORMED` ones.
    """

    def ill(match: re.Match[str]) -> str:
        var = match.group(2)
        # IF, not ||: Oxigraph evaluates both sides of || and the function is slow.
        sure = surely_well_formed(var)
        return f"IF(COALESCE(({sure}), false), true, <{WELL_FORMED}>({var}))"

    def derived(match: re.Match[str]) -> str:
        return "true" if match.group(1) else "false"

    return _DERIVED_TEST.sub(derived, _ILL_TEST.sub(ill, sparql))


NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({0})",
    SH.BlankNode: "isBlank({0})",
    SH.Literal: "isLiteral({0})",
    SH.BlankNodeOrIRI: "!isLiteral({0})",
    SH.BlankNodeOrLiteral: "!isIRI({0})",
    SH.IRIOrLiteral: "!isBlank({0})",
}

RANGES: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}


def integer(value: Node, name: str) -> int:
    """Return a non-negative integer parameter or raise Unsupported."""
    if not isinstance(value, Literal) or not isinstance(value.value, int) or value.value < 0:
        raise Unsupported(f"{name} must be a non-negative integer")
    return int(value.value)


def pattern_test(var: str, regex: Node, flags: Node | None) -> str:
    """Return the sh:pattern test (blank nodes never match)."""
    if not isinstance(regex, Literal) or _NOT_RUST_REGEX.search(str(regex)):
        raise Unsupported(f"sh:pattern {regex!r}")
    flag_text = f", {string(str(flags))}" if flags is not None else ""
    return total(f"!isBlank({var}) && REGEX(STR({var}), {string(str(regex))}{flag_text})")


def distinct_values(var: str, path_text: str, count: int, names: Names) -> Iterator[str]:
    """Yield triple patterns and a filter binding ``count`` pairwise distinct path values."""
    values = [names.fresh("d") for _ in range(count)]
    for value in values:
        yield f"{var} {path_text} {value} ."
    pairs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(values, 2)]
    if pairs:
        yield "FILTER (" + " && ".join(pairs) + ")"


def is_true(node: Node) -> bool:
    """Return whether ``node`` is the literal ``true`` (``"1"^^xsd:boolean`` does not count)."""
    return isinstance(node, Literal) and node.datatype == XSD.boolean and str(node) == "true"
