"""Talk to a SPARQL 1.1 server: queries, updates and the Graph Store Protocol over HTTP.

One :class:`SparqlClient` keeps one connection pool (a ``requests`` session)
and answers with plain values: rdflib terms for SELECT rows, triples for
CONSTRUCT. Every call has a timeout. Queries are sent as form POSTs, which
every server accepts (Virtuoso never answers a direct ``application/sparql-query``
POST). Credentials are offered the way the server asks for them: Digest when it
challenges with Digest (Virtuoso's ``/sparql-auth``), Basic otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from miglod.store.base import QueryError, QueryTimeoutError, StoreError, Triple
from miglod.store.terms import XSD_STRING, to_rdflib

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
#: Seconds to wait for a connection to open; the read timeout is per call.
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a remote store answers, and the credentials it wants for writes."""

    query_url: str
    update_url: str = ""
    gsp_url: str = ""
    user: str = ""
    password: str = ""
    timeout: float = 60.0


class SparqlClient:
    """Send SPARQL queries and updates to one server, reusing connections."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self._session = requests.Session()
        self._auth: AuthBase | None = None
        self._auth_lock = threading.Lock()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def select(
        self, sparql: str, *, timeout: float | None = None
    ) -> tuple[tuple[str, ...], list[tuple[Node | None, ...]]]:
        """Return the variables and rows of a SELECT query."""
        body = self._post_query(sparql, JSON_RESULTS, timeout).json()
        names = tuple(body["head"].get("vars", ()))
        rows = [
            tuple(_term(binding[name]) if name in binding else None for name in names)
            for binding in body["results"]["bindings"]
        ]
        return names, rows

    def ask(self, sparql: str, *, timeout: float | None = None) -> bool:
        """Return the answer to an ASK query."""
        return bool(self._post_query(sparql, JSON_RESULTS, timeout).json()["boolean"])

    def construct(self, sparql: str, *, timeout: float | None = None) -> list[Triple]:
        """Return the triples of a CONSTRUCT or DESCRIBE query."""
        response = self._post_query(sparql, NTRIPLES, timeout)
        return list(parse_ntriples(response.content))

    def raw_query(
        self,
        sparql: str,
        accept: str,
        *,
        timeout: float | None = None,
        stream: bool = False,
        extra: Sequence[tuple[str, str]] = (),
    ) -> requests.Response:
        """Return the server's response to a query, as it sent it.

        ``extra`` holds more protocol parameters (``default-graph-uri``, …).
        """
        return self._post_query(sparql, accept, timeout, stream=stream, extra=extra)

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Run a SPARQL Update request (one transaction on the server)."""
        url = self.endpoints.update_url or self.endpoints.query_url
        self._send("POST", url, data={"update": sparql}, timeout=timeout, write=True)

    def gsp_get(self, graph: str, *, timeout: float | None = None) -> bytes:
        """Return one graph's content as N-Triples through the Graph Store Protocol."""
        response = self._send(
            "GET",
            self.endpoints.gsp_url,
            params=_graph_param(self.endpoints.gsp_url, graph),
            headers={"Accept": NTRIPLES},
            timeout=timeout,
            write=True,
            allow_missing=True,
        )
        return b"" if response.status_code == 404 else response.content

    def gsp_put(self, graph: str, ntriples: bytes, *, timeout: float | None = None) -> None:
        """Replace one graph's content through the Graph Store Protocol."""
        self._gsp_write("PUT", graph, ntriples, NTRIPLES, timeout)

    def gsp_post(self, graph: str, turtle: bytes, *, timeout: float | None = None) -> None:
        """Add Turtle to one graph through the Graph Store Protocol."""
        self._gsp_write("POST", graph, turtle, "text/turtle", timeout)

    def _gsp_write(
        self, method: str, graph: str, body: bytes, media_type: str, timeout: float | None
    ) -> None:
        if not self.endpoints.gsp_url:
            raise StoreError("no Graph Store Protocol URL is configured")
        self._send(
            method,
            self.endpoints.gsp_url,
            params=_graph_param(self.endpoints.gsp_url, graph),
            data=body,
            headers={"Content-Type": media_type},
            timeout=timeout,
            write=True,
        )

    def _post_query(
        self,
        sparql: str,
        accept: str,
        timeout: float | None,
        *,
        stream: bool = False,
        extra: Sequence[tuple[str, str]] = (),
    ) -> requests.Response:
        return self._send(
            "POST",
            self.endpoints.query_url,
            data=[("query", sparql), *extra],
            headers={"Accept": accept},
            timeout=timeout,
            stream=stream,
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        timeout: float | None,
        write: bool = False,
        stream: bool = False,
        allow_missing: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        limit = self.endpoints.timeout if timeout is None else timeout
        try:
            response = self._session.request(
                method,
                url,
                timeout=(CONNECT_TIMEOUT, limit),
                auth=self._auth if write or self._auth else None,
                stream=stream,
                **kwargs,
            )
            if response.status_code == 401 and self.endpoints.user:
                self._choose_auth(response)
                response = self._session.request(
                    method, url, timeout=(CONNECT_TIMEOUT, limit), auth=self._auth, **kwargs
                )
        except requests.Timeout:
            raise QueryTimeoutError(f"{url} did not answer within {limit:g} s") from None
        except requests.RequestException as exc:
            raise StoreError(f"cannot reach {url}: {exc.__class__.__name__}") from None
        if response.status_code == 404 and allow_missing:
            return response
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:300]
            error = QueryError if response.status_code in (400, 500) else StoreError
            raise error(f"{url} answered {response.status_code}: {detail}")
        return response

    def _choose_auth(self, challenge: requests.Response) -> None:
        offered = challenge.headers.get("WWW-Authenticate", "").lower()
        user, password = self.endpoints.user, self.endpoints.password
        with self._auth_lock:
            if offered.startswith("digest"):
                self._auth = HTTPDigestAuth(user, password)
            else:
                self._auth = HTTPBasicAuth(user, password)


def _graph_param(url: str, graph: str) -> dict[str, str]:
    # Virtuoso's endpoint names its parameter graph-uri; the standard one is graph.
    return {"graph-uri" if "graph-crud" in url else "graph": graph}


def _term(binding: Mapping[str, str]) -> Node:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    language = binding.get("xml:lang")
    if language:
        return Literal(value, lang=language, normalize=False)
    datatype = binding.get("datatype")
    if datatype and datatype != XSD_STRING:
        return Literal(value, datatype=URIRef(datatype), normalize=False)
    return Literal(value, normalize=False)


def parse_ntriples(data: bytes) -> Iterator[Triple]:
    """Yield the rdflib triples of an N-Triples document."""
    try:
        for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            yield (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
    except SyntaxError as exc:
        raise QueryError(f"the server sent N-Triples that do not parse: {exc}") from None
