"""Validation findings: one per SHACL result, with the shape's own message attached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from shapes.engine import RawResult
from shapes.sparqlgen import Unsupported, path

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_IRIS = {name: iri for iri, name in SEVERITIES.items()}


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result, ready for a person to read.

    ``path`` is the predicate IRI, or the SPARQL text of a complex path; ``source_constraint``
    is the constraint component (``sh:MinCountConstraintComponent``, ...); ``constraint`` is
    the SPARQL constraint node when the result came from one. ``message`` is in English,
    ``messages`` has every language the shape provides.
    """

    focus: Node
    path: str | None
    value: Node | None
    message: str
    severity: str
    shape: Node
    source_constraint: URIRef
    constraint: Node | None = None
    messages: tuple[Literal, ...] = field(default=(), compare=False)

    def key(self) -> tuple[str, ...]:
        """Return a sort key that groups findings by focus node."""
        return (
            str(self.focus),
            str(self.path or ""),
            str(self.shape),
            str(self.source_constraint),
            _term_text(self.value),
            self.severity,
        )

    def identity(self) -> tuple[object, ...]:
        """Return what two engines must agree on: everything but the messages."""
        return (
            self.focus,
            self.path,
            self.value,
            self.severity,
            self.shape,
            self.source_constraint,
            self.constraint,
        )


def _term_text(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return f"{node}@{node.language or ''}^^{node.datatype or ''}"
    return str(node)


def normalize(value: Node | None) -> Node | None:
    """Return ``value`` with an explicit ``xsd:string`` datatype dropped (RDF 1.1: same term)."""
    if isinstance(value, Literal) and value.datatype == XSD.string:
        return Literal(str(value))
    return value


class MessageBook:
    """Look up the messages of shapes and SPARQL constraints in one shapes graph."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._cache: dict[Node, tuple[Literal, ...]] = {}

    def messages(self, node: Node) -> tuple[Literal, ...]:
        """Return the sh:message values of ``node``, English first."""
        found = self._cache.get(node)
        if found is None:
            lits = [o for o in self.shapes.objects(node, SH.message) if isinstance(o, Literal)]
            lits.sort(key=lambda lit: (lit.language != "en", lit.language or "", str(lit)))
            found = self._cache[node] = tuple(lits)
        return found


def english(messages: Iterable[Literal]) -> str:
    """Return the English message, else one without a language, else the first."""
    items = list(messages)
    for lit in items:
        if lit.language and lit.language.lower().split("-")[0] == "en":
            return str(lit)
    for lit in items:
        if not lit.language:
            return str(lit)
    return str(items[0]) if items else ""


def path_text(graph: Graph, node: Node | None) -> str | None:
    """Return a result path as the predicate IRI or the SPARQL text of a complex path."""
    if node is None or isinstance(node, URIRef):
        return node
    try:
        return path(graph, node)
    except Unsupported:
        return str(node)


def make_findings(
    raw: Iterable[RawResult],
    book: MessageBook,
    *,
    path_graph: Graph,
    fallback: dict[BNode, tuple[Literal, ...]] | None = None,
) -> list[Finding]:
    """Return findings for raw results; ``fallback`` holds the engine's own messages per result."""
    findings = []
    for index, r in enumerate(raw):
        messages = book.messages(r.constraint) if r.constraint is not None else ()
        messages = messages or book.messages(r.shape)
        if not messages and fallback is not None:
            messages = fallback.get(BNode(str(index)), ())
        if not messages:
            local = str(r.component).rsplit("#", 1)[-1].replace("ConstraintComponent", "")
            messages = (Literal(f"{local} constraint not satisfied", lang="en"),)
        findings.append(
            Finding(
                focus=r.focus,
                path=path_text(path_graph, r.path),
                value=normalize(r.value),
                message=english(messages),
                severity=SEVERITIES.get(r.severity, str(r.severity)),
                shape=r.shape,
                source_constraint=r.component,
                constraint=r.constraint,
                messages=messages,
            )
        )
    findings.sort(key=Finding.key)
    return findings


def raw_from_report(report: Graph) -> tuple[list[RawResult], dict[BNode, tuple[Literal, ...]]]:
    """Return the results of a pyshacl report graph, with pyshacl's messages by position."""
    raw, messages = [], {}
    # Nested results hang off their parent via sh:detail; only top-level ones count.
    for node in report.objects(None, SH.result):
        focus, shape = report.value(node, SH.focusNode), report.value(node, SH.sourceShape)
        severity = report.value(node, SH.resultSeverity)
        component = report.value(node, SH.sourceConstraintComponent)
        assert focus is not None and shape is not None
        raw.append(
            RawResult(
                focus,
                report.value(node, SH.resultPath),
                report.value(node, SH.value),
                URIRef(str(severity)),
                shape,
                URIRef(str(component)),
                report.value(node, SH.sourceConstraint),
            )
        )
        found = tuple(o for o in report.objects(node, SH.resultMessage) if isinstance(o, Literal))
        messages[BNode(str(len(raw) - 1))] = found
    return raw, messages
