"""Build the RDF terms the mapping writes, each repeated value only once.

rdflib checks and converts every term it builds, which costs microseconds a
term; the mapping writes some thirty-five triples an item, most of whose terms
(predicates, classes, countries, organisations, concepts, dates) recur from
item to item. A :class:`Terms` holds them, built once for one base IRI and
kept on the mapping context; its memories are bounded, so a long conversion
does not grow them without limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from rdflib import DCTERMS, RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import PROV, SDO

from converter.iris import Iris
from converter.literals import LiteralMaker

MEMORY_LIMIT = 65_536  # entries a memory holds before it starts afresh

K = TypeVar("K")
V = TypeVar("V")


def text_literal(value: str, language: str) -> Literal:
    """Return a language-tagged literal (``normalize=False``: a string needs no normalising)."""
    return Literal(value, lang=language, normalize=False)


def plain_literal(value: str) -> Literal:
    """Return a plain string literal."""
    return Literal(value, normalize=False)


def generated_at_literal(value: dt.datetime) -> Literal:
    """Return ``value`` as an ``xsd:dateTime`` literal in UTC (whole seconds, offset +00:00)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    utc = value.astimezone(dt.UTC).replace(microsecond=0)
    return Literal(utc.isoformat(), datatype=XSD.dateTime)


class Memory(dict[K, V]):
    """Remember what one factory built, by key: ``memory[key]`` builds on first sight.

    A dictionary, so that a lookup costs what a dictionary lookup costs; it
    starts afresh when it holds :data:`MEMORY_LIMIT` values.
    """

    __slots__ = ("build",)

    def __init__(self, build: Callable[[K], V]) -> None:
        super().__init__()
        self.build = build

    def __missing__(self, key: K) -> V:
        if len(self) >= MEMORY_LIMIT:
            self.clear()
        value = self[key] = self.build(key)
        return value


class Terms:
    """Hold the predicates and classes of the mapping and remember recurring terms.

    Build one per mapping context (it depends on the base IRI): the memories
    live on the instance, never in module globals.
    """

    def __init__(self, iris: Iris, generated_at: dt.datetime, converter_version: str) -> None:
        mig = iris.mig
        self.type = RDF.type
        self.label = RDFS.label
        self.references = DCTERMS.references
        # schema.org
        self.news_article = SDO.NewsArticle
        self.person = SDO.Person
        self.identifier = SDO.identifier
        self.headline = SDO.headline
        self.date_published = SDO.datePublished
        self.in_language = SDO.inLanguage
        self.publisher = SDO.publisher
        self.abstract = SDO.abstract
        self.article_body = SDO.articleBody
        self.url = SDO.url
        self.mentions = SDO.mentions
        self.about = SDO.about
        self.dateline = SDO.dateline
        self.location_created = SDO.locationCreated
        self.name = SDO.name
        self.honorific_prefix = SDO.honorificPrefix
        self.job_title = SDO.jobTitle
        self.affiliation = SDO.affiliation
        self.subject_of = SDO.subjectOf
        self.start_date = SDO.startDate
        self.end_date = SDO.endDate
        self.attendance_mode = SDO.eventAttendanceMode
        self.location = SDO.location
        self.organizer = SDO.organizer
        self.attendance_modes = {
            "online": SDO.OnlineEventAttendanceMode,
            "offline": SDO.OfflineEventAttendanceMode,
            "mixed": SDO.MixedEventAttendanceMode,
        }
        # provenance
        self.was_derived_from = PROV.wasDerivedFrom
        self.generated_at_time = PROV.generatedAtTime
        self.entity = PROV.Entity
        # mig:
        self.theme = URIRef(mig + "theme")
        self.framework = URIRef(mig + "framework")
        self.describes_event = URIRef(mig + "describesEvent")
        self.event_category = URIRef(mig + "eventCategory")
        self.participant_count = URIRef(mig + "participantCount")
        self.converter_version = URIRef(mig + "converterVersion")
        self.source_line = URIRef(mig + "sourceLine")
        self.source_position = URIRef(mig + "sourcePosition")
        self.literals = LiteralMaker()
        # literals every item of one conversion shares
        self.generated_at = generated_at_literal(generated_at)
        self.version = plain_literal(converter_version)
        # recurring terms, by key
        self.country: Memory[str, URIRef] = Memory(iris.country)
        self.organization: Memory[str, URIRef] = Memory(iris.organization)
        self.place: Memory[str, URIRef] = Memory(iris.place)
        self.concept: Memory[str, URIRef] = Memory(iris.concept)
        self.theme_concept: Memory[str, URIRef] = Memory(iris.theme)
        self.schema_class: Memory[str, URIRef] = Memory(_schema_class)
        self.plain: Memory[str, Literal] = Memory(plain_literal)
        self.number: Memory[int, Literal] = Memory(Literal)
        self.date: Memory[dt.date, Literal] = Memory(date_literal)
        self._iris = iris

    def news_iri(self, item_id: str) -> URIRef:
        """Return the IRI of a news item."""
        return self._iris.news(item_id)

    def source_iri(self, item_id: str) -> URIRef:
        """Return the IRI of the source of a news item."""
        return URIRef(f"{self._iris.news(item_id)}#source")

    def person_iri(self, slug: str) -> URIRef:
        """Return the IRI of a person."""
        return self._iris.person(slug)

    def event_iri(self, event_id: str) -> URIRef:
        """Return the IRI of an event."""
        return self._iris.event(event_id)

    def web_iri(self, url: str) -> URIRef:
        """Return an IRI given in the input (an item's URL)."""
        return URIRef(url)


def date_literal(value: dt.date) -> Literal:
    """Return ``value`` as an ``xsd:date`` literal."""
    return Literal(value.isoformat(), datatype=XSD.date)


def _schema_class(name: str) -> URIRef:
    return SDO[name]
