"""Journal every write: who changed which graph when, and the content of every version.

One SQLite database (``history.sqlite`` in the store's directory, in WAL mode)
is shared by all processes and generations and only ever appended to. A write
is one transaction appending its changes (numbered in order) and the N-Triples
of the versions it makes, so it is atomic and durable the moment it commits;
readers see it on their next refresh, long before it is folded into a new
generation. Each generation records the last entry it folded in
(:meth:`miglod.store.index.GraphIndex.folded`); what a reader serves is its
generation plus the entries after that one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from miglod.store.base import Change
from miglod.store.index import format_time, parse_time

FILE = "history.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, graph TEXT NOT NULL, modified TEXT NOT NULL,
    deleted INTEGER NOT NULL, agent TEXT NOT NULL, before TEXT, after TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_graph ON changes (graph, seq);
CREATE TABLE IF NOT EXISTS versions (digest TEXT PRIMARY KEY, content BLOB NOT NULL)
    WITHOUT ROWID;
"""
_COLUMNS = "seq, modified, graph, deleted, agent, before, after"


class Journal:
    """Append to and read the shared journal of one store directory."""

    def __init__(self, root: Path) -> None:
        self.path = root / FILE
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=60.0
        )
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(_SCHEMA)

    def append(
        self,
        changes: Iterable[Change],
        versions: Mapping[str, bytes],
        *,
        before_commit: Callable[[], None] | None = None,
    ) -> int:
        """Append changes and the versions they make in one transaction; return the last number."""
        rows = [
            (c.graph, format_time(c.modified), int(c.deleted), c.agent, c.before, c.after)
            for c in changes
        ]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR IGNORE INTO versions VALUES (?, ?)", list(versions.items())
                )
                self._db.executemany(
                    "INSERT INTO changes (graph, modified, deleted, agent, before, after) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
                last = int(
                    self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
                )
                if before_commit is not None:
                    before_commit()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return last

    def last(self) -> int:
        """Return the number of the latest entry (0 when there is none)."""
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
        return int(row[0])

    def entries(self, after: int, upto: int | None = None) -> list[tuple[int, Change]]:
        """Return the entries numbered after ``after`` (up to ``upto``), in order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq",
                (after, upto if upto is not None else 1 << 62),
            ).fetchall()
        return [(int(row[0]), _change(row[1:])) for row in rows]

    def latest(self, after: int, upto: int) -> dict[str, Change]:
        """Return the latest change to each graph among the entries after ``after`` up to ``upto``.

        That is what folding those entries makes of each graph they name.
        """
        return {change.graph: change for _, change in self.entries(after, upto)}

    def of(self, graph: str, upto: int) -> list[Change]:
        """Return the changes to ``graph`` up to entry ``upto``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM changes WHERE graph = ? AND seq <= ? ORDER BY seq",
                (graph, upto),
            ).fetchall()
        return [_change(row[1:]) for row in rows]

    def version(self, digest: str) -> bytes | None:
        """Return the N-Triples of a version, if it was kept."""
        with self._lock:
            row = self._db.execute(
                "SELECT content FROM versions WHERE digest = ?", (digest,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def has_version(self, digest: str) -> bool:
        """Return whether the content of a version is kept."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM versions WHERE digest = ?", (digest,)).fetchone()
        return row is not None

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def _change(row: tuple[object, ...]) -> Change:
    modified, graph, deleted, agent, before, after = row
    return Change(
        parse_time(str(modified)),
        str(graph),
        bool(deleted),
        str(agent),
        None if before is None else str(before),
        None if after is None else str(after),
    )
