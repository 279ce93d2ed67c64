"""Build synthetic datasets in the shape of docs/MODEL.md, for benchmarks and tests.

The data is deterministic: item ``n`` always gets the same countries, themes and event.
Each item is written once as plain rows and rendered either as an rdflib graph or,
without building rdflib terms (which dominates at 100,000 items), as Oxigraph quads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SDO
from rdflib.term import Node

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


class Lit(NamedTuple):
    """A literal before it becomes an rdflib or Oxigraph term."""

    value: str
    lang: str | None = None
    datatype: str | None = None


Row = tuple[str, str, "str | Lit"]
_A = str(RDF.type)
_DATE, _INT, _DOUBLE, _DATETIME = (
    str(XSD.date),
    str(XSD.integer),
    str(XSD.double),
    str(XSD.dateTime),
)
S = str(SDO)


def _rdf_term(term: str | Lit) -> Node:
    if isinstance(term, Lit):
        datatype = URIRef(term.datatype) if term.datatype else None
        return Literal(term.value, lang=term.lang, datatype=datatype)
    return URIRef(term)


def to_graph(rows: Iterable[Row], graph: Graph | None = None) -> Graph:
    """Add ``rows`` to ``graph`` (default: a new graph) as rdflib triples."""
    out = Graph() if graph is None else graph
    for s, p, o in rows:
        out.add((URIRef(s), URIRef(p), _rdf_term(o)))
    return out


class _OxTerms:
    """Build each distinct Oxigraph term once."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}
        self.literals: dict[Lit, ox.Literal] = {}

    def iri(self, value: str) -> ox.NamedNode:
        found = self.iris.get(value)
        if found is None:
            found = self.iris[value] = ox.NamedNode(value)
        return found

    def term(self, value: str | Lit) -> ox.NamedNode | ox.Literal:
        if not isinstance(value, Lit):
            return self.iri(value)
        found = self.literals.get(value)
        if found is None:
            if value.lang:
                found = ox.Literal(value.value, language=value.lang)
            elif value.datatype:
                found = ox.Literal(value.value, datatype=self.iri(value.datatype))
            else:
                found = ox.Literal(value.value)
            self.literals[value] = found
        return found


class Synthetic:
    """Mint the synthetic resources under one base IRI."""

    def __init__(self, base: str = "https://w3id.org/miglod/") -> None:
        self.base = base
        self.mig = base + "def/mig/"

    def iri(self, path: str) -> URIRef:
        """Return ``base`` + ``path``."""
        return URIRef(self.base + path)

    def reference_rows(self) -> list[Row]:
        """Return the rows of the countries, organisations, places and concepts items link to."""
        b = self.base
        rows: list[Row] = []
        for code in COUNTRIES:
            c = f"{b}id/country/{code}"
            rows += [(c, _A, S + "Country"), (c, S + "identifier", Lit(code))]
            for lang in ("en", "es"):
                rows.append((c, S + "name", Lit(f"Country {code}", lang)))
                rows.append((c, str(RDFS.label), Lit(f"Country {code}", lang)))
            wikidata = f"http://www.wikidata.org/entity/Q{ord(code[0])}{ord(code[1])}"
            rows.append((c, str(OWL.sameAs), wikidata))
        for slug in ORGANIZATIONS:
            o = f"{b}id/organization/{slug}"
            rows += [
                (o, _A, S + "Organization"),
                (o, S + "name", Lit(slug.upper(), "en")),
                (o, str(RDFS.label), Lit(slug.upper(), "en")),
                (o, S + "alternateName", Lit(slug.upper())),
            ]
        for code in COUNTRIES[:5]:
            p = f"{b}id/place/capital-{code.lower()}"
            rows += [
                (p, _A, S + "Place"),
                (p, S + "name", Lit(f"Capital of {code}")),
                (p, S + "containedInPlace", f"{b}id/country/{code}"),
                (p, S + "latitude", Lit("6.5", None, _DOUBLE)),
                (p, S + "longitude", Lit("-58.2", None, _DOUBLE)),
            ]
        for scheme, slugs in (("theme", THEMES), ("framework", FRAMEWORKS)):
            s = f"{b}def/{scheme}"
            rows += [(s, _A, str(SKOS.ConceptScheme)), (s, str(SKOS.prefLabel), Lit(scheme, "en"))]
            for slug in slugs:
                c = f"{b}def/{scheme}/{slug}"
                rows += [
                    (c, _A, str(SKOS.Concept)),
                    (c, str(SKOS.inScheme), s),
                    (c, str(SKOS.notation), Lit(slug)),
                    (c, str(SKOS.prefLabel), Lit(slug, "en")),
                    (c, str(SKOS.prefLabel), Lit(slug, "es")),
                ]
        return rows

    def reference(self) -> Graph:
        """Return the countries, organisations, places and concepts items link to."""
        return to_graph(self.reference_rows())

    def item_id(self, n: int) -> str:
        """Return the local id of item ``n``."""
        return f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}-synthetic-news-item-{n}"

    def item_rows(self, n: int) -> list[Row]:
        """Return the rows of item ``n``: article, source record, maybe an event and a person."""
        b, mig, local = self.base, self.mig, self.item_id(n)
        a = f"{b}id/news/{local}"
        src = a + "#source"
        date = Lit(local[:10], None, _DATE)
        country = f"{b}id/country/{COUNTRIES[n % len(COUNTRIES)]}"
        org = f"{b}id/organization/{ORGANIZATIONS[n % len(ORGANIZATIONS)]}"
        rows: list[Row] = [
            (a, _A, S + "NewsArticle"),
            (a, S + "identifier", Lit(local)),
            (a, S + "headline", Lit(f"Synthetic news item number {n} about migration", "en")),
            (a, S + "abstract", Lit(f"First paragraph of item {n}.", "en")),
            (a, S + "articleBody", Lit(f"First paragraph of item {n}.\n\nMore text.", "en")),
            (a, S + "datePublished", date),
            (a, S + "inLanguage", Lit("en")),
            (a, S + "publisher", f"{b}id/organization/iom"),
            (a, S + "mentions", country),
            (a, S + "mentions", org),
            (a, S + "about", country),
            (a, mig + "theme", f"{b}def/theme/{THEMES[n % len(THEMES)]}"),
            (a, mig + "framework", f"{b}def/framework/{FRAMEWORKS[n % 3]}"),
            (a, str(PROV.wasDerivedFrom), src),
            (a, str(PROV.generatedAtTime), Lit("2026-11-28T00:00:00Z", None, _DATETIME)),
            (a, mig + "converterVersion", Lit("0.1.0")),
            (src, _A, str(PROV.Entity)),
            (src, S + "name", Lit("news/synthetic.txt")),
            (src, mig + "sourceLine", Lit(str(1 + 6 * n), None, _INT)),
            (src, mig + "sourcePosition", Lit(str(1 + n), None, _INT)),
        ]
        if n % 3 == 0:
            e = f"{b}id/event/{local[:10]}-synthetic-event-{n}"
            rows += [
                (a, mig + "describesEvent", e),
                (e, _A, S + EVENT_TYPES[n % len(EVENT_TYPES)]),
                (e, S + "name", Lit(f"Synthetic event {n}", "en")),
                (e, mig + "eventCategory", Lit(CATEGORIES[n % len(CATEGORIES)])),
                (e, S + "startDate", date),
                (e, S + "endDate", date),
                (e, S + "eventAttendanceMode", S + ATTENDANCE[n % 3]),
                (e, S + "location", country),
                (e, S + "organizer", org),
                (e, mig + "participantCount", Lit(str(10 + n % 90), None, _INT)),
                (e, S + "subjectOf", a),
            ]
        if n % 5 == 0:
            p = f"{b}id/person/person-{n % 50}"
            rows += [
                (a, S + "mentions", p),
                (p, _A, S + "Person"),
                (p, S + "name", Lit(f"Person {n % 50}")),
                (p, S + "jobTitle", Lit("Minister", "en")),
                (p, S + "affiliation", org),
            ]
        return rows

    def item(self, n: int) -> Graph:
        """Return the graph of item ``n``: article, source record, maybe an event and a person."""
        return to_graph(self.item_rows(n))

    def graph_name(self, n: int) -> str:
        """Return the IRI of the named graph that holds item ``n`` when published."""
        return f"{self.base}graph/news/{self.item_id(n)}"

    def dataset(self, size: int) -> Graph:
        """Return ``size`` items plus the reference data, as one graph."""
        g = self.reference()
        for n in range(size):
            to_graph(self.item_rows(n), g)
        return g

    def quads(self, size: int, *, named: bool = True) -> Iterator[ox.Quad]:
        """Yield ``size`` items plus the reference data as Oxigraph quads.

        With ``named``, each item is in its own named graph (:meth:`graph_name`) and the
        reference data in ``graph/reference``, as a published store holds them; otherwise
        everything is in the default graph.
        """
        terms = _OxTerms()
        default = ox.DefaultGraph()

        def emit(rows: list[Row], name: ox.NamedNode | ox.DefaultGraph) -> Iterator[ox.Quad]:
            iri, term = terms.iri, terms.term
            for s, p, o in rows:
                yield ox.Quad(iri(s), iri(p), term(o), name)

        reference = ox.NamedNode(self.base + "graph/reference") if named else default
        yield from emit(self.reference_rows(), reference)
        name: Callable[[int], ox.NamedNode | ox.DefaultGraph] = (
            (lambda n: ox.NamedNode(self.graph_name(n))) if named else (lambda n: default)
        )
        for n in range(size):
            yield from emit(self.item_rows(n), name(n))

    def store(self, size: int, *, named: bool = True) -> ox.Store:
        """Return an in-memory Oxigraph store of :meth:`quads`."""
        store = ox.Store()
        store.bulk_extend(self.quads(size, named=named))
        return store
