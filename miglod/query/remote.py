"""Answer SPARQL endpoint queries from a remote store, under our own rules and limits.

The read-only, ``SERVICE`` and length checks of :func:`inspect_query` run
first, here, whatever the server would allow. The query then goes to the
server with our time limit (the whole answer must arrive within it) and our
row cap (rows past it are dropped and the result marked truncated); the rows
are written in the format asked for by the same code the embedded engine's
results go through, so clients see one behaviour whichever store answers.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pyoxigraph as ox
import requests

from miglod.query.check import inspect_query
from miglod.query.errors import QueryError, QueryTimeoutError
from miglod.query.evaluate import Outcome, QueryRequest, Spool, cut_lines, write_lines
from miglod.query.formats import BY_NAME, JSON, TURTLE, ResultFormat, ResultKind
from miglod.store.base import QueryError as StoreQueryError
from miglod.store.base import QueryTimeoutError as StoreTimeoutError
from miglod.store.base import StoreError
from miglod.store.remote_http import JSON_RESULTS, NTRIPLES, Endpoints, SparqlClient

#: Largest answer read from the server, whatever the row cap (a guard against huge rows).
MAX_BYTES = 256 * 1024 * 1024


class RemoteQueryService:
    """Run endpoint queries on a remote SPARQL server (the web worker's query service)."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.client = SparqlClient(endpoints)

    def start(self) -> None:
        """Do nothing: the server is already running."""

    def close(self) -> None:
        """Close the connections to the server."""
        self.client.close()

    def run(self, request: QueryRequest, *, timeout: float, version: str = "") -> Outcome:
        """Return the result of ``request``, or raise :class:`QueryError`."""
        info = inspect_query(request.sparql)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        kind: ResultKind = "triples" if info.form in ("CONSTRUCT", "DESCRIBE") else "solutions"
        sparql = request.sparql
        if request.base_iri and not sparql.lstrip().upper().startswith("BASE"):
            sparql = f"BASE <{request.base_iri}>\n{sparql}"
        dataset = [("default-graph-uri", g) for g in request.default_graphs] + [
            ("named-graph-uri", g) for g in request.named_graphs
        ]
        data = self._fetch(sparql, kind, dataset, timeout, deadline)
        spool = Spool(None, "result")
        if kind == "triples":
            fmt = _format_for(request.format, "triples")
            lines = data.body
            truncated = data.server_cut
            if request.limit is not None:
                lines, cut = cut_lines(lines, "triples", request.limit)
                truncated = truncated or cut
            rows: int | None = write_lines("triples", lines, fmt, spool)
        else:
            parsed = ox.parse_query_results(
                _tidy_json(data.body), format=ox.QueryResultsFormat.JSON
            )
            if isinstance(parsed, ox.QueryBoolean):
                kind = "boolean"
                fmt = _format_for(request.format, "boolean")
                parsed.serialize(spool, format=fmt.results_format())  # type: ignore[arg-type]
                rows, truncated = None, False
            else:
                fmt = _format_for(request.format, "solutions")
                tsv = parsed.serialize(format=ox.QueryResultsFormat.TSV) or b""
                truncated = data.server_cut
                if request.limit is not None:
                    tsv, cut = cut_lines(tsv, "solutions", request.limit)
                    truncated = truncated or cut
                rows = write_lines("solutions", tsv, fmt, spool)
        body, _ = spool.finish()
        seconds = time.perf_counter() - started
        return Outcome(
            kind,
            fmt.name,
            fmt.media_type,
            rows,
            truncated,
            spool.size,
            seconds,
            body,
            None,
            version,
        )

    def _fetch(
        self,
        sparql: str,
        kind: ResultKind,
        dataset: list[tuple[str, str]],
        timeout: float,
        deadline: float,
    ) -> _Answer:
        accept = NTRIPLES if kind == "triples" else JSON_RESULTS
        try:
            response = self.client.raw_query(
                sparql, accept, timeout=timeout, stream=True, extra=dataset
            )
        except StoreTimeoutError:
            raise QueryTimeoutError(timeout) from None
        except StoreQueryError as exc:
            raise QueryError(400, "query_failed", f"The store refused the query: {exc}") from None
        except StoreError as exc:
            raise QueryError(502, "store_unavailable", str(exc)) from None
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(1 << 16):
                if time.monotonic() > deadline:
                    raise QueryTimeoutError(timeout)
                size += len(chunk)
                if size > MAX_BYTES:
                    raise QueryError(413, "result_too_large", "The result is too large to be sent.")
                chunks.append(chunk)
        except requests.RequestException:
            raise QueryTimeoutError(timeout) from None
        finally:
            response.close()
        # Virtuoso cuts results at its own row limit and says so in this header.
        server_cut = "X-SPARQL-MaxRows" in response.headers
        return _Answer(b"".join(chunks), server_cut)


class _Answer:
    """The bytes of a server's answer and whether the server cut it short."""

    def __init__(self, body: bytes, server_cut: bool) -> None:
        self.body = body
        self.server_cut = server_cut


def _format_for(name: str, kind: ResultKind) -> ResultFormat:
    fmt = BY_NAME.get(name)
    if fmt is not None and kind in fmt.kinds:
        return fmt
    return TURTLE if kind == "triples" else JSON


def _tidy_json(body: bytes) -> bytes:
    """Rename blank nodes pyoxigraph would refuse (Virtuoso names them ``nodeID://b1``)."""
    if b'"bnode"' not in body:
        return body
    try:
        parsed: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise QueryError(
            502, "store_answer", f"The store sent results that do not parse: {exc}"
        ) from None
    for binding in parsed.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("type") == "bnode":
                term["value"] = (
                    "b" + hashlib.blake2b(term["value"].encode(), digest_size=8).hexdigest()
                )
    return json.dumps(parsed).encode("utf-8")
