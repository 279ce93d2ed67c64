"""Let one writer at a time change a remote store, whatever isolation its server gives.

A guarded update (``DELETE … INSERT … WHERE`` matching the version token read
before) is enough on a server whose updates are serializable, as Virtuoso's
are. Oxigraph server evaluates an update's ``WHERE`` on a snapshot, so two
updates guarded by the same token can both succeed (write skew). Writers
therefore first take turns with Lamport's bakery algorithm, which needs nothing
but reads that see committed writes: each writer announces it is choosing,
takes a ticket one above the highest it sees, and goes once no one is choosing
and no live ticket is lower than its own. Tickets carry a lease, so a writer
that died holding one stops blocking the others once the lease runs out.

The tickets live in their own graph, ``{base}graph/changes/lock``, and are
removed as soon as the write is done.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

from miglod.store.base import StoreError
from miglod.store.remote_describe import iri
from miglod.store.remote_http import SparqlClient
from miglod.store.remote_log import PREFIXES, parse_time, quote, time_literal

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
#: Seconds after which a ticket no longer blocks anyone.
LEASE = 30.0


class WriteLock:
    """Take and give back the turn to write to one remote store."""

    def __init__(self, client: SparqlClient, meta: str, *, wait: float = 60.0) -> None:
        self.client = client
        self.graph = meta + "/lock"
        self.wait = wait

    def acquire(self) -> str:
        """Wait for this writer's turn; return its ticket (pass it to :meth:`release`)."""
        ticket = f"{self.graph}/{secrets.token_hex(8)}"
        g, t = iri(self.graph), iri(ticket)
        now = dt.datetime.now(dt.UTC)
        self.client.update(
            f"{PREFIXES}INSERT DATA {{ GRAPH {g} {{ {t} dcterms:type {quote('choosing')} ; "
            f"dcterms:date {time_literal(now)} }} }}"
        )
        try:
            number = self._highest(now) + 1
            self.client.update(
                f"{PREFIXES}INSERT DATA {{ GRAPH {g} {{ {t} dcterms:identifier "
                f'"{number}"^^<{XSD_INTEGER}> }} }} ;\n'
                f"DELETE DATA {{ GRAPH {g} {{ {t} dcterms:type {quote('choosing')} }} }}"
            )
            self._wait_turn(ticket, number)
        except BaseException:
            self.release(ticket)
            raise
        return ticket

    def release(self, ticket: str) -> None:
        """Give the turn back, and clear tickets whose lease ran out."""
        g = iri(self.graph)
        cutoff = time_literal(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=LEASE))
        self.client.update(
            f"{PREFIXES}DELETE WHERE {{ GRAPH {g} {{ {iri(ticket)} ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH {g} {{ ?x ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?x dcterms:date ?d ; "
            f"?p ?o FILTER(?d < {cutoff}) }} }}"
        )

    def _highest(self, now: dt.datetime) -> int:
        cutoff = time_literal(now - dt.timedelta(seconds=LEASE))
        _, rows = self.client.select(
            f"{PREFIXES}SELECT (MAX(?n) AS ?top) WHERE {{ GRAPH {iri(self.graph)} {{ "
            f"?x dcterms:identifier ?n ; dcterms:date ?d FILTER(?d > {cutoff}) }} }}"
        )
        top = rows[0][0] if rows else None
        return int(str(top)) if top is not None else 0

    def _wait_turn(self, ticket: str, number: int) -> None:
        deadline = time.monotonic() + self.wait
        pause = 0.005
        while True:
            now = dt.datetime.now(dt.UTC)
            _, rows = self.client.select(
                f"{PREFIXES}SELECT ?x ?d ?n ?kind WHERE {{ GRAPH {iri(self.graph)} {{ "
                "?x dcterms:date ?d OPTIONAL { ?x dcterms:identifier ?n } "
                "OPTIONAL { ?x dcterms:type ?kind } } }"
            )
            if not any(_blocks(row, ticket, number, now) for row in rows if str(row[0]) != ticket):
                return
            if time.monotonic() > deadline:
                raise StoreError("another writer has held the store for too long; try again")
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _blocks(row: tuple[object, ...], ticket: str, number: int, now: dt.datetime) -> bool:
    other, started, ticket_number, kind = row
    try:
        if (now - parse_time(started)).total_seconds() > LEASE:  # type: ignore[arg-type]
            return False
    except ValueError:
        return False
    if kind is not None:
        return True  # still choosing its number
    if ticket_number is None:
        return False
    theirs = int(str(ticket_number))
    return (theirs, str(other)) < (number, ticket)
