"""Dereferencing: 303 from things to documents, negotiation, headers, conditional requests."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SDO

from tests.conftest import BASE, jsonld_graph

COURSE = (
    "news/2021-09-02-online-course-protection-of-migrants-in-vulnerable-conditions-in-panama-is"
)
PARSERS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
ACCEPT = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


def parse(client: FlaskClient, path: str, suffix: str) -> Graph:
    response = client.get(f"{path}.{suffix}")
    assert response.status_code == 200, response.data
    if suffix == "jsonld":
        return jsonld_graph(response.get_json(), client.get("/context.jsonld").get_json())
    return Graph().parse(data=response.data, format=PARSERS[suffix])


def test_thing_redirects_to_its_document(client: FlaskClient) -> None:
    response = client.get("/id/country/SR", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/doc/country/SR"


def test_thing_with_suffix_redirects_to_that_format(client: FlaskClient) -> None:
    assert client.get("/id/country/SR.jsonld").headers["Location"] == "/doc/country/SR.jsonld"


def test_unknown_thing_is_404_not_a_redirect(client: FlaskClient) -> None:
    assert client.get("/id/country/XX").status_code == 404


@pytest.mark.parametrize("suffix", sorted(PARSERS))
def test_every_format_carries_the_same_graph(client: FlaskClient, suffix: str) -> None:
    path = f"/doc/{COURSE}"
    assert isomorphic(parse(client, path, suffix), parse(client, path, "ttl"))


@pytest.mark.parametrize("suffix", sorted(ACCEPT))
def test_accept_picks_the_format(client: FlaskClient, suffix: str) -> None:
    response = client.get("/doc/country/SR", headers={"Accept": ACCEPT[suffix]})
    assert response.status_code == 200
    assert response.mimetype == ACCEPT[suffix]
    assert response.headers["Content-Location"] == f"/doc/country/SR.{suffix}"
    assert "Accept" in response.headers["Vary"]


def test_description_has_the_resource_its_links_and_what_links_to_it(client: FlaskClient) -> None:
    graph = parse(client, "/doc/country/PA", "ttl")
    country = URIRef(BASE + "id/country/PA")
    item = URIRef(BASE + "id/" + COURSE)
    assert (country, SDO.name, Literal("Panamá", lang="es")) in graph
    assert (item, SDO.about, country) in graph
    assert (item, SDO.datePublished, None) in graph


def test_browsers_get_html_and_curl_gets_turtle(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/doc/country/SR", headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/doc/country/SR", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    assert client.get("/doc/country/SR").mimetype == "text/turtle"


def test_suffix_wins_and_does_not_vary_on_accept(client: FlaskClient) -> None:
    response = client.get("/doc/country/SR.nt", headers={"Accept": "text/html"})
    assert response.mimetype == "application/n-triples"
    assert "Accept" not in response.headers.get("Vary", "").split(", ")


def test_link_header_lists_every_format(client: FlaskClient) -> None:
    link = client.get("/doc/country/SR").headers["Link"]
    for suffix, media_type in [("html", "text/html"), *((s, ACCEPT[s]) for s in ACCEPT)]:
        assert f'</doc/country/SR.{suffix}>; rel="alternate"; type="{media_type}"' in link


def test_406_lists_what_is_offered(client: FlaskClient) -> None:
    response = client.get("/doc/country/SR", headers={"Accept": "image/png"})
    assert response.status_code == 406
    body = response.get_json()
    assert body["error"] == "not_acceptable"
    assert "text/turtle" in body["offered"] and "application/ld+json" in body["offered"]


def test_404_in_the_format_asked_for(client: FlaskClient) -> None:
    turtle = client.get("/doc/country/XX.ttl")
    assert turtle.status_code == 404 and turtle.mimetype == "text/turtle"
    assert len(Graph().parse(data=turtle.data, format="turtle")) == 0
    html = client.get("/doc/country/XX", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert client.get("/doc/country/XX.jsonld").get_json()["error"] == "not_found"
    xml = client.get("/doc/country/XX.rdf")
    assert len(Graph().parse(data=xml.data, format="xml")) == 0


def test_definitions_dereference_the_same_way(client: FlaskClient) -> None:
    response = client.get("/def/theme/protection", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/def/theme/protection.ttl"
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef(BASE + "def/theme/protection"), None, Literal("Protección", lang="es")) in graph
    term = parse(client, "/def/mig/theme", "ttl")
    assert (URIRef(BASE + "def/mig/theme"), None, Literal("tema", lang="es")) in term
    assert parse(client, "/def/sdg/10.7", "ttl")


def test_the_same_iris_whatever_the_host(client: FlaskClient) -> None:
    here = client.get("/doc/country/SR.nt", base_url="http://localhost").data
    there = client.get("/doc/country/SR.nt", base_url="https://mirror.example:8443").data
    assert here == there
    assert f"<{BASE}id/country/SR>".encode() in here


def test_a_mounted_app_links_under_its_prefix(client: FlaskClient) -> None:
    response = client.get("/doc/country/SR", environ_overrides={"SCRIPT_NAME": "/lod"})
    assert response.headers["Content-Location"] == "/lod/doc/country/SR.ttl"
    assert (
        client.get("/id/country/SR", environ_overrides={"SCRIPT_NAME": "/lod"}).headers["Location"]
        == "/lod/doc/country/SR"
    )


def test_etag_gives_304(client: FlaskClient) -> None:
    first = client.get("/doc/country/SR.ttl")
    etag = first.headers["ETag"]
    again = client.get("/doc/country/SR.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/doc/country/SR.jsonld", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_last_modified_gives_304(client: FlaskClient) -> None:
    first = client.get("/doc/country/SR.ttl")
    assert first.headers["Last-Modified"]
    later = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), usegmt=True)
    assert (
        client.get("/doc/country/SR.ttl", headers={"If-Modified-Since": later}).status_code == 304
    )
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (
        client.get("/doc/country/SR.ttl", headers={"If-Modified-Since": earlier}).status_code == 200
    )


def test_head_has_the_headers_and_no_body(client: FlaskClient) -> None:
    response = client.head("/doc/country/SR.ttl")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"] == client.get("/doc/country/SR.ttl").headers["ETag"]


def test_reads_allow_any_origin(client: FlaskClient) -> None:
    response = client.get("/doc/country/SR.jsonld", headers={"Origin": "https://portal.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/doc/country/SR", headers={"Origin": "https://portal.example"})
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_context_is_served_and_cacheable(client: FlaskClient) -> None:
    response = client.get("/context.jsonld")
    assert response.mimetype == "application/ld+json"
    context = response.get_json()["@context"]
    assert context["@vocab"] == "https://schema.org/"
    assert context["mig"] == BASE + "def/mig/"
    assert (
        client.get(
            "/context.jsonld", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
