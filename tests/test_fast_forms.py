"""The event finder's Latin-1 text forms and the writer's UTF-8 bytes match the plain ways."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from converter.extract.dates import DateParser
from converter.extract.eventreading import latin_forms, unpunctuated
from converter.extract.events import _sentence_breaks, split_sentences
from converter.mapping import MappedItem
from converter.ntriples import LineWriter
from converter.records import NewsItem, Source

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
LATIN = st.text(st.characters(max_codepoint=0xFF), max_size=60)
# Sentences with the characters the forms treat apart: breaks, quotes, capitals, "İ", "Σ".
PIECES = [
    "IOM", "held", "a", "Training", " ", ". ", "! ", "?", ".", "“Forum”", "«Taller»", "ÁÉÑ",
    "ñandú", "İ", "ΟΔΟΣ", "ß", "µ", "ÿ", "¿", "¡", "Ö.", "’s", ",", "\u00a0", "\n",
]  # fmt: skip
SENTENCES = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)
PARAGRAPH = st.one_of(SENTENCES, LATIN, TEXT)


@given(st.one_of(LATIN, TEXT), st.integers(0, 60), st.integers(0, 60))
def test_latin_forms_are_the_plain_forms_of_any_slice(text: str, a: int, b: int) -> None:
    forms = latin_forms(text)
    if forms is None:
        assert not all(ord(c) < 256 for c in text)
        return
    piece = text[a:b]
    spaced, lowered, both = (form[a:b] for form in forms)
    assert spaced == unpunctuated(piece)
    assert lowered == piece.lower()
    assert both == unpunctuated(piece).lower()


def _split_reference(item: NewsItem) -> tuple[list[str], list[str], list[str], list[list[str]]]:
    """Return the sentences as the finder split and lower-cased them before the Latin-1 forms."""
    sentences, spaced = [item.headline], [unpunctuated(item.headline)]
    for paragraph in item.paragraphs:
        plain, at = unpunctuated(paragraph), 0
        for stop, after in _sentence_breaks(paragraph):
            if paragraph[at:stop].strip():
                sentences.append(paragraph[at:stop])
                spaced.append(plain[at:stop])
            at = after
        if paragraph[at:].strip():
            sentences.append(paragraph[at:])
            spaced.append(plain[at:])
    lowered = [s.lower() for s in sentences]
    return sentences, spaced, lowered, [s.lower().split() for s in spaced]


@settings(max_examples=300)
@given(PARAGRAPH, st.lists(PARAGRAPH, max_size=3))
def test_split_sentences_is_the_former_split(headline: str, paragraphs: list[str]) -> None:
    item = NewsItem(dt.date(2021, 5, 1), headline, tuple(paragraphs), Source("t", 1, 1))
    assert split_sentences(item) == _split_reference(item)


@pytest.mark.parametrize(
    "sentence",
    ["Del 3 al 5 de MAYO de 2021 en Quito", "From İstanbul, 3 June 2021", "on 12 Mar 2020"],
)
def test_find_dates_with_the_lowered_text_given(sentence: str) -> None:
    dates = DateParser()
    reference = dt.date(2021, 6, 1)
    given_lowered = dates.find_dates(sentence, reference, lowered=sentence.lower())
    assert given_lowered == dates.find_dates(sentence, reference)
    assert given_lowered  # each sentence states a date


LINE_TEXT = st.one_of(st.sampled_from(["IOM", "“Taller” ñ", "Σ", "a\\b", 'q"x']), TEXT)


@settings(max_examples=200)
@given(st.lists(st.tuples(LINE_TEXT, st.booleans()), max_size=8), st.booleans())
def test_encoded_is_the_item_text_in_utf8(objects: list[tuple[str, bool]], quads: bool) -> None:
    writer = LineWriter()
    subject, graph = "<https://example.org/news/1>", URIRef("https://example.org/graph/ñ")
    lines = [
        (subject, "<https://schema.org/name>", f"<https://example.org/{text}>" if iri else
         writer.term(Literal(text)))
        for text, iri in objects
    ]  # fmt: skip
    mapped = MappedItem("1", URIRef(subject[1:-1]), graph, [], (), (), (), (), lines=lines)
    assert writer.encoded(mapped, quads=quads) == writer.item(mapped, quads=quads).encode()
