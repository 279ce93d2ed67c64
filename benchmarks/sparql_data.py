"""Write a synthetic dataset of N news items as N-Quads, in the shape of docs/MODEL.md.

Each item is its own named graph (``graph/news/{id}``) with its source node, an
event for some items and the people it names; countries, organisations, places
and theme concepts are reference graphs. About 24 triples per item, like the
figures in MEASURED.md. Deterministic for a given count and seed, so two runs
benchmark the same data. Country codes, names and Wikidata identifiers are
public facts (ISO 3166-1, Wikidata).

Used until ``miglod build`` can make the same store from a synthetic listing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/miglod/"
SDO = "https://schema.org/"
MIG = BASE + "def/mig/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

COUNTRIES = {
    "PA": ("Panama", "Panamá", "Q804"),
    "MX": ("Mexico", "México", "Q96"),
    "HN": ("Honduras", "Honduras", "Q783"),
    "GT": ("Guatemala", "Guatemala", "Q774"),
    "SV": ("El Salvador", "El Salvador", "Q792"),
    "CR": ("Costa Rica", "Costa Rica", "Q800"),
    "SR": ("Suriname", "Surinam", "Q730"),
    "GY": ("Guyana", "Guyana", "Q734"),
    "DO": ("Dominican Republic", "República Dominicana", "Q786"),
    "CO": ("Colombia", "Colombia", "Q739"),
    "EC": ("Ecuador", "Ecuador", "Q736"),
    "PE": ("Peru", "Perú", "Q419"),
    "CL": ("Chile", "Chile", "Q298"),
    "BZ": ("Belize", "Belice", "Q242"),
    "JM": ("Jamaica", "Jamaica", "Q766"),
    "TT": ("Trinidad and Tobago", "Trinidad y Tobago", "Q754"),
    "HT": ("Haiti", "Haití", "Q790"),
    "BR": ("Brazil", "Brasil", "Q155"),
    "AR": ("Argentina", "Argentina", "Q414"),
    "NI": ("Nicaragua", "Nicaragua", "Q811"),
    "VE": ("Venezuela", "Venezuela", "Q717"),
}
ORGANIZATIONS = {
    "iom": ("International Organization for Migration", "IOM"),
    "ilo": ("International Labour Organization", "ILO"),
    "unhcr": ("Office of the United Nations High Commissioner for Refugees", "UNHCR"),
    "unicef": ("United Nations Children's Fund", "UNICEF"),
    "caricom-impacs": ("CARICOM Implementation Agency for Crime and Security", "CARICOM IMPACS"),
    "oas": ("Organization of American States", "OAS"),
    "sica": ("Central American Integration System", "SICA"),
    "rcm": ("Regional Conference on Migration", "RCM"),
    "flacso-costa-rica": ("FLACSO Costa Rica", "FLACSO"),
    "undp": ("United Nations Development Programme", "UNDP"),
    "wfp": ("World Food Programme", "WFP"),
    "un": ("United Nations", "UN"),
}
THEMES = [
    "labour-migration",
    "border-management",
    "protection",
    "capacity-building",
    "communication-media",
    "local-governance",
    "migration-policy",
    "information-services",
    "crisis-displacement",
    "regional-cooperation",
    "counter-trafficking",
    "return-reintegration",
    "health",
    "climate-environment",
    "data-research",
]
EVENTS = (
    ("workshop", "EducationEvent"),
    ("course", "EducationEvent"),
    ("forum", "Event"),
    ("meeting", "BusinessEvent"),
    ("launch", "Event"),
    ("training", "EducationEvent"),
)
WORDS_EN = [
    "migration",
    "governance",
    "labour",
    "border",
    "protection",
    "returnees",
    "communities",
    "officials",
    "training",
    "report",
    "regional",
    "cooperation",
    "data",
    "health",
    "trafficking",
    "information",
    "policy",
    "hub",
]
WORDS_ES = [
    "migración",
    "gobernanza",
    "laboral",
    "frontera",
    "protección",
    "retorno",
    "comunidades",
    "funcionarios",
    "capacitación",
    "informe",
    "regional",
    "cooperación",
    "datos",
    "salud",
    "trata",
    "información",
]


def iri(path: str) -> str:
    """Return the N-Triples form of the dataset IRI ``BASE + path``."""
    return f"<{BASE}{path}>"


def text(value: str, lang: str | None = None) -> str:
    """Return a string literal in N-Triples syntax."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    """Return a typed literal in N-Triples syntax."""
    return f'"{value}"^^<{XSD}{datatype}>'


def reference_quads() -> Iterator[str]:
    """Yield the quads of the reference graphs: countries, organisations, places, themes."""
    graph = iri("graph/countries")
    for code, (en, es, qid) in COUNTRIES.items():
        s = iri(f"id/country/{code}")
        yield f"{s} <{RDF_TYPE}> <{SDO}Country> {graph} ."
        yield f"{s} <{SDO}identifier> {text(code)} {graph} ."
        for lang, name in (("en", en), ("es", es)):
            yield f"{s} <{SDO}name> {text(name, lang)} {graph} ."
            yield f"{s} <{RDFS_LABEL}> {text(name, lang)} {graph} ."
        yield f"{s} <{OWL_SAME}> <http://www.wikidata.org/entity/{qid}> {graph} ."
    graph = iri("graph/organizations")
    for slug, (name, acronym) in ORGANIZATIONS.items():
        s = iri(f"id/organization/{slug}")
        yield f"{s} <{RDF_TYPE}> <{SDO}Organization> {graph} ."
        yield f"{s} <{SDO}name> {text(name, 'en')} {graph} ."
        yield f"{s} <{RDFS_LABEL}> {text(name, 'en')} {graph} ."
        yield f"{s} <{SDO}alternateName> {text(acronym)} {graph} ."
    graph = iri("graph/places")
    for code, (en, _, _) in COUNTRIES.items():
        s = iri(f"id/place/capital-{code.lower()}")
        yield f"{s} <{RDF_TYPE}> <{SDO}Place> {graph} ."
        yield f"{s} <{SDO}name> {text('Capital of ' + en)} {graph} ."
        yield f"{s} <{SDO}containedInPlace> {iri('id/country/' + code)} {graph} ."
    graph = iri("graph/ontology")
    scheme = iri("def/theme")
    yield f"{scheme} <{RDF_TYPE}> <{SKOS}ConceptScheme> {graph} ."
    for slug in THEMES:
        s = iri(f"def/theme/{slug}")
        yield f"{s} <{RDF_TYPE}> <{SKOS}Concept> {graph} ."
        yield f"{s} <{SKOS}prefLabel> {text(slug.replace('-', ' ').capitalize(), 'en')} {graph} ."
        yield f"{s} <{SKOS}notation> {text(slug)} {graph} ."
        yield f"{s} <{SKOS}inScheme> {scheme} {graph} ."


def item_quads(n: int, rng: random.Random) -> Iterator[str]:
    """Yield the quads of news item number ``n`` (its own named graph)."""
    day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
    spanish = rng.random() < 0.3
    lang, words = ("es", WORDS_ES) if spanish else ("en", WORDS_EN)
    countries = rng.sample(sorted(COUNTRIES), rng.choice((1, 2, 2, 3)))
    orgs = ["iom", *rng.sample(sorted(set(ORGANIZATIONS) - {"iom", "un"}), rng.choice((0, 1, 2)))]
    if rng.random() < 0.15:
        orgs = orgs[1:] or ["unhcr"]
    themes = rng.sample(THEMES, rng.choice((1, 1, 2, 3)))
    headline = " ".join(rng.choice(words) for _ in range(9)).capitalize() + f" {n}"
    ident = f"{day.isoformat()}-item-{n}"
    s, g = iri(f"id/news/{ident}"), iri(f"graph/news/{ident}")
    source = iri(f"id/news/{ident}#source")
    abstract = " ".join(rng.choice(words) for _ in range(40))
    body = abstract + "\n\n" + " ".join(rng.choice(words) for _ in range(50))
    yield f"{s} <{RDF_TYPE}> <{SDO}NewsArticle> {g} ."
    yield f"{s} <{SDO}identifier> {text(ident)} {g} ."
    yield f"{s} <{SDO}headline> {text(headline, lang)} {g} ."
    yield f"{s} <{SDO}abstract> {text(abstract, lang)} {g} ."
    yield f"{s} <{SDO}articleBody> {text(body, lang)} {g} ."
    yield f"{s} <{SDO}datePublished> {typed(day.isoformat(), 'date')} {g} ."
    yield f"{s} <{SDO}inLanguage> {text(lang)} {g} ."
    yield f"{s} <{SDO}publisher> {iri('id/organization/iom')} {g} ."
    for code in countries:
        yield f"{s} <{SDO}mentions> {iri('id/country/' + code)} {g} ."
    yield f"{s} <{SDO}about> {iri('id/country/' + countries[0])} {g} ."
    for slug in orgs:
        yield f"{s} <{SDO}mentions> {iri('id/organization/' + slug)} {g} ."
    for slug in themes:
        yield f"{s} <{MIG}theme> {iri('def/theme/' + slug)} {g} ."
    yield f"{s} <{SDO}locationCreated> {iri('id/place/capital-' + countries[0].lower())} {g} ."
    yield f"{s} <{PROV}wasDerivedFrom> {source} {g} ."
    yield f"{s} <{PROV}generatedAtTime> {typed('2026-01-01T00:00:00Z', 'dateTime')} {g} ."
    yield f"{source} <{RDF_TYPE}> <{PROV}Entity> {g} ."
    yield f"{source} <{SDO}name> {text('news/synthetic.txt')} {g} ."
    yield f"{source} <{MIG}sourcePosition> {typed(n + 1, 'integer')} {g} ."
    if rng.random() < 0.4:
        category, kind = rng.choice(EVENTS)
        event = iri(f"id/event/{ident}")
        start = day - dt.timedelta(days=rng.randrange(3, 40))
        yield f"{s} <{MIG}describesEvent> {event} {g} ."
        yield f"{event} <{RDF_TYPE}> <{SDO}{kind}> {g} ."
        yield f"{event} <{MIG}eventCategory> {text(category)} {g} ."
        yield f"{event} <{SDO}startDate> {typed(start.isoformat(), 'date')} {g} ."
        yield f"{event} <{SDO}location> {iri('id/country/' + countries[0])} {g} ."
        yield f"{event} <{SDO}organizer> {iri('id/organization/' + orgs[0])} {g} ."


def write_nquads(path: Path, count: int, seed: int = 7) -> int:
    """Write the reference graphs and ``count`` items to ``path``; return the quads written."""
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        lines = list(reference_quads())
        for n in range(count):
            lines.extend(item_quads(n, rng))
            if len(lines) > 50_000:
                out.write("\n".join(lines) + "\n")
                written += len(lines)
                lines = []
        out.write("\n".join(lines) + "\n")
        written += len(lines)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(write_nquads(args.output, args.count, args.seed), "quads")


if __name__ == "__main__":
    main()
