"""The fast N-Triples writer produces what rdflib reads back unchanged."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import XSD, Graph, Literal, URIRef

from converter.ntriples import LineWriter, quad_line, triple_line
from converter.pipeline import Converter
from converter.readers import read_items
from converter.records import NewsItem

S = URIRef("https://example.org/s")
P = URIRef("https://example.org/p")


@given(st.text(), st.sampled_from([None, "en", "es-419"]))
def test_any_literal_round_trips(text: str, lang: str | None) -> None:
    literal = Literal(text, lang=lang)
    graph = Graph().parse(data=triple_line(S, P, literal), format="nt")
    assert set(graph) == {(S, P, literal)}


def test_typed_literals_and_quads() -> None:
    values = [Literal(3), Literal("2021-09-20", datatype=XSD.date), Literal(1.5)]
    data = "".join(triple_line(S, P, v) for v in values)
    assert set(Graph().parse(data=data, format="nt").objects(S, P)) == set(values)
    line = quad_line(S, P, URIRef("https://example.org/o"), URIRef("https://example.org/g"))
    assert line.endswith("<https://example.org/g> .\n")


# Items mapped straight to N-Triples text give the bytes the rdflib mapping gives.

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "news" / "iom-news-2021.txt"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Escapes, a URL, a dateline, an event with a count.
ODD = (
    '{"date": "2021-05-03", "headline": "Quotes \\" and \\\\ back\\\\slashes", '
    '"body": "Lima, 3 May 2021 - Line one.\\r\\nLine two with 50 participants at a '
    'workshop held online.", "url": "https://example.org/a?b=c", "language": "es-419"}\n'
)


def _lines(text: bytes | str, name: str, ntriples: bool) -> tuple[str, str, int]:
    converter = Converter(
        base="https://example.org/", publisher="iom", generated_at=WHEN, ntriples=ntriples
    )
    writer = LineWriter()
    triples, quads, size = [], [], 0
    for item, found in converter.enriched(read_items(text, name)):
        assert isinstance(item, NewsItem) and found is not None
        mapped = converter.convert_enriched(item, found)
        assert (mapped.lines is not None) == ntriples
        assert not mapped.triples if ntriples else mapped.triples
        triples.append(writer.item(mapped))
        quads.append(writer.item(mapped, quads=True))
        size += mapped.size
    return "".join(triples), "".join(quads), size


@pytest.mark.parametrize(
    ("text", "name", "literal"),
    [
        (SAMPLE.read_bytes(), "sample.txt", "Suriname Needs Assessment"),
        (ODD, "odd.jsonl", 'Quotes " and \\ back\\slashes'),
    ],
)
def test_items_mapped_to_lines_match_the_rdflib_mapping(
    text: bytes | str, name: str, literal: str
) -> None:
    as_lines = _lines(text, name, ntriples=True)
    assert as_lines == _lines(text, name, ntriples=False)
    triples, quads, size = as_lines
    assert triples.count("\n") == quads.count("\n") == size > 0
    graph = Graph().parse(data=triples, format="nt")
    assert len(graph) == size
    assert any(isinstance(o, Literal) and literal in o for o in graph.objects())
