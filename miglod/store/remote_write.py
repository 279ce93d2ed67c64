"""Plan a write to a remote store and spell it as one SPARQL Update request.

The request's every operation is guarded by the store's version token as read
before the write; the last ones move the token on. See :mod:`miglod.store.remote`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

import pyoxigraph as ox

from miglod.store.base import Change, GraphStatus, live_digest
from miglod.store.remote_describe import iri
from miglod.store.remote_log import (
    DCT,
    PREFIXES,
    PROV,
    change_triples,
    quote,
    snapshot_triples,
    time_literal,
)


def planned_changes(
    digests: Mapping[str, str | None],
    statuses: Mapping[str, GraphStatus],
    when: dt.datetime,
    agent: str,
) -> list[Change]:
    changes = []
    for graph, digest in sorted(digests.items()):
        before = live_digest(statuses.get(graph))
        if digest == before:
            continue
        changes.append(Change(when, graph, digest is None, agent, before, digest))
    return changes


def change_iri(base: str, when: dt.datetime) -> str:
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{base}id/change/{stamp}-{secrets.token_hex(6)}"


def update_request(
    meta: str,
    token: str,
    new_token: str,
    when: dt.datetime,
    changes: list[Change],
    names: Mapping[str, str],
    triples_by_graph: Mapping[str, list[ox.Triple]],
    snapshots: Mapping[str, str],
    written: frozenset[str] = frozenset(),
    *,
    with_records: bool = True,
) -> str:
    """Return one update request: old content out, new content and records in, token moved on.

    Graphs in ``written`` already hold their new content (sent through the
    Graph Store Protocol): only their bookkeeping goes in the request. Without
    ``with_records`` the records are left out too (they follow through the Graph
    Store Protocol, see :func:`records_turtle`).
    """
    m = iri(meta)
    if token:
        guard = f"GRAPH {m} {{ {m} dcterms:hasVersion {quote(token)} }}"
    else:
        guard = f"FILTER NOT EXISTS {{ GRAPH {m} {{ {m} dcterms:hasVersion ?anyVersion }} }}"
    graphs = " ".join(iri(c.graph) for c in changes)
    cleared = " ".join(iri(c.graph) for c in changes if c.graph not in written)
    inserted: list[str] = []
    records: list[str] = []
    for n, change in enumerate(changes):
        if change.after is not None and change.graph not in written:
            body = " .\n".join(_template(t, n) for t in triples_by_graph[change.graph])
            inserted.append(f"GRAPH {iri(change.graph)} {{\n{body} .\n}}")
    if with_records:
        records = record_lines(changes, names, when, snapshots)
    at = time_literal(when)
    operations = []
    if cleared:  # Virtuoso reads an empty VALUES as no constraint at all
        operations.append(
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {guard} VALUES ?g {{ {cleared} }} "
            "GRAPH ?g { ?s ?p ?o } }"
        )
    operations.append(
        f"DELETE {{ GRAPH {m} {{ ?g ?p ?o }} }} WHERE {{ {guard} VALUES ?g {{ {graphs} }} "
        f"GRAPH {m} {{ ?g ?p ?o }} }}"
    )
    if inserted or records:
        operations.append(
            f"INSERT {{ {' '.join(inserted)} GRAPH {m} {{\n" + "\n".join(records) + "\n} } "
            f"WHERE {{ {guard} }}"
        )
    operations += [
        # Virtuoso drops every solution of OPTIONAL after FILTER NOT EXISTS, so the new
        # token goes in under the guard first, and the old one goes once the new is there.
        f"INSERT {{ GRAPH {m} {{ {m} dcterms:hasVersion {quote(new_token)} ; "
        f"dcterms:modified {at} }} }} WHERE {{ {guard} }}",
        f"DELETE {{ GRAPH {m} {{ {m} dcterms:hasVersion ?old }} }} WHERE {{ GRAPH {m} {{ "
        f"{m} dcterms:hasVersion {quote(new_token)}, ?old FILTER(?old != {quote(new_token)}) }} }}",
        f"DELETE {{ GRAPH {m} {{ {m} dcterms:modified ?oldTime }} }} WHERE {{ GRAPH {m} {{ "
        f"{m} dcterms:hasVersion {quote(new_token)} ; dcterms:modified ?oldTime "
        f"FILTER(?oldTime != {at}) }} }}",
    ]
    return PREFIXES + " ;\n".join(operations)


def _template(triple: ox.Triple, graph_number: int) -> str:
    """Return a triple for an update template, blank nodes made distinct per graph."""
    return " ".join(_template_term(t, graph_number) for t in triple)


def _template_term(term: object, graph_number: int) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:g{graph_number}x{term.value}"
    return str(term)


def record_lines(
    changes: list[Change], names: Mapping[str, str], when: dt.datetime, snapshots: Mapping[str, str]
) -> list[str]:
    """Return the bookkeeping triples of ``changes`` (as Turtle and SPARQL text)."""
    records: list[str] = []
    for change in changes:
        records += change_triples(
            names[change.graph], change.graph, when, change.agent, change.before, change.after
        )
        if change.before is not None:
            records += snapshot_triples(change.graph, change.before, snapshots[change.graph])
    return records


def records_turtle(
    changes: list[Change], names: Mapping[str, str], when: dt.datetime, snapshots: Mapping[str, str]
) -> bytes:
    """Return the bookkeeping of ``changes`` as a Turtle document."""
    head = f"@prefix dcterms: <{DCT}> .\n@prefix prov: <{PROV}> .\n"
    return (head + "\n".join(record_lines(changes, names, when, snapshots)) + "\n").encode()
