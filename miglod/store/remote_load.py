"""Load a whole dataset into a remote store in batches of graphs.

A build hands over files of quads (or of triples with their graph). Graphs are
read as a stream and written a batch at a time, each batch one update request
(so one transaction on the server) with its bookkeeping; graphs the store had
and the input lacks are then removed. Unchanged graphs are not written again,
so a rebuild of the same data changes nothing. A server cannot swap a whole
dataset at once the way the embedded store swaps a generation, so a failure
midway leaves the batches before it written: run the build again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode
from rdflib.term import Node

from miglod.store.base import Change, StoreError
from miglod.store.bulk import BulkInput
from miglod.store.remote import RemoteStore
from miglod.store.remote_describe import iri
from miglod.store.remote_log import PREFIXES, quote
from miglod.store.terms import to_ox

#: Graphs written per update request.
BATCH = 50
#: Rows asked for per page (Virtuoso cuts results at 10,000 rows by default).
PAGE = 5000


def load_remote(
    store: RemoteStore,
    inputs: Iterable[BulkInput],
    *,
    at: dt.datetime | None = None,
    batch: int = BATCH,
) -> list[Change]:
    """Make the remote store hold exactly the graphs of ``inputs``; return the changes."""
    files = list(inputs)
    for item in files:
        if not item.path.is_file():
            raise StoreError(f"{item.path}: no such file")
        if item.rdf_format() not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) and not item.graph:
            raise StoreError(f"{item.path}: a file of triples needs the graph to load it into")
    when = at or dt.datetime.now(dt.UTC)
    changes: list[Change] = []
    seen: set[str] = set()
    pending: dict[str, list[ox.Triple]] = {}
    for graph, triples in _graphs(files):
        if graph in seen:
            raise StoreError(f"graph {graph} appears in two places in the input; group it")
        seen.add(graph)
        pending[graph] = triples
        if len(pending) >= batch:
            changes += store.write_prepared(pending, at=when, bulk=True)
            pending = {}
    if pending:
        changes += store.write_prepared(pending, at=when, bulk=True)
    stale = sorted(set(live_graphs(store)) - seen)
    for start in range(0, len(stale), batch):
        changes += store.delete_graphs(stale[start : start + batch], at=when)
    return changes


def live_graphs(store: RemoteStore) -> list[str]:
    """Return every graph the store holds now (removed ones left out), in IRI order."""
    found: list[str] = []
    while True:
        # Pages follow the last IRI seen: Virtuoso refuses to sort past 10,000 rows of OFFSET.
        after = f"FILTER(STR(?g) > {quote(found[-1])})" if found else ""
        _, rows = store.client.select(
            f"{PREFIXES}SELECT ?g WHERE {{ GRAPH {iri(store.meta)} {{ ?g dcterms:identifier ?d "
            f"FILTER NOT EXISTS {{ ?g prov:invalidatedAtTime ?gone }} }} {after} }} "
            f"ORDER BY STR(?g) LIMIT {PAGE}"
        )
        found += [str(row[0]) for row in rows]
        if len(rows) < PAGE:
            return found


def _graphs(files: list[BulkInput]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Yield each graph of the input with its triples, as the input groups them."""
    for item in files:
        current: str | None = None
        triples: list[ox.Triple] = []
        try:
            for quad in ox.parse(path=str(item.path), format=item.rdf_format()):
                if item.graph:
                    graph = item.graph
                elif isinstance(quad.graph_name, ox.NamedNode):
                    graph = quad.graph_name.value
                else:
                    continue  # the default graph is not published
                if graph != current:
                    if current is not None:
                        yield current, triples
                    current, triples = graph, []
                triples.append(quad.triple)
        except SyntaxError as exc:
            raise StoreError(f"cannot load RDF: {exc}") from None
        if current is not None:
            yield current, triples


def dump_remote(store: RemoteStore, path: Path, *, batch: int = 40) -> None:
    """Write every live graph of the remote store to ``path`` as N-Quads."""
    graphs = live_graphs(store)
    with open(path, "wb") as out:
        for start in range(0, len(graphs), batch):
            values = " ".join(iri(g) for g in graphs[start : start + batch])
            _, rows = store.client.select(
                f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                f"LIMIT {PAGE}"
            )
            if len(rows) >= PAGE:  # a large graph: fetch each whole, past any row cap
                for graph in graphs[start : start + batch]:
                    out.write(_graph_quads(store, graph))
                continue
            quads = [
                ox.Quad(_ox(s), _ox(p), _ox(o), ox.NamedNode(str(g)))  # type: ignore[arg-type]
                for g, s, p, o in rows
            ]
            ox.serialize(quads, output=out, format=ox.RdfFormat.N_QUADS)


def _graph_quads(store: RemoteStore, graph: str) -> bytes:
    """Return one graph's content as N-Quads, read whole through the Graph Store Protocol."""
    if store.client.endpoints.gsp_url:
        data = store.client.gsp_get(graph)
    else:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
        data = store.client.raw_query(query, "application/n-triples").content
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    name = ox.NamedNode(graph)
    quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _ox(term: Node | None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, BNode):  # servers name blank nodes as they like (nodeID://b1)
        return ox.BlankNode("b" + hashlib.blake2b(str(term).encode(), digest_size=8).hexdigest())
    assert term is not None
    return to_ox(term)
