"""The dataset's description (DCAT, VoID) and its dumps."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SDO, VOID, XSD

from miglod.store import open_store, write_dumps
from tests.conftest import BASE, app_on, jsonld_graph

DATASET = URIRef(BASE + "dataset")
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture
def dumped(store_path: Path, tmp_path: Path) -> FlaskClient:
    """Return a client of an app whose dumps have been written."""
    write_dumps(open_store(store_path, read_only=True), tmp_path / "dumps")
    return app_on(store_path, dumps=str(tmp_path / "dumps")).test_client()


def turtle(client: FlaskClient) -> Graph:
    response = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.data, format="turtle")


def test_dataset_counts_come_from_the_data(client: FlaskClient, store_path: Path) -> None:
    graph = turtle(client)
    store = open_store(store_path, read_only=True)
    triples = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0]
    assert (DATASET, VOID.triples, Literal(int(str(triples)), datatype=XSD.integer)) in graph
    assert (DATASET, RDF.type, DCAT.Dataset) in graph and (DATASET, RDF.type, VOID.Dataset) in graph
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(DATASET, VOID.classPartition)
    }
    assert partitions[SDO.NewsArticle] == 4 and partitions[SDO.Country] == 4


def test_dataset_names_licence_endpoint_and_examples(client: FlaskClient) -> None:
    graph = turtle(client)
    assert graph.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    assert len(examples) == 3 and all("/id/news/" in str(e) for e in examples)
    assert (
        DATASET,
        DCTERMS.title,
        Literal("Noticias de gobernanza de la migración", lang="es"),
    ) in graph
    assert not any(isinstance(node, type(None)) for node in graph.all_nodes())


def test_dataset_has_no_blank_nodes(client: FlaskClient) -> None:
    assert all(isinstance(n, (URIRef, Literal)) for n in turtle(client).all_nodes())


def test_distributions_carry_sizes_and_checksums(dumped: FlaskClient) -> None:
    graph = turtle(dumped)
    downloads = {}
    for distribution in graph.objects(DATASET, DCAT.distribution):
        url = graph.value(distribution, DCAT.downloadURL)
        if url is None:
            continue
        checksum = graph.value(distribution, URIRef(SPDX + "checksum"))
        downloads[str(url)] = (
            int(graph.value(distribution, DCAT.byteSize)),
            str(graph.value(checksum, URIRef(SPDX + "checksumValue"))),
        )
    assert len(downloads) == 4
    for url, (size, sha256) in downloads.items():
        with dumped.get("/" + url[len(BASE) :]) as response:
            assert response.status_code == 200
            assert len(response.data) == size
            assert hashlib.sha256(response.data).hexdigest() == sha256


def test_dataset_json_ld_expands_to_its_turtle(dumped: FlaskClient) -> None:
    document = dumped.get("/dataset.jsonld").get_json()
    context = dumped.get("/context.jsonld").get_json()
    from rdflib.compare import isomorphic

    assert isomorphic(jsonld_graph(document, context), turtle(dumped))


def test_well_known_void_leads_to_the_dataset(client: FlaskClient) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 303 and response.headers["Location"] == "/dataset"


def test_dataset_page_is_readable(client: FlaskClient) -> None:
    html = client.get("/dataset", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Migration governance news" in html and "application/ld+json" in html


def test_dumps_are_listed_and_served(dumped: FlaskClient) -> None:
    listing = dumped.get("/dumps/").get_json()["dumps"]
    assert {d["name"] for d in listing} == {
        "miglod.ttl",
        "miglod.nt.gz",
        "miglod.nq.gz",
        "miglod.jsonld",
    }
    with dumped.get("/dumps/miglod.nt.gz") as gz:
        assert gz.mimetype == "application/gzip"
        assert gzip.decompress(gz.data).startswith(b"<")
        etag = gz.headers["ETag"]
    with dumped.get("/dumps/miglod.nt.gz", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    assert dumped.get("/dumps/missing.ttl").status_code == 404
    assert dumped.get("/dumps/..%2Fsecret").status_code == 404
