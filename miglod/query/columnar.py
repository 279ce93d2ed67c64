"""Mirror the union copy in a columnar database, for the aggregates pyoxigraph answers slowly.

The union's triples are held in an in-memory DuckDB database as a set of
``triples(s, p, o)`` term ids, with a ``terms`` dictionary that keeps, for each
RDF term, its N-Triples text and what SPARQL compares: a class (see
:data:`CLASSES`), the lexical form, the language, the datatype and a value
(``num`` for numbers, ``tv`` in microseconds for dates and date-times, and
``year``). SELECT queries in the subset :mod:`miglod.query.sqlplan` compiles
are answered from it; the others (and those whose data strays out of the
subset while they run) go to pyoxigraph as before.

It is fed the same N-Triples the union copy is loaded from, a batch at a
time, so the zygote keeps answering while it loads, and the deltas the copy
applies. DuckDB runs on one thread, its own (see :meth:`ColumnarCopy._call`), which
is idle whenever the zygote forks.
"""

from __future__ import annotations

import functools
import gc
import os
import queue
import re
import sys
import threading
import traceback
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

import duckdb
import numpy as np
import pyoxigraph as ox

from miglod.query.sqlexpr import quote
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
#: Up to this many terms at once (a delta's), their ids are sought by constants.
FEW_TERMS = 1000
#: Up to this many new plain terms are added with their values written out.
FEW_WRITTEN = 64

#: Term classes: ``I`` IRI, ``B`` blank node, ``S`` simple literal (or xsd:string),
#: ``L`` language-tagged string, ``Ni``/``Nd``/``Nf``/``ND`` integer, decimal,
#: float and double, ``Dn``/``Dz`` xsd:date without and with a time zone,
#: ``Tn``/``Tz`` xsd:dateTime likewise, ``O`` a literal of a datatype SPARQL
#: knows nothing of, ``W`` a literal whose comparison is left to pyoxigraph
#: (other XSD or RDF datatypes, ill-typed or out-of-range values, NaN).
CLASSES = ("I", "B", "S", "L", "Ni", "Nd", "Nf", "ND", "Dn", "Dz", "Tn", "Tz", "O", "W")

XSD = "http://www.w3.org/2001/XMLSchema#"
#: A delta with at most this many distinct terms is applied by :meth:`ColumnarCopy._apply_small`.
SMALL_DELTA = 500
#: Term ids remembered between deltas and queries before the memory is emptied.
REMEMBERED_IDS = 100_000
#: Triples as their subjects, predicates and objects, in N-Triples.
_Columns = tuple[list[str], list[str], list[str]]
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_LINE_ENDS = re.compile(r"[\r\n]")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

_SCHEMA = """
CREATE OR REPLACE TABLE terms(
    id INTEGER, nt VARCHAR, cls VARCHAR, lex VARCHAR, lang VARCHAR, dt VARCHAR,
    num DOUBLE, tv BIGINT, year INTEGER);
CREATE OR REPLACE TABLE triples(s INTEGER, p INTEGER, o INTEGER);
CREATE OR REPLACE TABLE lookup(h UBIGINT, id INTEGER);
"""


def _zone_ok(zone: str) -> str:
    """Return SQL telling whether a time zone suffix (empty, ``Z`` or ``±hh:mm``) is valid."""
    return (
        f"({zone} IN ('', 'Z') OR (CAST({zone}[2:3] AS INTEGER) * 60 + CAST({zone}[5:6] AS INTEGER)"
        f" <= 840 AND CAST({zone}[5:6] AS INTEGER) < 60))"
    )


def _offset_us(zone: str) -> str:
    """Return SQL for a time zone suffix's offset from UTC, in microseconds."""
    return (
        f"(CASE WHEN {zone} IN ('', 'Z') THEN 0 ELSE (CASE WHEN {zone}[1] = '-' THEN -1 ELSE 1 END)"
        f" * (CAST({zone}[2:3] AS BIGINT) * 60 + CAST({zone}[5:6] AS BIGINT)) * 60000000 END)"
    )


# What the lexical forms of the values compared natively look like.
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$"
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$"
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_DOUBLE = r"^-?[0-9]+(\.[0-9]+)?(E-?[0-9]+)?$"

# Add the terms of table ``fresh(nt)`` absent from ``terms``, classified.
_ADD_TERMS = f"""
INSERT INTO terms
WITH new AS (
    SELECT nt, row_number() OVER () - 1 + $1 AS id
    FROM fresh f ANTI JOIN known k ON k.nt = f.nt
), split AS (
    SELECT id, nt, left(nt, 1) AS head,
        CASE WHEN left(nt, 1) = '"' THEN length(nt) - strpos(reverse(nt), '"') END AS q
    FROM new
), tail AS (
    SELECT *, CASE WHEN head = '"' THEN substring(nt, q + 2) END AS suffix FROM split
), parts AS (
    SELECT id, nt, head,
        CASE head WHEN '<' THEN nt[2:-2] WHEN '_' THEN nt[3:] ELSE substring(nt, 2, q - 1) END AS lex,
        CASE WHEN head = '"' THEN CASE WHEN left(suffix, 1) = '@' THEN suffix[2:] ELSE '' END END
            AS lang,
        CASE WHEN head = '"' AND left(suffix, 1) <> '@' THEN
            CASE WHEN suffix = '' THEN '{XSD}string' ELSE suffix[4:-2] END
        END AS dt
    FROM tail
), kinds AS (
    SELECT *,
        CASE
            WHEN head = '<' THEN 'I'
            WHEN head = '_' THEN 'B'
            WHEN lang <> '' THEN 'L'
            WHEN dt = '{XSD}string' THEN 'S'
            WHEN dt = '{XSD}integer' THEN
                CASE WHEN regexp_full_match(lex, '-?[0-9]{{1,15}}') THEN 'Ni' ELSE 'W' END
            WHEN dt = '{XSD}decimal' THEN
                CASE WHEN regexp_matches(lex, '{_DECIMAL}')
                    AND length(regexp_replace(lex, '[^0-9]', '', 'g')) <= 15 THEN 'Nd' ELSE 'W' END
            WHEN dt IN ('{XSD}double', '{XSD}float') THEN
                CASE WHEN (regexp_matches(lex, '{_DOUBLE}')
                    AND length(regexp_replace(regexp_replace(lex, 'E.*', ''), '[^0-9]', '', 'g')) <= 15
                    AND TRY_CAST(lex AS DOUBLE) <> 0) OR lex IN ('INF', '-INF') OR lex = '0'
                THEN CASE WHEN dt = '{XSD}double' THEN 'ND' ELSE 'Nf' END ELSE 'W' END
            WHEN dt = '{XSD}date' THEN
                CASE WHEN regexp_matches(lex, '{_DATE}') AND lex[1:4] <> '0000'
                    AND TRY_CAST(lex[1:10] AS DATE) IS NOT NULL AND {_zone_ok("lex[11:]")}
                THEN CASE WHEN length(lex) = 10 THEN 'Dn' ELSE 'Dz' END ELSE 'W' END
            WHEN dt = '{XSD}dateTime' THEN
                CASE WHEN regexp_matches(lex, '{_DATETIME}') AND lex[1:4] <> '0000'
                    AND TRY_CAST(regexp_replace(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$', '') AS TIMESTAMP)
                        IS NOT NULL
                    AND {_zone_ok("regexp_extract(lex, '(Z|[+-][0-9]{2}:[0-9]{2})$')")}
                THEN CASE WHEN regexp_matches(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$') THEN 'Tz' ELSE 'Tn'
                    END ELSE 'W' END
            WHEN starts_with(dt, '{XSD}') OR starts_with(dt, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#')
                OR starts_with(dt, 'http://www.opengis.net/') THEN 'W'
            ELSE 'O'
        END AS cls
    FROM parts
)
SELECT id, nt, cls, lex, lang, dt,
    CASE
        WHEN cls IN ('Ni', 'Nd', 'ND') THEN CAST(lex AS DOUBLE)
        WHEN cls = 'Nf' THEN CAST(CAST(lex AS FLOAT) AS DOUBLE)
    END AS num,
    CASE
        WHEN cls IN ('Dn', 'Dz') THEN epoch_us(CAST(lex[1:10] AS DATE)) - {_offset_us("lex[11:]")}
        WHEN cls IN ('Tn', 'Tz') THEN
            epoch_us(CAST(regexp_replace(lex, '(Z|[+-][0-9]{{2}}:[0-9]{{2}})$', '') AS TIMESTAMP))
            - {_offset_us("regexp_extract(lex, '(Z|[+-][0-9]{2}:[0-9]{2})$')")}
    END AS tv,
    CASE WHEN cls IN ('Dn', 'Dz', 'Tn', 'Tz') THEN CAST(lex[1:4] AS INTEGER) END AS year
FROM kinds
"""


def unescape(text: str) -> str:
    """Return the string an N-Triples string body (without its quotes) stands for."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ECHAR.get(match.group(3), match.group(0))

    return _ESCAPE.sub(replace, text)


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
        self.triples = 0
        # One thread, so that forking stays safe; no spilling to a directory of
        # DuckDB's choosing (a query too large fails, and pyoxigraph takes it).
        self.db = duckdb.connect(
            config={"threads": 1, "preserve_insertion_order": True, "temp_directory": ""}
        )
        self.version = ""
        self.ready = False
        self.pending: list[bytes] = []
        self.size = 0
        self.plans: OrderedDict[str, Plan | Unsupported] = OrderedDict()
        self.broken = False
        self.empty = ox.Store()  # reads queries as pyoxigraph does, on no data
        self.ids: dict[str, int] = {}
        self.next_id = 0
        #: Deltas taken but not yet applied (see :meth:`defer_delta`).
        self.deferred: list[tuple[bytes, bytes]] = []
        #: The thread DuckDB runs on (see :meth:`_call`).
        self.thread: _Worker | None = None
        self._call(self.db.execute, _SCHEMA)

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
            self.thread = _Worker()
            weakref.finalize(self, self.thread.stop)
        return self.thread.call(work, *args)

    def begin(self) -> None:
        """Start a load from empty tables."""
        self.deferred.clear()
        self._call(self.db.execute, _SCHEMA)
        self.ready, self.version, self.pending, self.size = False, "", [], 0
        self.broken = False
        self.ids.clear()
        self.next_id = 0

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
            self._renumber()
            self._count()

        if not self.broken and self._guarded(complete):
            self.ready, self.version = True, version

    def _renumber(self) -> None:
        """Number the terms anew in the order of their class and lexical form, and rewrite the tables.

        The terms a query meets together are then neighbours: the news items'
        IRIs, the dates, the headlines each fill a few row groups of ``terms``,
        so the joins that fetch their attributes or N-Triples skip the other
        row groups (DuckDB prunes them by the range of the ids sought). The
        tables are also written at once, in full compressed row groups. Terms
        added by later deltas take the next ids, as before.
        """
        db = self.db
        db.execute(
            "CREATE OR REPLACE TEMP TABLE renumber AS SELECT id AS old,"
            " CAST(row_number() OVER (ORDER BY cls, lex, lang, dt, nt) - 1 AS INTEGER) AS new"
            " FROM terms"
        )
        db.execute(
            "CREATE OR REPLACE TABLE terms AS SELECT r.new AS id, t.* EXCLUDE (id)"
            " FROM terms t JOIN renumber r ON r.old = t.id ORDER BY r.new"
        )
        db.execute(
            "CREATE OR REPLACE TABLE triples AS SELECT DISTINCT a.new AS s, b.new AS p, c.new AS o"
            " FROM triples JOIN renumber a ON a.old = triples.s JOIN renumber b ON b.old = triples.p"
            " JOIN renumber c ON c.old = triples.o ORDER BY p, o, s"
        )
        # Sorted by hash, a term's id is found reading one row group.
        db.execute(
            "CREATE OR REPLACE TABLE lookup AS SELECT hash(nt) AS h, id FROM terms ORDER BY h"
        )
        db.execute("DROP TABLE renumber")
        self.ids.clear()
        self.next_id = self._rows("terms")

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
        if self.ready and self._guarded(lambda: self._apply(removed, added)):
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

        Several are applied as one (:func:`_net`): a runner that follows two
        changes at once pays for one.
        """
        if self.deferred and self.ready:
            gone, new = _net(self.deferred)
            self._guarded(functools.partial(self._apply_columns, gone, new))
        self.deferred.clear()

    def _count(self) -> None:
        self.triples = self._rows("triples")

    def _rows(self, table: str) -> int:
        """Return how many rows ``table`` has (on the DuckDB thread)."""
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    def _apply(self, removed: bytes, added: bytes) -> None:
        self._apply_columns(_split(removed), _split(added))

    def _apply_columns(self, gone: _Columns, new: _Columns) -> None:
        """Remove the triples ``gone``, then add the triples ``new`` not already there."""
        terms = {*gone[0], *gone[1], *gone[2], *new[0], *new[1], *new[2]}
        if len(terms) <= SMALL_DELTA:
            self._apply_small(gone, new, terms)
            return
        if gone[0]:
            self._stage(gone)
            self._resolve()
            # Joined on the few ids sought, the scan of the triples skips most row groups.
            self.db.execute(
                "DELETE FROM triples USING (SELECT a.id AS s, b.id AS p, c.id AS o FROM batch"
                " JOIN known a ON a.nt = batch.s JOIN known b ON b.nt = batch.p"
                " JOIN known c ON c.nt = batch.o) gone"
                " WHERE triples.s = gone.s AND triples.p = gone.p AND triples.o = gone.o"
            )
        if new[0]:
            self._encode(new, only_missing=True)
        self._count()

    def _apply_small(self, gone: _Columns, new: _Columns, terms: set[str]) -> None:
        """Apply a delta of a few terms (a steward's write) in a few statements.

        Through the temporary tables a delta of one changed graph took twenty
        statements and 30-60 ms at 100,000 items, most of it DuckDB's fixed cost
        per statement; here the ids are looked up once and matched in Python,
        and the triples are deleted and added with the ids written out, so
        DuckDB skips the row groups that cannot hold them.
        """
        ids = self._known_ids(terms)
        missing = [t for t in dict.fromkeys([*new[0], *new[1], *new[2]]) if t not in ids]
        fresh: set[int] = set()
        if missing:
            made = self._add_terms(missing)
            ids.update(made)
            fresh.update(made.values())
        drop = {
            (ids[s], ids[p], ids[o])
            for s, p, o in zip(*gone, strict=True)
            if s in ids and p in ids and o in ids
        }
        add = {(ids[s], ids[p], ids[o]) for s, p, o in zip(*new, strict=True)}
        deleted = inserted = 0
        if drop:
            deleted = self._changed(
                f"DELETE FROM triples WHERE {_within(drop)} AND ("
                + " OR ".join(f"(s = {s} AND p = {p} AND o = {o})" for s, p, o in drop)
                + ")"
            )
        if add:
            # A triple with a term new to the dictionary cannot be there already.
            certain = {t for t in add if not fresh.isdisjoint(t)}
            rest = add - certain
            parts = []
            if certain:
                rows = ", ".join(f"({s}, {p}, {o})" for s, p, o in certain)
                parts.append(f"SELECT * FROM (VALUES {rows}) c(s, p, o)")
            if rest:
                rows = ", ".join(f"({s}, {p}, {o})" for s, p, o in rest)
                parts.append(
                    f"(SELECT * FROM (VALUES {rows}) v(s, p, o)"
                    f" EXCEPT SELECT s, p, o FROM triples WHERE {_within(rest)})"
                )
            inserted = self._changed(f"INSERT INTO triples {' UNION ALL '.join(parts)}")
        self.triples += inserted - deleted

    def _changed(self, sql: str) -> int:
        """Run an INSERT or DELETE; return how many rows it changed."""
        return int(self.db.execute(sql).fetchall()[0][0])

    def _known_ids(self, terms: Iterable[str]) -> dict[str, int]:
        """Return the ids of those of ``terms`` the dictionary holds (remembered in :attr:`ids`)."""
        found = {t: self.ids[t] for t in terms if t in self.ids}
        sought = [t for t in terms if t not in found]
        if sought:
            # Written out as constants (DuckDB computes the hashes while planning), the
            # hashes and then the ids let it skip the row groups of ``lookup`` and
            # ``terms`` that do not hold them.
            hashes = ", ".join(f"hash({quote(t)})" for t in sought)
            candidates = self.db.execute(f"SELECT id FROM lookup WHERE h IN ({hashes})").fetchall()
            wanted = set(sought)
            if candidates:
                for term_id, text in self.db.execute(
                    f"SELECT id, nt FROM terms WHERE id IN ({_constants(i for (i,) in candidates)})"
                ).fetchall():
                    if text in wanted:
                        found[text] = int(term_id)
        if len(self.ids) > REMEMBERED_IDS:
            self.ids.clear()
        self.ids.update(found)
        return found

    def _add_terms(self, texts: list[str]) -> dict[str, int]:
        """Add terms new to the dictionary; return their ids.

        IRIs, blank nodes and plain, language-tagged and ``xsd:string`` literals
        are taken apart here (:func:`plain_term`); a batch with another
        datatype goes through the load's SQL, which checks and converts values.
        """
        first = self.next_id
        plain = [plain_term(t) for t in texts]
        written = _written_terms(first, texts, plain) if len(texts) <= FEW_WRITTEN else None
        if written is not None:
            # A few terms (a steward's change) written out: DuckDB plans these
            # statements faster than the lists below.
            self.db.execute(f"INSERT INTO terms VALUES {written[0]}")
            made = {text: first + n for n, text in enumerate(texts)}
        elif all(row is not None for row in plain):
            values = [
                (first + n, text, *cast(tuple[str, str, str | None, str | None], row))
                for n, (text, row) in enumerate(zip(texts, plain, strict=True))
            ]
            self.db.execute(
                "INSERT INTO terms SELECT *, NULL, NULL, NULL FROM"
                " (SELECT unnest($1::INTEGER[]), unnest($2::VARCHAR[]), unnest($3::VARCHAR[]),"
                " unnest($4::VARCHAR[]), unnest($5::VARCHAR[]), unnest($6::VARCHAR[]))",
                [list(column) for column in zip(*values, strict=True)],
            )
            made = {text: first + n for n, text in enumerate(texts)}
        else:  # all new: the load's SQL reads them from ``fresh``, none in ``known``
            self.db.execute(
                "CREATE OR REPLACE TEMP TABLE fresh AS SELECT unnest($1::VARCHAR[]) AS nt", [texts]
            )
            self._known({})
            self.db.execute(_ADD_TERMS, [first])
            self._unescape_from(first)
            made = {
                str(text): int(term_id)
                for term_id, text in self.db.execute(
                    "SELECT id, nt FROM terms WHERE id >= ?", [first]
                ).fetchall()
            }
        if written is not None:
            self.db.execute(f"INSERT INTO lookup VALUES {written[1]}")
        else:
            self.db.execute(
                "INSERT INTO lookup SELECT hash(nt), id FROM terms WHERE id >= ?", [first]
            )
        self.next_id = first + len(made)
        self.ids.update(made)
        return made

    def _ingest(self) -> None:
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending, self.size = [], 0
        self._encode(_split(data), only_missing=False)

    def _stage(self, columns: tuple[list[str], list[str], list[str]]) -> None:
        """Put triples given as N-Triples terms in the temporary table ``batch``."""
        arrays = {
            name: np.array(values, dtype=object)
            for name, values in zip("spo", columns, strict=True)
        }
        self.db.register("batch_arrays", arrays)
        try:
            self.db.execute(
                "CREATE OR REPLACE TEMP TABLE batch AS SELECT s, p, o FROM batch_arrays"
            )
        finally:
            self.db.unregister("batch_arrays")

    def _encode(
        self, columns: tuple[list[str], list[str], list[str]], *, only_missing: bool
    ) -> None:
        """Add triples given as N-Triples terms, and the terms new to the dictionary."""
        self._stage(columns)
        self._resolve()
        first = self.next_id
        added = self.db.execute(_ADD_TERMS, [first]).fetchall()[0][0]
        self.next_id = first + int(added)
        self._unescape_from(first)
        self.db.execute("INSERT INTO known SELECT id, nt FROM terms WHERE id >= ?", [first])
        self.db.execute("INSERT INTO lookup SELECT hash(nt), id FROM terms WHERE id >= ?", [first])
        triples = (
            "SELECT DISTINCT a.id AS s, b.id AS p, c.id AS o FROM batch"
            " JOIN known a ON a.nt = batch.s JOIN known b ON b.nt = batch.p"
            " JOIN known c ON c.nt = batch.o"
        )
        if not only_missing:
            self.db.execute(f"INSERT INTO triples {triples}")
            return
        # Those already there are found joining the triples on the few ids of the new ones.
        self.db.execute(f"CREATE OR REPLACE TEMP TABLE new AS {triples}")
        self.db.execute(
            "INSERT INTO triples SELECT s, p, o FROM new EXCEPT SELECT t.s, t.p, t.o FROM triples t"
            " SEMI JOIN new ON t.s = new.s AND t.p = new.p AND t.o = new.o"
        )

    def _resolve(self) -> None:
        """Put the terms of ``batch`` in ``fresh``, and those the dictionary has in ``known``."""
        self.db.execute(
            "CREATE OR REPLACE TEMP TABLE fresh AS SELECT s AS nt FROM batch UNION"
            " SELECT p FROM batch UNION SELECT o FROM batch"
        )
        # By hash first: the dictionary's texts are compared only for the ids it finds.
        count = int(self.db.execute("SELECT count(*) FROM fresh").fetchall()[0][0])
        if count > FEW_TERMS:
            self.db.execute(
                "CREATE OR REPLACE TEMP TABLE known AS SELECT t.id, t.nt FROM fresh f"
                " JOIN lookup l ON l.h = hash(f.nt) JOIN terms t ON t.id = l.id AND t.nt = f.nt"
            )
            return
        # A few terms: looked up by constants (see _known_ids), where the join above
        # reads ``lookup`` and ``terms`` whole.
        texts = [str(text) for (text,) in self.db.execute("SELECT nt FROM fresh").fetchall()]
        self._known(self._known_ids(texts))

    def _known(self, found: dict[str, int]) -> None:
        """Make the temporary table ``known`` of the terms (and their ids) in ``found``."""
        self.db.execute(
            "CREATE OR REPLACE TEMP TABLE known AS"
            " SELECT unnest($1::INTEGER[]) AS id, unnest($2::VARCHAR[]) AS nt",
            [list(found.values()), list(found)],
        )

    def _unescape_from(self, first: int) -> None:
        """Decode escapes in the lexical forms of the literals added from id ``first`` on."""
        rows = self.db.execute(
            "SELECT id, lex FROM terms WHERE id >= ? AND left(nt, 1) = '\"' AND contains(lex, '\\')",
            [first],
        ).fetchall()
        if not rows:
            return
        fixed = {
            "id": np.array([r[0] for r in rows], dtype=np.int64),
            "lex": np.array([unescape(r[1]) for r in rows], dtype=object),
        }
        self.db.register("fixed", fixed)
        try:
            self.db.execute("UPDATE terms SET lex = fixed.lex FROM fixed WHERE terms.id = fixed.id")
        finally:
            self.db.unregister("fixed")

    def term_ids(self, texts: list[str]) -> list[int | None]:
        """Return the ids of terms given as N-Triples (``None`` for terms not in the data)."""
        for text in texts:
            if text not in self.ids:
                found = self.db.execute(
                    "SELECT t.id FROM lookup l JOIN terms t ON t.id = l.id"
                    " WHERE l.h = hash($1) AND t.nt = $1",
                    [text],
                ).fetchall()
                if found:
                    self.ids[text] = int(found[0][0])
        return [self.ids.get(t) for t in texts]

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
        ids = self.term_ids(list(plan.constants))
        sql = plan.sql(ids, None if limit is None else limit + 1)
        try:
            rows = self.db.execute(sql).fetchall()
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
        return self._call(lambda: {"terms": self._rows("terms"), "triples": self._rows("triples")})


class _Worker:
    """A thread that runs one call at a time for the thread that waits on it.

    The garbage collector is off while the thread runs Python code. A
    collection runs on whichever thread allocates at the wrong moment, and
    would then free pyoxigraph objects (which must be freed on the thread that
    made them) held in cycles by the waiting thread.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self.results: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        enabled = gc.isenabled()
        gc.disable()
        try:
            threading.Thread(target=self._loop, name="columnar", daemon=True).start()
            self.results.get()  # the thread is in its loop
        finally:
            if enabled:
                gc.enable()

    def call(self, work: Callable[..., T], *args: Any) -> T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            self.jobs.put((work, args))
            ok, value = self.results.get()
        finally:
            if enabled:
                gc.enable()
        if not ok:
            raise value
        return cast(T, value)

    def stop(self) -> None:
        """Let the thread end (it does once it has read this)."""
        if self.pid == os.getpid():
            self.jobs.put(None)

    def _loop(self) -> None:
        self.results.put((True, None))
        while True:
            job = self.jobs.get()
            if job is None:
                return
            work, args = job
            try:
                outcome: tuple[bool, Any] = (True, work(*args))
            except BaseException as exc:  # handed to the caller, raised there
                outcome = (False, exc)
            self.results.put(outcome)
            del job, work, args, outcome


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


def _constants(numbers: Iterable[int]) -> str:
    """Return integers as a list of SQL constants (``NULL`` for none: it matches nothing)."""
    return ", ".join(str(int(n)) for n in numbers) or "NULL"


def _within(rows: set[tuple[int, int, int]]) -> str:
    """Return SQL limiting ``triples`` to the predicates and subjects of ``rows``.

    The triples are sorted by predicate: with the predicates written out,
    DuckDB reads only the row groups that hold them (and the rows added since).
    """
    return (
        f"p IN ({_constants(sorted({p for _, p, _ in rows}))})"
        f" AND s IN ({_constants(sorted({s for s, _, _ in rows}))})"
    )


def _written_terms(
    first: int, texts: list[str], plain: list[tuple[str, str, str | None, str | None] | None]
) -> tuple[str, str] | None:
    """Return the rows of ``terms`` and of ``lookup`` for plain terms, as SQL constants.

    ``None`` when a term is not plain (:func:`plain_term`) or cannot be written
    as an SQL string (control characters).
    """
    terms, lookup = [], []
    try:
        for n, (text, row) in enumerate(zip(texts, plain, strict=True)):
            if row is None:
                return None
            values = ", ".join("NULL" if v is None else quote(v) for v in row)
            terms.append(f"({first + n}, {quote(text)}, {values}, NULL, NULL, NULL)")
            lookup.append(f"(hash({quote(text)}), {first + n})")
    except Unsupported:
        return None
    return ", ".join(terms), ", ".join(lookup)


def plain_term(nt: str) -> tuple[str, str, str | None, str | None] | None:
    """Return the class, lexical form, language and datatype of a term, as :data:`_ADD_TERMS` does.

    For an IRI, a blank node, or a plain, language-tagged or ``xsd:string``
    literal; ``None`` for a literal of another datatype, whose value the SQL
    checks and converts.
    """
    if nt.startswith("<"):
        return "I", nt[1:-1], None, None
    if nt.startswith("_:"):
        return "B", nt[2:], None, None
    end = nt.rindex('"')
    lex, suffix = nt[1:end], nt[end + 1 :]
    if "\\" in lex:
        lex = unescape(lex)
    if suffix.startswith("@"):
        return "L", lex, suffix[1:], None
    if suffix in ("", f"^^<{XSD}string>"):
        return "S", lex, "", f"{XSD}string"
    return None


def _net(deltas: list[tuple[bytes, bytes]]) -> tuple[_Columns, _Columns]:
    """Return the triples to remove and to add that have the effect of ``deltas`` in turn.

    Removing R1 and adding A1, then removing R2 and adding A2, leaves what
    removing R1 and R2 and then adding A2 and what of A1 is not in R2 leaves.
    """
    if len(deltas) == 1:
        return _split(deltas[0][0]), _split(deltas[0][1])
    removed: set[tuple[str, str, str]] = set()
    added: set[tuple[str, str, str]] = set()
    for gone, new in deltas:
        dropped = set(zip(*_split(gone), strict=True))
        removed |= dropped
        added = (added - dropped) | set(zip(*_split(new), strict=True))
    return _columns(removed), _columns(added)


def _columns(triples: set[tuple[str, str, str]]) -> _Columns:
    return [t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples]


def _split(data: bytes) -> _Columns:
    """Split N-Triples as pyoxigraph writes them (one triple a line) into subjects, predicates, objects."""
    subjects: list[str] = []
    predicates: list[str] = []
    objects: list[str] = []
    for line in data.decode().split("\n"):
        if not line or line[0] == "#":
            continue
        s, p, rest = line.split(" ", 2)
        subjects.append(s)
        predicates.append(p)
        objects.append(rest[:-2].rstrip())
    return subjects, predicates, objects
