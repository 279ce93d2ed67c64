"""Map one enriched news item to RDF triples (schema.org plus the mig: vocabulary).

The mapping is pure: it takes records and returns triples; it never reads
files or the clock. Descriptions of the things an item links to (countries,
organisations, places) are produced separately, once per output, by
:mod:`converter.references`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, cast

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import SDO

from converter.iris import Iris, item_id, slugify
from converter.lineterms import LineTerms
from converter.records import Enrichment, Event, NewsItem, Person
from converter.terms import Terms, generated_at_literal

__all__ = [
    "ATTENDANCE_MODES",
    "LineTriple",
    "MappedItem",
    "MappingContext",
    "Triple",
    "generated_at_literal",
    "map_item",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]
LineTriple = tuple[str, str, str]  # the terms in N-Triples syntax

ATTENDANCE_MODES = {
    "online": SDO.OnlineEventAttendanceMode,
    "offline": SDO.OfflineEventAttendanceMode,
    "mixed": SDO.MixedEventAttendanceMode,
}


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What the mapping needs besides the item: IRIs, publisher, time and version.

    It also holds the :class:`~converter.terms.Terms` built for them, so that
    recurring terms are built once per context. With ``ntriples``, the terms
    are :class:`~converter.lineterms.LineTerms` and mapped items carry their
    triples in N-Triples syntax (:attr:`MappedItem.lines`) instead of rdflib terms.
    """

    iris: Iris
    publisher: str
    generated_at: dt.datetime
    converter_version: str
    ntriples: bool = False
    terms: Terms | LineTerms = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        make = LineTerms if self.ntriples else Terms
        terms = make(self.iris, self.generated_at, self.converter_version)
        object.__setattr__(self, "terms", terms)

    @property
    def mig(self) -> Namespace:
        """Return the mig: namespace under the configured base."""
        return Namespace(self.iris.mig)


class MappedItem(NamedTuple):
    """The triples of one news item and the IRIs of what it links to.

    The triples are rdflib terms in :attr:`triples`, or, when the mapping
    context asked for N-Triples, N-Triples text in :attr:`lines` (and
    :attr:`triples` is empty).
    """

    id: str
    iri: URIRef
    graph: URIRef
    triples: list[Triple]
    countries: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    concepts: tuple[str, ...]
    lines: list[LineTriple] | None = None

    @property
    def size(self) -> int:
        """Return how many triples describe the item."""
        return len(self.lines) if self.lines is not None else len(self.triples)


def map_item(item: NewsItem, found: Enrichment, ctx: MappingContext) -> MappedItem:
    """Return the triples that describe ``item`` given what enrichment ``found``."""
    iris, t = ctx.iris, ctx.terms
    local_id = item_id(item.date.isoformat(), item.headline)
    s = t.news_iri(local_id)
    lang = found.language
    country, organization, place = t.country, t.organization, t.place
    mentions = t.mentions
    text, tagged = t.literals.string, t.literals.text
    out: list[LineTriple] = [
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
        out.append((s, t.url, t.web_iri(item.url)))

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
        out.append((s, mentions, t.person_iri(person.slug)))
        _person(out, person, lang, t)
    if found.event is not None:
        _event(out, found.event, s, item, lang, t)

    source = t.source_iri(local_id)
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
    lines = out if ctx.ntriples else None
    return MappedItem(
        id=local_id,
        iri=iris.news(local_id) if lines is not None else cast(URIRef, s),
        graph=iris.news_graph(local_id),
        # Without ``ntriples`` the terms are rdflib's (see MappingContext).
        triples=[] if lines is not None else cast(list[Triple], out),
        lines=lines,
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


def _person(out: list[LineTriple], person: Person, lang: str, t: Terms | LineTerms) -> None:
    """Append the triples that describe one person."""
    p = t.person_iri(person.slug)
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
    out: list[LineTriple],
    event: Event,
    article: str,
    item: NewsItem,
    lang: str,
    t: Terms | LineTerms,
) -> None:
    """Append the triples that describe the event an item reports."""
    day = (event.start or item.date).isoformat()
    e = t.event_iri(f"{day}-{slugify(event.name)}-{_scope(article)}")
    out.append((article, t.describes_event, e))
    out.append((e, t.type, t.schema_class[event.kind]))
    out.append((e, t.name, t.literals.text(event.name, lang)))
    out.append((e, t.event_category, t.plain[event.category]))
    out.append((e, t.subject_of, article))
    if event.start:
        out.append((e, t.start_date, t.date[event.start]))
    if event.end:
        out.append((e, t.end_date, t.date[event.end]))
    mode = t.attendance_modes.get(event.attendance or "")
    if mode is not None:
        out.append((e, t.attendance_mode, mode))
    if event.location:
        out.append((e, t.location, t.place[event.location]))
    elif event.location_country:
        out.append((e, t.location, t.country[event.location_country]))
    for slug in event.organizers:
        out.append((e, t.organizer, t.organization[slug]))
    if event.participants is not None:
        out.append((e, t.participant_count, t.number[event.participants]))


def _scope(article: str) -> str:
    """Return a short, stable digest of the IRI of the item that describes an event.

    Each item's event gets an IRI of its own: two items naming the same event on
    the same day may give it different end dates or participant counts, and one
    IRI would then carry both.
    """
    iri = str(article).strip("<>")
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()[:6]
