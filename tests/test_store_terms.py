"""Term conversion and graph digests."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from miglod.store.terms import split_nquad, to_ox, to_rdflib, triples_digest

S = "<http://ex.org/s>"
P = "<http://ex.org/p>"


@pytest.mark.parametrize(
    ("line", "triple", "graph"),
    [
        (
            f"{S} {P} <http://ex.org/o> <http://ex.org/g> .",
            f"{S} {P} <http://ex.org/o>",
            "http://ex.org/g",
        ),
        (f"{S} {P} <http://ex.org/o> .", f"{S} {P} <http://ex.org/o>", None),
        (f'{S} {P} "a <http://x/y>" .', f'{S} {P} "a <http://x/y>"', None),
        (
            f'{S} {P} "a <http://x/y>" <http://ex.org/g> .',
            f'{S} {P} "a <http://x/y>"',
            "http://ex.org/g",
        ),
        (f'{S} {P} "5"^^<{XSD.integer}> .', f'{S} {P} "5"^^<{XSD.integer}>', None),
        (f'{S} {P} "x"@en <http://ex.org/g>.', f'{S} {P} "x"@en', "http://ex.org/g"),
        (f"{S}\t{P}  _:b1 _:g1 .", f"{S} {P} _:b1", "_:g1"),
        (f"{S} {P} _:b1 .", f"{S} {P} _:b1", None),
        (
            f'{S} {P} "a <http://x/y>"^^<http://ex.org/dt> .',
            f'{S} {P} "a <http://x/y>"^^<http://ex.org/dt>',
            None,
        ),
        (f'{S} {P} "a <http://x/y>"@en .', f'{S} {P} "a <http://x/y>"@en', None),
        (
            f'{S} {P} "a  <http://x/y>" <http://ex.org/g> .',
            f'{S} {P} "a  <http://x/y>"',
            "http://ex.org/g",
        ),
    ],
)
def test_split_nquad(line: str, triple: str, graph: str | None) -> None:
    assert split_nquad(line.encode()) == (triple.encode(), graph)


def test_split_nquad_agrees_with_pyoxigraph_lines() -> None:
    quad = ox.Quad(
        ox.NamedNode("http://ex.org/s"),
        ox.NamedNode("http://ex.org/p"),
        ox.Literal('tricky "quote" <http://x> \n end', language="es"),
        ox.NamedNode("http://ex.org/g"),
    )
    line = ox.serialize([quad], format=ox.RdfFormat.N_QUADS)
    assert split_nquad(line) == (str(quad.triple).encode(), "http://ex.org/g")


@given(
    st.text(),
    st.sampled_from([None, "en", "es-419"]),
    st.sampled_from([None, XSD.integer, XSD.string, XSD.date]),
)
def test_literals_round_trip_exactly(text: str, lang: str | None, datatype: URIRef | None) -> None:
    text = text.replace("\x00", "")
    literal = (
        Literal(text, lang=lang, normalize=False)
        if lang
        else Literal(text, datatype=datatype, normalize=False)
    )
    back = to_rdflib(to_ox(literal))
    assert str(back) == text
    assert back.language == (lang.lower() if lang else None)
    if lang is None:
        assert back.datatype == (None if datatype in (None, XSD.string) else datatype)


def test_iris_and_blank_nodes_round_trip() -> None:
    assert to_rdflib(to_ox(URIRef("http://ex.org/ü?x#y"))) == URIRef("http://ex.org/ü?x#y")
    assert isinstance(to_rdflib(to_ox(BNode("b1"))), BNode)


def test_digest_ignores_order_and_duplicates_but_not_content() -> None:
    a = ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("1"))
    b = ox.Triple(ox.NamedNode("http://ex.org/b"), ox.NamedNode("http://ex.org/p"), ox.Literal("2"))
    c = ox.Triple(ox.NamedNode("http://ex.org/b"), ox.NamedNode("http://ex.org/p"), ox.Literal("3"))
    assert triples_digest([a, b]) == triples_digest([b, a, a])
    assert triples_digest([a, b]) != triples_digest([a, c])
