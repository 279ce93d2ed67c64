"""Validate data against the shapes: whole datasets, or one update against what is published.

Two engines give the same findings: ``"pyshacl"`` (the reference) and ``"compiled"``, which
turns each constraint into one SPARQL query over Oxigraph. ``"auto"`` uses the compiled
engine when it supports every feature of the shapes graph and pyshacl otherwise. One
update's small context is judged by the compiled engine's Python twin (:mod:`shapes.local`),
which answers there faster than Oxigraph can set up a query, and gives the same findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from shapes.engine import CompiledShapes, GraphName, RawResult
from shapes.findings import SEVERITY_IRIS, Finding, MessageBook, make_findings, raw_from_report
from shapes.loading import DEFAULT_BASE_IRI, load_shapes, normalize_base
from shapes.local import LocalShapes
from shapes.localdata import Triple
from shapes.oxterms import TermConverter
from shapes.published import (
    Published,
    TermCache,
    context_for,
    context_triples,
    item_nodes,
    report_context,
)
from shapes.sparqlgen import Unsupported

ENGINES = ("auto", "compiled", "pyshacl")


@dataclass(slots=True)
class ValidationResult:
    """The outcome of one validation.

    ``conforms`` is miglod's verdict: no result of severity Violation (warnings and infos
    are reported but do not fail). ``shacl_conforms`` is SHACL's: no result at all.
    """

    findings: list[Finding]
    engine: str
    _report: Graph | None = field(default=None, repr=False)

    @property
    def conforms(self) -> bool:
        """Return whether no finding is a Violation."""
        return not self.violations

    @property
    def shacl_conforms(self) -> bool:
        """Return whether there are no findings at all."""
        return not self.findings

    @property
    def violations(self) -> list[Finding]:
        """Return the findings of severity Violation."""
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        """Return the findings of severity Warning or Info."""
        return [f for f in self.findings if f.severity != "Violation"]

    def by_focus(self) -> dict[Node, list[Finding]]:
        """Return the findings grouped by focus node, in a stable order."""
        groups: dict[Node, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            groups[finding.focus].append(finding)
        return dict(groups)

    @property
    def report(self) -> Graph:
        """Return the findings as a SHACL validation report graph."""
        if self._report is None:
            self._report = report_graph(self.findings)
        return self._report


def report_graph(findings: list[Finding]) -> Graph:
    """Build an ``sh:ValidationReport`` graph from findings."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not findings, datatype=XSD.boolean)))
    for finding in findings:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, finding.focus))
        graph.add(
            (node, SH.resultSeverity, SEVERITY_IRIS.get(finding.severity, URIRef(finding.severity)))
        )
        graph.add((node, SH.sourceShape, finding.shape))
        graph.add((node, SH.sourceConstraintComponent, finding.source_constraint))
        if finding.path is not None:
            graph.add((node, SH.resultPath, _path_node(finding.path)))
        if finding.value is not None:
            graph.add((node, SH.value, finding.value))
        if finding.constraint is not None:
            graph.add((node, SH.sourceConstraint, finding.constraint))
        for message in finding.messages:
            graph.add((node, SH.resultMessage, message))
    return graph


def _path_node(path: str) -> Node:
    return path if isinstance(path, URIRef) else Literal(path)


class Validator:
    """Validate against one shapes graph; build once and reuse (compiling costs milliseconds)."""

    def __init__(
        self,
        shapes: Graph | None = None,
        *,
        base: str = DEFAULT_BASE_IRI,
        engine: str = "auto",
        workers: int = 2,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        self.base = normalize_base(base)
        self.shapes = shapes if shapes is not None else load_shapes(base)
        self.book = MessageBook(self.shapes)
        self.compiled: CompiledShapes | None = None
        self.unsupported: str | None = None
        if engine != "pyshacl":
            try:
                self.compiled = CompiledShapes(self.shapes, workers=workers)
            except Unsupported as exc:
                if engine == "compiled":
                    raise
                self.unsupported = str(exc)
        self.engine = "compiled" if self.compiled is not None else "pyshacl"
        # Updates are judged in Python (see shapes.local) when the shapes allow it.
        self.local: LocalShapes | None = None
        if self.compiled is not None:
            try:
                self.local = LocalShapes(self.shapes, self.compiled.checks)
            except Unsupported:
                self.local = None
        self._terms = TermCache()

    def validate(self, data: Graph) -> ValidationResult:
        """Validate the whole of ``data``."""
        if self.compiled is not None:
            raw = self.compiled.run_graph(data)
            findings = make_findings(raw, self.book, path_graph=self.shapes)
            return ValidationResult(findings, "compiled")
        _conforms, report, _text = pyshacl.validate(
            data, shacl_graph=self.shapes, inference="none", advanced=False
        )
        assert isinstance(report, Graph)
        raw, fallback = raw_from_report(report)
        findings = make_findings(raw, self.book, path_graph=report, fallback=fallback)
        return ValidationResult(findings, "pyshacl", report)

    def validate_store(self, store: ox.Store, graph: GraphName | None = None) -> ValidationResult:
        """Validate one graph of a pyoxigraph ``store`` (default: its default graph) in place.

        Nothing is copied or written: the findings equal those of :meth:`validate` on the
        rdflib graph of that graph's triples as Oxigraph holds them (valid typed literals in
        canonical form). Shapes the compiled engine cannot run are run on a copy.
        """
        name = graph if graph is not None else ox.DefaultGraph()
        if self.compiled is not None:
            raw = self.compiled.run_in_place(store, name)
            findings = make_findings(raw, self.book, path_graph=self.shapes)
            return ValidationResult(findings, "compiled")
        return self.validate(store_graph(store, name))

    def validate_file(
        self, path: str | Path, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES
    ) -> tuple[ValidationResult, Graph]:
        """Validate an RDF file through an in-memory Oxigraph store, not an rdflib graph.

        Return the result and, for the report, what names each focus node (see
        :func:`shapes.published.report_context`). Quads of all graphs are merged: load
        a triples format so that a triple repeated in several graphs counts once.
        """
        store = ox.Store()
        store.bulk_load(path=str(path), format=fmt)
        result = self.validate_store(store)
        return result, report_context(store, result.by_focus(), self.base)

    def validate_update(
        self, item: Graph, published: Published, *, depth: int = 2
    ) -> ValidationResult:
        """Validate one new or changed item graph together with what it references.

        Only findings about the item's own nodes (the subjects of ``item``) are returned:
        exactly those a full validation of the published data merged with the item gives.
        """
        own = item_nodes(item)
        if self.local is not None:
            triples = context_triples(item, published, depth=depth, to_rdf=self._terms)
            raw = self.run_local(triples, own)
            findings = make_findings(
                (r for r in raw if r.focus in own), self.book, path_graph=self.shapes
            )
            return ValidationResult(findings, "compiled")
        context = context_for(item, published, depth=depth)
        if self.compiled is not None:
            raw = self.compiled.run_graph(context, focus_nodes=own)
            findings = make_findings(
                (r for r in raw if r.focus in own), self.book, path_graph=self.shapes
            )
            return ValidationResult(findings, "compiled")
        result = self.validate(context)
        return ValidationResult([f for f in result.findings if f.focus in own], result.engine)

    def run_local(
        self, triples: Collection[Triple], focus_nodes: Collection[Node] | None = None
    ) -> list[RawResult]:
        """Return the raw results for a small graph, by the Python tests of :mod:`shapes.local`.

        SHACL-SPARQL constraints run on a scratch store. With ``focus_nodes``, the results
        about those nodes are complete and others may be missing.
        """
        assert self.local is not None and self.compiled is not None
        raw, pending = self.local.run(triples, focus_nodes)
        if pending:
            raw.extend(self.compiled.run_checks(triples, pending))
        return raw


def store_graph(store: ox.Store, name: GraphName | None = None) -> Graph:
    """Return the triples of one graph of ``store`` (default: its default graph) as rdflib."""
    graph, conv = Graph(), TermConverter()
    to_rdf = conv.to_rdf
    for quad in store.quads_for_pattern(None, None, None, name or ox.DefaultGraph()):
        graph.add((to_rdf(quad.subject), to_rdf(quad.predicate), to_rdf(quad.object)))
    return graph


def validate(
    data: Graph,
    shapes: Graph | None = None,
    *,
    base: str = DEFAULT_BASE_IRI,
    engine: str = "auto",
) -> ValidationResult:
    """Validate ``data`` against ``shapes`` (default: the packaged shapes for ``base``)."""
    return Validator(shapes, base=base, engine=engine).validate(data)


def validate_update(
    item: Graph,
    published: Published,
    shapes: Graph | None = None,
    *,
    base: str = DEFAULT_BASE_IRI,
    engine: str = "auto",
) -> ValidationResult:
    """Validate one item graph against the published data; see :meth:`Validator.validate_update`."""
    return Validator(shapes, base=base, engine=engine).validate_update(item, published)
