"""The result formats the query service writes, one table for the engine, the CLI and the web.

Every format is written by pyoxigraph itself. SELECT and ASK results go to
the SPARQL results formats (JSON, XML, CSV, TSV); CONSTRUCT and DESCRIBE
results to the RDF syntaxes (Turtle, JSON-LD, N-Triples, RDF/XML).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

#: The formats ``miglod query`` writes (``table`` is for people).
COMMAND_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml")

ResultKind = Literal["boolean", "solutions", "triples"]
TABULAR: frozenset[ResultKind] = frozenset({"boolean", "solutions"})
GRAPH: frozenset[ResultKind] = frozenset({"triples"})
W3C_FORMATS = "http://www.w3.org/ns/formats/"

#: Prefixes written in Turtle and JSON-LD results.
PREFIXES = {
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


@dataclass(frozen=True, slots=True)
class ResultFormat:
    """One format a query result can be written in.

    ``names`` are the values a client may give in a ``format=`` parameter
    (besides the media types); ``w3c`` is the format's IRI in the W3C formats
    namespace, used by the service description.
    """

    name: str
    media_type: str
    label: str
    suffix: str
    kinds: frozenset[ResultKind]
    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    w3c: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        """Return the media type and the others this format answers to."""
        return (self.media_type, *self.aliases)

    def results_format(self) -> ox.QueryResultsFormat:
        """Return pyoxigraph's name for this results format."""
        return _RESULTS[self.name]

    def rdf_format(self) -> ox.RdfFormat:
        """Return pyoxigraph's name for this RDF syntax."""
        return _RDF[self.name]


JSON = ResultFormat(
    "json",
    "application/sparql-results+json",
    "JSON",
    "srj",
    TABULAR,
    ("json", "srj"),
    ("application/json",),
    W3C_FORMATS + "SPARQL_Results_JSON",
)
XML = ResultFormat(
    "xml",
    "application/sparql-results+xml",
    "XML",
    "srx",
    TABULAR,
    ("xml", "srx"),
    ("application/xml", "text/xml"),
    W3C_FORMATS + "SPARQL_Results_XML",
)
CSV = ResultFormat(
    "csv", "text/csv", "CSV", "csv", TABULAR, ("csv",), (), W3C_FORMATS + "SPARQL_Results_CSV"
)
TSV = ResultFormat(
    "tsv",
    "text/tab-separated-values",
    "TSV",
    "tsv",
    TABULAR,
    ("tsv",),
    (),
    W3C_FORMATS + "SPARQL_Results_TSV",
)
TURTLE = ResultFormat(
    "turtle",
    "text/turtle",
    "Turtle",
    "ttl",
    GRAPH,
    ("turtle", "ttl"),
    ("application/x-turtle", "application/turtle"),
    W3C_FORMATS + "Turtle",
)
JSONLD = ResultFormat(
    "jsonld",
    "application/ld+json",
    "JSON-LD",
    "jsonld",
    GRAPH,
    ("jsonld", "json-ld", "json"),
    ("application/json",),
    W3C_FORMATS + "JSON-LD",
)
NTRIPLES = ResultFormat(
    "ntriples",
    "application/n-triples",
    "N-Triples",
    "nt",
    GRAPH,
    ("nt", "ntriples", "n-triples"),
    ("text/plain",),
    W3C_FORMATS + "N-Triples",
)
RDFXML = ResultFormat(
    "rdfxml",
    "application/rdf+xml",
    "RDF/XML",
    "rdf",
    GRAPH,
    ("rdf", "rdfxml", "rdf/xml", "xml"),
    ("application/xml", "text/xml"),
    W3C_FORMATS + "RDF_XML",
)

#: Every format, the default of each kind first.
FORMATS: tuple[ResultFormat, ...] = (JSON, XML, CSV, TSV, TURTLE, JSONLD, NTRIPLES, RDFXML)
BY_NAME = {f.name: f for f in FORMATS}

_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def kind_of_form(form: str | None) -> frozenset[ResultKind]:
    """Return the result kinds a query form gives (both when the form is unknown)."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH
    if form in ("SELECT", "ASK"):
        return TABULAR
    return TABULAR | GRAPH


def formats_for(form: str | None) -> tuple[ResultFormat, ...]:
    """Return the formats a query of ``form`` can be answered in, the default first."""
    kinds = kind_of_form(form)
    return tuple(f for f in FORMATS if f.kinds & kinds)


def by_parameter(value: str, form: str | None) -> ResultFormat | None:
    """Return the format a ``format=`` (or ``output=``, ``results=``) value names, if any."""
    wanted = value.strip().lower()
    for fmt in formats_for(form):
        if wanted in fmt.names or wanted in fmt.media_types:
            return fmt
    return None
