"""Run compiled shapes on Oxigraph: the fast validation path.

Every check is one SPARQL query over all focus nodes. Data comes either as an rdflib graph,
copied into a scratch store (:meth:`CompiledShapes.run_graph`), or already in a pyoxigraph
store, validated where it is (:meth:`CompiledShapes.run_in_place`). Before the checks run,
one pass counts each checked predicate's triples: an sh:maxCount check of a predicate no
subject has two values of cannot fail and is left out, and a check whose focus nodes are
many for its property's triples scans those triples first instead of looking each focus
node up (both queries find the same rows). Oxigraph releases the GIL while it evaluates,
so checks run on a small thread pool. The raw results are the tuples pyshacl's report gives.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.term import Node

from shapes.compiler import Check, Compiler
from shapes.oxterms import DATA_GRAPH, TermConverter
from shapes.sparqlgen import TYPE_PATH, WELL_FORMED, inline_side_graphs

FLAT_TYPE_PATH = f"<{RDF.type}>"
PARALLEL_ABOVE = 20_000  # quads; below this a thread pool costs more than it saves
_PLAIN_IRI = re.compile(r'^[^<>"{}|^`\\\s]*$')  # writable between <> in SPARQL
PROBE_COST = 4  # looking a focus node's values up costs about this many triples scanned
SCAN_ABOVE = 2_000  # focus nodes; from here a check scans its property's triples first
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


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

    def __init__(self, shapes: Graph, *, workers: int = 2, scan_above: int = SCAN_ABOVE) -> None:
        self.shapes = shapes
        self.checks = Compiler(shapes).compile()
        self.workers = workers
        self.scan_above = scan_above
        # sh:maxCount predicates (maxCount >= 1), and those plus what checks may scan.
        self.maxed: set[Node] = {
            c.path
            for c in self.checks
            if c.component == SH.MaxCountConstraintComponent
            and isinstance(c.path, URIRef)
            and _positive(shapes.value(c.shape, SH.maxCount))
        }
        scanned = {c.path for c in self.checks if c.scan is not None and c.path is not None}
        self.counted = sorted(self.maxed | scanned, key=str)
        self._prepared: dict[tuple[str, bool, bool], str] = {}

    def run_graph(
        self, data: Graph, *, focus_nodes: Collection[Node] | None = None
    ) -> list[RawResult]:
        """Validate an rdflib graph: copy it into a fresh store and run every check.

        With ``focus_nodes``, checks that cannot report on any of them may be left out:
        the results about those nodes are the same, others may be missing.
        """
        store = ox.Store()
        converter = TermConverter()
        converter.load(store, data)
        return self.run_store(store, converter, focus_nodes=focus_nodes)

    def run_checks(
        self, data: Iterable[tuple[Node, Node, Node]], checks: Iterable[Check]
    ) -> list[RawResult]:
        """Run only ``checks`` (checks of targeted shapes) on ``data``, copied into a fresh store."""
        triples = list(data)
        store, conv = ox.Store(), TermConverter()
        conv.load(store, triples)
        options: dict[str, Any] = {"default_graph": DATA_GRAPH}
        flat = not any(p == RDFS.subClassOf for _s, p, _o in triples)
        results: list[RawResult] = []
        for check in checks:
            key = (check.sparql, flat, False)
            text = self._prepared.get(key)
            if text is None:
                text = check.sparql.replace(TYPE_PATH, FLAT_TYPE_PATH) if flat else check.sparql
                self._prepared[key] = text
            results.extend(_results(check, _rows(store, text, options), conv))
        return results

    def run_store(
        self,
        store: ox.Store,
        converter: TermConverter | None = None,
        *,
        focus_nodes: Collection[Node] | None = None,
    ) -> list[RawResult]:
        """Validate the graph ``urn:miglod:validation:data`` of a store :meth:`run_graph` filled."""
        options: dict[str, Any] = {"default_graph": DATA_GRAPH}
        return self._run(store, options, converter or TermConverter(), focus_nodes=focus_nodes)

    def run_in_place(self, store: ox.Store, graph: GraphName) -> list[RawResult]:
        """Validate one graph of ``store`` (the default graph, or a named one) without copying it.

        Nothing is written to ``store``. The findings equal those of validating the rdflib
        graph of that graph's triples as Oxigraph holds them (valid typed literals in
        canonical form, derived integer types as ``xsd:integer``).
        """
        options: dict[str, Any] = {
            "default_graph": graph,
            "custom_functions": {ox.NamedNode(WELL_FORMED): _well_formed_function()},
        }
        conv = TermConverter()
        conv.learn(self.shapes)
        return self._run(store, options, conv, inline=True)

    def _run(
        self,
        store: ox.Store,
        options: dict[str, Any],
        conv: TermConverter,
        *,
        inline: bool = False,
        focus_nodes: Collection[Node] | None = None,
    ) -> list[RawResult]:
        # Without any rdfs:subClassOf in the data, rdf:type alone finds the same instances.
        flat = not store.query(f"ASK {{ ?s <{RDFS.subClassOf}> ?o }}", **options)

        def prepare(text: str) -> str:
            key = (text, flat, inline)
            done = self._prepared.get(key)
            if done is None:
                done = text.replace(TYPE_PATH, FLAT_TYPE_PATH) if flat else text
                done = self._prepared[key] = inline_side_graphs(done) if inline else done
            return done

        def rows(text: str) -> list[dict[str, Any]]:
            return _rows(store, text, options)

        parallel = self.workers > 1 and len(store) > PARALLEL_ABOVE
        with ThreadPoolExecutor(self.workers if parallel else 1) as pool:
            each: Callable[..., Iterable[Any]] = pool.map if parallel else map
            single, triples = self._predicates(each, rows, self.workers if parallel else 1)
            sizes: dict[str, int] = {}
            restricted: dict[str, str] = {}
            listed = _listed(focus_nodes)
            texts: list[str | None] = []
            for check in self.checks:
                if check.component == SH.MaxCountConstraintComponent and check.path in single:
                    texts.append(None)  # no subject has two values: nothing to find
                    continue
                size = check.size
                if listed and not check.nested:
                    if size not in restricted:
                        restricted[size] = size.replace(" WHERE { ", f" WHERE {{ {listed} ", 1)
                    size = restricted[size]
                if size not in sizes:
                    sizes[size] = _count(store, prepare(size), options)
                if not sizes[size]:
                    texts.append(None)  # the shape has no focus node here
                    continue
                # Scanning costs per triple of the property, looking up per focus node (a few
                # times more): scan when the focus nodes are many for the property's triples.
                use_scan = sizes[size] >= self.scan_above and (
                    not self.scan_above
                    or PROBE_COST * sizes[size] >= triples.get(check.path or RDF.nil, 0)
                )
                texts.append(prepare(check.scan if use_scan and check.scan else check.sparql))
            batches = list(each(lambda t: rows(t) if t is not None else [], texts))
        results: list[RawResult] = []
        for check, found in zip(self.checks, batches, strict=True):
            results.extend(_results(check, found, conv))
        return results

    def _predicates(
        self,
        each: Callable[..., Iterable[Any]],
        rows: Callable[[str], list[dict[str, Any]]],
        parts: int,
    ) -> tuple[set[Node], dict[Node, int]]:
        """Return the sh:maxCount predicates no subject has two values of, and triple counts.

        One pass over the predicates' triples (in a graph, each triple once) replaces a
        grouping query per sh:maxCount check: in conforming data most need no query. The
        counts, of the predicates checks may scan, tell whether scanning pays.
        """
        predicates = self.counted
        chunks = [predicates[i::parts] for i in range(parts)]
        queries = [
            "SELECT ?p (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?d) WHERE"
            f" {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in chunk)} }} ?s ?p ?o }} GROUP BY ?p"
            for chunk in chunks
            if chunk
        ]
        single: set[Node] = set(self.maxed)
        triples: dict[Node, int] = {}
        for found in each(rows, queries):
            for row in found:
                predicate = URIRef(row["p"].value)
                triples[predicate] = int(row["t"].value)
                if row["t"] != row["d"]:
                    single.discard(predicate)
        return single, triples


def _positive(value: Node | None) -> bool:
    return isinstance(value, Literal) and isinstance(value.value, int) and value.value >= 1


def _well_formed_function() -> Callable[[Any], ox.Literal]:
    """Return the :data:`WELL_FORMED` function: rdflib's verdict, the one pyshacl uses.

    rdflib warns about some lexical forms; the warning is silenced (it is not ours to
    raise, and inside Oxigraph it would be lost), under a lock since the filters are global.
    """
    lock = threading.Lock()
    logger = logging.getLogger("rdflib.term")

    def well_formed(term: Any) -> ox.Literal:
        if not isinstance(term, ox.Literal) or term.language:
            return ox.Literal(True)
        with lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # rdflib logs the conversion error with its traceback, which holds this
            # thread's frames (and the query's solutions) until a later collection.
            logger.disabled, was = True, logger.disabled
            try:
                made = Literal(term.value, datatype=URIRef(term.datatype.value))
            finally:
                logger.disabled = was
        return ox.Literal(not getattr(made, "ill_typed", False))

    return well_formed


def _listed(focus_nodes: Collection[Node] | None) -> str:
    """Return a VALUES clause binding ``?this`` to ``focus_nodes`` (if given and all IRIs)."""
    if focus_nodes is None or not all(
        isinstance(n, URIRef) and _PLAIN_IRI.match(n) for n in focus_nodes
    ):
        return ""
    return f"VALUES ?this {{ {' '.join(sorted(f'<{n}>' for n in focus_nodes))} }}"


def _count(store: ox.Store, sparql: str, options: dict[str, Any]) -> int:
    for row in _solutions(store.query(sparql, **options)):
        return int(row[0].value)
    return 0


def _solutions(answer: Any) -> ox.QuerySolutions:
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _rows(store: ox.Store, sparql: str, options: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the distinct solutions of ``sparql`` (a triple in two graphs gives one row)."""
    solutions = _solutions(store.query(sparql, **options))
    names = [v.value for v in solutions.variables]
    unique = dict.fromkeys(tuple(row[n] for n in names) for row in solutions)
    return [dict(zip(names, row, strict=True)) for row in unique]


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
