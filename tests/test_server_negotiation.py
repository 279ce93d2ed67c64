"""Content and language negotiation, as pure functions."""

from __future__ import annotations

import pytest

from server.negotiation import (
    DEFAULT,
    FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TURTLE,
    Format,
    choose_language,
    negotiate,
    parse_accept,
    split_suffix,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, TURTLE),
        ("", TURTLE),
        ("*/*", TURTLE),
        (BROWSER, HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSONLD),
        ("application/json", JSONLD),
        ("application/n-triples", NTRIPLES),
        ("application/rdf+xml", RDFXML),
        ("text/turtle;q=0.5, application/ld+json", JSONLD),
        ("application/ld+json;q=0.5, text/turtle;q=0.5", TURTLE),  # tie: the default
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
        ("text/*", TURTLE),
        ("application/*", TURTLE),  # Turtle answers to application/x-turtle too: a tie
        ("text/html;q=0, */*", TURTLE),
        ("application/rdf+xml, text/n3, text/turtle, application/n-triples, */*;q=0.1", TURTLE),
        ("TEXT/HTML", HTML),
        ("garbage, text/turtle", TURTLE),
    ],
)
def test_negotiate(accept: str | None, expected: Format) -> None:
    assert negotiate(accept) is expected


@pytest.mark.parametrize(
    "accept", ["image/png", "text/html;q=0", "application/pdf, text/csv;q=0.5"]
)
def test_nothing_acceptable(accept: str) -> None:
    assert negotiate(accept) is None


def test_explicit_suffix_wins_over_accept() -> None:
    assert negotiate("text/html", "jsonld") is JSONLD
    assert negotiate(None, "nt") is NTRIPLES
    assert negotiate("text/turtle", "pdf") is None


def test_malformed_quality_counts_as_zero() -> None:
    assert [r.q for r in parse_accept("text/html;q=high, text/turtle;q=2, */*;q=0.3")] == [
        0.0,
        0.0,
        0.3,
    ]


def test_every_format_has_a_distinct_suffix_and_type() -> None:
    assert len({f.suffix for f in FORMATS}) == len({f.media_type for f in FORMATS}) == len(FORMATS)
    assert DEFAULT in FORMATS


@pytest.mark.parametrize(
    ("path", "stem", "fmt"),
    [
        ("news/x.ttl", "news/x", TURTLE),
        ("news/x", "news/x", None),
        ("sdg/10.7", "sdg/10.7", None),
        ("sdg/10.7.jsonld", "sdg/10.7", JSONLD),
        ("a.b/c", "a.b/c", None),
        ("country/SR.html", "country/SR", HTML),
    ],
)
def test_split_suffix(path: str, stem: str, fmt: Format | None) -> None:
    assert split_suffix(path) == (stem, fmt)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("fr, es;q=0.5", "es"),
        ("fr", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("es;q=0.1, en;q=0.2", "en"),
        ("*", "en"),
        ("es;q=0", "en"),
    ],
)
def test_choose_language(header: str | None, expected: str) -> None:
    assert choose_language(header) == expected
