"""The mention records the extractors return: light, immutable, compared by value."""

from __future__ import annotations

import datetime as dt

import pytest

from converter.extract.countries import CountryMention, RegionMention
from converter.extract.dates import DateMention
from converter.extract.organizations import OrgMention
from converter.extract.places import PlaceMention
from converter.records import Organization, Place

PLACE = Place("quito", "Quito", "EC")
IOM = Organization("iom", "International Organization for Migration", acronym="IOM")

MENTIONS = [
    CountryMention("EC", 10, 15, "Quito", "place", PLACE),
    RegionMention("caribbean", 0, 13, "the Caribbean"),
    PlaceMention(PLACE, 10, 15, "Quito"),
    OrgMention(IOM, 0, 3, "IOM"),
    DateMention(dt.date(2021, 8, 13), dt.date(2021, 8, 30), 4, 37, "from August 13 to August 30"),
]


@pytest.mark.parametrize("mention", MENTIONS, ids=lambda m: type(m).__name__)
def test_a_mention_cannot_be_changed(mention: object) -> None:
    with pytest.raises(AttributeError):
        mention.start = 99  # type: ignore[attr-defined]


@pytest.mark.parametrize("mention", MENTIONS, ids=lambda m: type(m).__name__)
def test_mentions_compare_and_hash_by_value(mention: tuple[object, ...]) -> None:
    twin = type(mention)(*mention)
    assert twin == mention
    assert len({twin, mention}) == 1
    assert twin != type(mention)(*[*mention[:-1], "something else"])


def test_a_country_named_by_name_has_no_place() -> None:
    mention = CountryMention("PA", 0, 6, "Panamá", "name")
    assert mention.place is None
    assert (mention.code, mention.via) == ("PA", "name")


def test_an_organisation_mention_gives_its_slug() -> None:
    assert OrgMention(IOM, 0, 3, "IOM").slug == "iom"
