"""Find what a news item is about: countries, organisations, places, people, events, themes."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from converter.extract.countries import CountryIndex, CountryMention
from converter.extract.dateline import find_dateline
from converter.extract.dates import DateParser
from converter.extract.events import EventFinder
from converter.extract.frameworks import FrameworkIndex
from converter.extract.language import LanguageDetector
from converter.extract.organizations import OrganizationIndex, OrgMention
from converter.extract.people import PersonFinder
from converter.extract.places import PlaceIndex
from converter.extract.themes import PhraseMatcher, ThemeClassifier, tokenize
from converter.extract.themes import fold as fold_theme
from converter.extract.tokens import Tokenizer, Tokens
from converter.records import Enrichment, NewsItem, Organization, Place

# Below this character, lower case then decomposition (the themes' folding) and the other
# way round (the frameworks') give the same letters; "ᴬ" (U+1D2C) is the first that differs.
_FOLDS_ALIKE = "\u1d2c"


class Enricher:
    """Hold the gazetteers and classifiers, built once, and enrich items with them."""

    def __init__(self) -> None:
        self.places = PlaceIndex()
        self.countries = CountryIndex(places=self.places)
        self.organizations = OrganizationIndex()
        self.frameworks = FrameworkIndex()
        self.themes = ThemeClassifier()
        self.language = LanguageDetector()
        self.people = PersonFinder()
        self.dates = DateParser()
        self.events = EventFinder(self.dates)
        # The themes' rules and the frameworks' names in one matcher, the latter keyed after.
        self._rules = len(self.themes.rules)
        frameworks = [(pattern, key + self._rules) for pattern, key in self.frameworks.patterns()]
        self._phrases = PhraseMatcher([*self.themes.patterns(), *frameworks])
        self._unlike_words = folded_alike(self.places.tokenizer)

    def organization(self, slug: str) -> Organization | None:
        """Return the gazetteer's record for ``slug``, if it has one."""
        return self.organizations.get(slug)

    def enrich(self, item: NewsItem) -> Enrichment:
        """Return what ``item`` names and is about."""
        return self.enrich_many([item])[0]

    def enrich_many(self, items: Sequence[NewsItem]) -> list[Enrichment]:
        """Return what each of ``items`` names and is about, as :meth:`enrich` would.

        The items go through one extractor after the other: each works on the
        whole batch while its gazetteer is warm in the processor's caches,
        which makes a batch of a few hundred items a fifth faster than one by one.
        """
        work = [_Work(item, self.language.detect) for item in items]
        tokenize_text = self.places.tokenizer.tokenize
        for w in work:
            w.tokens = tokenize_text(w.text)
        for w in work:
            w.mentions = self.countries.find_tokens(w.tokens)
            w.start()
        for w in work:
            w.found.organizations = _distinct(
                self.organizations.find(w.text, w.found.countries, w.tokens)
            )
        for w in work:
            found = w.found
            found.about = _main_countries(w.item, w.mentions, found.countries)
            found.persons = self.people.find(w.text, found.organizations, found.countries)
        for w in work:
            self._themes(w)
        for w in work:
            self._dateline(w)
        for w in work:
            self._event(w)
        return [w.found for w in work]

    def _themes(self, w: _Work) -> None:
        """Find the frameworks and themes of an item."""
        item, text, found = w.item, w.text, w.found
        if text.isascii() or self._unlike_words.search(text) is None:
            # The themes' and the frameworks' tokens are the words (see folded_alike).
            words = w.tokens.words
            cut = bisect_left(w.tokens.starts, len(item.headline))
        elif max(text) < _FOLDS_ALIKE:
            headline_tokens = tokenize(item.headline)
            words, cut = headline_tokens + tokenize(item.body), len(headline_tokens)
        else:
            found.frameworks = self.frameworks.find(text)
            found.themes = self.themes.classify(item.headline, item.body, found.language)
            return
        # One pass of one matcher finds the rules of the themes and the names of the frameworks.
        rules = self._rules
        headline: set[tuple[int, int, int]] = set()
        body: set[tuple[int, int, int]] = set()
        frameworks: set[tuple[int, int, int]] = set()
        for key, start, end in dict.fromkeys(self._phrases.matches_in_order(words)):
            if key >= rules:
                frameworks.add((key - rules, start, end))
            elif end <= cut:
                headline.add((key, start, end))
            elif start >= cut:
                body.add((key, start - cut, end - cut))
        found.frameworks = self.frameworks.find_matches(text, words, frameworks)
        scores = self.themes.scores_matches(headline, body, len(words) - cut, found.language)
        found.themes = self.themes.ranked(scores)

    def _dateline(self, w: _Work) -> None:
        """Find an item's dateline; a place it names is one the item mentions."""
        found = w.found
        found.dateline = find_dateline(w.item, self.places, self.countries, self.dates)
        if found.dateline is not None and found.dateline.place:
            place = self.places.get(found.dateline.place)
            if place is not None and place.slug not in w.places:
                found.places.append(place)

    def _event(self, w: _Work) -> None:
        """Find the event an item describes."""
        found = w.found
        found.event = self.events.find(
            w.item,
            organizations=[o.slug for o in found.organizations],
            places=[(p.slug, p.country) for p in found.places],
            countries=found.countries,
            dateline=found.dateline,
        )
        event, dateline = found.event, found.dateline
        if event is not None and event.start is None and dateline is not None and dateline.date:
            # A dated dateline on an item that reports an event dates that event.
            found.event = replace(event, start=dateline.date)


def folded_alike(tokenizer: Tokenizer) -> re.Pattern[str]:
    """Return a pattern that finds a character the themes fold otherwise than ``tokenizer``.

    Both split on what is not an ASCII letter or digit, but the themes drop a
    character that has no ASCII decomposition where ``tokenizer`` makes it a
    space, and may keep two letters of one. A text without such characters
    (plain ASCII, or accented Latin letters) gives the same words both ways.
    """
    alike = []
    for code in range(0x80, 0x250):
        char = chr(code)
        folded = tokenizer.fold(char)
        if folded.isalnum() and folded == fold_theme(char) and char != "İ":
            alike.append(re.escape(char))
    return re.compile(f"[^\\x00-\\x7f{''.join(alike)}]")


class _Work:
    """One item on its way through :meth:`Enricher.enrich_many`."""

    __slots__ = ("found", "item", "mentions", "places", "text", "tokens")

    def __init__(self, item: NewsItem, detect: Callable[[str, str | None], str]) -> None:
        self.item = item
        self.text = item.text
        self.found = Enrichment(language=detect(self.text, item.language))
        self.tokens: Tokens
        self.mentions: list[CountryMention] = []
        self.places: dict[str, Place] = {}

    def start(self) -> None:
        """Take the countries and places from the country mentions."""
        for mention in self.mentions:
            if mention.place is not None:
                self.places.setdefault(mention.place.slug, mention.place)
        self.found.countries = list(dict.fromkeys([m.code for m in self.mentions]))
        self.found.places = list(self.places.values())


def _distinct(mentions: list[OrgMention]) -> list[Organization]:
    """Return the organisations mentioned, once each, in order of first mention."""
    organizations: dict[str, Organization] = {}
    for mention in mentions:
        organizations.setdefault(mention.organization.slug, mention.organization)
    return list(organizations.values())


def _main_countries(
    item: NewsItem, mentions: list[CountryMention], countries: list[str]
) -> list[str]:
    """Return the countries an item is mainly about.

    The countries its headline names win; otherwise those the body names most
    often (all that tie for first place).
    """
    cut = len(item.headline)
    in_headline = [m.code for m in mentions if m.start < cut]
    if in_headline:
        return list(dict.fromkeys(in_headline))
    counts = Counter(m.code for m in mentions)
    if not counts:
        return countries[:1]
    top = max(counts.values())
    return [code for code in dict.fromkeys(m.code for m in mentions) if counts[code] == top]
