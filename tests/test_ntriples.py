"""The fast N-Triples writer produces what rdflib reads back unchanged."""

from hypothesis import given
from hypothesis import strategies as st
from rdflib import XSD, Graph, Literal, URIRef

from converter.ntriples import quad_line, triple_line

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
