"""Evaluating one query: exact row caps, faithful formats, the union default graph, spooling."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from miglod.query import QueryError, QueryRequest
from miglod.query.evaluate import Engines, Spool, evaluate
from miglod.query.formats import FORMATS, GRAPH, TABULAR

EX = "http://example.org/"
G1, G2 = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")
TRICKY = [
    ox.Literal('line one\nline two\tand a tab, "quoted" and ünïcödé 🙂', language="en"),
    ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal("2021-09-20", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "custom")),
    ox.NamedNode(EX + "o?a=1&b=%3C2%3E#frag"),
    ox.Literal("trailing backslash \\"),
]


@pytest.fixture
def named() -> ox.Store:
    """Return a store with two graphs that share one triple."""
    store = ox.Store()
    for n, value in enumerate(TRICKY):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), value, G1))
    store.add(ox.Quad(ox.NamedNode(EX + "s0"), ox.NamedNode(EX + "p"), TRICKY[0], G2))
    store.add(
        ox.Quad(ox.NamedNode(EX + "shared"), ox.NamedNode(EX + "name"), ox.Literal("Ann"), G1)
    )
    store.add(
        ox.Quad(ox.NamedNode(EX + "shared"), ox.NamedNode(EX + "name"), ox.Literal("Ann"), G2)
    )
    return store


@pytest.fixture
def engines(named: ox.Store) -> Engines:
    union = ox.Store()
    union.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in named)
    return Engines(disk=lambda: named, union=union, version="v1")


def run(
    engines: Engines, query: str, fmt: str = "json", limit: int | None = 100, **kw: object
) -> tuple[bytes, object]:
    outcome = evaluate(QueryRequest(query, fmt, limit, **kw), engines, Spool(None, "x"))  # type: ignore[arg-type]
    return outcome.read(), outcome


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.kinds == TABULAR], ids=lambda f: f.name)
def test_solutions_are_written_exactly_as_pyoxigraph_writes_them(
    engines: Engines, fmt: object
) -> None:
    query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s ?o"
    ours, outcome = run(engines, query, fmt.name)  # type: ignore[attr-defined]
    theirs = engines.union.query(query).serialize(format=fmt.results_format())  # type: ignore[union-attr,attr-defined]
    assert ours == theirs
    assert (outcome.rows, outcome.truncated) == (len(TRICKY) + 1, False)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.kinds == GRAPH], ids=lambda f: f.name)
def test_triples_are_written_in_every_rdf_syntax_without_loss(
    engines: Engines, fmt: object
) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    data, outcome = run(engines, query, fmt.name)  # type: ignore[attr-defined]
    parsed = {q.triple for q in ox.parse(data, format=fmt.rdf_format())}  # type: ignore[attr-defined]
    assert parsed == {q.triple for q in engines.union}  # type: ignore[union-attr]
    assert outcome.rows == len(TRICKY) + 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("limit", [0, 1, 3, 7])
def test_the_row_cap_is_exact_and_reported(engines: Engines, fmt: str, limit: int) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
    data, outcome = run(engines, query, fmt, limit)
    total = len(TRICKY) + 1
    if fmt == "csv":  # pyoxigraph does not read CSV back (it is lossy)
        kept = [row["s"] for row in csv.DictReader(io.StringIO(data.decode()))]
    else:
        solutions = ox.parse_query_results(data, format=ox.QueryResultsFormat.from_extension(fmt))
        assert isinstance(solutions, ox.QuerySolutions)
        kept = [s["s"].value for s in solutions]
    assert len(kept) == min(limit, total) == outcome.rows  # type: ignore[attr-defined]
    assert outcome.truncated is (total > limit)  # type: ignore[attr-defined]
    everything = list(engines.union.query(query))  # type: ignore[union-attr]
    assert kept == [s["s"].value for s in everything[:limit]]


def test_the_triple_cap_is_exact(engines: Engines) -> None:
    data, outcome = run(engines, "CONSTRUCT WHERE { ?s ?p ?o }", "turtle", 2)
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == 2
    assert (outcome.rows, outcome.truncated) == (2, True)  # type: ignore[attr-defined]


def test_the_default_graph_is_the_merge_of_the_graphs(engines: Engines) -> None:
    data, _ = run(engines, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}shared> ?p ?o }}", "csv")
    assert data.splitlines()[1] == b"1"  # stated in two graphs, one triple of the union


def test_graph_queries_and_the_protocol_dataset_see_the_named_graphs(engines: Engines) -> None:
    data, _ = run(
        engines, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}shared> ?p ?o }} }} ORDER BY ?g", "csv"
    )
    assert data.split() == [b"g", G1.value.encode(), G2.value.encode()]
    data, _ = run(
        engines, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv", default_graphs=(G2.value,)
    )
    assert data.splitlines()[1] == b"2"
    data, _ = run(engines, f"SELECT (COUNT(*) AS ?n) FROM <{G2.value}> WHERE {{ ?s ?p ?o }}", "csv")
    assert data.splitlines()[1] == b"2"


def test_ask_and_relative_iris(engines: Engines) -> None:
    data, outcome = run(engines, "ASK { ?s ?p ?o }", "xml")
    assert b"<boolean>true</boolean>" in data and outcome.kind == "boolean"  # type: ignore[attr-defined]
    data, _ = run(engines, "CONSTRUCT { <s> <p> 1 } WHERE {}", "ntriples", base_iri=EX)
    assert data == f'<{EX}s> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'.encode()


def test_a_format_that_does_not_fit_the_result_falls_back_to_the_default(engines: Engines) -> None:
    _, outcome = run(engines, "ASK {}", "turtle")
    assert outcome.format == "json"  # type: ignore[attr-defined]
    _, outcome = run(engines, "CONSTRUCT WHERE { ?s ?p ?o }", "csv")
    assert outcome.format == "turtle"  # type: ignore[attr-defined]


def test_syntax_errors_are_typed(engines: Engines) -> None:
    with pytest.raises(QueryError) as error:
        run(engines, "SELECT * WHERE {")
    assert (error.value.status, error.value.code) == (400, "query_syntax")
    assert "1:17" in error.value.message


def test_large_results_go_to_a_file(engines: Engines, tmp_path: Path) -> None:
    spool = Spool(str(tmp_path), "big.out", threshold=64)
    outcome = evaluate(QueryRequest("SELECT * WHERE { ?s ?p ?o }", "json", None), engines, spool)
    assert outcome.body is None and outcome.path == str(tmp_path / "big.out")
    assert Path(outcome.path).stat().st_size == outcome.size > 64
    small = evaluate(
        QueryRequest("ASK {}", "json"), engines, Spool(str(tmp_path), "small.out", threshold=64)
    )
    assert small.body == b'{"head":{},"boolean":true}' and not (tmp_path / "small.out").exists()
