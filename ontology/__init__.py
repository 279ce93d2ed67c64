"""Ship the miglod vocabulary: the mig: terms and the SKOS concept schemes.

The Turtle files in this package use relative IRIs only (``<def/mig/>``,
``<def/theme/health>``), so one set of files serves any deployment: parse them
against the configured base IRI and every term lands under it. Use
:func:`load_ontology` for that; it also adds the links SKOS implies in the
other direction (``skos:related``, ``skos:closeMatch``, ``skos:exactMatch``,
``skos:broader``/``skos:narrower``), so every concept's description shows them.

Nothing is read at import time. Load the graph once and reuse it.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import RDF, SKOS, Graph, Literal, URIRef

__all__ = ["concept_labels", "load_ontology", "ontology_files"]

_BASE_PATTERN = re.compile(r"^https?://[^/\s]+(/\S*)?$")

# Properties SKOS declares symmetric, and pairs it declares inverse.
_SYMMETRIC = (SKOS.related, SKOS.closeMatch, SKOS.exactMatch)
_INVERSE = ((SKOS.broader, SKOS.narrower), (SKOS.narrower, SKOS.broader))


def ontology_files() -> list[Traversable]:
    """Return the package's Turtle files, sorted by name."""
    package = files(__name__)
    return sorted(
        (entry for entry in package.iterdir() if entry.name.endswith(".ttl")),
        key=lambda entry: entry.name,
    )


def _normalize_base(base: str) -> str:
    """Return ``base`` with one trailing slash; reject anything but an http(s) IRI."""
    if not _BASE_PATTERN.match(base):
        raise ValueError(f"base IRI must be an absolute http(s) IRI, got {base!r}")
    return base.rstrip("/") + "/"


def load_ontology(base: str) -> Graph:
    """Parse every vocabulary file against ``base`` and return one graph.

    ``base`` is the deployment's base IRI (``https://w3id.org/miglod/``); a
    missing trailing slash is added, because relative IRIs resolve against the
    last ``/`` of the base. The implied inverse SKOS links are added.
    """
    base = _normalize_base(base)
    graph = Graph()
    for entry in ontology_files():
        graph.parse(data=entry.read_text(encoding="utf-8"), format="turtle", publicID=base)
    graph.bind("mig", base + "def/mig/")
    _complete_skos_links(graph)
    return graph


def _complete_skos_links(graph: Graph) -> None:
    """Add the reverse of each symmetric or inverse SKOS link between known concepts."""
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    pairs = [(prop, prop) for prop in _SYMMETRIC] + list(_INVERSE)
    additions = [
        (target, reverse, source)
        for prop, reverse in pairs
        for source, target in graph.subject_objects(prop)
        if target in concepts
    ]
    for triple in additions:
        graph.add(triple)


def concept_labels(graph: Graph, scheme: URIRef | None = None) -> dict[URIRef, list[Literal]]:
    """Return every concept's labels: preferred, then alternative, then hidden.

    Only concepts in ``scheme`` are returned when one is given. Keys are in
    IRI order and labels in a stable order, so callers that build lookup
    tables from them get the same tables on every run.
    """
    if scheme is None:
        concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    else:
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
    result: dict[URIRef, list[Literal]] = {}
    for concept in sorted(c for c in concepts if isinstance(c, URIRef)):
        labels: list[Literal] = []
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            found = [o for o in graph.objects(concept, prop) if isinstance(o, Literal)]
            labels.extend(sorted(found, key=lambda lit: (lit.language or "", str(lit))))
        result[concept] = labels
    return result
