"""JSON-LD: framed, compact, schema.org terms, and exactly the triples of the Turtle."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SDO, XSD

from miglod.store import Description, Store
from server.jsonld import JsonLdWriter
from tests.conftest import BASE, jsonld_graph

WRITER = JsonLdWriter(BASE)
CONTEXT = WRITER.context


def same(a: Graph, b: Graph) -> bool:
    if isomorphic(a, b):
        return True
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    pytest.fail(f"only in JSON-LD: {sorted(only_a)}\nonly in Turtle: {sorted(only_b)}")


def description_graph(description: Description) -> Graph:
    graph = Graph()
    for triple in description.triples:
        graph.add(triple)
    # Parse it back as rdflib parses everything else, so literal forms compare alike.
    return Graph().parse(data=graph.serialize(format="nt"), format="nt")


def dereferenceable(store: Store) -> list[str]:
    rows = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }").rows
    return sorted(
        str(s)[len(BASE) :]
        for (s,) in rows
        if str(s).startswith((BASE + "id/", BASE + "def/")) and "#" not in str(s)
    )


def document_path(path: str) -> str:
    return "/doc/" + path[3:] if path.startswith("id/") else "/" + path


def test_every_resource_expands_to_its_turtle(client: FlaskClient, store: Store) -> None:
    paths = dereferenceable(store)
    assert len(paths) > 20
    for path in paths:
        doc = document_path(path)
        expanded = jsonld_graph(client.get(doc + ".jsonld").get_json(), CONTEXT)
        turtle = Graph().parse(data=client.get(doc + ".ttl").data, format="turtle")
        assert same(expanded, turtle), path


def test_html_embeds_the_same_json_ld_with_its_context_inline(
    client: FlaskClient, store: Store
) -> None:
    for path in dereferenceable(store):
        doc = document_path(path)
        html = client.get(doc + ".html").get_data(as_text=True)
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(scripts) == 1, path
        embedded = json.loads(scripts[0])
        assert isinstance(embedded["@context"], dict)
        turtle = Graph().parse(data=client.get(doc + ".ttl").data, format="turtle")
        assert same(jsonld_graph(embedded, CONTEXT), turtle), path


def test_the_document_is_framed_around_the_resource(client: FlaskClient) -> None:
    doc = client.get(
        "/doc/news/2021-09-02-online-course-protection-of-migrants-in-vulnerable-conditions-in-panama-is.jsonld"
    ).get_json()
    assert doc["@context"] == BASE + "context.jsonld"
    assert "@graph" not in doc
    assert doc["@id"].startswith(BASE + "id/news/2021-09-02-")
    assert doc["@type"] == "NewsArticle"
    assert doc["datePublished"] == "2021-09-02"
    assert doc["inLanguage"] == "en"
    assert doc["publisher"]["@id"] == BASE + "id/organization/iom"
    assert {"@value": "International Organization for Migration", "@language": "en"} in doc[
        "publisher"
    ]["name"]
    assert [c["@id"] for c in doc["about"]] == [BASE + "id/country/PA"]
    assert doc["about"][0]["@type"] == "Country"
    assert {t["@id"] for t in doc["theme"]} == {
        BASE + "def/theme/protection",
        BASE + "def/theme/capacity-building",
    }
    event = doc["describesEvent"]
    assert event["@type"] == "EducationEvent" and event["subjectOf"] == doc["@id"]
    assert doc["wasDerivedFrom"]["sourceLine"] == 29


def test_resources_linking_in_are_listed_under_reverse(client: FlaskClient) -> None:
    doc = client.get("/doc/country/SR.jsonld").get_json()
    assert [n["headline"]["@value"] for n in doc["@reverse"]["about"]] == [
        "IOM and Suriname Government launch innovative report on national migration governance"
    ]
    assert doc["@reverse"]["areaServed"][0]["@type"] == "GovernmentOrganization"
    assert doc["owl:sameAs"] == [
        "http://www.wikidata.org/entity/Q730",
        "https://sws.geonames.org/3382998/",
    ]


def test_coordinates_and_dates_are_plain_strings(client: FlaskClient) -> None:
    doc = client.get("/doc/place/georgetown-gy.jsonld").get_json()
    assert doc["latitude"] == "6.80448"
    assert doc["containedInPlace"]["@id"] == BASE + "id/country/GY"


def test_the_served_context_is_the_writers() -> None:
    assert CONTEXT["@context"]["@vocab"] == "https://schema.org/"


S = URIRef(BASE + "id/news/test")
OTHER = URIRef(BASE + "id/country/SR")
PREDICATES = [
    SDO.name,
    SDO.about,
    SDO.mentions,
    SDO.datePublished,
    SDO.latitude,
    SDO.url,
    RDFS.label,
    OWL.sameAs,
    URIRef(BASE + "def/mig/theme"),
    URIRef(BASE + "def/mig/participantCount"),
    URIRef("http://example.org/vocab#odd-name"),
    URIRef("http://example.org/p/with-query?x=1"),
    URIRef("https://schema.org/name"),
    URIRef("https://schema.org/theme"),
    URIRef(BASE + "def/mig/sourceLine"),
]
OBJECTS = st.one_of(
    st.sampled_from(
        [OTHER, URIRef("http://www.wikidata.org/entity/Q1"), S, URIRef(str(S) + "#source")]
    ),
    st.builds(lambda t: Literal(t), st.text(max_size=8)),
    st.builds(
        lambda t, lang: Literal(t, lang=lang), st.text(max_size=8), st.sampled_from(["en", "es"])
    ),
    st.sampled_from(
        [
            Literal(text, datatype=datatype, normalize=False)
            for datatype, texts in [
                (XSD.integer, ["1", "01", "-0", "42", "12345678901234567890"]),
                (XSD.boolean, ["true", "false", "1"]),
                (XSD.date, ["2021-09-02"]),
                (XSD.double, ["6.80448", "1e3", "-0.5"]),
                (XSD.decimal, ["1.50", "3"]),
                (XSD.dateTime, ["2026-11-28T00:00:00Z"]),
                (URIRef("http://ex.org/dt"), ["anything <b>"]),
            ]
            for text in texts
        ]
    ),
)
SUBJECTS = st.sampled_from([S, S, S, URIRef(str(S) + "#source"), OTHER, BNode("b1")])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(SUBJECTS, st.sampled_from(PREDICATES), OBJECTS), min_size=1, max_size=12))
def test_any_description_expands_to_exactly_its_triples(
    triples: list[tuple[object, object, object]],
) -> None:
    triples = [(s, p, o) for s, p, o in triples if isinstance(o, URIRef) or "\x00" not in str(o)]
    description = Description(str(S), tuple(triples))  # type: ignore[arg-type]
    document = WRITER.document(description)
    expected = description_graph(description)
    assert same(jsonld_graph(document, CONTEXT), expected)
    inline = WRITER.document(description, inline_context=True)
    assert same(jsonld_graph(inline, CONTEXT), expected)


def test_types_compact_to_schema_names_or_prefixed_names() -> None:
    description = Description(
        str(S),
        ((S, RDF.type, SDO.NewsArticle), (S, RDF.type, URIRef("http://www.w3.org/ns/prov#Entity"))),
    )
    assert WRITER.document(description)["@type"] == ["NewsArticle", "prov:Entity"]
