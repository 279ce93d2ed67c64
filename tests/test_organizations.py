"""Tests for the organisation gazetteer and for finding organisations in text."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.extract.organizations import OrganizationIndex, OrgMention, distinct

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "news" / "iom-news-2021.txt"
KINDS = {"Organization", "GovernmentOrganization", "NGO", "EducationalOrganization"}


def _gazetteer() -> dict[str, Any]:
    path = resources.files("converter.data").joinpath("organizations.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> OrganizationIndex:
    return OrganizationIndex()


def _items() -> list[str]:
    """Return the sample's items as headline + body texts."""
    blocks = re.split(r"\n(?=\d{1,2} \w+, \d{4}\n)", SAMPLE.read_text(encoding="utf-8").strip())
    return [block.split("\n", 1)[1].strip() for block in blocks]


def _slugs(index: OrganizationIndex, text: str, countries: tuple[str, ...] = ()) -> set[str]:
    return {m.slug for m in index.find(text, countries)}


# -- the gazetteer -----------------------------------------------------------------------------


def test_gazetteer_entries_are_well_formed() -> None:
    entries = _gazetteer()["organizations"]
    slugs = [e["slug"] for e in entries]
    assert len(entries) >= 150
    assert len(slugs) == len(set(slugs))
    for entry in entries:
        assert entry["kind"] in KINDS, entry["slug"]
        assert entry["names"], entry["slug"]
        assert entry.get("parent") in (None, *slugs), entry["slug"]
        assert re.fullmatch(r"Q[1-9]\d*", entry.get("wikidata", "Q1")), entry["slug"]
        assert re.fullmatch(r"[A-Z]{2}", entry.get("country", "ZZ")), entry["slug"]
        assert entry.get("url", "https://").startswith("https://"), entry["slug"]


def test_shared_acronyms_are_modelled_per_country(index: OrganizationIndex) -> None:
    inm = {o.country for o in index.all() if o.acronym == "INM"}
    dgme = {o.country for o in index.all() if o.acronym == "DGME"}
    assert {"MX", "HN", "DO"} <= inm
    assert {"CR", "SV"} <= dgme


def test_records_carry_labels_acronyms_parent_and_wikidata(index: OrganizationIndex) -> None:
    iom = index.get("iom")
    assert iom is not None
    assert iom.name == "International Organization for Migration"
    assert ("es", "Organización Internacional para las Migraciones") in iom.labels
    assert iom.acronym == "IOM"
    assert {"IOM", "OIM"} <= set(iom.alternate_names)
    assert iom.parent == "un"
    assert iom.same_as == ("http://www.wikidata.org/entity/Q472311",)
    snm = index.get("snm-pa")
    assert snm is not None and snm.country == "PA" and snm.kind == "GovernmentOrganization"


def test_every_name_of_every_entry_finds_that_entry(index: OrganizationIndex) -> None:
    for org in index.all():
        if org.slug.startswith("government-"):
            continue
        countries = (org.country,) if org.country else ()
        for form in [label for _, label in org.labels] + list(org.alternate_names):
            assert org.slug in _slugs(index, f"We met {form} today.", countries), (org.slug, form)


def test_governments_come_from_pycountry(index: OrganizationIndex) -> None:
    assert len([o for o in index.all() if o.slug.startswith("government-")]) >= 240
    suriname = index.government("SR")
    assert suriname is not None
    assert suriname.slug == "government-sr"
    assert suriname.kind == "GovernmentOrganization"
    assert suriname.country == "SR"
    assert suriname.labels == (("en", "Government of Suriname"), ("es", "Gobierno de Surinam"))
    congo = index.government("CD")
    assert congo is not None and congo.name == "Government of the Democratic Republic of the Congo"


# -- the sample items ----------------------------------------------------------------------------

EXPECTED = [
    ({"iom", "government-sr"}, ("SR",)),
    (set(), ("PA",)),
    (set(), ("DO",)),
    ({"iom"}, ("HN", "MX")),
    ({"iom", "ilo"}, ()),
    ({"iom"}, ("PA",)),
    ({"iom", "caricom-impacs", "caricom"}, ("GY",)),
    ({"grupos-beta-mx", "inm-mx", "usfroh-pa"}, ("MX", "PA")),
    ({"iom", "flacso-costa-rica"}, ("CR", "MX")),
    ({"iom", "rcm", "flacma"}, ("CR", "SV")),
]


@pytest.mark.parametrize(
    ("number", "expected", "countries"), [(n, *e) for n, e in enumerate(EXPECTED, 1)]
)
def test_sample_item(
    index: OrganizationIndex, number: int, expected: set[str], countries: tuple[str, ...]
) -> None:
    text = _items()[number - 1]
    assert _slugs(index, text, countries) == expected
    assert _slugs(index, text) == expected  # the text alone says enough


def test_mentions_are_in_text_order_with_offsets(index: OrganizationIndex) -> None:
    text = _items()[6]
    mentions = index.find(text)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.matched
    impacs = [m for m in mentions if m.slug == "caricom-impacs"][1]
    assert impacs.matched.startswith("Caribbean Community (CARICOM) Implementation Agency")
    assert impacs.matched.endswith("(IMPACS)")
    assert [o.slug for o in distinct(mentions)] == ["iom", "caricom-impacs", "caricom"]


def test_government_phrase_of_the_sample(index: OrganizationIndex) -> None:
    mentions = index.find(
        "in collaboration with the Government of the Republic of Suriname released"
    )
    assert [(m.slug, m.matched) for m in mentions] == [
        ("government-sr", "Government of the Republic of Suriname")
    ]


# -- names, acronyms and their ambiguity -------------------------------------------------------


def test_spanish_names_and_acronyms(index: OrganizationIndex) -> None:
    text = "La Organización Internacional para las Migraciones (OIM) y la OIT firmaron un acuerdo."
    mentions = index.find(text)
    assert [(m.slug, m.matched) for m in mentions] == [
        ("iom", "Organización Internacional para las Migraciones (OIM)"),
        ("ilo", "OIT"),
    ]


def test_accents_case_and_spelling_do_not_matter_in_long_names(index: OrganizationIndex) -> None:
    assert _slugs(index, "the INTERNATIONAL ORGANISATION FOR MIGRATION said") == {"iom"}
    assert _slugs(index, "la Organizacion Internacional del Trabajo") == {"ilo"}
    assert _slugs(index, "IOM’s programme and the ILO's") == {"iom", "ilo"}


def test_acronyms_match_only_in_capitals(index: OrganizationIndex) -> None:
    assert _slugs(index, "the iom and the oit") == set()
    assert _slugs(index, "WHO AND CAN HELP") == set()  # a headline shouting common words
    assert _slugs(index, "WHO and the Andean Community (CAN) met") == {"who", "can"}


def test_longest_name_wins(index: OrganizationIndex) -> None:
    text = "the CARICOM Implementation Agency for Crime and Security (IMPACS) trained staff"
    assert [m.slug for m in index.find(text)] == ["caricom-impacs"]
    assert _slugs(index, "FLACSO Costa Rica and FLACSO") == {"flacso-costa-rica", "flacso"}


def test_named_country_resolves_a_shared_name(index: OrganizationIndex) -> None:
    text = "con el Instituto Nacional de Migración de Honduras (INM). Luego el INM informó."
    assert [(m.slug, m.matched) for m in index.find(text)] == [
        ("inm-hn", "Instituto Nacional de Migración de Honduras (INM)"),
        ("inm-hn", "INM"),
    ]
    assert _slugs(index, "Honduras’ INM and the Mexican INM") == {"inm-hn", "inm-mx"}


def test_item_countries_resolve_a_shared_acronym(index: OrganizationIndex) -> None:
    text = "El INM atendió a las personas retornadas."
    assert _slugs(index, text, ("MX",)) == {"inm-mx"}
    assert _slugs(index, text, ("HN",)) == {"inm-hn"}
    assert _slugs(index, text) == set()  # which INM? precision first
    assert _slugs(index, "The DGME registered them.", ("CR",)) == {"dgme-cr"}
    assert _slugs(index, "The DGME registered them.", ("SV",)) == {"dgme-sv"}


def test_nearest_country_mention_breaks_a_tie(index: OrganizationIndex) -> None:
    text = "In Mexico the INM helped. Weeks later, in Honduras, the INM did too."
    mentions = [m for m in index.find(text, ("MX", "HN")) if m.matched == "INM"]
    assert [m.slug for m in mentions] == ["inm-mx", "inm-hn"]


def test_generic_ministry_names_need_a_country(index: OrganizationIndex) -> None:
    text = (
        "Officials of the Ministry of Foreign Affairs of Guatemala and Panama's Ministry of "
        "Foreign Affairs"
    )
    assert [m.slug for m in index.find(text)] == ["minex-gt", "mire-pa"]
    assert _slugs(index, "the Ministry of Foreign Affairs said") == set()


def test_government_phrases(index: OrganizationIndex) -> None:
    text = (
        "El Gobierno de México, el Gobierno del Perú, the Mexican government, "
        "el gobierno hondureño, the Government of Canada and the Suriname Government"
    )
    assert [m.slug for m in index.find(text)] == [
        "government-mx", "government-pe", "government-mx", "government-hn", "government-ca",
        "government-sr",
    ]  # fmt: skip
    assert _slugs(index, "Local Government Capacities and local governments of Costa Rica") == set()


# -- organisations the gazetteer does not know ---------------------------------------------------


def test_full_name_with_acronym_makes_a_new_organisation() -> None:
    data = _gazetteer()
    data["organizations"] = [e for e in data["organizations"] if e["slug"] != "flacma"]
    index = OrganizationIndex(data)
    text = (
        "representatives of Costa Rica and El Salvador, and the Federation of Local Governments of "
        "Latin America (FLACMA), who addressed needs. FLACMA will follow up."
    )
    mentions = index.find(text)
    assert [m.slug for m in mentions] == ["flacma", "flacma"]
    flacma = mentions[0].organization
    assert flacma.name == "Federation of Local Governments of Latin America"
    assert flacma.acronym == "FLACMA"
    assert flacma.kind == "Organization"
    assert mentions[0].matched == "Federation of Local Governments of Latin America (FLACMA)"


def test_new_government_body_gets_its_country(index: OrganizationIndex) -> None:
    text = "IOM supported the National Migration Authority (NMA) in Belmopan."
    new = [m.organization for m in index.find(text, ("BZ",)) if m.slug != "iom"]
    assert [(o.slug, o.name, o.kind, o.country) for o in new] == [
        ("nma-bz", "National Migration Authority", "GovernmentOrganization", "BZ")
    ]
    spanish = index.find("la Dirección General de Migración (DGM) de Guatemala", ("GT",))
    assert [(m.slug, m.organization.kind) for m in spanish] == [
        ("dgm-gt", "GovernmentOrganization")
    ]


def test_acronym_then_full_name(index: OrganizationIndex) -> None:
    mentions = index.find("XYZA (National Network of Migrant Shelters) opened a shelter.")
    assert [(m.slug, m.organization.name, m.matched) for m in mentions] == [
        (
            "xyza",
            "National Network of Migrant Shelters",
            "XYZA (National Network of Migrant Shelters)",
        )
    ]


def test_terms_in_parentheses_are_not_organisations(index: OrganizationIndex) -> None:
    text = (
        "A Memorandum of Understanding (MoU) under the Global Compact for Safe, Orderly and "
        "Regular Migration (GCM), the Migration Governance Framework (MiGOF), the Sustainable "
        "Development Goals (SDG) and the Information Hubs on Migration (IHM)."
    )
    assert index.find(text) == []


def test_a_defined_term_blocks_an_acronym_for_the_whole_text(index: OrganizationIndex) -> None:
    text = "Los Indicadores de Gobernanza de la Migración (IGM) de Guatemala. El IGM mide avances."
    assert _slugs(index, text, ("GT",)) == set()
    assert _slugs(index, "El IGM registró a las personas.", ("GT",)) == {"igm-gt"}


def test_mention_type() -> None:
    index = OrganizationIndex()
    mention = index.find("IOM")[0]
    assert isinstance(mention, OrgMention)
    assert (mention.slug, mention.start, mention.end, mention.matched) == ("iom", 0, 3, "IOM")


WORDS = "IOM OIM INM DGME of de la Ministry Ministerio Gobierno Honduras Mexico’s ( ) , . (FLACMA) (XYZ)"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS.split()) | st.text(max_size=8), max_size=30),
    st.lists(st.sampled_from(["HN", "MX", "CR"]), max_size=2),
)
def test_any_text_gives_consistent_mentions(
    index: OrganizationIndex, words: list[str], countries: list[str]
) -> None:
    text = " ".join(words)
    mentions = index.find(text, countries)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.matched
        assert mention.organization.kind in KINDS
