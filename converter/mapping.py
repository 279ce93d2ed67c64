"""Map one enriched news item to RDF triples (schema.org plus the mig: vocabulary).

The mapping is pure: it takes records and returns triples; it never reads
files or the clock. Descriptions of the things an item links to (countries,
organisations, places) are produced separately, once per output, by
:mod:`converter.references`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import DCTERMS, RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SDO

from converter.iris import Iris, item_id, slugify
from converter.records import Enrichment, Event, NewsItem, Person

Triple = tuple[URIRef, URIRef, URIRef | Literal]

ATTENDANCE_MODES = {
    "online": SDO.OnlineEventAttendanceMode,
    "offline": SDO.OfflineEventAttendanceMode,
    "mixed": SDO.MixedEventAttendanceMode,
}


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What the mapping needs besides the item: IRIs, publisher, time and version."""

    iris: Iris
    publisher: str
    generated_at: dt.datetime
    converter_version: str

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


def _text(value: str, language: str) -> Literal:
    return Literal(value, lang=language)


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def generated_at_literal(value: dt.datetime) -> Literal:
    """Return ``value`` as an ``xsd:dateTime`` literal in UTC (whole seconds, offset +00:00)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    utc = value.astimezone(dt.UTC).replace(microsecond=0)
    return Literal(utc.isoformat(), datatype=XSD.dateTime)


def map_item(item: NewsItem, found: Enrichment, ctx: MappingContext) -> MappedItem:
    """Return the triples that describe ``item`` given what enrichment ``found``."""
    iris, mig = ctx.iris, ctx.mig
    local_id = item_id(item.date.isoformat(), item.headline)
    s = iris.news(local_id)
    lang = found.language
    out: list[Triple] = [
        (s, RDF.type, SDO.NewsArticle),
        (s, SDO.identifier, Literal(local_id)),
        (s, SDO.headline, _text(item.headline, lang)),
        (s, SDO.datePublished, _date(item.date)),
        (s, SDO.inLanguage, Literal(lang)),
        (s, SDO.publisher, iris.organization(ctx.publisher)),
    ]
    if item.paragraphs:
        out.append((s, SDO.abstract, _text(item.paragraphs[0], lang)))
        out.append((s, SDO.articleBody, _text(item.body, lang)))
    if item.url:
        out.append((s, SDO.url, URIRef(item.url)))

    organizations = [o.slug for o in found.organizations]
    places = [p.slug for p in found.places]
    for code in found.countries:
        out.append((s, SDO.mentions, iris.country(code)))
    for slug in organizations:
        out.append((s, SDO.mentions, iris.organization(slug)))
    for slug in places:
        out.append((s, SDO.mentions, iris.place(slug)))
    for code in found.about:
        out.append((s, SDO.about, iris.country(code)))
    for theme in found.themes:
        out.append((s, mig.theme, iris.theme(theme)))
    for path in found.frameworks:
        # Frameworks link with mig:framework; a finer concept (a GCM objective) is a reference.
        predicate = mig.framework if path.startswith("framework/") else DCTERMS.references
        out.append((s, predicate, iris.concept(path)))
    if found.dateline is not None:
        out.append((s, SDO.dateline, Literal(found.dateline.text)))
        if found.dateline.place:
            out.append((s, SDO.locationCreated, iris.place(found.dateline.place)))
        elif found.dateline.country:
            out.append((s, SDO.locationCreated, iris.country(found.dateline.country)))
    for person in found.persons:
        out.append((s, SDO.mentions, iris.person(person.slug)))
        out.extend(_person(person, lang, iris))
    if found.event is not None:
        out.extend(_event(found.event, s, item, lang, iris, mig))

    source = URIRef(str(s) + "#source")
    out += [
        (s, PROV.wasDerivedFrom, source),
        (s, PROV.generatedAtTime, generated_at_literal(ctx.generated_at)),
        (s, mig.converterVersion, Literal(ctx.converter_version)),
        (source, RDF.type, PROV.Entity),
        (source, SDO.name, Literal(item.source.name)),
        (source, mig.sourceLine, Literal(item.source.line)),
        (source, mig.sourcePosition, Literal(item.source.position)),
    ]
    concepts = [f"theme/{t}" for t in found.themes] + list(found.frameworks)
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


def _person(person: Person, lang: str, iris: Iris) -> Iterator[Triple]:
    p = iris.person(person.slug)
    yield (p, RDF.type, SDO.Person)
    yield (p, SDO.name, Literal(person.name))
    yield (p, RDFS.label, Literal(person.name))
    if person.honorific:
        yield (p, SDO.honorificPrefix, Literal(person.honorific))
    if person.job_title:
        yield (p, SDO.jobTitle, _text(person.job_title, lang))
    if person.affiliation:
        yield (p, SDO.affiliation, iris.organization(person.affiliation))


def _event(
    event: Event, article: URIRef, item: NewsItem, lang: str, iris: Iris, mig: Namespace
) -> Iterator[Triple]:
    day = (event.start or item.date).isoformat()
    e = iris.event(f"{day}-{slugify(event.name)}")
    yield (article, mig.describesEvent, e)
    yield (e, RDF.type, SDO[event.kind])
    yield (e, SDO.name, _text(event.name, lang))
    yield (e, mig.eventCategory, Literal(event.category))
    yield (e, SDO.subjectOf, article)
    if event.start:
        yield (e, SDO.startDate, _date(event.start))
    if event.end:
        yield (e, SDO.endDate, _date(event.end))
    if event.attendance in ATTENDANCE_MODES:
        yield (e, SDO.eventAttendanceMode, ATTENDANCE_MODES[event.attendance])
    if event.location:
        yield (e, SDO.location, iris.place(event.location))
    elif event.location_country:
        yield (e, SDO.location, iris.country(event.location_country))
    for slug in event.organizers:
        yield (e, SDO.organizer, iris.organization(slug))
    if event.participants is not None:
        yield (e, mig.participantCount, Literal(event.participants))
