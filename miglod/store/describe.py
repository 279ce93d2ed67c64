"""Describe one resource from a pyoxigraph store.

A description holds the resource's own triples (following its hash IRIs and
blank nodes), the types and labels of what it links to, and the resources that
link to it, most recent first, with their types, labels and dates. That is what
a reader of its page, or a client following its links, needs and no more.
"""

from __future__ import annotations

import pyoxigraph as ox

from miglod.store.base import Description, Triple
from miglod.store.index import GraphIndex
from miglod.store.terms import to_rdflib

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DATE_PUBLISHED = ox.NamedNode("https://schema.org/datePublished")
#: Label predicates in order of preference; the first one a resource has is used.
LABELS = tuple(
    ox.NamedNode(iri)
    for iri in (
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "https://schema.org/name",
        "https://schema.org/headline",
        "http://www.w3.org/2000/01/rdf-schema#label",
    )
)


def describe(store: ox.Store, index: GraphIndex, iri: str, *, inbound_limit: int) -> Description:
    """Return the description of ``iri`` (empty when the store does not know it).

    The resources linking to ``iri`` come from the index, newest first.
    """
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return Description(iri, ())
    own, members = _own(store, node)
    found: set[ox.Triple] = set(own)
    for obj in {t.object for t in own if t.predicate != RDF_TYPE} - members:
        if isinstance(obj, ox.NamedNode):
            found.update(_summary(store, obj))
    inbound, total = _inbound(index, node, members, inbound_limit)
    found.update(inbound)
    for subject in {t.subject for t in inbound}:
        if isinstance(subject, ox.NamedNode | ox.BlankNode):
            found.update(_summary(store, subject, dated=True))
    triples: list[Triple] = [
        (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in found
    ]
    triples.sort(key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    return Description(iri, tuple(triples), total)


def _own(store: ox.Store, node: ox.NamedNode) -> tuple[list[ox.Triple], set[object]]:
    """Return the triples of ``node``, its hash IRIs and its blank nodes."""
    prefix = node.value + "#"
    members: set[object] = {node}
    todo: list[ox.NamedNode | ox.BlankNode] = [node]
    triples: list[ox.Triple] = []
    while todo:
        subject = todo.pop()
        for quad in store.quads_for_pattern(subject, None, None, None):
            triples.append(quad.triple)
            obj = quad.object
            if obj in members:
                continue
            if isinstance(obj, ox.BlankNode) or (
                isinstance(obj, ox.NamedNode) and obj.value.startswith(prefix)
            ):
                members.add(obj)
                todo.append(obj)
    return triples, members


def _summary(
    store: ox.Store, node: ox.NamedNode | ox.BlankNode, *, dated: bool = False
) -> list[ox.Triple]:
    """Return the types and preferred labels of a linked resource (and its date)."""
    triples = [q.triple for q in store.quads_for_pattern(node, RDF_TYPE, None, None)]
    for predicate in LABELS:
        labels = [q.triple for q in store.quads_for_pattern(node, predicate, None, None)]
        if labels:
            triples.extend(labels)
            break
    if dated:
        triples.extend(q.triple for q in store.quads_for_pattern(node, DATE_PUBLISHED, None, None))
    return triples


def _inbound(
    index: GraphIndex, node: ox.NamedNode, members: set[object], limit: int
) -> tuple[list[ox.Triple], int]:
    """Return triples linking to ``node`` from other resources, newest first, and their count."""
    window = 3 * limit + len(members)
    rows = index.inbound(node.value, window)
    triples: list[ox.Triple] = []
    subjects: set[str] = set()
    skipped: set[str] = set()
    complete = len(rows) < window
    for source, predicate in rows:
        if ox.NamedNode(source) in members:
            skipped.add(source)
            continue
        if source not in subjects:
            if len(subjects) >= limit:
                complete = False
                break
            subjects.add(source)
        triple = ox.Triple(ox.NamedNode(source), ox.NamedNode(predicate), node)
        if triple not in triples:
            triples.append(triple)
    if complete:
        return triples, len(subjects)
    return triples, index.count_inbound(node.value) - len(skipped)
