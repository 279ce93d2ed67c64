"""Real SPARQL clients against a real server process: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from tests.conftest import BASE, SURINAME_ID
from tests.test_sparql_support import running_server

pytestmark = pytest.mark.e2e

ITEMS = """PREFIX schema: <https://schema.org/>
SELECT ?item ?date WHERE { ?item a schema:NewsArticle ; schema:datePublished ?date }
ORDER BY ?date"""
SURINAME = URIRef(BASE + "id/news/" + SURINAME_ID)
SR = URIRef(BASE + "id/country/SR")
DATES = ["2021-08-26", "2021-09-02", "2021-09-14", "2021-09-20"]


@pytest.fixture(scope="module")
def endpoint(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the fixture store and return the SPARQL endpoint's URL."""
    with running_server(built_store, tmp_path_factory.mktemp("clients") / "server.log") as url:
        yield url + "/sparql"


def wrapper(
    endpoint: str, query: str, fmt: str, method: str = "GET", request: str = URLENCODED
) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setRequestMethod(request)
    client.setTimeout(30)
    return client


@pytest.mark.parametrize(
    ("method", "request_method"), [("GET", URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
)
def test_sparqlwrapper_select_json(endpoint: str, method: str, request_method: str) -> None:
    results = wrapper(endpoint, ITEMS, JSON, method, request_method).queryAndConvert()
    assert isinstance(results, dict)
    assert [b["date"]["value"] for b in results["results"]["bindings"]] == DATES
    assert {"type": "uri", "value": str(SURINAME)} in [
        b["item"] for b in results["results"]["bindings"]
    ]


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_xml(endpoint: str, method: str) -> None:
    document = wrapper(endpoint, ITEMS, XML, method).queryAndConvert()
    dates = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert dates == DATES


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_csv(endpoint: str, method: str) -> None:
    data = wrapper(endpoint, ITEMS, CSV, method).queryAndConvert()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["date"] for r in rows] == DATES
    assert str(SURINAME) in [r["item"] for r in rows]


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_construct_turtle(endpoint: str, method: str) -> None:
    query = f"CONSTRUCT {{ <{SR}> ?p ?o }} WHERE {{ <{SR}> ?p ?o }}"
    data = wrapper(endpoint, query, TURTLE, method).queryAndConvert()
    graph = Graph().parse(data=data, format="turtle")
    assert (SR, SDO.name, Literal("Surinam", lang="es")) in graph
    assert (SR, SDO.identifier, Literal("SR")) in graph


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_ask(endpoint: str, method: str) -> None:
    yes = f"ASK {{ <{SURINAME}> <https://schema.org/about> <{SR}> }}"
    no = f"ASK {{ <{SURINAME}> <https://schema.org/about> <{BASE}id/country/PA> }}"
    assert wrapper(endpoint, yes, JSON, method).queryAndConvert()["boolean"] is True
    assert (
        wrapper(endpoint, no, XML, method)
        .queryAndConvert()
        .getElementsByTagName("boolean")[0]
        .firstChild.data
        == "false"
    )


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint: str, method: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, method=method, timeout=30))
    rows = list(graph.query(ITEMS))
    assert [str(r.date) for r in rows] == DATES  # type: ignore[union-attr]
    assert rows[-1].item == SURINAME  # type: ignore[union-attr]
    assert (
        graph.query(f"ASK {{ <{SURINAME}> a <https://schema.org/NewsArticle> }}").askAnswer is True
    )
    assert Literal("Surinam", lang="es") in set(graph.objects(SR, SDO.name))
    described = graph.query(f"CONSTRUCT {{ <{SR}> ?p ?o }} WHERE {{ <{SR}> ?p ?o }}").graph
    assert described is not None and (SR, SDO.identifier, Literal("SR")) in described
