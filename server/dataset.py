"""Describe the dataset (DCAT and VoID, computed from the data) and serve its dumps.

- ``/dataset`` is ``BASE + dataset``, a ``dcat:Dataset`` and ``void:Dataset``: its
  triple and entity counts and classes are counted in the store, its
  distributions (with byte sizes and SHA-256 checksums) read from the dumps'
  manifest, and it names the licence, the SPARQL endpoint and example
  resources. It negotiates like any other resource.
- ``/.well-known/void`` sends clients to it.
- ``/dumps/`` lists the dump files; ``/dumps/{name}`` serves one.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, Response, redirect, request, send_from_directory
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from miglod.store import Description, Triple
from miglod.store.dumps import read_manifest
from server import negotiation as neg
from server.cache import Rendered
from server.errors import ProblemError
from server.http import conditional
from server.represent import json_bytes
from server.resources import respond
from server.state import State, state

bp = Blueprint("dataset", __name__)

SPDX = "http://spdx.org/rdf/terms#"
SCHEMA = "https://schema.org/"
IANA = "https://www.iana.org/assignments/media-types/"
TITLES = {"en": "Migration governance news", "es": "Noticias de gobernanza de la migración"}
DESCRIPTIONS = {
    "en": "News items about migration governance as linked open data: each item with its "
    "countries, organisations, places, events and themes, linked to reference data.",
    "es": "Noticias sobre gobernanza de la migración como datos abiertos enlazados: cada "
    "noticia con sus países, organizaciones, lugares, eventos y temas, enlazados a datos de referencia.",
}
_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { GRAPH ?g { ?s ?p ?o } }
"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
_CLASSES = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c"
)
_EXAMPLES = 3


@bp.get("/dataset", defaults={"suffix": None})
@bp.get("/dataset.<any(html, ttl, jsonld, nt, rdf):suffix>")
def dataset(suffix: str | None) -> Response:
    """Answer the description of the dataset in the format negotiated."""
    st = state()
    explicit = neg.BY_SUFFIX[suffix] if suffix else None
    return respond(
        st.base + "dataset", f"{request.script_root}/dataset", explicit, lambda: describe(st)
    )


@bp.get("/.well-known/void")
def well_known_void() -> Response:
    """Send VoID clients to the dataset's description."""
    return redirect(f"{request.script_root}/dataset", 303)  # type: ignore[return-value]


@bp.get("/dumps/")
def dumps() -> Response:
    """Answer the list of dump files with their sizes and checksums, as JSON."""
    st = state()
    entries = [
        {**asdict(d), "url": f"{request.script_root}/dumps/{d.name}"}
        for d in read_manifest(_dumps_dir(st))
    ]
    body = json_bytes({"dumps": entries})
    response = Response(body, content_type="application/json")
    return conditional(
        response, request, Rendered.of(body, "").etag, None, int(st.settings["max_age"])
    )


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    """Serve one dump file (with ranges and conditional requests)."""
    st = state()
    listed = {d.name: d for d in read_manifest(_dumps_dir(st))}
    found = listed.get(name)
    if found is None:
        raise ProblemError(404, "not_found", f"There is no dump called {name!r}.")
    # A compressed dump is a gzip file to download, not a body to decompress on the fly.
    media_type = "application/gzip" if found.encoding == "gzip" else found.media_type
    return send_from_directory(
        _dumps_dir(st).resolve(), name, mimetype=media_type, etag=found.sha256, conditional=True
    )


def _dumps_dir(st: State) -> Path:
    return Path(str(st.settings["dumps"]))


def describe(st: State) -> Description:
    """Return the dataset's DCAT and VoID description, computed from the store and dumps."""
    base = st.base
    me = URIRef(base + "dataset")
    triples: list[Triple] = [
        (me, RDF.type, DCAT.Dataset),
        (me, RDF.type, VOID.Dataset),
        (me, VOID.uriSpace, Literal(base + "id/")),
        (me, VOID.sparqlEndpoint, URIRef(base + "sparql")),
        (me, DCTERMS.publisher, URIRef(base + f"id/organization/{st.settings['publisher']}")),
        (me, VOID.vocabulary, URIRef(SCHEMA)),
        (me, VOID.vocabulary, URIRef(base + "def/mig/")),
        (me, FOAF.homepage, URIRef(base)),
    ]
    for language, title in TITLES.items():
        triples.append((me, DCTERMS.title, Literal(title, lang=language)))
        triples.append((me, DCTERMS.description, Literal(DESCRIPTIONS[language], lang=language)))
    if st.settings["license"]:
        triples.append((me, DCTERMS.license, URIRef(str(st.settings["license"]))))
    if st.store.modified is not None:
        modified = st.store.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
        triples.append((me, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    triples += _counts(st, me)
    triples += _distributions(st, me)
    service = URIRef(base + "dataset#sparql")
    triples += [
        (me, DCAT.distribution, URIRef(base + "dataset#sparql-endpoint")),
        (URIRef(base + "dataset#sparql-endpoint"), RDF.type, DCAT.Distribution),
        (URIRef(base + "dataset#sparql-endpoint"), DCAT.accessService, service),
        (service, RDF.type, DCAT.DataService),
        (service, DCAT.endpointURL, URIRef(base + "sparql")),
        (service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    for iri, _ in st.store.latest(limit=_EXAMPLES).items:
        triples.append((me, VOID.exampleResource, URIRef(iri)))
    return Description(
        str(me), tuple(sorted(set(triples), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())))
    )


def _counts(st: State, me: URIRef) -> list[Triple]:
    counted = st.store.query(_COUNTS, timeout=60).rows[0]
    entities = st.store.query(_ENTITIES, timeout=60).rows[0][0]
    triples: list[Triple] = [
        (me, VOID.triples, Literal(int(str(counted[0])), datatype=XSD.integer)),
        (me, VOID.distinctSubjects, Literal(int(str(counted[1])), datatype=XSD.integer)),
        (me, VOID.entities, Literal(int(str(entities)), datatype=XSD.integer)),
    ]
    for cls, count in st.store.query(_CLASSES, timeout=60).rows:
        if not isinstance(cls, URIRef):
            continue
        name = re.sub(r"[^A-Za-z0-9]+", "-", st.jsonld.compact_iri(str(cls))).strip("-")
        partition = URIRef(f"{st.base}dataset#class-{name}")
        triples += [
            (me, VOID.classPartition, partition),
            (partition, VOID["class"], cls),
            (partition, VOID.entities, Literal(int(str(count)), datatype=XSD.integer)),
        ]
    return triples


def _distributions(st: State, me: URIRef) -> list[Triple]:
    triples: list[Triple] = []
    for dump in read_manifest(_dumps_dir(st)):
        node = URIRef(f"{st.base}dataset#dump-{dump.name.replace('.', '-')}")
        checksum = URIRef(f"{node}-checksum")
        triples += [
            (me, DCAT.distribution, node),
            (me, VOID.dataDump, URIRef(f"{st.base}dumps/{dump.name}")),
            (node, RDF.type, DCAT.Distribution),
            (node, DCAT.downloadURL, URIRef(f"{st.base}dumps/{dump.name}")),
            (node, DCAT.mediaType, URIRef(IANA + dump.media_type)),
            (node, DCAT.byteSize, Literal(str(dump.size), datatype=XSD.nonNegativeInteger)),
            (node, URIRef(SPDX + "checksum"), checksum),
            (checksum, RDF.type, URIRef(SPDX + "Checksum")),
            (checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")),
            (
                checksum,
                URIRef(SPDX + "checksumValue"),
                Literal(dump.sha256, datatype=XSD.hexBinary),
            ),
        ]
        if dump.encoding == "gzip":
            triples.append((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        if st.settings["license"]:
            triples.append((node, DCTERMS.license, URIRef(str(st.settings["license"]))))
    return triples
