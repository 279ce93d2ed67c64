"""Find what a news item is about: countries, organisations, places, people, events, themes."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from converter.extract.countries import CountryIndex, CountryMention
from converter.extract.dateline import find_dateline
from converter.extract.events import find_event
from converter.extract.frameworks import FrameworkIndex
from converter.extract.language import LanguageDetector
from converter.extract.organizations import OrganizationIndex
from converter.extract.people import PersonFinder
from converter.extract.places import PlaceIndex
from converter.extract.themes import ThemeClassifier
from converter.records import Enrichment, NewsItem, Organization, Place


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

    def organization(self, slug: str) -> Organization | None:
        """Return the gazetteer's record for ``slug``, if it has one."""
        return self.organizations.get(slug)

    def enrich(self, item: NewsItem) -> Enrichment:
        """Return what ``item`` names and is about."""
        text = item.text
        language = self.language.detect(text, item.language)
        country_mentions = self.countries.find(text)

        places: dict[str, Place] = {}
        for mention in country_mentions:
            if mention.place is not None:
                places.setdefault(mention.place.slug, mention.place)
        countries = list(dict.fromkeys(m.code for m in country_mentions))

        org_mentions = self.organizations.find(text, countries)
        organizations: dict[str, Organization] = {}
        for org_mention in org_mentions:
            organizations.setdefault(org_mention.organization.slug, org_mention.organization)
        orgs = list(organizations.values())

        found = Enrichment(language=language, countries=countries)
        found.places = list(places.values())
        found.organizations = orgs
        found.about = _main_countries(item, country_mentions, countries)
        found.persons = self.people.find(text, orgs, countries)
        found.frameworks = self.frameworks.find(text)
        found.themes = self.themes.classify(item.headline, item.body, language)
        found.dateline = find_dateline(item, self.places, self.countries)
        if found.dateline is not None and found.dateline.place:
            place = self.places.get(found.dateline.place)
            if place is not None and place.slug not in places:
                found.places.append(place)
        found.event = find_event(
            item,
            organizations=[o.slug for o in orgs],
            places=[(p.slug, p.country) for p in found.places],
            countries=countries,
            dateline=found.dateline,
        )
        event, dateline = found.event, found.dateline
        if event is not None and event.start is None and dateline is not None and dateline.date:
            # A dated dateline on an item that reports an event dates that event.
            found.event = replace(event, start=dateline.date)
        return found


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
