"""Tests for finding countries and regions in text, and for describing countries."""

from __future__ import annotations

import re

import pycountry
import pytest

from converter.extract.countries import CountryIndex


@pytest.fixture(scope="module")
def index() -> CountryIndex:
    return CountryIndex()


def codes(index: CountryIndex, text: str) -> list[str]:
    return [m.code for m in index.find(text)]


SAMPLE_ITEM_1 = (
    "IOM and Suriname Government launch innovative report on national migration governance\n\n"
    "The International Organization for Migration (IOM) in collaboration with the Government "
    "of the Republic of Suriname released the Suriname Needs Assessment on Migration Governance, "
    "in a step to further develop migration policy in the country."
)
SAMPLE_ITEM_10 = (
    "Participants enjoyed a panel with representatives of the local governments of Costa Rica "
    "and El Salvador, and the Federation of Local Governments of Latin America (FLACMA)."
)


def test_sample_item_names_suriname_only(index: CountryIndex) -> None:
    assert set(codes(index, SAMPLE_ITEM_1)) == {"SR"}
    assert "Republic of Suriname" in [m.matched for m in index.find(SAMPLE_ITEM_1)]


def test_possessive_with_curly_apostrophe(index: CountryIndex) -> None:
    text = "Mexico’s Beta Group Works with Panama’s Humanitarian Border Security Unit"
    assert index.codes(text) == ["MX", "PA"]


def test_region_is_not_a_country(index: CountryIndex) -> None:
    text = (
        "IOM and FLACSO Costa Rica Train Communication Professionals from Mexico "
        "and Central America to Address Migration"
    )
    assert index.codes(text) == ["CR", "MX"]
    assert [r.slug for r in index.find_regions(text)] == ["central-america"]


def test_el_salvador_is_not_the_brazilian_city(index: CountryIndex) -> None:
    assert index.codes(SAMPLE_ITEM_10) == ["CR", "SV"]
    assert [r.slug for r in index.find_regions(SAMPLE_ITEM_10)] == ["latin-america"]


def test_dateline_city_names_its_country(index: CountryIndex) -> None:
    found = [(m.code, m.matched, m.via) for m in index.find("Georgetown, Guyana 23 August 2021:")]
    assert found == [("GY", "Georgetown", "place"), ("GY", "Guyana", "name")]
    place = index.find("Georgetown, Guyana")[0].place
    assert place is not None and place.slug == "georgetown-gy"


def test_spanish_demonyms_and_city(index: CountryIndex) -> None:
    text = "Los migrantes hondureños y guatemaltecos llegaron a Ciudad de México"
    found = [(m.code, m.via) for m in index.find(text)]
    assert found == [("HN", "demonym"), ("GT", "demonym"), ("MX", "place")]


def test_offsets_point_at_the_match(index: CountryIndex) -> None:
    text = "Migrantes de Haití y de la República Dominicana; Côte d’Ivoire."
    for mention in index.find(text):
        assert text[mention.start : mention.end] == mention.matched
    assert [m.matched for m in index.find(text)] == [
        "Haití",
        "República Dominicana",
        "Côte d’Ivoire",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Niger and Nigeria", ["NE", "NG"]),
        ("Nigerien and Nigerian workers", ["NE", "NG"]),
        ("Dominica and the Dominican Republic", ["DM", "DO"]),
        (
            "Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea",
            ["GN", "GW", "GQ", "PG"],
        ),
        ("South Sudan and Sudan", ["SS", "SD"]),
        (
            "the Democratic Republic of the Congo and the Republic of the Congo",
            ["CD", "CG"],
        ),
        ("Chad Wolf visited refugees in Chad.", ["TD"]),
        ("Israel Hernández habló con Jordan Smith.", []),
        ("Israel and Jordan", ["IL", "JO"]),
        ("a roast turkey", []),
        ("Turkey, now Türkiye", ["TR", "TR"]),
        ("Chad, Mali and Georgia", ["TD", "ML", "GE"]),
        ("chad mali georgia jordan", []),
        ("US$ 5 million for the US and the UK", ["US", "GB"]),
        ("let us go", []),
        ("the U.S.-Mexico border", ["US", "MX"]),
        ("Latin America and the Caribbean", []),
        ("New Mexico and New Jersey", []),
        ("Ivory Coast and Côte d'Ivoire", ["CI", "CI"]),
        ("Czechia, formerly the Czech Republic", ["CZ", "CZ"]),
        ("Bolivia, Venezuela and the United States", ["BO", "VE", "US"]),
        (
            "República Dominicana, Estados Unidos, México, Panamá, Perú, Haití y Belice",
            ["DO", "US", "MX", "PA", "PE", "HT", "BZ"],
        ),
        ("EE. UU. y Mexico", ["US", "MX"]),
        ("chile con carne", []),
        (
            "Guatemalans, guatemalteca, hondureñas, Haitian, venezolanos, panameña, Salvadorans",
            ["GT", "GT", "HN", "HT", "VE", "PA", "SV"],
        ),
        ("Spanish is spoken; Spanish-speaking migrants", []),
        ("la cooperación española", ["ES"]),
    ],
)
def test_tricky_names(index: CountryIndex, text: str, expected: list[str]) -> None:
    assert codes(index, text) == expected


def test_regions_in_both_languages(index: CountryIndex) -> None:
    text = "migrantes centroamericanos en el Caribe y en América del Sur, the Americas"
    slugs = [r.slug for r in index.find_regions(text)]
    assert slugs == ["central-america", "caribbean", "south-america", "americas"]
    assert codes(index, text) == []


def test_labels_in_four_languages(index: CountryIndex) -> None:
    assert index.labels("SR") == {
        "en": "Suriname",
        "es": "Surinam",
        "fr": "Suriname",
        "pt": "Suriname",
    }
    assert index.labels("mx") == {"en": "Mexico", "es": "México", "fr": "Mexique", "pt": "México"}
    assert index.labels("CD")["es"] == "República Democrática del Congo"
    assert index.labels("BO")["en"] == "Bolivia"
    assert index.labels("DE") == {
        "en": "Germany",
        "es": "Alemania",
        "fr": "Allemagne",
        "pt": "Alemanha",
    }


def test_every_country_has_labels_without_inversions(index: CountryIndex) -> None:
    for country in pycountry.countries:
        labels = index.labels(country.alpha_2)
        assert set(labels) == {"en", "es", "fr", "pt"}
        assert all(
            label and not label.endswith((" of", " de", " del", " da")) for label in labels.values()
        )


KNOWN_WIKIDATA = {
    "SR": "Q730", "PA": "Q804", "MX": "Q96", "HN": "Q783", "GT": "Q774", "DO": "Q786",
    "CR": "Q800", "SV": "Q792", "GY": "Q734", "FR": "Q142", "US": "Q30", "ES": "Q29",
}  # fmt: skip


def test_wikidata_ids(index: CountryIndex) -> None:
    for code, qid in KNOWN_WIKIDATA.items():
        assert index.wikidata(code) == qid
    ids = [index.wikidata(c.alpha_2) for c in pycountry.countries]
    assert all(qid is not None and re.fullmatch(r"Q[1-9][0-9]*", qid) for qid in ids)
    assert len(set(ids)) == len(ids)
    assert index.wikidata("XX") is None


def test_other_identifiers(index: CountryIndex) -> None:
    assert index.alpha3("SR") == "SUR"
    assert index.geonames("SR") == 3382998
    assert index.geonames("GY") == 3378535
    assert index.geonames("XX") is None
