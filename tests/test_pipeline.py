"""The converter's output for the sample: golden graph, determinism, self-containment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import OWL, PROV, SDO

from converter.pipeline import convert_text, converter_version

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "news" / "iom-news-2021.txt"
GOLDEN = Path(__file__).parent / "golden" / "iom-news-2021.ttl"
BASE = "https://w3id.org/miglod/"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sample_graph() -> Graph:
    return convert_text(SAMPLE.read_bytes(), "news/iom-news-2021.txt", base=BASE, generated_at=WHEN)


def readable_diff(expected: Graph, actual: Graph) -> str:
    """Return the triples only in one graph or the other, as sorted N-Triples lines."""
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["only in the golden graph:"]
    lines += sorted(f"  - {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_expected)[:40]
    lines.append("only in the converter's output:")
    lines += sorted(f"  + {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_actual)[:40]
    return "\n".join(lines)


def without_version(graph: Graph) -> Graph:
    """Return ``graph`` less the converter version, which changes with every release."""
    version = URIRef(BASE + "def/mig/converterVersion")
    out = Graph()
    for triple in graph:
        if triple[1] != version:
            out.add(triple)
    return out


def test_sample_matches_the_golden_graph(sample_graph: Graph) -> None:
    actual = without_version(sample_graph)
    if os.environ.get("MIGLOD_UPDATE_GOLDEN"):
        GOLDEN.write_text(actual.serialize(format="turtle"), encoding="utf-8")
    expected = Graph().parse(GOLDEN, format="turtle")
    assert to_isomorphic(expected) == to_isomorphic(actual), readable_diff(expected, actual)


def test_items_carry_the_installed_converter_version(sample_graph: Graph) -> None:
    version = URIRef(BASE + "def/mig/converterVersion")
    assert set(sample_graph.objects(None, version)) == {Literal(converter_version())}


def test_every_item_has_the_minimum_description(sample_graph: Graph) -> None:
    articles = sorted(sample_graph.subjects(RDF.type, SDO.NewsArticle))
    assert len(articles) == 10
    for article in articles:
        assert str(article).startswith(BASE + "id/news/2021-")
        for prop in (
            SDO.headline,
            SDO.datePublished,
            SDO.inLanguage,
            SDO.publisher,
            PROV.wasDerivedFrom,
        ):
            assert sample_graph.value(article, prop) is not None, (article, prop)
        assert sample_graph.value(article, SDO.inLanguage) == Literal("en")
        assert sample_graph.value(article, PROV.generatedAtTime) == Literal(
            "2026-01-01T00:00:00+00:00",
            datatype=URIRef("http://www.w3.org/2001/XMLSchema#dateTime"),
        )


def test_links_resolve_inside_the_output(sample_graph: Graph) -> None:
    """Every country, organisation, place and concept an item links to is described."""
    for _, p, o in sample_graph:
        if isinstance(o, URIRef) and str(o).startswith(BASE) and p != OWL.sameAs:
            assert (o, RDF.type, None) in sample_graph, f"{o} is linked by {p} but not described"


def test_countries_carry_labels_and_authorities(sample_graph: Graph) -> None:
    suriname = URIRef(BASE + "id/country/SR")
    labels = {lit.language: str(lit) for lit in sample_graph.objects(suriname, SDO.name)}
    assert set(labels) == {"en", "es", "fr", "pt"}
    assert labels["en"] == "Suriname"
    assert URIRef("http://www.wikidata.org/entity/Q730") in set(
        sample_graph.objects(suriname, OWL.sameAs)
    )


def test_base_iri_is_a_parameter() -> None:
    other = convert_text(
        SAMPLE.read_bytes(), "x.txt", base="https://data.example.org/m/", generated_at=WHEN
    )
    ours = [s for s in other.subjects() if isinstance(s, URIRef) and "w3id.org/miglod" in s]
    assert ours == []
    assert (URIRef("https://data.example.org/m/id/country/SR"), RDF.type, SDO.Country) in other
