"""Build synthetic datasets in the shape of docs/MODEL.md, for benchmarks and tests.

The data is deterministic: item ``n`` always gets the same countries, themes and event.
"""

from __future__ import annotations

from rdflib import OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SDO

COUNTRIES = (
    "SR",
    "PA",
    "GY",
    "MX",
    "HN",
    "GT",
    "SV",
    "CR",
    "BZ",
    "DO",
    "HT",
    "JM",
    "TT",
    "CO",
    "EC",
)
ORGANIZATIONS = ("iom", "ilo", "unhcr", "caricom-impacs", "flacso", "oas")
THEMES = ("labour-migration", "border-management", "protection", "capacity-building", "health")
FRAMEWORKS = ("gcm", "migof", "mgi")
CATEGORIES = ("training", "course", "workshop", "forum", "meeting", "signing", "launch")
EVENT_TYPES = ("EducationEvent", "Event", "BusinessEvent", "PublicationEvent")
ATTENDANCE = ("OnlineEventAttendanceMode", "OfflineEventAttendanceMode", "MixedEventAttendanceMode")


class Synthetic:
    """Mint the synthetic resources under one base IRI."""

    def __init__(self, base: str = "https://w3id.org/miglod/") -> None:
        self.base = base
        self.mig = base + "def/mig/"

    def iri(self, path: str) -> URIRef:
        """Return ``base`` + ``path``."""
        return URIRef(self.base + path)

    def reference(self) -> Graph:
        """Return the countries, organisations, places and concepts items link to."""
        g = Graph()
        for code in COUNTRIES:
            c = self.iri(f"id/country/{code}")
            g.add((c, RDF.type, SDO.Country))
            g.add((c, SDO.identifier, Literal(code)))
            for lang in ("en", "es"):
                g.add((c, SDO.name, Literal(f"Country {code}", lang=lang)))
                g.add((c, RDFS.label, Literal(f"Country {code}", lang=lang)))
            g.add(
                (
                    c,
                    OWL.sameAs,
                    URIRef(f"http://www.wikidata.org/entity/Q{ord(code[0])}{ord(code[1])}"),
                )
            )
        for slug in ORGANIZATIONS:
            o = self.iri(f"id/organization/{slug}")
            g.add((o, RDF.type, SDO.Organization))
            g.add((o, SDO.name, Literal(slug.upper(), lang="en")))
            g.add((o, RDFS.label, Literal(slug.upper(), lang="en")))
            g.add((o, SDO.alternateName, Literal(slug.upper())))
        for code in COUNTRIES[:5]:
            p = self.iri(f"id/place/capital-{code.lower()}")
            g.add((p, RDF.type, SDO.Place))
            g.add((p, SDO.name, Literal(f"Capital of {code}")))
            g.add((p, SDO.containedInPlace, self.iri(f"id/country/{code}")))
            g.add((p, SDO.latitude, Literal("6.5", datatype=XSD.double)))
            g.add((p, SDO.longitude, Literal("-58.2", datatype=XSD.double)))
        for scheme, slugs in (("theme", THEMES), ("framework", FRAMEWORKS)):
            s = self.iri(f"def/{scheme}")
            g.add((s, RDF.type, SKOS.ConceptScheme))
            g.add((s, SKOS.prefLabel, Literal(scheme, lang="en")))
            for slug in slugs:
                c = self.iri(f"def/{scheme}/{slug}")
                g.add((c, RDF.type, SKOS.Concept))
                g.add((c, SKOS.inScheme, s))
                g.add((c, SKOS.notation, Literal(slug)))
                g.add((c, SKOS.prefLabel, Literal(slug, lang="en")))
                g.add((c, SKOS.prefLabel, Literal(slug, lang="es")))
        return g

    def item_id(self, n: int) -> str:
        """Return the local id of item ``n``."""
        return f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}-synthetic-news-item-{n}"

    def item(self, n: int) -> Graph:
        """Return the graph of item ``n``: article, source record, maybe an event and a person."""
        g, local = Graph(), self.item_id(n)
        a = self.iri(f"id/news/{local}")
        src = URIRef(a + "#source")
        date = local[:10]
        country = self.iri(f"id/country/{COUNTRIES[n % len(COUNTRIES)]}")
        org = self.iri(f"id/organization/{ORGANIZATIONS[n % len(ORGANIZATIONS)]}")
        mig = self.mig
        triples = [
            (a, RDF.type, SDO.NewsArticle),
            (a, SDO.identifier, Literal(local)),
            (
                a,
                SDO.headline,
                Literal(f"Synthetic news item number {n} about migration", lang="en"),
            ),
            (a, SDO.abstract, Literal(f"First paragraph of item {n}.", lang="en")),
            (a, SDO.articleBody, Literal(f"First paragraph of item {n}.\n\nMore text.", lang="en")),
            (a, SDO.datePublished, Literal(date, datatype=XSD.date)),
            (a, SDO.inLanguage, Literal("en")),
            (a, SDO.publisher, self.iri("id/organization/iom")),
            (a, SDO.mentions, country),
            (a, SDO.mentions, org),
            (a, SDO.about, country),
            (a, URIRef(mig + "theme"), self.iri(f"def/theme/{THEMES[n % len(THEMES)]}")),
            (a, URIRef(mig + "framework"), self.iri(f"def/framework/{FRAMEWORKS[n % 3]}")),
            (a, PROV.wasDerivedFrom, src),
            (a, PROV.generatedAtTime, Literal("2026-11-28T00:00:00Z", datatype=XSD.dateTime)),
            (a, URIRef(mig + "converterVersion"), Literal("0.1.0")),
            (src, RDF.type, PROV.Entity),
            (src, SDO.name, Literal("news/synthetic.txt")),
            (src, URIRef(mig + "sourceLine"), Literal(1 + 6 * n)),
            (src, URIRef(mig + "sourcePosition"), Literal(1 + n)),
        ]
        if n % 3 == 0:
            e = self.iri(f"id/event/{date}-synthetic-event-{n}")
            triples += [
                (a, URIRef(mig + "describesEvent"), e),
                (e, RDF.type, SDO[EVENT_TYPES[n % len(EVENT_TYPES)]]),
                (e, SDO.name, Literal(f"Synthetic event {n}", lang="en")),
                (e, URIRef(mig + "eventCategory"), Literal(CATEGORIES[n % len(CATEGORIES)])),
                (e, SDO.startDate, Literal(date, datatype=XSD.date)),
                (e, SDO.endDate, Literal(date, datatype=XSD.date)),
                (e, SDO.eventAttendanceMode, SDO[ATTENDANCE[n % 3]]),
                (e, SDO.location, country),
                (e, SDO.organizer, org),
                (e, URIRef(mig + "participantCount"), Literal(10 + n % 90)),
                (e, SDO.subjectOf, a),
            ]
        if n % 5 == 0:
            p = self.iri(f"id/person/person-{n % 50}")
            triples += [
                (a, SDO.mentions, p),
                (p, RDF.type, SDO.Person),
                (p, SDO.name, Literal(f"Person {n % 50}")),
                (p, SDO.jobTitle, Literal("Minister", lang="en")),
                (p, SDO.affiliation, org),
            ]
        for t in triples:
            g.add(t)
        return g

    def dataset(self, size: int) -> Graph:
        """Return ``size`` items plus the reference data, as one graph."""
        g = self.reference()
        for n in range(size):
            g += self.item(n)
        return g
