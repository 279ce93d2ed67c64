"""The columnar copy's DuckDB database: its tables of terms and triples, and changes to them.

:class:`Tables` owns the connection. It adds a load's batches of triples,
numbers the terms anew once the load is complete, applies deltas (a small one
with the ids written out as constants), and finds the ids of terms, keeping
those it has found and the number of triples held. How a term becomes a row
is :mod:`miglod.query.columnar_terms`; which thread runs all this is
:meth:`miglod.query.columnar.ColumnarCopy._call`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import duckdb
import numpy as np

from miglod.query.columnar_terms import (
    ADD_TERMS,
    SCHEMA,
    Columns,
    plain_term,
    unescape,
    written_terms,
)
from miglod.query.sqlexpr import quote

#: Up to this many terms at once (a delta's), their ids are sought by constants.
FEW_TERMS = 1000
#: Up to this many new plain terms are added with their values written out.
FEW_WRITTEN = 64
#: A delta with at most this many distinct terms is applied by :meth:`Tables._apply_small`.
SMALL_DELTA = 500
#: Term ids remembered between deltas and queries before the memory is emptied.
REMEMBERED_IDS = 100_000


class Tables:
    """The DuckDB connection of a columnar copy, and what it remembers of the tables' contents.

    Every method runs on the copy's DuckDB thread (see
    :meth:`~miglod.query.columnar.ColumnarCopy._call`): nothing else touches :attr:`db`.
    """

    def __init__(self) -> None:
        # One thread, so that forking stays safe; no spilling to a directory of
        # DuckDB's choosing (a query too large fails, and pyoxigraph takes it).
        self.db = duckdb.connect(
            config={"threads": 1, "preserve_insertion_order": True, "temp_directory": ""}
        )
        #: Ids of terms found or added, by their N-Triples text (see :meth:`_known_ids`).
        self.ids: dict[str, int] = {}
        #: The id the next term added takes.
        self.next_id = 0
        #: How many triples the tables hold.
        self.triples = 0

    def reset(self) -> None:
        """Make the tables empty, for a load, and forget the term ids."""
        self.db.execute(SCHEMA)
        self.ids.clear()
        self.next_id = 0

    def add(self, columns: Columns) -> None:
        """Add a load's batch of triples, given as N-Triples terms."""
        self._encode(columns, only_missing=False)

    def finish_load(self) -> None:
        """Make the loaded triples a set sorted for lookups by predicate, and count them."""
        self._renumber()
        self._count()

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
        self.next_id = self.rows("terms")

    def _count(self) -> None:
        self.triples = self.rows("triples")

    def rows(self, table: str) -> int:
        """Return how many rows ``table`` has (on the DuckDB thread)."""
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    def apply(self, gone: Columns, new: Columns) -> None:
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

    def _apply_small(self, gone: Columns, new: Columns, terms: set[str]) -> None:
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
        are taken apart here (:func:`~miglod.query.columnar_terms.plain_term`);
        a batch with another datatype goes through the load's SQL, which checks
        and converts values.
        """
        first = self.next_id
        plain = [plain_term(t) for t in texts]
        written = written_terms(first, texts, plain) if len(texts) <= FEW_WRITTEN else None
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
            self.db.execute(ADD_TERMS, [first])
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
        added = self.db.execute(ADD_TERMS, [first]).fetchall()[0][0]
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
