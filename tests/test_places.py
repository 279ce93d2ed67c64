"""Tests for finding cities in text with the GeoNames gazetteer."""

from __future__ import annotations

import re

import pytest

from converter.extract.places import PlaceIndex, Tokenizer


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex()


def slugs(index: PlaceIndex, text: str) -> list[str]:
    return [m.place.slug for m in index.find(text)]


def test_dateline_place(index: PlaceIndex) -> None:
    text = "Georgetown, Guyana 23 August 2021:"
    (mention,) = index.find(text)
    place = mention.place
    assert (place.slug, place.name, place.country, place.geonames_id) == (
        "georgetown-gy",
        "Georgetown",
        "GY",
        3378644,
    )
    assert place.latitude == pytest.approx(6.80448, abs=0.01)
    assert place.longitude == pytest.approx(-58.15527, abs=0.01)
    assert (mention.start, mention.end, mention.matched) == (0, 10, "Georgetown")
    assert index.get("georgetown-gy") == place


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Los migrantes llegaron a Ciudad de México", ["mexico-city-mx"]),
        ("Mexico City and Panama City", ["mexico-city-mx", "panama-city-pa"]),
        ("Ciudad de Panamá y Nueva York", ["panama-city-pa", "new-york-city-us"]),
        ("Migrants in Tapachula and San Pedro Sula", ["tapachula-mx", "san-pedro-sula-hn"]),
        ("Municipio de Tapachula", ["tapachula-mx"]),
        ("Port-au-Prince", ["port-au-prince-ht"]),
        ("talks in Lima and Quito", ["lima-pe", "quito-ec"]),
    ],
)
def test_cities_in_english_and_spanish(index: PlaceIndex, text: str, expected: list[str]) -> None:
    assert slugs(index, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In San José, Costa Rica", ["san-jose-cr"]),
        ("San José", ["san-jose-cr"]),  # the capital when nothing else tells
        ("Santa Ana, El Salvador", ["santa-ana-sv"]),  # a country right after it
        ("Migrants from El Salvador gathered in Santa Ana.", ["santa-ana-sv"]),  # in the text
        ("Santiago, Chile", ["santiago-cl"]),
        ("in Victoria, Seychelles", ["victoria-sc"]),
        ("Nice, France", ["nice-fr"]),
    ],
)
def test_ambiguous_names_take_their_country_from_context(
    index: PlaceIndex, text: str, expected: list[str]
) -> None:
    assert slugs(index, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nice weather in Reading",  # common English words
        "A Mobile Team for Male Migrants",
        "Victoria Pérez said",  # a person
        "Santiago Pérez and Mercedes Flores",
        "Georgetown University",  # inside a longer name
        "the Hospital San José",
        "Universidad de San Carlos",
        "the Lima Declaration",
        "IOM and ILO",  # an acronym, not Ilo in Peru
        "Guatemala, Panamá and Mexico",  # countries, not their capitals
        "El Salvador",
        "tapachula",  # not capitalised
        "Latin America and Asia",  # regions
    ],
)
def test_precision(index: PlaceIndex, text: str) -> None:
    assert slugs(index, text) == []


def test_countries_passed_in_settle_an_ambiguous_name(index: PlaceIndex) -> None:
    assert slugs(index, "talks in Santa Ana") == ["santa-ana-us"]
    found = index.find("talks in Santa Ana", countries={"SV"})
    assert [m.place.slug for m in found] == ["santa-ana-sv"]


def test_slugs_and_records(index: PlaceIndex) -> None:
    assert len(index) > 20_000
    place = index.get("tapachula-mx")
    assert place is not None and place.country == "MX" and place.geonames_id
    assert index.get("no-such-place-xx") is None
    for slug in ("mexico-city-mx", "panama-city-pa", "san-jose-cr", "paramaribo-sr"):
        assert re.fullmatch(r"[a-z0-9-]+-[a-z]{2}", slug)
        assert index.get(slug) is not None


def test_tokenizer_keeps_offsets() -> None:
    tokenizer = Tokenizer()
    text = "Côte d’Ivoire, İstanbul — São Tomé"
    folded = tokenizer.fold(text)
    assert len(folded) == len(text)
    toks = tokenizer.tokenize(text)
    assert toks.words == ["cote", "d", "ivoire", "istanbul", "sao", "tome"]
    spans = [text[s:e] for s, e in zip(toks.starts, toks.ends, strict=True)]
    assert spans == ["Côte", "d", "Ivoire", "İstanbul", "São", "Tomé"]
