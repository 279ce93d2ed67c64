"""Describe the SPARQL service (SPARQL 1.1 Service Description): what it speaks, serves and allows.

Answered at ``/sparql`` when a request carries no query. Besides the standard
terms it states the endpoint's limits (time limit, result cap, query length)
with ``mig:`` terms, so clients can adapt before they hit them.
"""

from __future__ import annotations

import pyoxigraph as ox

from miglod.query import formats as qf
from miglod.query.check import MAX_QUERY_CHARS
from server import negotiation as neg
from server.sparql_protocol import MAX_BODY_BYTES

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Formats the description itself can be read in (HTML gets the query page).
FORMATS = (neg.TURTLE, neg.JSONLD, neg.NTRIPLES, neg.RDFXML)
_RDF = {
    neg.TURTLE.name: ox.RdfFormat.TURTLE,
    neg.JSONLD.name: ox.RdfFormat.JSON_LD,
    neg.NTRIPLES.name: ox.RdfFormat.N_TRIPLES,
    neg.RDFXML.name: ox.RdfFormat.RDF_XML,
}


def description(base: str, endpoint: str, timeout: float, limit: int) -> list[ox.Triple]:
    """Return the triples describing the service at ``endpoint``."""
    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.NamedNode(base + "dataset")
    default = ox.NamedNode(endpoint + "#default-graph")
    mig = base + "def/mig/"

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def typed(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(XSD + datatype))

    Term = ox.NamedNode | ox.Literal
    triples: list[tuple[ox.NamedNode, ox.NamedNode, Term]] = [
        (service, iri(RDF_TYPE), iri(SD + "Service")),
        (service, iri(SD + "endpoint"), iri(endpoint)),
        (service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        (service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        (
            service,
            iri(SD + "defaultEntailmentRegime"),
            iri("http://www.w3.org/ns/entailment/Simple"),
        ),
        (service, iri(SD + "defaultDataset"), dataset),
        (
            service,
            iri(DCTERMS + "title"),
            ox.Literal("SPARQL endpoint of the migration-governance news", language="en"),
        ),
        (
            service,
            iri(RDFS + "comment"),
            ox.Literal(
                f"Read-only SPARQL 1.1 Query endpoint. Queries are stopped after {timeout:g} s; results "
                f"are capped at {limit} rows (X-Result-Truncated and X-SPARQL-MaxRows say when); "
                f"queries may have {MAX_QUERY_CHARS} characters. SPARQL Update, LOAD and SERVICE are refused.",
                language="en",
            ),
        ),
        (service, iri(mig + "queryTimeout"), typed(f"{timeout:g}", "decimal")),
        (service, iri(mig + "resultLimit"), typed(limit, "integer")),
        (service, iri(mig + "maxQueryLength"), typed(MAX_QUERY_CHARS, "integer")),
        (service, iri(mig + "maxRequestBytes"), typed(MAX_BODY_BYTES, "integer")),
        (service, iri(RDFS + "seeAlso"), dataset),
        (dataset, iri(RDF_TYPE), iri(SD + "Dataset")),
        (dataset, iri(SD + "defaultGraph"), default),
        (default, iri(RDF_TYPE), iri(SD + "Graph")),
        (
            default,
            iri(RDFS + "comment"),
            ox.Literal(
                "The union (RDF merge) of every named graph: one graph per news item, and the "
                "countries, organisations, places and vocabularies.",
                language="en",
            ),
        ),
    ]
    triples += [(service, iri(SD + "resultFormat"), iri(f.w3c)) for f in qf.FORMATS]
    return [ox.Triple(s, p, o) for s, p, o in triples]


def serialize(triples: list[ox.Triple], fmt: neg.Format, base: str) -> bytes:
    """Return the description in one RDF syntax."""
    prefixes = {"sd": SD, "dcterms": DCTERMS, "rdfs": RDFS, "xsd": XSD, "mig": base + "def/mig/"}
    data = ox.serialize(triples, format=_RDF[fmt.name], prefixes=prefixes)
    assert data is not None
    return data
