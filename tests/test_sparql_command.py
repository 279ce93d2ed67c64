"""``miglod query`` as a library call: its formats, messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from miglod.query import query_command, run_query
from tests.conftest import BASE

COUNTRIES = (
    "PREFIX schema: <https://schema.org/> SELECT ?code ?name WHERE { ?c a schema:Country ; "
    'schema:identifier ?code ; schema:name ?name FILTER(LANG(?name) = "en") } ORDER BY ?code'
)


def test_table_output_lines_up_the_columns(built_store: Path) -> None:
    result = query_command(built_store, COUNTRIES)
    assert result.exit_code == 0 and result.message == ""
    lines = result.output.splitlines()
    assert lines[0].split() == ["code", "name"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2:4] == ["GY    Guyana @en", "MX    Mexico @en"]
    assert lines[-1] == "(4 rows)"


def test_csv_and_json_output(built_store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(query_command(built_store, COUNTRIES, "csv").output)))
    assert [r["code"] for r in rows] == ["GY", "MX", "PA", "SR"]
    document = json.loads(query_command(built_store, COUNTRIES, "json").output)
    assert document["head"]["vars"] == ["code", "name"]


def test_ask_and_construct(built_store: Path) -> None:
    assert query_command(built_store, "ASK { ?s ?p ?o }").output == "true\n"
    construct = f"CONSTRUCT WHERE {{ <{BASE}id/country/SR> ?p ?o }}"
    graph = Graph().parse(data=query_command(built_store, construct).output, format="turtle")
    assert set(graph.subjects()) == {URIRef(BASE + "id/country/SR")}
    assert len(
        Graph().parse(data=query_command(built_store, construct, "json").output, format="json-ld")
    ) == len(graph)


def test_a_cut_result_warns(built_store: Path) -> None:
    result = query_command(built_store, COUNTRIES, "csv", limit=2)
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 3
    assert "first 2 rows" in result.message


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("SELECT * {", 1, "Syntax error"),
        ("INSERT DATA { <http://a> <http://b> 1 }", 1, "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 1, "SERVICE"),
        (
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
            1,
            "time limit",
        ),
    ],
)
def test_failures_exit_1_with_a_message(
    built_store: Path, query: str, code: int, words: str
) -> None:
    result = query_command(built_store, query, timeout=1.0)
    assert (result.exit_code, result.output) == (code, "")
    assert words in result.message


def test_usage_errors_exit_2(built_store: Path, tmp_path: Path) -> None:
    assert query_command(tmp_path / "nothing", "ASK {}").exit_code == 2
    assert query_command(built_store, "ASK {}", "yaml").exit_code == 2


def test_run_query_returns_the_bytes(built_store: Path) -> None:
    outcome = run_query(built_store, COUNTRIES, timeout=10, limit=None, format="tsv")
    assert outcome.body is not None and outcome.body.startswith(b"?code\t?name\n")
    assert outcome.path is None
