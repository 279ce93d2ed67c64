"""Evaluate one query against pyoxigraph and write its result, capped, in the format asked for.

The row cap is exact and never silent: results are first written as TSV (one
line per solution) or N-Triples (one line per triple) while lines are counted;
after ``limit + 1`` rows the writer stops the serializer, which stops the
evaluation. The kept lines are then rewritten in the format asked for by
pyoxigraph's own parsers and serializers, and ``truncated`` says whether rows
were left out. Output goes to a :class:`Spool`: memory for small results, a
file for large ones, so a large result never has to fit in memory.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from miglod.query.check import QueryInfo, inspect_query
from miglod.query.errors import QueryError
from miglod.query.formats import (
    BY_NAME,
    JSON,
    NTRIPLES,
    PREFIXES,
    TSV,
    TURTLE,
    ResultFormat,
    ResultKind,
)
from miglod.query.sqlexpr import Unsupported

if TYPE_CHECKING:
    from miglod.query.columnar import ColumnarCopy

#: Results up to this many bytes stay in memory; larger ones are written to a file.
SPOOL_THRESHOLD = 1024 * 1024


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """One query to evaluate, with the protocol's dataset and the output wanted.

    ``limit`` caps the rows (solutions or triples) kept; ``None`` keeps all.
    ``default_graphs`` and ``named_graphs`` are the protocol's dataset (the
    ``default-graph-uri`` and ``named-graph-uri`` parameters); when both are
    empty the query's own ``FROM`` clauses apply, and without those the
    default graph is the union of all graphs.
    """

    sparql: str
    format: str = JSON.name
    limit: int | None = 10_000
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None

    @property
    def has_dataset(self) -> bool:
        """Return whether the protocol names the dataset."""
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A written result: where its bytes are and what they are.

    Exactly one of ``body`` (the bytes) and ``path`` (a file holding them, to be
    removed by whoever reads it) is set. ``rows`` counts the solutions or
    triples written (``None`` for ASK, or when no cap was counted);
    ``precomputed`` tells a result computed ahead of the request.
    """

    kind: ResultKind
    format: str
    media_type: str
    rows: int | None
    truncated: bool
    size: int
    seconds: float
    body: bytes | None = None
    path: str | None = None
    version: str = ""
    precomputed: bool = False

    def read(self) -> bytes:
        """Return the bytes of the result (reading the file, if there is one)."""
        if self.body is not None:
            return self.body
        assert self.path is not None
        with open(self.path, "rb") as handle:
            return handle.read()


@dataclass(slots=True)
class Engines:
    """The stores a query can go to.

    ``union`` is an in-memory store whose default graph is the union (the RDF
    merge) of all graphs; ``disk`` opens the on-disk store with its named graphs.
    Queries that name graphs, or whose dataset the protocol sets, go to disk;
    the others to ``union`` when there is one. ``columnar``, when set, holds the
    same union as ``union`` and answers the SELECT queries it can compile.
    """

    disk: Callable[[], ox.Store]
    union: ox.Store | None = None
    version: str = ""
    columnar: ColumnarCopy | None = None


class Spool:
    """Collect output bytes in memory, moving them to a file once they grow large."""

    def __init__(self, directory: str | None, name: str, threshold: int = SPOOL_THRESHOLD) -> None:
        self.directory = directory
        self.name = name
        self.threshold = threshold
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.size = 0

    def write(self, chunk: bytes) -> int:
        """Write bytes (the file protocol pyoxigraph's serializers use)."""
        self.size += len(chunk)
        if self.file is not None:
            self.file.write(chunk)
        else:
            self.buffer += chunk
            if self.directory is not None and len(self.buffer) > self.threshold:
                self.file = open(os.path.join(self.directory, self.name), "wb")  # noqa: SIM115
                self.file.write(self.buffer)
                self.buffer = bytearray()
        return len(chunk)

    def flush(self) -> None:
        """Do nothing: data is flushed when the spool is finished."""

    def finish(self) -> tuple[bytes | None, str | None]:
        """Return the bytes, or the path of the file holding them."""
        if self.file is None:
            return bytes(self.buffer), None
        self.file.close()
        return None, self.file.name

    def discard(self) -> None:
        """Remove anything written so far."""
        if self.file is not None:
            self.file.close()
            os.unlink(self.file.name)
            self.file = None
        self.buffer = bytearray()


class _Enough(Exception):
    """Raise to stop a serializer once enough lines were written."""


class _Lines:
    """Collect line-based output, stopping the writer after ``keep`` lines and one more."""

    def __init__(self, keep: int | None) -> None:
        self.keep = keep
        self.data = bytearray()
        self.lines = 0
        self.cut: int | None = None

    def write(self, chunk: bytes) -> int:
        start = len(self.data)
        self.data += chunk
        if self.keep is None:
            return len(chunk)
        count = chunk.count(b"\n")
        if self.lines + count <= self.keep:
            self.lines += count
            if self.lines == self.keep and count:
                self.cut = self.data.rfind(b"\n") + 1
            return len(chunk)
        position = start
        while True:
            position = self.data.find(b"\n", position) + 1
            self.lines += 1
            if self.lines == self.keep:
                self.cut = position
            elif self.lines > self.keep:
                raise _Enough

    def flush(self) -> None:
        """Do nothing: everything is kept in memory."""

    def kept(self) -> tuple[bytes, bool]:
        """Return the kept lines and whether lines were left out."""
        if self.keep is not None and self.lines > self.keep:
            return bytes(self.data[: self.cut or 0]), True
        return bytes(self.data), False


def evaluate(request: QueryRequest, engines: Engines, spool: Spool) -> Outcome:
    """Evaluate ``request`` and write its result to ``spool``.

    Raise :class:`QueryError` for syntax errors, failures of the engine and
    refused queries.
    """
    info = inspect_query(request.sparql)
    target = _target(request, info, engines)
    started = time.perf_counter()
    if engines.columnar is not None and target.store is engines.union and info.form == "SELECT":
        found = _from_columnar(request, engines.columnar, spool)
        if found is not None:
            chosen, rows, truncated = found
            body, path = spool.finish()
            seconds = time.perf_counter() - started
            return Outcome(
                "solutions",
                chosen.name,
                chosen.media_type,
                rows,
                truncated,
                spool.size,
                seconds,
                body,
                path,
                engines.version,
            )
    try:
        result = target.store.query(
            request.sparql,
            base_iri=request.base_iri,
            use_default_graph_as_union=target.union,
            default_graph=target.default_graph,
            named_graphs=target.named_graphs,
        )
        if isinstance(result, ox.QueryBoolean):
            fmt = _format_for(request.format, "boolean")
            result.serialize(_io(spool), format=fmt.results_format())
            kind: ResultKind = "boolean"
            rows, truncated = None, False
        elif isinstance(result, ox.QuerySolutions):
            fmt = _format_for(request.format, "solutions")
            rows, truncated = _write_solutions(result, fmt.name, request.limit, spool)
            kind = "solutions"
        else:
            fmt = _format_for(request.format, "triples")
            rows, truncated = _write_triples(result, fmt.name, request.limit, spool)
            kind = "triples"
    except SyntaxError as exc:
        spool.discard()
        raise QueryError(400, "query_syntax", f"Syntax error in the query: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        spool.discard()
        raise QueryError(400, "query_failed", f"The query could not be evaluated: {exc}") from None
    body, path = spool.finish()
    return Outcome(
        kind,
        fmt.name,
        fmt.media_type,
        rows,
        truncated,
        spool.size,
        time.perf_counter() - started,
        body,
        path,
        engines.version,
    )


def _from_columnar(
    request: QueryRequest, columnar: ColumnarCopy, spool: Spool
) -> tuple[ResultFormat, int | None, bool] | None:
    """Answer a SELECT query from the columnar copy; ``None`` when pyoxigraph must.

    The rows come as SPARQL TSV and are written by pyoxigraph's own serializers,
    so every format and the row cap behave as for pyoxigraph's answers. Any
    failure of the columnar engine leaves the query to pyoxigraph. The request's
    base IRI is not passed on: the columnar copy reads the query without one, so
    a query with a relative IRI (which needs it) is refused there and answered here.
    """
    try:
        data, truncated = columnar.select(request.sparql, request.limit)
    except Unsupported:
        return None
    except Exception:  # a fault of the columnar engine: logged, and pyoxigraph answers
        traceback.print_exc(file=sys.stderr)
        return None
    fmt = _format_for(request.format, "solutions")
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    parsed.serialize(_io(spool), format=fmt.results_format())
    rows = None if request.limit is None else max(data.count(b"\n") - 1, 0)
    return fmt, rows, truncated


@dataclass(frozen=True, slots=True)
class _Target:
    """The store a query goes to and the dataset options it is evaluated with."""

    store: ox.Store
    union: bool = False
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None


def _target(request: QueryRequest, info: QueryInfo, engines: Engines) -> _Target:
    if request.has_dataset:
        return _Target(
            engines.disk(),
            default_graph=[ox.NamedNode(g) for g in request.default_graphs],
            named_graphs=[ox.NamedNode(g) for g in request.named_graphs],
        )
    if info.names_graphs or engines.union is None:
        # A query's own FROM sets its dataset; pyoxigraph's union flag would override it.
        return _Target(engines.disk(), union=not info.sets_dataset)
    return _Target(engines.union)


def _io(writer: object) -> IO[bytes]:
    """Return a writer with the type pyoxigraph's serializers declare (they only call write)."""
    return cast("IO[bytes]", writer)


def _format_for(name: str, kind: ResultKind) -> ResultFormat:
    fmt = BY_NAME.get(name)
    if fmt is not None and kind in fmt.kinds:
        return fmt
    return TURTLE if kind == "triples" else JSON


def _write_solutions(
    result: ox.QuerySolutions, name: str, limit: int | None, spool: Spool
) -> tuple[int | None, bool]:
    fmt = BY_NAME[name]
    if limit is None:
        result.serialize(_io(spool), format=fmt.results_format())
        return None, False
    lines = _Lines(limit + 1)  # the header line and the rows kept
    with contextlib.suppress(_Enough):
        result.serialize(_io(lines), format=ox.QueryResultsFormat.TSV)
    data, truncated = lines.kept()
    return write_lines("solutions", data, fmt, spool), truncated


def _write_triples(
    result: ox.QueryTriples, name: str, limit: int | None, spool: Spool
) -> tuple[int | None, bool]:
    fmt = BY_NAME[name]
    if limit is None:
        result.serialize(_io(spool), format=fmt.rdf_format())
        return None, False
    lines = _Lines(limit)
    with contextlib.suppress(_Enough):
        result.serialize(_io(lines), format=ox.RdfFormat.N_TRIPLES)
    data, truncated = lines.kept()
    return write_lines("triples", data, fmt, spool), truncated


def line_format(kind: ResultKind) -> ResultFormat:
    """Return the line-based format results of ``kind`` are counted in: TSV or N-Triples."""
    return NTRIPLES if kind == "triples" else TSV


def cut_lines(data: bytes, kind: ResultKind, limit: int) -> tuple[bytes, bool]:
    """Keep the first ``limit`` records of line-based results; say whether any were left out."""
    keep = limit + (0 if kind == "triples" else 1)
    end = 0
    for _ in range(keep):
        found = data.find(b"\n", end)
        if found < 0:
            return data, False
        end = found + 1
    return data[:end], end < len(data)


def write_lines(kind: ResultKind, data: bytes, fmt: ResultFormat, spool: Spool) -> int:
    """Write results given as TSV (solutions) or N-Triples (triples) in ``fmt``; return the records."""
    if kind == "triples":
        if fmt is NTRIPLES:
            spool.write(data)
        else:
            triples = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
            used = {name: iri for name, iri in PREFIXES.items() if iri.encode() in data}
            ox.serialize(triples, _io(spool), format=fmt.rdf_format(), prefixes=used)
        return data.count(b"\n")
    if fmt is TSV:
        spool.write(data)
    else:
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        parsed.serialize(_io(spool), format=fmt.results_format())
    return max(data.count(b"\n") - 1, 0)
