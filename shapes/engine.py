"""Run compiled shapes on Oxigraph: the fast validation path.

The data is loaded once into an in-memory Oxigraph store and every check is one SPARQL
query over all focus nodes. Oxigraph releases the GIL while it evaluates, so checks run on
a small thread pool. The raw results are the same tuples the pyshacl path produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from shapes.compiler import Check, Compiler
from shapes.oxterms import DATA_GRAPH, TermConverter
from shapes.sparqlgen import TYPE_PATH

FLAT_TYPE_PATH = f"<{RDF.type}>"
PARALLEL_ABOVE = 20_000  # quads; below this a thread pool costs more than it saves


class RawResult(NamedTuple):
    """One validation result before messages are attached."""

    focus: Node
    path: Node | None  # the result path node, in the graph named by ``path_graph``
    value: Node | None
    severity: URIRef
    shape: Node
    component: URIRef
    constraint: Node | None


class CompiledShapes:
    """A shapes graph compiled to SPARQL; build once, run on many data graphs.

    Raise :class:`shapes.sparqlgen.Unsupported` when the shapes use a feature the
    compiled engine does not evaluate.
    """

    def __init__(self, shapes: Graph, *, workers: int = 2) -> None:
        self.shapes = shapes
        self.checks = Compiler(shapes).compile()
        self.workers = workers

    def run_graph(self, data: Graph) -> list[RawResult]:
        """Validate an rdflib graph: copy it into a fresh store and run every check."""
        store = ox.Store()
        converter = TermConverter()
        converter.load(store, data)
        return self.run_store(store, converter)

    def run_store(self, store: ox.Store, converter: TermConverter | None = None) -> list[RawResult]:
        """Validate the graph ``urn:miglod:validation:data`` of ``store``."""
        conv = converter or TermConverter()
        # Without any rdfs:subClassOf in the data, rdf:type alone finds the same instances.
        flat = not store.query(f"ASK {{ ?s <{RDFS.subClassOf}> ?o }}", default_graph=DATA_GRAPH)
        if self.workers > 1 and len(store) > PARALLEL_ABOVE:
            with ThreadPoolExecutor(self.workers) as pool:
                batches = list(pool.map(lambda c: self._rows(store, c, flat), self.checks))
        else:
            batches = [self._rows(store, c, flat) for c in self.checks]
        results: list[RawResult] = []
        for check, rows in zip(self.checks, batches, strict=True):
            results.extend(_results(check, rows, conv))
        return results

    def _rows(self, store: ox.Store, check: Check, flat: bool) -> list[dict[str, Any]]:
        sparql = check.sparql.replace(TYPE_PATH, FLAT_TYPE_PATH) if flat else check.sparql
        solutions = store.query(sparql, default_graph=DATA_GRAPH)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names} for row in solutions]


def _results(
    check: Check, rows: Iterable[dict[str, Any]], conv: TermConverter
) -> Iterable[RawResult]:
    if check.kind == "sparql":
        yield from _sparql_results(check, rows, conv)
        return
    to_rdf = conv.to_rdf
    for row in rows:
        value = row.get("value")
        yield RawResult(
            to_rdf(row["this"]),
            check.path,
            to_rdf(value) if value is not None else None,
            check.severity,
            check.shape,
            check.component,
            check.constraint,
        )


def _sparql_results(
    check: Check, rows: Iterable[dict[str, Any]], conv: TermConverter
) -> Iterable[RawResult]:
    """Yield a SPARQL constraint's results, deduplicated the way pyshacl does."""
    seen: set[tuple[Any, ...]] = set()
    for bound in rows:
        focus = bound.pop("this", None)
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        bound.pop("failure", None)
        if focus is None:
            continue
        key = (focus, path, value, tuple(sorted((k, v) for k, v in bound.items() if v is not None)))
        if key in seen:
            continue
        seen.add(key)
        rdf_focus = conv.to_rdf(focus)
        yield RawResult(
            rdf_focus,
            conv.to_rdf(path) if path is not None else None,
            conv.to_rdf(value) if value is not None else rdf_focus,
            check.severity,
            check.shape,
            check.component,
            check.constraint,
        )
