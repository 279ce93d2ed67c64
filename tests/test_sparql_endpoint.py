"""The /sparql endpoint in-process: the protocol, negotiation, refusals, the description and the page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from server import create_app
from server.sparql import sparql_state
from tests.conftest import BASE, SURINAME_ID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ITEMS = "PREFIX schema: <https://schema.org/> SELECT ?item WHERE { ?item a schema:NewsArticle } ORDER BY DESC(?item)"
JSON_RESULTS = "application/sparql-results+json"
SURINAME = BASE + "id/news/" + SURINAME_ID


@pytest.fixture(scope="module")
def sparql_app(built_store: Path) -> Iterator[Flask]:
    """Return one app for the module (its query service is started once), stopped at the end."""
    app = create_app({"store": str(built_store), "result_limit": 3})
    app.config["TESTING"] = True
    yield app
    service = sparql_state(app).service
    if service is not None:
        service.close()


@pytest.fixture
def web(sparql_app: Flask) -> FlaskClient:
    return sparql_app.test_client()


def items(response_data: bytes) -> list[str]:
    return [b["item"]["value"] for b in json.loads(response_data)["results"]["bindings"]]


def test_get_post_form_and_post_direct_give_the_same_answer(web: FlaskClient) -> None:
    by_get = web.get("/sparql", query_string={"query": ITEMS}, headers={"Accept": JSON_RESULTS})
    by_form = web.post("/sparql", data={"query": ITEMS}, headers={"Accept": JSON_RESULTS})
    direct = web.post(
        "/sparql",
        data=ITEMS,
        content_type="application/sparql-query",
        headers={"Accept": JSON_RESULTS},
    )
    assert by_get.status_code == by_form.status_code == direct.status_code == 200
    assert items(by_get.data) == items(by_form.data) == items(direct.data)
    assert SURINAME in items(by_get.data)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON_RESULTS),
        ("*/*", JSON_RESULTS),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", JSON_RESULTS),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/csv;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
        ("text/html", "text/html"),
    ],
)
def test_select_results_are_negotiated_with_q_values(
    web: FlaskClient, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = web.get("/sparql", query_string={"query": ITEMS}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_results_are_rdf_in_the_format_asked_for(
    web: FlaskClient, accept: str | None, parse_as: str
) -> None:
    query = f"CONSTRUCT {{ <{BASE}id/country/SR> ?p ?o }} WHERE {{ <{BASE}id/country/SR> ?p ?o }}"
    response = web.get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept} if accept else {}
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=parse_as)
    country = URIRef(BASE + "id/country/SR")
    assert len(graph) == 3  # the result limit of this app: 3 triples of 11
    assert set(graph.subjects()) == {country}
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-Result-Rows"] == "3"


def test_format_parameter_wins_over_accept_and_unknown_ones_are_ignored(web: FlaskClient) -> None:
    for name in ("format", "output", "results"):
        response = web.get(
            "/sparql", query_string={"query": ITEMS, name: "csv"}, headers={"Accept": JSON_RESULTS}
        )
        assert response.mimetype == "text/csv"
    response = web.get(
        "/sparql", query_string={"query": ITEMS, "format": "no-such-format", "timeout": "5"}
    )
    assert (response.status_code, response.mimetype) == (200, JSON_RESULTS)


def test_nothing_acceptable_is_406_with_the_offered_types(web: FlaskClient) -> None:
    response = web.get("/sparql", query_string={"query": ITEMS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/csv" in response.get_json()["offered"]
    ask = web.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert ask.status_code == 406


def test_a_capped_result_says_so_in_its_headers(web: FlaskClient) -> None:
    response = web.get(
        "/sparql",
        query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1 + 3
    assert response.headers["X-Result-Limit"] == "3"
    assert response.headers["X-Result-Rows"] == "3"
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == "3"
    assert "truncated" in response.headers["Warning"]
    whole = web.get(
        "/sparql", query_string={"query": ITEMS + " LIMIT 2"}, headers={"Accept": "text/csv"}
    )
    assert "X-Result-Truncated" not in whole.headers and whole.headers["X-Result-Rows"] == "2"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"query_string": {"update": "CLEAR ALL"}}, 403, "update_refused"),
        ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 403, "update_refused"),
        (
            {"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
            403,
            "update_refused",
        ),
        (
            {"query_string": {"query": "INSERT DATA { <http://a> <http://b> 1 }"}},
            403,
            "update_refused",
        ),
        ({"query_string": {"query": "LOAD <http://127.0.0.1:9/x>"}}, 403, "update_refused"),
        (
            {"query_string": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}},
            403,
            "service_refused",
        ),
        ({"query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "multiple_queries"),
        ({"query_string": {"query": "SELECT * {"}}, 400, "query_syntax"),
        (
            {"query_string": {"query": "SELECT * { ?s ?p ?o } " + "#" * 70_000}},
            413,
            "query_too_long",
        ),
        (
            {"method": "POST", "data": b"ASK {}", "content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        ({"method": "POST", "data": b"query=ASK%7B%7D"}, 415, "unsupported_media_type"),
        (
            {
                "method": "POST",
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
            "unsupported_charset",
        ),
        (
            {"method": "POST", "data": b"ASK { \xff }", "content_type": "application/sparql-query"},
            400,
            "bad_encoding",
        ),
        (
            {"method": "POST", "data": b"x" * 300_000, "content_type": "application/sparql-query"},
            413,
            "request_too_large",
        ),
        (
            {"method": "POST", "data": {}, "content_type": "application/x-www-form-urlencoded"},
            400,
            "missing_query",
        ),
    ],
)
def test_requests_outside_the_protocol_are_answered_with_a_clear_error(
    web: FlaskClient, kwargs: dict[str, object], status: int, code: str
) -> None:
    response = web.open("/sparql", headers={"Accept": JSON_RESULTS}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.data[:300]
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]


def test_other_methods_are_405(web: FlaskClient) -> None:
    assert web.put("/sparql", query_string={"query": "ASK {}"}).status_code == 405
    assert web.delete("/sparql").status_code == 405


def test_protocol_dataset_sets_the_default_and_named_graphs(web: FlaskClient) -> None:
    graph = f"{BASE}graph/news/{SURINAME_ID}"
    query = "SELECT DISTINCT ?item WHERE { ?item a <https://schema.org/NewsArticle> }"
    only = web.get(
        "/sparql",
        query_string={"query": query, "default-graph-uri": graph},
        headers={"Accept": JSON_RESULTS},
    )
    assert items(only.data) == [SURINAME]
    named = "SELECT ?g WHERE { GRAPH ?g { ?s a <https://schema.org/Country> } }"
    response = web.get(
        "/sparql",
        query_string={"query": named, "named-graph-uri": BASE + "graph/countries"},
        headers={"Accept": JSON_RESULTS},
    )
    assert {b["g"]["value"] for b in json.loads(response.data)["results"]["bindings"]} == {
        BASE + "graph/countries"
    }


def test_the_default_graph_is_the_union_of_the_graphs(web: FlaskClient) -> None:
    query = (
        f"ASK {{ <{SURINAME}> <https://schema.org/about> ?c . "
        '?c <https://schema.org/name> "Surinam"@es }'
    )  # an item graph joined with a reference graph
    assert web.get("/sparql", query_string={"query": query}).get_json()["boolean"] is True


def test_no_query_gives_the_service_description(web: FlaskClient) -> None:
    response = web.get("/sparql")
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert (service, SD.endpoint, URIRef("http://localhost/sparql")) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats and len(formats) == 8
    assert graph.value(service, URIRef(BASE + "def/mig/resultLimit")).toPython() == 3
    assert graph.value(service, URIRef(BASE + "def/mig/queryTimeout")).toPython() == 10
    as_jsonld = web.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.data, format="json-ld")) == len(graph)


def test_the_page_lists_the_researchers_examples_and_each_one_runs(web: FlaskClient) -> None:
    page = web.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'<h3><a href="([^"]+)"', text)]
    assert len(links) == 5
    for title in (
        "per country and year",
        "theme in a date range",
        "together with IOM",
        "Everything about one news item",
        "Headlines that contain",
    ):
        assert title in text
    for link in links:
        result = web.get(link, headers={"Accept": "text/html"})
        assert result.status_code == 200, link
        assert 'class="results-table"' in result.get_data(as_text=True)


def test_results_on_the_page_link_each_iri(web: FlaskClient) -> None:
    page = web.get("/sparql", query_string={"query": ITEMS}, headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert f'href="/doc/news/{SURINAME_ID}"' in text
    assert "Only the first 3 are shown" in text or text.count("<tr>") == 4
    assert "format=csv" in text  # the downloads


def test_the_page_gives_a_quick_query_s_time_to_a_tenth_of_a_millisecond(
    web: FlaskClient,
) -> None:
    page = web.get("/sparql", query_string={"query": ITEMS}, headers={"Accept": "text/html"})
    summary = re.search(r"(\d+) rows?\s+in ([^<]*?) ms\.", page.get_data(as_text=True))
    assert summary is not None
    # A whole number of milliseconds said "in 0 ms" for most queries on a small dataset.
    assert re.fullmatch(r"under 0\.1|\d\.\d|\d{2,}", summary.group(2)), summary.group(0)


def test_the_page_speaks_spanish_when_asked_and_english_by_default(web: FlaskClient) -> None:
    english = web.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<h1>Query the data</h1>" in english and "News items per country and year" in english
    for asked in ({"query_string": {"lang": "es"}}, {"headers": {"Accept-Language": "es-PA"}}):
        headers = {"Accept": "text/html", **asked.get("headers", {})}
        page = web.get("/sparql", query_string=asked.get("query_string"), headers=headers)
        text = page.get_data(as_text=True)
        assert "<h1>Consultar los datos</h1>" in text
        assert "Noticias por país y año" in text and "Ver la consulta" in text
        assert "se detienen a los 10 segundos" in text and "se cortan en 3 filas" in text
        assert "Accept-Language" in page.headers["Vary"]
        assert "Query the data" not in text and "Show the query" not in text
    results = web.get(
        "/sparql", query_string={"query": ITEMS, "lang": "es"}, headers={"Accept": "text/html"}
    )
    summary = re.search(r"(\d+) filas?\s+en ([^<]*?) ms\.", results.get_data(as_text=True))
    assert summary is not None and "Accept-Language" in results.headers["Vary"]
    failed = web.get(
        "/sparql",
        query_string={"query": "SELECT * {", "lang": "es"},
        headers={"Accept": "text/html"},
    )
    assert failed.status_code == 400
    assert "La consulta no se respondió." in failed.get_data(as_text=True)


def test_switching_the_query_page_s_language_keeps_the_query(web: FlaskClient) -> None:
    page = web.get("/sparql", query_string={"query": ITEMS}, headers={"Accept": "text/html"})
    links = re.findall(r'<a href="([^"]*)" hreflang="es"', page.get_data(as_text=True))
    assert len(links) == 1
    asked = parse_qs(urlsplit(unescape(links[0])).query)
    assert asked == {"query": [ITEMS], "lang": ["es"]}


def test_errors_come_back_on_the_page_for_browsers(web: FlaskClient) -> None:
    page = web.get("/sparql", query_string={"query": "SELECT * {"}, headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert "Syntax error" in page.get_data(as_text=True)


def test_a_repeated_query_comes_from_the_cache_until_the_data_changes(web: FlaskClient) -> None:
    query = ITEMS + " # cache test"
    first = web.get("/sparql", query_string={"query": query})
    second = web.get("/sparql", query_string={"query": query})
    assert first.data == second.data
    assert first.headers["Server-Timing"].startswith("query;")
    assert second.headers["Server-Timing"] == "cache;dur=0"
    again = web.get(
        "/sparql", query_string={"query": query}, headers={"If-None-Match": second.headers["ETag"]}
    )
    assert again.status_code == 304


def test_post_results_allow_cross_origin_reads(web: FlaskClient) -> None:
    response = web.post("/sparql", data={"query": "ASK {}"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_allows_posting_a_query_from_another_site(web: FlaskClient) -> None:
    preflight = web.options(
        "/sparql",
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert "POST" in methods
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in {h.strip() for h in allowed.split(",")}
    page = web.options("/doc/country/SR", headers={"Origin": "https://portal.example"})
    assert "POST" not in page.headers["Access-Control-Allow-Methods"]
