"""Plain records passed between the readers, the enrichment and the mapping."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item came from: a file or feed name, its first line and its position."""

    name: str
    line: int
    position: int


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One news item as read from an input, before any enrichment."""

    date: dt.date
    headline: str
    paragraphs: tuple[str, ...]
    source: Source
    url: str | None = None
    language: str | None = None

    @property
    def body(self) -> str:
        """Return the paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        """Return the headline and body, the text that enrichment reads."""
        return self.headline + "\n\n" + self.body


@dataclass(frozen=True, slots=True)
class Organization:
    """An organisation known to the gazetteer or introduced by the text."""

    slug: str
    name: str
    kind: str = "Organization"  # schema.org type: Organization, GovernmentOrganization, NGO
    acronym: str | None = None
    labels: tuple[tuple[str, str], ...] = ()  # (language, label)
    alternate_names: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2 of a national body
    parent: str | None = None  # slug of the parent organisation
    same_as: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A place below country level (a city, a region), from the gazetteer."""

    slug: str
    name: str
    country: str
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A person named in an item together with a role."""

    slug: str
    name: str
    job_title: str | None = None
    honorific: str | None = None
    affiliation: str | None = None  # organisation slug
    country: str | None = None  # alpha-2 of the government they serve, when stated


@dataclass(frozen=True, slots=True)
class Event:
    """An event an item describes (training, course, workshop, forum, signing, launch)."""

    kind: str  # schema.org type: Event, EducationEvent, BusinessEvent, ...
    category: str  # our category: training, course, workshop, forum, meeting, signing, launch
    name: str
    start: dt.date | None = None
    end: dt.date | None = None
    attendance: str | None = None  # "online", "offline" or "mixed"
    participants: int | None = None
    location: str | None = None  # place slug
    location_country: str | None = None  # alpha-2
    organizers: tuple[str, ...] = ()  # organisation slugs


@dataclass(frozen=True, slots=True)
class Dateline:
    """The dateline at the head of an item's body: a place and a date."""

    text: str
    place: str | None = None  # place slug
    country: str | None = None
    date: dt.date | None = None


@dataclass(slots=True)
class Enrichment:
    """What enrichment found in one item."""

    language: str
    countries: list[str] = field(default_factory=list)  # alpha-2, in order of first mention
    about: list[str] = field(default_factory=list)  # the main countries
    organizations: list[Organization] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    frameworks: list[str] = field(
        default_factory=list
    )  # concept paths under def/, e.g. "framework/gcm"
    themes: list[str] = field(default_factory=list)  # theme slugs
    dateline: Dateline | None = None
    event: Event | None = None
