"""The fast paths of the conversion give exactly what the plain ones give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from converter.enrich import Enricher
from converter.errors import ConverterError, ItemError
from converter.extract.organizations import OrganizationIndex, sharing_blocker
from converter.extract.places import Tokenizer
from converter.extract.themes import PhraseMatcher
from converter.literals import LiteralMaker, fast_path_holds
from converter.ntriples import LineWriter, quad_line, triple_line
from converter.pipeline import Converter, SeenItems
from converter.readers import read_items
from converter.records import NewsItem

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "news" / "iom-news-2021.txt"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


@pytest.fixture(scope="module")
def sample() -> list[NewsItem]:
    return [e for e in read_items(SAMPLE.read_bytes(), "sample.txt") if isinstance(e, NewsItem)]


def test_this_rdflib_builds_literals_as_the_fast_path_does() -> None:
    assert fast_path_holds()


@given(TEXT, st.sampled_from(["en", "es", "es-419", "pt-BR"]), st.integers())
def test_literal_maker_builds_what_the_constructor_builds(text: str, lang: str, n: int) -> None:
    make = LiteralMaker()
    for fast, slow in [
        (make.string(text), Literal(text)),
        (make.text(text, lang), Literal(text, lang=lang)),
        (make.text(text, lang), Literal(text, lang=lang)),  # the second time, the tag is known
        (make.integer(n), Literal(n)),
    ]:
        assert (fast, fast.language, fast.datatype, fast.value) == (
            slow,
            slow.language,
            slow.datatype,
            slow.value,
        )
        assert hash(fast) == hash(slow)


def test_literal_maker_still_rejects_a_bad_language_tag() -> None:
    with pytest.raises(ValueError):
        LiteralMaker().text("x", "not a tag")


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), TEXT | st.integers()), max_size=8))
def test_line_writer_writes_what_triple_line_writes(rows: list[tuple[int, int, object]]) -> None:
    iri = [URIRef(f"https://example.org/{n}") for n in range(4)]
    triples = [
        (iri[s], iri[p], Literal(o) if not isinstance(o, int) or o % 2 else iri[o % 4])
        for s, p, o in rows
    ]
    writer = LineWriter()
    assert writer.triples(triples) == "".join(triple_line(*t) for t in triples)
    assert writer.quads(triples, iri[0]) == "".join(quad_line(*t, iri[0]) for t in triples)


WORDS = [
    "Migración",
    "niños",
    "OIM",
    "labour",
    "centre",
    "straße",
    "año",
    "(ACNUR)",
    "Panamá",
    "¿Qué",
    "—",
    "“hola”",
    "IOM’s",
    "d'Ivoire",
    "a_b",
    "Labóur",
    "Government of",
    "Chile",
    "International Organization for Migration (IOM)",
    "ILO",
    "Gobierno de",
    "México",
    "ĳ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | TEXT, min_size=1, max_size=10))
def test_organisations_found_on_shared_tokens_are_those_found_alone(parts: list[str]) -> None:
    text = " ".join(parts)
    index, tokenizer = _organizations()
    shared = index.find(text, ["CL", "MX"], tokenizer.tokenize(text))
    assert shared == index.find(text, ["CL", "MX"])


_CACHE: dict[str, tuple[OrganizationIndex, Tokenizer]] = {}


def _organizations() -> tuple[OrganizationIndex, Tokenizer]:
    if "index" not in _CACHE:
        _CACHE["index"] = (OrganizationIndex(), Tokenizer())
    return _CACHE["index"]


def test_sharing_is_blocked_by_apostrophes_underscores_and_unfolded_letters() -> None:
    blocker = sharing_blocker(Tokenizer())
    for text in ["IOM's", "a_b", "IOM’s", "Straße", "Ĳssel", "Αθήνα", "İzmir"]:
        assert blocker.search(text) is not None, text
    for text in ["Migración y niños", "¿Qué? «Sí» — “OIM”", "Labour (ILO) €5"]:
        assert blocker.search(text) is None, text


def test_enriching_a_batch_gives_what_enriching_each_item_gives(
    enricher: Enricher, sample: list[NewsItem]
) -> None:
    assert [repr(f) for f in enricher.enrich_many(sample)] == [
        repr(enricher.enrich(item)) for item in sample
    ]


def test_one_matcher_for_themes_and_frameworks_gives_what_each_gives(
    enricher: Enricher, sample: list[NewsItem]
) -> None:
    for item, found in zip(sample, enricher.enrich_many(sample), strict=True):
        language = found.language
        assert found.themes == enricher.themes.classify(item.headline, item.body, language)
        assert found.frameworks == enricher.frameworks.find(item.text)


def test_matches_in_order_make_the_same_set_in_the_same_order() -> None:
    matcher = PhraseMatcher([("migrant worker*", 1), ("worker*", 2), ("de (la) migracion", 3)])
    tokens = ["los", "migrant", "workers", "de", "la", "migracion"]
    tokens += ["y", "migrant", "worker", "de", "migracion"]
    in_order = matcher.matches_in_order(tokens)
    assert in_order == [(1, 1, 3), (2, 2, 3), (3, 3, 6), (1, 7, 9), (2, 8, 9), (3, 9, 11)]
    assert list(set(in_order)) == list(matcher.matches(tokens))


def test_seen_items_remember_where_each_id_came_from() -> None:
    seen = SeenItems()
    assert seen.add("2021-09-20-a", "a.txt", 1) is None
    assert seen.add("2021-09-20-b", "b.txt", 7) is None
    assert seen.add("2021-09-20-b", "a.txt", 99) == ("b.txt", 7)
    assert len(seen) == 2


def test_batches_keep_the_order_and_raise_where_reading_fails(
    enricher: Enricher, sample: list[NewsItem]
) -> None:
    converter = Converter(
        base="https://w3id.org/miglod/", publisher="iom", generated_at=WHEN, enricher=enricher
    )
    error = ItemError("bad item", source="x", line=3)

    def entries() -> Iterator[NewsItem | ItemError]:
        yield sample[0]
        yield error
        yield from sample[1:3]
        raise ConverterError("broken input", source="x", line=9)

    seen: list[object] = []
    with pytest.raises(ConverterError, match="broken input"):
        for entry, found in converter.enriched(entries()):
            seen.append(entry)
            assert (found is None) == isinstance(entry, ItemError)
    assert seen == [sample[0], error, sample[1], sample[2]]
