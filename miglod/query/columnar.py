"""Mirror the union copy in a columnar database, for the aggregates pyoxigraph answers slowly.

The union's triples are held in an in-memory DuckDB database as a set of
``triples(s, p, o)`` term ids, with a ``terms`` dictionary that keeps, for each
RDF term, its N-Triples text and what SPARQL compares: a class (see
:data:`~miglod.query.columnar_terms.CLASSES`), the lexical form, the language,
the datatype and a value (``num`` for numbers, ``tv`` in microseconds for
dates and date-times, and ``year``). SELECT queries in the subset
:mod:`miglod.query.sqlplan` compiles are answered from it; the others (and
those whose data strays out of the subset while they run) go to pyoxigraph as
before.

It is fed the same N-Triples the union copy is loaded from, a batch at a
time, so the zygote keeps answering while it loads, and the deltas the copy
applies. DuckDB runs on one thread, its own (see :meth:`ColumnarCopy._call`), which
is idle whenever the zygote forks.

This module holds the copy's life: loading, following deltas, and answering
queries with compiled plans. How terms become rows is
:mod:`miglod.query.columnar_terms`; the tables and the changes made to them,
:mod:`miglod.query.columnar_tables`; the DuckDB thread,
:mod:`miglod.query.columnar_thread`.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import traceback
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import pyoxigraph as ox

from miglod.query.columnar_tables import Tables
from miglod.query.columnar_terms import net_effect, split_triples
from miglod.query.columnar_thread import DuckThread
from miglod.query.sqlplan import FALLBACK, Plan, Unsupported, compile_select

T = TypeVar("T")

#: Bytes of N-Triples gathered before they are added to the tables.
BATCH = 2 << 20
#: Compiled plans kept, per query text.
PLANS = 256
#: Below this many triples pyoxigraph answers as fast (the columnar engine's fixed cost,
#: planning a large SQL statement, is some milliseconds), so queries go there.
MIN_TRIPLES = 1_000_000
#: Queries that group or count read many rows: from this many triples the columns answer
#: them (measured: at 10,000 items, 230,000 triples, the per-country count took 15 ms
#: from the columns and 37 ms in pyoxigraph; at 3,000 items, 69,000 triples, 11 and 13 ms).
MIN_AGGREGATE_TRIPLES = 150_000
_LINE_ENDS = re.compile(r"[\r\n]")


class ColumnarCopy:
    """The union of the data as DuckDB tables, and the compiled plans of queries asked of it.

    A load is :meth:`begin`, :meth:`feed` (any number of times) and
    :meth:`finish`; :attr:`ready` tells whether the tables are complete, and
    :attr:`version` names the data they hold.
    """

    def __init__(self, min_triples: int = MIN_TRIPLES) -> None:
        #: Fewer triples than this and :meth:`select` leaves every query to pyoxigraph,
        #: but those with aggregates from :attr:`min_aggregate_triples` on.
        self.min_triples = min_triples
        self.min_aggregate_triples = MIN_AGGREGATE_TRIPLES
        #: The DuckDB tables, used only on the DuckDB thread (see :meth:`_call`).
        self.tables = Tables()
        self.version = ""
        self.ready = False
        self.pending: list[bytes] = []
        self.size = 0
        self.plans: OrderedDict[str, Plan | Unsupported] = OrderedDict()
        self.broken = False
        self.empty = ox.Store()  # reads queries as pyoxigraph does, on no data
        #: Deltas taken but not yet applied (see :meth:`defer_delta`).
        self.deferred: list[tuple[bytes, bytes]] = []
        #: The thread DuckDB runs on (see :meth:`_call`).
        self.thread: DuckThread | None = None
        self._call(self.tables.reset)

    @property
    def triples(self) -> int:
        """Return how many triples the tables hold."""
        return self.tables.triples

    def _call(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work`` on this process's DuckDB thread, and wait for its result.

        C's allocator gives that thread an arena of its own. On the main thread,
        DuckDB's allocations shared the heap of the in-memory pyoxigraph copy:
        measured at 100,000 items, a query took a third longer, and applying a
        delta in the zygote spent most of its time in ``malloc``. The thread is
        started in each process on first use; since every call waits for it, it
        is idle whenever the zygote forks, and a forked child starts its own.
        """
        if self.thread is None or self.thread.pid != os.getpid():
            self.thread = DuckThread()
            weakref.finalize(self, self.thread.stop)
        return self.thread.call(work, *args)

    def begin(self) -> None:
        """Start a load from empty tables."""
        self.deferred.clear()
        self._call(self.tables.reset)
        self.ready, self.version, self.pending, self.size = False, "", [], 0
        self.broken = False

    def feed(self, data: bytes) -> None:
        """Take N-Triples (whole lines); add them to the tables once a batch has gathered.

        A failure leaves the copy unready until the next load (pyoxigraph answers
        meanwhile); it is never the caller's.
        """
        if self.broken:
            return
        self.pending.append(data)
        self.size += len(data)
        if self.size >= BATCH:
            self._guarded(self._ingest)

    def load(self, data: bytes, version: str, chunk: int = BATCH) -> None:
        """Load ``data`` (N-Triples) as the copy of ``version``, fed in whole lines of ``chunk`` bytes."""
        self.begin()
        start = 0
        while start < len(data):
            end = data.rfind(b"\n", start, start + chunk) + 1 or len(data)
            self.feed(data[start:end])
            start = end
        self.finish(version)

    def finish(self, version: str) -> None:
        """Add what is left, make the triples a set sorted for lookups by predicate, and be ready."""

        def complete() -> None:
            self._ingest()
            self.tables.finish_load()

        if not self.broken and self._guarded(complete):
            self.ready, self.version = True, version

    def _guarded(self, work: Callable[[], None]) -> bool:
        """Run ``work`` on the DuckDB thread; on failure mark the copy broken, log why, return ``False``."""
        try:
            self._call(work)
        except Exception:  # the in-memory copy and pyoxigraph go on without us
            traceback.print_exc(file=sys.stderr)
            self.broken, self.ready, self.pending, self.size = True, False, [], 0
            return False
        return True

    def apply_delta(self, removed: bytes, added: bytes, version: str) -> None:
        """Remove triples gone from the union and add the new ones (those not already there)."""
        self.settle()
        if self.ready and self._guarded(
            lambda: self.tables.apply(split_triples(removed), split_triples(added))
        ):
            self.version = version
        else:
            self.ready = False

    def defer_delta(self, removed: bytes, added: bytes, version: str) -> None:
        """Take a delta now and apply it when a query needs the tables (or at :meth:`settle`).

        A runner following the data answers the queries that do not use the
        columns (descriptions, CONSTRUCT, small data) without waiting for the
        tables, and applies the delta after its answer is sent.
        """
        if self.ready:
            self.deferred.append((removed, added))
            self.version = version

    def settle(self) -> None:
        """Apply the deferred deltas; on a failure the copy is no longer ready (pyoxigraph answers).

        Several are applied as one (:func:`~miglod.query.columnar_terms.net_effect`):
        a runner that follows two changes at once pays for one.
        """
        if self.deferred and self.ready:
            gone, new = net_effect(self.deferred)
            self._guarded(functools.partial(self.tables.apply, gone, new))
        self.deferred.clear()

    def _ingest(self) -> None:
        """Add the N-Triples gathered to the tables (on the DuckDB thread)."""
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending, self.size = [], 0
        self.tables.add(split_triples(data))

    def plan(self, sparql: str) -> Plan:
        """Return the compiled plan of ``sparql``; raise :class:`Unsupported` outside the subset.

        Plans do not depend on the data, so they are kept across data versions,
        under the query's text without its whole-line comments (:func:`plan_key`).
        """
        key = plan_key(sparql)
        found = self.plans.get(key)
        if found is None:
            try:
                found = compile_select(sparql, self._variables(sparql))
            except Unsupported as exc:
                found = exc
            self.plans[key] = found
            while len(self.plans) > PLANS:
                self.plans.popitem(last=False)
        else:
            self.plans.move_to_end(key)
        if isinstance(found, Unsupported):
            raise found
        return found

    def _variables(self, sparql: str) -> list[str]:
        """Return the variables of a SELECT query as pyoxigraph reads it (on no data).

        A query pyoxigraph refuses is left to it, so that the same error is reported.
        """
        try:
            result = self.empty.query(sparql)
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            raise Unsupported(f"pyoxigraph refuses the query: {exc}") from None
        if not isinstance(result, ox.QuerySolutions):
            raise Unsupported("only SELECT queries")
        return [v.value for v in result.variables]

    def select(self, sparql: str, limit: int | None) -> tuple[bytes, bool]:
        """Answer a SELECT query as SPARQL TSV; return it and whether rows were cut at ``limit``.

        Raise :class:`Unsupported` when the query, or the data it meets, is outside
        the subset, so that it is answered by pyoxigraph.

        The SQL runs on the DuckDB thread (:meth:`_call`).
        """
        self.settle()
        if not self.ready:
            raise Unsupported("the columnar copy is not loaded")
        if self.triples < min(self.min_triples, self.min_aggregate_triples):
            raise Unsupported(f"fewer than {self.min_triples} triples: pyoxigraph is as fast")
        # Planned here: pyoxigraph's objects (which read the query) stay on this thread.
        plan = self.plan(sparql)
        if self.triples < self.min_triples and not plan.aggregate:
            raise Unsupported(f"fewer than {self.min_triples} triples: pyoxigraph is as fast")
        return self._call(self._execute, plan, limit)

    def _execute(self, plan: Plan, limit: int | None) -> tuple[bytes, bool]:
        ids = self.tables.term_ids(list(plan.constants))
        sql = plan.sql(ids, None if limit is None else limit + 1)
        try:
            rows = self.tables.db.execute(sql).fetchall()
        except duckdb.Error as exc:
            if FALLBACK in str(exc):
                raise Unsupported(f"the data needs pyoxigraph's comparisons ({exc})") from None
            raise
        truncated = limit is not None and len(rows) > limit
        if truncated:
            rows = rows[:limit]
        lines = ["\t".join("?" + v for v in plan.variables)]
        lines.extend(r[0] for r in rows)
        return ("\n".join(lines) + "\n").encode(), truncated

    def stats(self) -> dict[str, Any]:
        """Return the number of terms and triples held."""
        self.settle()
        return self._call(
            lambda: {"terms": self.tables.rows("terms"), "triples": self.tables.rows("triples")}
        )


def plan_key(sparql: str) -> str:
    """Return the text a query's plan is kept under: without lines that are blank or a comment.

    Such a line cannot be part of an IRI or of a short string (neither holds a
    line end), so it changes nothing in the query; with a long string (triple
    quotes) the text is kept whole.
    """
    if '"""' in sparql or "'''" in sparql:
        return sparql
    lines = _LINE_ENDS.split(sparql)  # what ends a comment in SPARQL's grammar
    return "\n".join(
        line for line in lines if line.strip(" \t") and not line.lstrip(" \t").startswith("#")
    )
