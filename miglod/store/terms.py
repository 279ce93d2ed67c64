"""Convert terms between rdflib and pyoxigraph, and digest graphs' content.

Literal lexical forms are kept exactly as stored (no rdflib normalisation), and
``xsd:string`` literals become plain rdflib literals, so that literals compare
equal however they travelled.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from miglod.store.base import Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DIGEST_BITS = 128

_GRAPH_AT_END = re.compile(rb"\s(<[^<>\"\s]*>|_:\S+)$")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """Return the rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def resource_key(term: ox.NamedNode | ox.BlankNode | str) -> int:
    """Return the key of a resource as the subject of a triple (see :func:`object_key`).

    Keys are hashes: two resources sharing one only make a cached answer look
    touched when it was not, never the other way round.
    """
    if isinstance(term, str):
        return hash(term)
    if isinstance(term, ox.BlankNode):
        return hash("_:" + term.value)
    return hash(term.value)


def object_key(iri: str) -> int:
    """Return the key of a resource as the object of a triple (links to it)."""
    return hash(("object", iri))


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def ox_triple(triple: Triple) -> ox.Triple:
    """Return the pyoxigraph triple for an rdflib triple."""
    s, p, o = triple
    return ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]


def line_digest(line: bytes) -> int:
    """Return the digest of one triple written as an N-Triples line (no final dot)."""
    return int.from_bytes(hashlib.blake2b(line, digest_size=DIGEST_BITS // 8).digest(), "big")


def combine(digests: Iterable[int]) -> int:
    """Return one digest for a set of triples, whatever their order."""
    return sum(digests) % (1 << DIGEST_BITS)


def format_digest(value: int) -> str:
    """Return a digest as fixed-width hexadecimal text."""
    return f"{value:0{DIGEST_BITS // 4}x}"


def triples_digest(triples: Iterable[ox.Triple]) -> str:
    """Return the order-independent digest of a set of pyoxigraph triples."""
    return format_digest(combine(line_digest(str(t).encode("utf-8")) for t in set(triples)))


def split_nquad(line: bytes) -> tuple[bytes, str | None]:
    """Split an N-Quads line into its triple text and its graph (``None``: the default graph).

    The triple text is the line without the graph and the final dot: the text
    ``str()`` of a pyoxigraph triple gives, when both use one serialiser. Lines
    written with single spaces, as serialisers write them, take a fast path;
    others are tokenised.
    """
    body = line.strip()
    if body.endswith(b"."):
        body = body[:-1].rstrip()
    if b"\t" not in body and b"  " not in body:
        rest, _, last = body.rpartition(b" ")
        iri = last.startswith(b"<") and last.endswith(b">") and b'"' not in last
        if (iri or last.startswith(b"_:")) and rest.find(b" ", rest.find(b" ") + 1) > 0:
            return rest, (last[1:-1] if iri else last).decode("utf-8")
        return body, None
    parts = body.split(None, 2)
    if len(parts) < 3:
        return body, None
    subject, predicate, rest = parts
    found = _GRAPH_AT_END.search(rest)
    graph: str | None = None
    if found:
        term = found.group(1)
        graph = (term[1:-1] if term.startswith(b"<") else term).decode("utf-8")
        rest = rest[: found.start()].rstrip()
    return b" ".join((subject, predicate, rest)), graph
