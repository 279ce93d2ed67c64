"""Keep the dataset in any SPARQL 1.1 server (Virtuoso, Oxigraph server, Fuseki, …).

:class:`RemoteStore` gives the same answers as the embedded store, and keeps
nothing of its own: digests, the change log and superseded versions live in
the server (see :mod:`miglod.store.remote_log`), so any number of web workers
on any number of hosts can read and write the same data.

A write is one SPARQL Update request, which servers run as one transaction:
the item graphs' new content and their bookkeeping go in together (see
:mod:`miglod.store.remote_write`). Writers take turns (see
:mod:`miglod.store.remote_lock`: Oxigraph server's updates are not
serializable), and every operation of the request is also guarded by the
store's version token as read before the write, which the request moves on. A
writer checks its change record is there afterwards, and otherwise reads again
and retries; a write whose ``expect`` no longer holds raises
:class:`ConflictError` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from miglod.store.base import (
    INBOUND_LIMIT,
    Change,
    Description,
    GraphStatus,
    Listing,
    QueryError,
    QueryResult,
    QueryTimeoutError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    Triple,
    check_expected,
)
from miglod.store.remote_describe import describe_remote, graph_scope, iri, sparql_term
from miglod.store.remote_http import NTRIPLES, Endpoints, SparqlClient, parse_ntriples
from miglod.store.remote_lock import WriteLock
from miglod.store.remote_log import (
    CHANGE_COLUMNS,
    DCT,
    PREFIXES,
    change_pattern,
    meta_graph,
    parse_time,
    quote,
    read_change,
    read_status,
    status_query,
    time_literal,
    version_iri,
)
from miglod.store.remote_write import (
    change_iri,
    planned_changes,
    records_turtle,
    update_request,
)
from miglod.store.terms import ox_triple, triples_digest

DATE_PUBLISHED = "https://schema.org/datePublished"
#: Graphs whose state is read per request.
STATUS_BATCH = 400
#: Times a write is tried again after losing a race with another writer.
RETRIES = 8


class RemoteStore(Store):
    """Read and write a dataset of named graphs kept by a SPARQL 1.1 server."""

    def __init__(self, endpoints: Endpoints, base: str, *, read_only: bool = False) -> None:
        self.client = SparqlClient(endpoints)
        self.base = base
        self.meta = meta_graph(base)
        self.scope = graph_scope(base, self.meta)
        self.read_only = read_only
        self.lock = WriteLock(self.client, self.meta)
        self._version = ""
        self._modified: dt.datetime | None = None
        self.refresh()

    @property
    def version(self) -> str:
        """Return the server's version token as last read."""
        return self._version

    @property
    def modified(self) -> dt.datetime | None:
        """Return the time of the last change as last read."""
        return self._modified

    def refresh(self, *, wait: bool = True) -> bool:
        """Read the version token again; return whether it moved on."""
        token, modified = self._read_token()
        moved = token != self._version
        self._version, self._modified = token, modified
        return moved

    def describe(self, iri: str, *, inbound_limit: int = INBOUND_LIMIT) -> Description:
        """Return the description of ``iri``."""
        return describe_remote(self.client, self.scope, iri, inbound_limit=inbound_limit)

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        """Evaluate a read-only query on the server (its default graph is the union).

        The server's own default graph is used, so it must be the union of the
        graphs: Virtuoso's is; start Oxigraph server with ``--union-default-graph``.
        """
        kind = _form(sparql)
        if timeout is not None and timeout <= 0:
            raise QueryTimeoutError("the query ran past its time limit")
        if kind == "ask":
            return QueryResult("boolean", boolean=self.client.ask(sparql, timeout=timeout))
        if kind == "triples":
            triples = self.client.construct(sparql, timeout=timeout)
            cut = limit is not None and len(triples) > limit
            return QueryResult("triples", triples=tuple(triples[:limit]), truncated=cut)
        names, rows = self.client.select(sparql, timeout=timeout)
        cut = limit is not None and len(rows) > limit
        return QueryResult("solutions", variables=names, rows=tuple(rows[:limit]), truncated=cut)

    def latest(
        self,
        *,
        linked_to: Sequence[str] = (),
        since: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Listing:
        """Return dated resources, newest first, linking to every IRI in ``linked_to``."""
        links = " ".join(f"?s ?p{n} {iri(t)} ." for n, t in enumerate(linked_to))
        pattern = (
            f"GRAPH ?g {{ ?s <{DATE_PUBLISHED}> ?date . {links} }} "
            f"FILTER(isIRI(?s) && {self.scope} && STR(?date) >= {quote(since or '')})"
        )
        _, counted = self.client.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?date WHERE {{ {pattern} }} }}"
        )
        total = int(str(counted[0][0])) if counted and counted[0][0] is not None else 0
        _, rows = self.client.select(
            f"SELECT DISTINCT ?s ?date WHERE {{ {pattern} }} "
            f"ORDER BY DESC(STR(?date)) DESC(?s) LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        return Listing(tuple((str(s), str(d)) for s, d in rows), total)

    def changes(
        self, since: dt.datetime | None = None, *, after: str = "", limit: int = 1000
    ) -> list[Change]:
        """Return each graph's last change after ``since``, oldest first."""
        condition = ""
        if since is not None:
            at = time_literal(since)
            condition = f"FILTER(?t > {at} || (?t = {at} && STR(?g) > {quote(after)}))"
            if not after:
                condition = f"FILTER(?t > {at})"
        query = (
            f"{PREFIXES}SELECT {CHANGE_COLUMNS} WHERE {{ "
            f"GRAPH {iri(self.meta)} {{ ?g prov:wasGeneratedBy ?c }} {change_pattern(self.meta)} "
            f"{condition} }} ORDER BY ?t STR(?g) LIMIT {int(limit)}"
        )
        return [read_change(row) for row in self.client.select(query)[1]]

    def status(self, graph: str) -> GraphStatus | None:
        """Return the digest and last change of ``graph``."""
        return self._statuses([graph]).get(graph)

    def history(self, graph: str) -> list[Change]:
        """Return every recorded change to ``graph``, oldest first."""
        query = (
            f"{PREFIXES}SELECT {CHANGE_COLUMNS} WHERE {{ VALUES ?g {{ {iri(graph)} }} "
            f"{change_pattern(self.meta)} }} ORDER BY ?t"
        )
        return [read_change(row) for row in self.client.select(query)[1]]

    def version_of(self, graph: str, digest: str) -> tuple[Triple, ...] | None:
        """Return the triples ``graph`` held when its digest was ``digest``."""
        current = self.status(graph)
        if current is not None and not current.deleted and current.digest == digest:
            return tuple(self._content(graph))
        _, rows = self.client.select(
            f"{PREFIXES}SELECT ?text WHERE {{ GRAPH {iri(self.meta)} {{ "
            f"{iri(version_iri(graph, digest))} prov:value ?text }} }}"
        )
        if not rows or rows[0][0] is None:
            return None
        return tuple(parse_ntriples(str(rows[0][0]).encode("utf-8")))

    def replace_graphs(
        self,
        quads_by_graph: Mapping[str, Iterable[Triple]],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Replace each named graph by its triples in one transaction on the server."""
        prepared: dict[str, list[ox.Triple]] = {}
        for graph, triples in quads_by_graph.items():
            try:
                ox.NamedNode(str(graph))
                iri(str(graph))
                prepared[str(graph)] = [ox_triple(t) for t in triples]
            except (TypeError, ValueError) as exc:
                raise StoreError(f"graph {graph}: {exc}") from None
        return self.write_prepared(prepared, at=at, agent=agent, expect=expect)

    def delete_graphs(
        self,
        graphs: Iterable[str],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
    ) -> list[Change]:
        """Remove named graphs in one transaction, recording their removal."""
        return self.write_prepared({str(g): [] for g in graphs}, at=at, agent=agent, expect=expect)

    def close(self) -> None:
        """Close the connections to the server."""
        self.client.close()

    # Reading the bookkeeping

    def _read_token(self) -> tuple[str, dt.datetime | None]:
        _, rows = self.client.select(
            f"{PREFIXES}SELECT ?v ?t WHERE {{ GRAPH {iri(self.meta)} {{ "
            f"{iri(self.meta)} dcterms:hasVersion ?v OPTIONAL {{ {iri(self.meta)} dcterms:modified ?t }} }} }}"
        )
        if not rows or rows[0][0] is None:
            return "", None
        return str(rows[0][0]), parse_time(rows[0][1]) if rows[0][1] is not None else None

    def _statuses(self, graphs: Sequence[str]) -> dict[str, GraphStatus]:
        found: dict[str, GraphStatus] = {}
        for start in range(0, len(graphs), STATUS_BATCH):
            batch = list(graphs[start : start + STATUS_BATCH])
            for row in self.client.select(status_query(self.meta, batch))[1]:
                status = read_status(row)
                found[status.graph] = status
        return found

    def _content(self, graph: str) -> list[Triple]:
        return self.client.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
        )

    def _content_text(self, graph: str) -> str:
        if self.client.endpoints.gsp_url:
            return self.client.gsp_get(graph).decode("utf-8")
        response = self.client.raw_query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}", NTRIPLES
        )
        return response.content.decode("utf-8")

    # Writing

    def write_prepared(
        self,
        triples_by_graph: Mapping[str, list[ox.Triple]],
        *,
        at: dt.datetime | None = None,
        agent: str = "",
        expect: Mapping[str, str | None] | None = None,
        bulk: bool = False,
    ) -> list[Change]:
        """Replace graphs by pyoxigraph triples (none: remove the graph) in one transaction."""
        if self.read_only:
            raise ReadOnlyStoreError("this remote store was opened read-only")
        when = at or dt.datetime.now(dt.UTC)
        digests = {g: triples_digest(t) if t else None for g, t in triples_by_graph.items()}
        ticket = self.lock.acquire()
        try:
            for _ in range(RETRIES):
                done = self._try_write(triples_by_graph, digests, when, agent, expect, bulk)
                if done is not None:
                    return done
        finally:
            self.lock.release(ticket)
        raise StoreError("the store kept changing under this write; try again later")

    def _try_write(
        self,
        triples_by_graph: Mapping[str, list[ox.Triple]],
        digests: Mapping[str, str | None],
        when: dt.datetime,
        agent: str,
        expect: Mapping[str, str | None] | None,
        bulk: bool,
    ) -> list[Change] | None:
        """Write once; return the changes, or ``None`` when another writer got in first.

        A ``bulk`` write (a build) sends graphs' content and then their records
        through the Graph Store Protocol when there is one (many times faster
        than updates on Virtuoso), with one small update between that clears
        what they replace and moves the token on. A build interrupted midway
        is completed by running it again.
        """
        token, _ = self._read_token()
        statuses = self._statuses(sorted(triples_by_graph))
        check_expected(expect or {}, statuses)
        changes = planned_changes(digests, statuses, when, agent)
        if not changes:
            return []
        names = {c.graph: change_iri(self.base, when) for c in changes}
        snapshots = {c.graph: self._content_text(c.graph) for c in changes if c.before is not None}
        new_token = secrets.token_hex(12)
        written: set[str] = set()
        apart = bulk and bool(self.client.endpoints.gsp_url)
        if apart:
            for change in changes:
                if change.after is not None:
                    self.client.gsp_put(change.graph, _ntriples(triples_by_graph[change.graph]))
                    written.add(change.graph)
        self.client.update(
            update_request(
                self.meta,
                token,
                new_token,
                when,
                changes,
                names,
                triples_by_graph,
                snapshots,
                frozenset(written),
                with_records=not apart,
            )
        )
        if apart:
            if self._read_token()[0] != new_token:
                return None
            self.client.gsp_post(self.meta, records_turtle(changes, names, when, snapshots))
            self.refresh()
            return changes
        first = names[changes[0].graph]
        if not self.client.ask(
            f"{PREFIXES}ASK {{ GRAPH {iri(self.meta)} {{ {iri(first)} a prov:Activity }} }}"
        ):
            return None
        self.refresh()
        return changes


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _form(sparql: str) -> str:
    """Return whether a query asks for a boolean, triples or solutions."""
    from miglod.query.check import inspect_query  # the query layer imports the store
    from miglod.query.errors import QueryError as RefusedError

    try:
        form = inspect_query(sparql).form
    except RefusedError as exc:
        raise QueryError(exc.message) from None
    if form is None:
        raise QueryError("not a SPARQL query (SELECT, CONSTRUCT, DESCRIBE or ASK)")
    if form == "ASK":
        return "ask"
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "triples"
    return "solutions"


__all__ = ["DCT", "RemoteStore", "sparql_term"]
