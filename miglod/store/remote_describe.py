"""Describe one resource from a remote SPARQL server, as the embedded store does.

The same parts in the same shape: the resource's own triples (with those of
its hash IRIs and blank nodes, two levels deep), the types and preferred label
of what it links to, and the resources linking to it, newest first, with their
types, labels and dates. Every pattern is inside ``GRAPH`` so that a server's
default graph (Virtuoso's holds its system graphs) never leaks in, and the
bookkeeping graph is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from miglod.store.base import Description, Triple
from miglod.store.describe import DATE_PUBLISHED, LABELS, RDF_TYPE
from miglod.store.remote_http import SparqlClient

_LABELS = tuple(URIRef(p.value) for p in LABELS)
_TYPE = URIRef(RDF_TYPE.value)
_DATE = URIRef(DATE_PUBLISHED.value)
#: Linked resources summarised per request.
BATCH = 200


def sparql_term(term: Node) -> str:
    """Return a term written for a SPARQL query (IRIs and literals only)."""
    if isinstance(term, URIRef):
        return "<" + _escape_iri(str(term)) + ">"
    if isinstance(term, Literal):
        text = _escape_string(str(term))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{_escape_iri(str(term.datatype))}>'
        return f'"{text}"'
    raise TypeError(f"cannot write {term!r} in a query")


def iri(value: str) -> str:
    """Return an IRI written for a SPARQL query."""
    return "<" + _escape_iri(value) + ">"


def _escape_iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not an IRI: {value!r}")
    return value


def _escape_string(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def graph_scope(base: str, meta: str) -> str:
    """Return the condition on ``?g`` that keeps the dataset's graphs and no others.

    Those are the graphs under ``{base}graph/`` but the bookkeeping: a server's
    other graphs (Virtuoso's system graphs, other datasets) are left out.
    """
    return (
        f'(STRSTARTS(STR(?g), "{_escape_string(base)}graph/") && ?g != {iri(meta)} '
        f'&& !STRSTARTS(STR(?g), "{_escape_string(meta)}/"))'
    )


def describe_remote(
    client: SparqlClient, scope: str, target: str, *, inbound_limit: int
) -> Description:
    """Return the description of ``target`` (empty when the server does not know it).

    ``scope`` is the condition on ``?g`` of :func:`graph_scope`.
    """
    try:
        node = iri(target)
    except ValueError:
        return Description(target, ())
    where = scope
    scope = f"FILTER{scope}"
    member = f'(isBlank(?m) || STRSTARTS(STR(?m), "{_escape_string(target)}#"))'
    near = member.replace("?m", "?s")
    own_query = f"""SELECT DISTINCT ?s ?p ?o WHERE {{
  {{ GRAPH ?g {{ {node} ?p ?o }} BIND({node} AS ?s) {scope} }}
  UNION {{ GRAPH ?g {{ {node} ?p1 ?s . ?s ?p ?o }} FILTER{near} {scope} }}
  UNION {{ GRAPH ?g {{ {node} ?p1 ?m . ?m ?p2 ?s . ?s ?p ?o }}
          FILTER({member} && {near}) {scope} }}
}}"""
    _, rows = client.select(own_query)
    own: list[Triple] = [(s, p, o) for s, p, o in rows if s and p and o]
    if not own:
        return Description(target, ())
    members: set[Node] = {URIRef(target)} | {
        s for s, _, _ in own if isinstance(s, BNode) or str(s).startswith(target + "#")
    }
    found: set[Triple] = set(own)
    linked = {o for _, p, o in own if p != _TYPE and isinstance(o, URIRef)} - members
    found.update(_summaries(client, where, sorted(linked, key=str), dated=False))
    inbound, total = _inbound(client, where, target, members, inbound_limit)
    found.update(inbound)
    found.update(_summaries(client, where, sorted({s for s, _, _ in inbound}, key=str), dated=True))
    triples = sorted(found, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    return Description(target, tuple(triples), total)


def _summaries(
    client: SparqlClient, scope: str, nodes: Sequence[Node], *, dated: bool
) -> list[Triple]:
    """Return the types and first preferred label (and date) of each linked resource."""
    wanted = [_TYPE, *_LABELS, *([_DATE] if dated else [])]
    found: list[Triple] = []
    for start in range(0, len(nodes), BATCH):
        batch = nodes[start : start + BATCH]
        values = " ".join(sparql_term(n) for n in batch if isinstance(n, URIRef))
        if not values:
            continue
        # VALUES inside GRAPH and the predicates as a FILTER: 50 ms on Oxigraph, where
        # VALUES for both outside took over a second for a hundred resources.
        _, rows = client.select(
            f"SELECT DISTINCT ?x ?p ?o WHERE {{ GRAPH ?g {{ VALUES ?x {{ {values} }} ?x ?p ?o "
            f"FILTER(?p IN ({', '.join(sparql_term(p) for p in wanted)})) }} FILTER{scope} }}"
        )
        by_node: dict[Node, list[Triple]] = {}
        for x, p, o in rows:
            if x is not None and p is not None and o is not None:
                by_node.setdefault(x, []).append((x, p, o))
        for triples in by_node.values():
            found.extend(_keep_first_label(triples))
    return found


def _keep_first_label(triples: Iterable[Triple]) -> list[Triple]:
    kept = [t for t in triples if t[1] not in _LABELS]
    for predicate in _LABELS:
        labels = [t for t in triples if t[1] == predicate]
        if labels:
            return kept + labels
    return kept


def _inbound(
    client: SparqlClient, scope: str, target: str, members: set[Node], limit: int
) -> tuple[list[Triple], int]:
    """Return triples linking to ``target`` from other resources, newest first, and their count."""
    node = iri(target)
    pattern = (
        f"GRAPH ?g {{ ?s ?p {node} }} OPTIONAL {{ GRAPH ?g {{ ?s {sparql_term(_DATE)} ?date }} }} "
        f"FILTER(isIRI(?s) && ?p != {sparql_term(_TYPE)} && {scope} "
        f'&& !STRSTARTS("{_escape_string(target)}", CONCAT(STR(?s), "#")))'
    )
    window = 3 * limit + len(members)
    _, rows = client.select(
        # Ties in date come in the server's order: a second sort key costs Oxigraph
        # five times as much on a country linked from ten thousand items.
        f"SELECT ?s ?p ?date WHERE {{ {pattern} }} ORDER BY DESC(?date) LIMIT {window}"
    )
    triples: list[Triple] = []
    subjects: set[Node] = set()
    skipped: set[Node] = set()
    complete = len(rows) < window
    for source, predicate, _ in rows:
        if source is None or predicate is None:
            continue
        if source in members:
            skipped.add(source)
            continue
        if source not in subjects:
            if len(subjects) >= limit:
                complete = False
                break
            subjects.add(source)
        triple = (source, predicate, URIRef(target))
        if triple not in triples:
            triples.append(triple)
    if complete:
        return triples, len(subjects)
    _, counted = client.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}")
    total = int(str(counted[0][0])) if counted and counted[0][0] is not None else 0
    return triples, total - len(skipped)
