"""Describe what news items link to: countries, organisations, places and concepts.

Items only point at these resources; their descriptions are written once per
output (and kept in their own named graphs in the store) so that every file
the converter writes validates and reads well on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SDO

from converter.extract.countries import CountryIndex
from converter.iris import Iris
from converter.mapping import MappedItem, Triple
from converter.records import Organization, Place

WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"
COUNTRY_LANGUAGES = ("en", "es", "fr", "pt")


class References:
    """Collect the resources that mapped items link to and describe them at the end."""

    def __init__(
        self,
        iris: Iris,
        countries: CountryIndex,
        ontology: Graph,
        lookup: Callable[[str], Organization | None],
    ) -> None:
        self.iris = iris
        self.lookup = lookup
        self.country_index = countries
        self.ontology = ontology
        self.countries: set[str] = set()
        self.organizations: dict[str, Organization] = {}
        self.places: dict[str, Place] = {}
        self.concepts: set[str] = set()

    def add(
        self, mapped: MappedItem, organizations: Iterable[Organization], places: Iterable[Place]
    ) -> None:
        """Remember what ``mapped`` links to."""
        self.countries.update(mapped.countries)
        self.concepts.update(mapped.concepts)
        for org in organizations:
            self._add_organization(org)
        for place in places:
            self.places.setdefault(place.slug, place)
            self.countries.add(place.country)

    def _add_organization(self, org: Organization) -> None:
        """Remember ``org`` and its parents, and the countries they serve, so every link resolves."""
        while org.slug not in self.organizations:
            self.organizations[org.slug] = org
            if org.country:
                self.countries.add(org.country)
            parent = self.lookup(org.parent) if org.parent else None
            if parent is None:
                return
            org = parent

    def triples(self) -> Iterator[tuple[str, Triple]]:
        """Yield ``(graph name, triple)`` for every collected resource, in a stable order."""
        for code in sorted(self.countries):
            for t in country_triples(code, self.iris, self.country_index):
                yield "countries", t
        for slug in sorted(self.organizations):
            for t in organization_triples(self.organizations[slug], self.iris):
                yield "organizations", t
        for slug in sorted(self.places):
            for t in place_triples(self.places[slug], self.iris):
                yield "places", t
        for t in vocabulary_triples(self.ontology):
            yield "ontology", t


def country_triples(code: str, iris: Iris, index: CountryIndex) -> Iterator[Triple]:
    """Describe one country: type, ISO code, labels in four languages, authorities."""
    c = iris.country(code)
    yield (c, RDF.type, SDO.Country)
    yield (c, SDO.identifier, Literal(code))
    labels = index.labels(code)
    for lang in COUNTRY_LANGUAGES:
        label = labels.get(lang)
        if label:
            yield (c, SDO.name, Literal(label, lang=lang))
            yield (c, RDFS.label, Literal(label, lang=lang))
    qid = index.wikidata(code)
    if qid:
        yield (c, OWL.sameAs, URIRef(WIKIDATA + qid))
    geonames = index.geonames(code)
    if geonames:
        yield (c, OWL.sameAs, URIRef(f"{GEONAMES}{geonames}/"))


def organization_triples(org: Organization, iris: Iris) -> Iterator[Triple]:
    """Describe one organisation: type, names by language, acronyms, parent, country."""
    o = iris.organization(org.slug)
    yield (o, RDF.type, SDO[org.kind])
    if org.kind != "Organization":
        # Typed as plain Organization too, so consumers without schema.org inference find it.
        yield (o, RDF.type, SDO.Organization)
    labels = org.labels or (("en", org.name),)
    for lang, label in labels:
        yield (o, SDO.name, Literal(label, lang=lang))
        yield (o, RDFS.label, Literal(label, lang=lang))
    for name in dict.fromkeys(
        (org.acronym, *org.alternate_names) if org.acronym else org.alternate_names
    ):
        if name:
            yield (o, SDO.alternateName, Literal(name))
    if org.parent:
        yield (o, SDO.parentOrganization, iris.organization(org.parent))
    if org.country:
        yield (o, SDO.areaServed, iris.country(org.country))
    for same in org.same_as:
        yield (o, OWL.sameAs, URIRef(same if "://" in same else WIKIDATA + same))
    if org.url:
        yield (o, SDO.url, URIRef(org.url))


def place_triples(place: Place, iris: Iris) -> Iterator[Triple]:
    """Describe one place: name, country, coordinates and its GeoNames IRI."""
    p = iris.place(place.slug)
    yield (p, RDF.type, SDO.Place)
    yield (p, SDO.name, Literal(place.name))
    yield (p, RDFS.label, Literal(place.name))
    yield (p, SDO.containedInPlace, iris.country(place.country))
    if place.latitude is not None and place.longitude is not None:
        yield (p, SDO.latitude, Literal(repr(float(place.latitude)), datatype=XSD.double))
        yield (p, SDO.longitude, Literal(repr(float(place.longitude)), datatype=XSD.double))
    if place.geonames_id:
        yield (p, OWL.sameAs, URIRef(f"{GEONAMES}{place.geonames_id}/"))


def vocabulary_triples(ontology: Graph) -> Iterator[Triple]:
    """Yield the whole vocabulary (terms, schemes and concepts) in a stable order.

    Items link to concepts, and concepts link to each other and to their
    schemes; shipping the vocabulary whole keeps every link resolvable.
    """
    for s, p, o in sorted(ontology):
        if isinstance(s, URIRef) and isinstance(o, URIRef | Literal):
            yield (s, p, o)  # type: ignore[misc]
