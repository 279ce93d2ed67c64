"""Find the dateline at the head of an item's body ("Georgetown, Guyana 23 August 2021:")."""

from __future__ import annotations

import re

from converter.extract.countries import CountryIndex
from converter.extract.dates import DateParser
from converter.extract.places import PlaceIndex
from converter.records import Dateline, NewsItem

# A dateline is a short capitalised lead ending in a colon or a dash before the story.
_LEAD = re.compile(
    r"^(?P<head>[A-ZÁÉÍÓÚÑ][^.:\n–—]{2,90}?)\s*(?::|–|—|\s-\s|$)",
)
_MAX_WORDS = 12
_LONGEST_HEAD = 91  # what _LEAD's head can span: a capital and up to 90 more characters


def find_dateline(
    item: NewsItem, places: PlaceIndex, countries: CountryIndex, dates: DateParser
) -> Dateline | None:
    """Return the dateline of ``item`` when its body starts with one.

    A dateline names a place (a city or a country) and often a date, and ends
    in a colon or a dash. Leads that name no place are not datelines.
    ``dates`` is the parser that reads its date.
    """
    if not item.paragraphs:
        return None
    first = item.paragraphs[0]
    if len(first.rstrip()) > _LONGEST_HEAD and not any(map(first.__contains__, ":–—-")):
        return None  # no lead can end: no colon, no dash, and its end is out of reach
    match = _LEAD.match(first)
    if match is None:
        return None
    head = match.group("head").strip().rstrip(",")
    ends_paragraph = match.end() >= len(first.rstrip())
    if not ends_paragraph and first[match.end() - 1 : match.end()] not in {":", "–", "—", "-"}:
        return None
    if len(head.split()) > _MAX_WORDS:
        return None
    tokens = places.tokenizer.tokenize(head)
    place_mentions = places.find_tokens(tokens)
    country_mentions = countries.find_tokens(tokens)
    if not place_mentions and not country_mentions:
        return None
    # The place must open the dateline; a place in the middle of a sentence is not one.
    first_start = min([m.start for m in place_mentions] + [m.start for m in country_mentions])
    if first_start > 2:
        return None
    found = dates.find_dates(head)
    place = place_mentions[0].place if place_mentions else None
    country = place.country if place else country_mentions[0].code
    return Dateline(
        text=head,
        place=place.slug if place else None,
        country=country,
        date=found[0].start if found else None,
    )
