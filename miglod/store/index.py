"""Keep each generation's bookkeeping in a small SQLite file next to its RDF data.

For every named graph the index holds the digest of its content, the time it
last changed, who changed it, the digest it had before, and whether it was
removed (a tombstone, so harvesters learn of removals; its digest is then that
of the content removed). It also holds every link between resources (subject to IRI object,
types aside) with the date of the linking resource, and the date of every dated
resource, so "the newest items linking here" is an index range scan. IRIs are
stored once, as integers elsewhere, to keep the file (copied on every write)
small. The file is written while its generation is made, then only read
(opened immutable, so readers take no locks).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from miglod.store.base import Change, StoreError
from miglod.store.links import LinkCollector

_SCHEMA = """
CREATE TABLE IF NOT EXISTS graphs (
    iri TEXT PRIMARY KEY, digest TEXT NOT NULL, modified TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, agent TEXT NOT NULL DEFAULT '', before TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graphs_by_time ON graphs (modified, iri);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS links (
    target INTEGER NOT NULL, date TEXT, source INTEGER NOT NULL,
    predicate INTEGER NOT NULL, graph INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dated (
    source INTEGER NOT NULL, date TEXT NOT NULL, graph INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS links_by_target ON links (target, date DESC, source DESC);
CREATE INDEX IF NOT EXISTS links_by_graph ON links (graph);
CREATE INDEX IF NOT EXISTS links_by_source ON links (source, target);
CREATE INDEX IF NOT EXISTS dated_by_date ON dated (date DESC, source DESC);
CREATE INDEX IF NOT EXISTS dated_by_graph ON dated (graph);
"""


#: Changes whenever the index's tables change, so an old store is rebuilt, not misread.
INDEX_VERSION = 3


def format_time(value: dt.datetime) -> str:
    """Return a time as fixed-width UTC text that sorts in time order."""
    if value.tzinfo is None:
        raise ValueError("times must carry a time zone")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime:
    """Return the time written by :func:`format_time`."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class GraphRecord:
    """What the index knows of one named graph."""

    iri: str
    digest: str
    modified: dt.datetime
    deleted: bool = False
    agent: str = ""
    before: str | None = None

    def change(self) -> Change:
        """Return the change this record stands for."""
        after = None if self.deleted else self.digest
        return Change(self.modified, self.iri, self.deleted, self.agent, self.before, after)


class GraphIndex:
    """Read (and, while a generation is made, write) one generation's index."""

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        if writable:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {INDEX_VERSION}")
        else:
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version != INDEX_VERSION:
                self._db.close()
                raise StoreError(
                    f"{path.parent} was made by another version of miglod: build the store again"
                )
        # The file is closed as soon as the index is dropped (when the last reader of
        # its generation lets go), not by the garbage collector: a sqlite3 connection
        # is in a reference cycle of its own. Left to a collection, the connections of
        # replaced generations piled up, and once their directories were pruned the
        # collection that closed them freed the deleted files' space, holding a
        # request for 200-400 ms at 100,000 items.
        self._closer = weakref.finalize(self, self._db.close)

    def _all(self, sql: str, parameters: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(parameters)).fetchall()

    def get(self, iri: str) -> GraphRecord | None:
        """Return the record of one graph, if the index has one."""
        rows = self._all(f"SELECT {_COLUMNS} FROM graphs WHERE iri = ?", (iri,))
        return _record(rows[0]) if rows else None

    def records(self) -> dict[str, GraphRecord]:
        """Return every record, live graphs and tombstones."""
        rows = self._all(f"SELECT {_COLUMNS} FROM graphs")
        return {row[0]: _record(row) for row in rows}

    def write(self, records: Iterable[GraphRecord]) -> None:
        """Insert or replace graph records in one transaction."""
        rows = [
            (r.iri, r.digest, format_time(r.modified), int(r.deleted), r.agent, r.before)
            for r in records
        ]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO graphs VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def replace_links(self, graphs: Iterable[str], collected: LinkCollector) -> None:
        """Drop the links and dates of ``graphs`` and add those collected, in one transaction."""
        with self._lock:
            db = self._db
            db.execute("BEGIN")
            ids = _Ids(db)
            stale = [(ids.find(g),) for g in graphs]
            stale = [g for g in stale if g[0] is not None]
            db.executemany("DELETE FROM links WHERE graph = ?", stale)
            db.executemany("DELETE FROM dated WHERE graph = ?", stale)
            # Rows are made before inserting: looking an id up while executemany
            # runs on the same connection would interrupt the insert.
            links = [
                (ids.of(target), date, ids.of(source), ids.of(predicate), ids.of(graph))
                for graph, source, predicate, target, date in collected.rows()
            ]
            dated = [
                (ids.of(source), date, ids.of(graph)) for graph, source, date in collected.dated()
            ]
            db.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?)", links)
            db.executemany("INSERT INTO dated VALUES (?, ?, ?)", dated)
            ids.save()
            db.execute("COMMIT")
            db.executescript(_INDEXES)

    def folded(self) -> int:
        """Return the last journal entry this generation includes (see :mod:`miglod.store.history`)."""
        rows = self._all("SELECT value FROM meta WHERE key = 'folded'")
        return int(rows[0][0]) if rows else 0

    def set_folded(self, seq: int) -> None:
        """Record that this generation includes the journal up to entry ``seq``."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('folded', ?)", (str(seq),))

    def lineage(self) -> str | None:
        """Return the name of the build this generation descends from (``None``: unknown).

        A build names a new lineage; folding the journal copies the index, and
        with it the name, so two generations of one lineage differ exactly by
        the journal entries between their folded positions.
        """
        rows = self._all("SELECT value FROM meta WHERE key = 'lineage'")
        return str(rows[0][0]) if rows else None

    def set_lineage(self, name: str) -> None:
        """Record the name of the build this generation descends from."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('lineage', ?)", (name,))

    def inbound(self, target: str, limit: int) -> list[tuple[str, str]]:
        """Return up to ``limit`` resources linking to ``target``, newest first, with the property."""
        rows = self._all(
            "SELECT s.iri, p.iri FROM links l JOIN terms t ON t.id = l.target "
            "JOIN terms s ON s.id = l.source JOIN terms p ON p.id = l.predicate "
            "WHERE t.iri = ? ORDER BY l.date DESC, l.source DESC LIMIT ?",
            (target, limit),
        )
        return [(source, predicate) for source, predicate in rows]

    def inbound_rows(self, target: str, limit: int) -> list[tuple[str, str, str | None, str]]:
        """Return up to ``limit`` links to ``target``, newest first: (source, predicate, date, graph)."""
        rows = self._all(
            "SELECT s.iri, p.iri, l.date, g.iri FROM links l JOIN terms t ON t.id = l.target "
            "JOIN terms s ON s.id = l.source JOIN terms p ON p.id = l.predicate "
            "JOIN terms g ON g.id = l.graph "
            "WHERE t.iri = ? ORDER BY l.date DESC, l.source DESC LIMIT ?",
            (target, limit),
        )
        return [(s, p, d, g) for s, p, d, g in rows]

    def count_inbound(self, target: str, *, excluding: Sequence[str] = ()) -> int:
        """Return how many distinct resources link to ``target`` from graphs not ``excluding``."""
        skip = ""
        if excluding:
            marks = ", ".join("?" * len(excluding))
            skip = f" AND l.graph NOT IN (SELECT id FROM terms WHERE iri IN ({marks}))"
        rows = self._all(
            "SELECT COUNT(DISTINCT l.source) FROM links l JOIN terms t ON t.id = l.target "
            f"WHERE t.iri = ?{skip}",
            (target, *excluding),
        )
        return int(rows[0][0])

    def latest(
        self, linked_to: Sequence[str], since: str | None, offset: int, limit: int
    ) -> tuple[list[tuple[str, str]], int]:
        """Return dated resources linking to all of ``linked_to``, newest first, and their count."""
        targets = []
        for iri in linked_to:
            found = self._all("SELECT id FROM terms WHERE iri = ?", (iri,))
            if not found:
                return [], 0
            targets.append(int(found[0][0]))
        if not targets:
            # One dated row per resource and graph (news items are dated in their own
            # graph only), so the date index gives the order without grouping.
            total = self._all("SELECT COUNT(*) FROM dated WHERE date >= ?", (since or "",))
            rows = self._all(
                "SELECT s.iri, d.date FROM dated d JOIN terms s ON s.id = d.source "
                "WHERE d.date >= ? ORDER BY d.date DESC, d.source DESC LIMIT ? OFFSET ?",
                (since or "", limit, offset),
            )
            return [(iri, date) for iri, date in rows], int(total[0][0])
        # Walk the links to the first target in date order; check the others per row.
        others = "".join(
            " AND EXISTS (SELECT 1 FROM links o WHERE o.source = l.source AND o.target = ?)"
            for _ in targets[1:]
        )
        condition = f"l.target = ? AND l.date >= ?{others}"
        parameters: list[object] = [targets[0], since or "", *targets[1:]]
        total = self._all(
            f"SELECT COUNT(DISTINCT l.source) FROM links l WHERE {condition}", parameters
        )
        rows = self._all(
            f"SELECT s.iri, l.date FROM links l JOIN terms s ON s.id = l.source WHERE {condition} "
            "GROUP BY l.date, l.source ORDER BY l.date DESC, l.source DESC LIMIT ? OFFSET ?",
            [*parameters, limit, offset],
        )
        return [(iri, date) for iri, date in rows], int(total[0][0])

    def latest_in(
        self, graphs: Sequence[str], linked_to: Sequence[str], since: str | None
    ) -> list[tuple[str, str]]:
        """Return the dated resources of ``graphs`` linking to all of ``linked_to`` since ``since``."""
        if not graphs:
            return []
        marks = ", ".join("?" * len(graphs))
        links = "".join(
            " AND EXISTS (SELECT 1 FROM links o JOIN terms t ON t.id = o.target "
            "WHERE o.source = d.source AND t.iri = ?)"
            for _ in linked_to
        )
        rows = self._all(
            "SELECT s.iri, d.date FROM dated d JOIN terms s ON s.id = d.source "
            f"WHERE d.graph IN (SELECT id FROM terms WHERE iri IN ({marks})) AND d.date >= ?"
            + links,
            (*graphs, since or "", *linked_to),
        )
        return [(iri, date) for iri, date in rows]

    def changes(self, since: dt.datetime | None, after: str, limit: int) -> list[Change]:
        """Return the graph records changed after ``since`` (or at it, after graph ``after``)."""
        when = format_time(since) if since else ""
        rows = self._all(
            f"SELECT {_COLUMNS} FROM graphs "
            "WHERE modified >= ? AND (modified > ? OR (? != '' AND iri > ?)) "
            "ORDER BY modified, iri LIMIT ?",
            (when, when, after, after, limit),
        )
        return [_record(row).change() for row in rows]

    def last_modified(self) -> dt.datetime | None:
        """Return the time of the latest change recorded."""
        rows = self._all("SELECT MAX(modified) FROM graphs")
        return parse_time(rows[0][0]) if rows and rows[0][0] else None

    def close(self) -> None:
        """Close the database file (now, rather than when the index is dropped)."""
        with self._lock:
            self._closer()


class _Ids:
    """Map IRIs to the integers the index stores, adding new ones as needed."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._known: dict[str, int] = {}
        self._new: list[tuple[int, str]] = []
        row = db.execute("SELECT COALESCE(MAX(id), 0) FROM terms").fetchone()
        self._next = int(row[0]) + 1
        self._empty = self._next == 1

    def find(self, iri: str) -> int | None:
        found = self._known.get(iri)
        if found is None and not self._empty:
            row = self._db.execute("SELECT id FROM terms WHERE iri = ?", (iri,)).fetchone()
            found = None if row is None else int(row[0])
            if found is not None:
                self._known[iri] = found
        return found

    def of(self, iri: str) -> int:
        found = self.find(iri)
        if found is None:
            found = self._known[iri] = self._next
            self._new.append((found, iri))
            self._next += 1
        return found

    def save(self) -> None:
        self._db.executemany("INSERT INTO terms VALUES (?, ?)", self._new)
        self._new = []


_COLUMNS = "iri, digest, modified, deleted, agent, before"


def _record(row: tuple[Any, ...]) -> GraphRecord:
    iri, digest, modified, deleted, agent, before = row
    return GraphRecord(iri, digest, parse_time(modified), bool(deleted), agent or "", before)


def lineage_of(path: Path) -> tuple[str | None, int]:
    """Return the lineage of the generation whose index is at ``path``, and the entry it folded.

    Two generations of one lineage differ exactly by the journal entries
    between the numbers they folded (see :meth:`GraphIndex.lineage`).
    """
    index = GraphIndex(path)
    try:
        return index.lineage(), index.folded()
    finally:
        index.close()
