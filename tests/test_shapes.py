"""The shapes themselves: loading per base IRI, meta-validation, names and messages."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef

from shapes import load_shapes
from shapes.errors import ShapesError

BASES = ["https://w3id.org/miglod/", "http://localhost:8080/ld/"]


def _shacl_shacl() -> Graph:
    text = files("pyshacl").joinpath("assets/shacl-shacl.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


def _named_shapes(graph: Graph) -> set[URIRef]:
    found = set(graph.subjects(RDF.type, SH.NodeShape)) | set(
        graph.subjects(RDF.type, SH.PropertyShape)
    )
    found |= set(graph.subjects(RDF.type, SH.SPARQLConstraint))
    return {s for s in found if isinstance(s, URIRef)}


@pytest.mark.parametrize("base", BASES)
def test_shapes_resolve_against_the_base(base: str) -> None:
    graph = load_shapes(base)
    shapes = _named_shapes(graph)
    assert URIRef(base + "def/shapes/NewsArticle") in shapes
    assert all(str(s).startswith(base + "def/shapes/") for s in shapes)
    assert not [o for o in graph.objects() if isinstance(o, Literal) and "{BASE}" in str(o)]


@pytest.mark.parametrize("base", BASES)
def test_iri_patterns_are_built_from_the_escaped_base(base: str) -> None:
    graph = load_shapes(base)
    pattern = str(graph.value(URIRef(base + "def/shapes/Country"), SH.pattern))
    assert pattern == "^" + re.escape(base) + "id/country/[A-Z]{2}$"
    assert re.match(pattern, base + "id/country/SR")
    if "." in base:  # an escaped dot must not match any character
        assert not re.match(pattern, base.replace(".", "x", 1) + "id/country/SR")


def test_shapes_conform_to_the_shacl_meta_shapes() -> None:
    conforms, _report, text = pyshacl.validate(load_shapes(), shacl_graph=_shacl_shacl())
    assert conforms, text


def test_meta_shapes_catch_a_broken_shape() -> None:
    broken = load_shapes()
    shape = URIRef("https://w3id.org/miglod/def/shapes/NewsArticle-headline")
    broken.add((shape, SH.minCount, Literal("one")))
    conforms, _report, _text = pyshacl.validate(broken, shacl_graph=_shacl_shacl())
    assert not conforms


@pytest.mark.parametrize("prop", [SH.name, SH.description, SH.message])
def test_every_shape_speaks_english_and_spanish(prop: URIRef) -> None:
    graph = load_shapes()
    missing = [
        (str(shape), lang)
        for shape in _named_shapes(graph)
        for lang in ("en", "es")
        if not any(
            isinstance(o, Literal) and o.language == lang for o in graph.objects(shape, prop)
        )
    ]
    assert missing == []


def test_warnings_are_used_for_quality_only() -> None:
    graph = load_shapes()
    warnings = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(SH.severity, SH.Warning)}
    assert warnings == {
        "NewsArticle-headlineLength",
        "NewsArticle-themePresent",
        "NewsArticle-articleBody",
        "ConceptLabels",
    }


def test_a_shapes_file_that_does_not_parse_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:minCount .\n", encoding="utf-8"
    )
    with pytest.raises(ShapesError) as caught:
        load_shapes(path=bad)
    assert caught.value.source == str(bad)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{bad}:3: ")


def test_an_empty_shapes_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ShapesError, match="empty"):
        load_shapes(path=empty)
