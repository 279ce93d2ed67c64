"""Map one enriched news item to RDF triples (schema.org plus the mig: vocabulary).

The mapping is pure: it takes records and returns triples; it never reads
files or the clock. Descriptions of the things an item links to (countries,
organisations, places) are produced separately, once per output, by
:mod:`converter.references`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import SDO

from converter.iris import Iris, item_id, slugify
from converter.records import Enrichment, Event, NewsItem, Person
from converter.terms import Terms, generated_at_literal

__all__ = [
    "ATTENDANCE_MODES",
    "MappedItem",
    "MappingContext",
    "Triple",
    "generated_at_literal",
    "map_item",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

ATTENDANCE_MODES = {
    "online": SDO.OnlineEventAttendanceMode,
    "offline": SDO.OfflineEventAttendanceMode,
    "mixed": SDO.MixedEventAttendanceMode,
}


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What the mapping needs besides the item: IRIs, publisher, time and version.

    It also holds the :class:`~converter.terms.Terms` built for them, so that
    recurring terms are built once per context.
    """

    iris: Iris
    publisher: str
    generated_at: dt.datetime
    converter_version: str
    terms: Terms = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = Terms(self.iris, self.generated_at, self.converter_version)
        object.__setattr__(self, "terms", terms)

    @property
    def mig(self) -> Namespace:
        """Return the mig: namespace under the configured base."""
        return Namespace(self.iris.mig)


@dataclass(frozen=True, slots=True)
class MappedItem:
    """The triples of one news item and the IRIs of what it links to."""

    id: str
    iri: URIRef
    graph: URIRef
    triples: list[Triple]
    countries: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    concepts: tuple[str, ...]


def map_item(item: NewsItem, found: Enrichment, ctx: MappingContext) -> MappedItem:
    """Return the triples that describe ``item`` given what enrichment ``found``."""
    iris, t = ctx.iris, ctx.terms
    local_id = item_id(item.date.isoformat(), item.headline)
    s = iris.news(local_id)
    lang = found.language
    country, organization, place = t.country, t.organization, t.place
    mentions = t.mentions
    text, tagged = t.literals.string, t.literals.text
    out: list[Triple] = [
        (s, t.type, t.news_article),
        (s, t.identifier, text(local_id)),
        (s, t.headline, tagged(item.headline, lang)),
        (s, t.date_published, t.date[item.date]),
        (s, t.in_language, t.plain[lang]),
        (s, t.publisher, organization[ctx.publisher]),
    ]
    if item.paragraphs:
        out.append((s, t.abstract, tagged(item.paragraphs[0], lang)))
        out.append((s, t.article_body, tagged(item.body, lang)))
    if item.url:
        out.append((s, t.url, URIRef(item.url)))

    organizations = [o.slug for o in found.organizations]
    places = [p.slug for p in found.places]
    out += [(s, mentions, country[code]) for code in found.countries]
    out += [(s, mentions, organization[slug]) for slug in organizations]
    out += [(s, mentions, place[slug]) for slug in places]
    out += [(s, t.about, country[code]) for code in found.about]
    out += [(s, t.theme, t.theme_concept[theme]) for theme in found.themes]
    for path in found.frameworks:
        # Frameworks link with mig:framework; a finer concept (a GCM objective) is a reference.
        predicate = t.framework if path.startswith("framework/") else t.references
        out.append((s, predicate, t.concept[path]))
    if found.dateline is not None:
        out.append((s, t.dateline, text(found.dateline.text)))
        if found.dateline.place:
            out.append((s, t.location_created, place[found.dateline.place]))
        elif found.dateline.country:
            out.append((s, t.location_created, country[found.dateline.country]))
    for person in found.persons:
        out.append((s, mentions, iris.person(person.slug)))
        _person(out, person, lang, iris, t)
    if found.event is not None:
        _event(out, found.event, s, item, lang, iris, t)

    source = URIRef(str(s) + "#source")
    out += [
        (s, t.was_derived_from, source),
        (s, t.generated_at_time, t.generated_at),
        (s, t.converter_version, t.version),
        (source, t.type, t.entity),
        (source, t.name, t.plain[item.source.name]),
        (source, t.source_line, t.literals.integer(item.source.line)),
        (source, t.source_position, t.literals.integer(item.source.position)),
    ]
    concepts = [f"theme/{theme}" for theme in found.themes] + list(found.frameworks)
    return MappedItem(
        id=local_id,
        iri=s,
        graph=iris.news_graph(local_id),
        triples=out,
        countries=tuple(dict.fromkeys([*found.countries, *found.about, *_event_countries(found)])),
        organizations=tuple(
            dict.fromkeys(
                [ctx.publisher, *organizations, *_affiliations(found.persons), *_organizers(found)]
            )
        ),
        places=tuple(dict.fromkeys(places)),
        concepts=tuple(dict.fromkeys(concepts)),
    )


def _affiliations(persons: list[Person]) -> Iterator[str]:
    for person in persons:
        if person.affiliation:
            yield person.affiliation


def _organizers(found: Enrichment) -> tuple[str, ...]:
    return found.event.organizers if found.event is not None else ()


def _event_countries(found: Enrichment) -> tuple[str, ...]:
    event = found.event
    if event is not None and event.location_country and not event.location:
        return (event.location_country,)
    return ()


def _person(out: list[Triple], person: Person, lang: str, iris: Iris, t: Terms) -> None:
    """Append the triples that describe one person."""
    p = iris.person(person.slug)
    name = t.literals.string(person.name)
    out.append((p, t.type, t.person))
    out.append((p, t.name, name))
    out.append((p, t.label, name))
    if person.honorific:
        out.append((p, t.honorific_prefix, t.plain[person.honorific]))
    if person.job_title:
        out.append((p, t.job_title, t.literals.text(person.job_title, lang)))
    if person.affiliation:
        out.append((p, t.affiliation, t.organization[person.affiliation]))


def _event(
    out: list[Triple],
    event: Event,
    article: URIRef,
    item: NewsItem,
    lang: str,
    iris: Iris,
    t: Terms,
) -> None:
    """Append the triples that describe the event an item reports."""
    day = (event.start or item.date).isoformat()
    e = iris.event(f"{day}-{slugify(event.name)}")
    out.append((article, t.describes_event, e))
    out.append((e, t.type, t.schema_class[event.kind]))
    out.append((e, t.name, t.literals.text(event.name, lang)))
    out.append((e, t.event_category, t.plain[event.category]))
    out.append((e, t.subject_of, article))
    if event.start:
        out.append((e, t.start_date, t.date[event.start]))
    if event.end:
        out.append((e, t.end_date, t.date[event.end]))
    if event.attendance in t.attendance_modes:
        out.append((e, t.attendance_mode, t.attendance_modes[event.attendance]))
    if event.location:
        out.append((e, t.location, t.place[event.location]))
    elif event.location_country:
        out.append((e, t.location, t.country[event.location_country]))
    for slug in event.organizers:
        out.append((e, t.organizer, t.organization[slug]))
    if event.participants is not None:
        out.append((e, t.participant_count, t.number[event.participants]))
