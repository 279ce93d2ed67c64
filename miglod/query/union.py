"""Keep an in-memory copy of the store whose default graph is the union of all its graphs.

Queries over the union are most of what researchers ask, and an in-memory
pyoxigraph store answers them several times faster than the on-disk one. Its
default graph is the RDF merge of every graph, so a triple stated in several
item graphs (a person's name, say) is one triple, as SPARQL's union default
graph means.

The copy belongs to the query service's zygote process, which forks the query
runners, so it must stay single-threaded: the on-disk store (RocksDB starts
threads) is only ever opened in other processes. A load streams the triples
from a child through a pipe and is fed to the copy a chunk at a time, between
requests, so the zygote answers (from disk) while it loads (see
:mod:`miglod.query.union_load`). After a new
generation is published the copy is brought up to date from the graphs
changed since (see :mod:`miglod.query.delta`); only a large change or a
vanished generation costs a full reload.

The copy keeps the last few deltas it read, so that a runner forked from an
older version can follow them (:meth:`UnionCopy.deltas_since` in the zygote,
:meth:`UnionCopy.follow` in the runner) instead of being replaced by a fork.
"""

from __future__ import annotations

import os
import pickle
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from miglod.query.delta import DeltaReader, write_delta
from miglod.query.union_load import CHUNK, Loading, from_child
from miglod.store import layout
from miglod.store.compact import fold_chain

if TYPE_CHECKING:
    from miglod.query.columnar import ColumnarCopy

#: Deltas kept for runners to follow, at most (the oldest are forgotten first)...
KEPT_DELTAS = 32
#: ... and bytes of N-Triples in them: beyond that a runner is forked anew.
KEPT_DELTA_BYTES = 8 << 20

#: One step from one version of the copy to the next: the new version's name, then the
#: triples removed from the union and those added (N-Triples).
Delta = tuple[str, bytes, bytes]


class UnionCopy:
    """The union of one generation of an on-disk store, held in memory (or not at all).

    A copy in memory is built in steps (:meth:`step`), so the zygote keeps
    forking runners while it loads: until :attr:`store` is set they read the
    on-disk generation :attr:`version` names. Without ``memory`` the copy only
    follows the current generation's name. With ``columnar`` a
    :class:`~miglod.query.columnar.ColumnarCopy` is fed the same triples.
    """

    def __init__(self, path: Path, *, memory: bool = True, columnar: bool = False) -> None:
        self.path = path
        self.memory = memory
        self.store: ox.Store | None = None
        self.version = ""
        self.loading: Loading | None = None
        # Forked now, while this process is small: forking it once it holds the
        # copy costs a page table of a gigabyte or more.
        self.reader = DeltaReader(path) if memory else None
        #: The deltas read lately, each with the version it starts from (see :meth:`deltas_since`).
        self.deltas: deque[tuple[str, Delta]] = deque()
        self.columnar: ColumnarCopy | None = None
        if memory and columnar:
            from miglod.query.columnar import ColumnarCopy

            self.columnar = ColumnarCopy()

    def live_columnar(self) -> ColumnarCopy | None:
        """Return the columnar copy when it holds what the in-memory copy holds."""
        found = self.columnar
        if found is None or not self.ready or not found.ready or found.version != self.version:
            return None
        return found

    @property
    def ready(self) -> bool:
        """Return whether the copy in memory is complete (always true without ``memory``)."""
        return not self.memory or (self.store is not None and self.loading is None)

    def step(self, budget: float = 0.05) -> bool:
        """Move towards the current generation for about ``budget`` s; return whether caught up.

        A small change is applied at once from the graphs written since the copy's
        generation; anything else starts (or goes on with) a load in the
        background, during which :attr:`version` names the current generation on
        disk and :attr:`store` is ``None``.
        """
        current = layout.current_name(self.path)
        if not self.memory:
            self.version = current
            return True
        if self.loading is not None:
            try:
                done = self.loading.feed(budget)
            except BaseException:
                self.loading.cancel()
                self.loading, self.version = None, ""
                raise
            if not done:
                self.version = current  # read from disk meanwhile
                return False
            loaded, self.loading = self.loading, None
            self.store, self.version = loaded.store, loaded.name
            current = layout.current_name(self.path)
        if current == self.version and self.store is not None:
            return True
        if self.store is not None and self._apply_delta(self.version, current):
            self.version = current
            return True
        self.store = None  # let the old copy go before the new one is built
        self.deltas.clear()
        self.loading = Loading(self.path, current, self.columnar)
        self.version = current
        return False

    def refresh(self) -> bool:
        """Catch up with the current generation, waiting for a load; return whether it moved."""
        before = self.version if self.ready else ""
        while not self.step(budget=60.0):
            pass
        return self.version != before

    def _load(self, name: str) -> None:
        self.store = None
        loading = Loading(self.path, name, self.columnar)
        while not loading.feed(60.0):
            pass
        self.store, self.version, self.loading = loading.store, name, None

    def close(self) -> None:
        """Stop the processes reading the on-disk store for this copy."""
        if self.loading is not None:
            self.loading.cancel()
            self.loading = None
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def children(self) -> list[int]:
        """Return the processes reading the on-disk store for this copy."""
        found = [self.loading.child.pid] if self.loading is not None else []
        return found + ([self.reader.pid] if self.reader is not None else [])

    def forget_children(self) -> None:
        """Close the descriptors leading to the reading processes (in a forked process)."""
        if self.loading is not None and self.loading.fd >= 0:
            os.close(self.loading.fd)
        if self.reader is not None:
            self.reader.sock.close()

    def read_ahead(self) -> None:
        """Read the deltas up to the current generation without applying them, for runners.

        The next :meth:`step` applies them. Nothing is read while the copy is
        loading, or when the change needs a full reload.
        """
        if not self.memory or not self.ready:
            return
        current, tip = layout.current_name(self.path), self.newest
        if current != tip:
            self._read_delta(tip, current)

    def deltas_since(self, version: str) -> list[Delta] | None:
        """Return the deltas that lead from ``version`` to the newest one read, or ``None``.

        ``None`` when ``version`` is not in the chain of kept deltas (a runner
        that old is replaced rather than brought up to date).
        """
        chain: list[Delta] = []
        for start, delta in self.deltas:
            if chain or start == version:
                chain.append(delta)
        if chain or (self.deltas and self.deltas[-1][1][0] == version):
            return chain
        return None

    def deltas_between(self, old: str, new: str) -> list[Delta] | None:
        """Read the change from ``old`` to ``new`` for a runner the kept deltas do not lead from.

        A runner that read the folds' changes itself may be at a generation this
        copy never read; ``None`` when the change cannot be read (a runner that
        old is replaced).
        """
        if not old or old >= new:
            return None
        return self._read_change(old, new)

    def follow(self, chain: list[Delta], *, defer: bool = True) -> None:
        """Apply deltas another process read (a runner following its zygote).

        With ``defer`` the columnar copy takes them to apply when a query needs
        it (see :meth:`~miglod.query.columnar.ColumnarCopy.defer_delta`).
        """
        if self.store is None or self.loading is not None:
            raise RuntimeError("the copy is not in memory: it cannot follow deltas")
        for new, removed, added in chain:
            for quad in ox.parse(removed, format=ox.RdfFormat.N_TRIPLES):
                triple = ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
                self.store.remove(triple)
            self.store.load(added, format=ox.RdfFormat.N_TRIPLES)
            if self.columnar is not None and defer:
                self.columnar.defer_delta(removed, added, new)
            elif self.columnar is not None:
                self.columnar.apply_delta(removed, added, new)
            self.version = new

    @property
    def newest(self) -> str:
        """Return the version the deltas read so far lead this copy to (:attr:`version` when none)."""
        if self.deltas and self.deltas_since(self.version) is not None:
            return self.deltas[-1][1][0]
        return self.version

    def _apply_delta(self, old: str, new: str) -> bool:
        tip, read = self.newest, None
        if tip != new:
            read = self._read_delta(tip, new)
            if read is None:
                return False
        chain = self.deltas_since(old)
        if not chain or chain[-1][0] != new:  # a delta too large to keep
            chain = read if tip == old and read is not None else self._read_change(old, new)
            if chain is None:
                return False
        self.follow(chain, defer=False)
        return True

    def _read_delta(self, old: str, new: str) -> list[Delta] | None:
        """Read the change from ``old`` to ``new`` (``None``: a full reload is needed) and keep it.

        Fold by fold when each fold wrote its change, so that a runner at any
        generation between finds its way on; else as one delta.
        """
        steps = self._read_change(old, new)
        if steps is None:
            self.deltas.clear()  # a reload follows: no runner can follow across it
            return None
        if self.deltas and self.deltas[-1][1][0] != old:
            self.deltas.clear()  # the kept deltas stay one chain
        start = old
        for delta in steps:
            self.deltas.append((start, delta))
            start = delta[0]
        size = sum(len(d[1]) + len(d[2]) for _, d in self.deltas)
        while self.deltas and (len(self.deltas) > KEPT_DELTAS or size > KEPT_DELTA_BYTES):
            _, (_, gone, more) = self.deltas.popleft()
            size -= len(gone) + len(more)
        return steps

    def _read_change(self, old: str, new: str) -> list[Delta] | None:
        """Read the change from ``old`` to ``new``; ``None`` when a full reload is needed.

        Fold by fold, as the folds wrote their changes (small files), when every
        fold on the way did; else as one delta read from the generations.
        """
        steps = fold_chain(self.path, old, new, KEPT_DELTAS)
        if steps is not None:
            return steps
        found = self._compare(old, new)
        return None if found is None else [found]

    def _compare(self, old: str, new: str) -> Delta | None:
        """Read the delta from ``old`` to ``new`` from the generations, in the reading process."""
        found = self.reader.delta(old, new) if self.reader is not None else None
        if found is False:  # no reader: read in a child forked for the purpose
            with from_child(lambda out: write_delta(self.path, old, new, out)) as stream:
                found = pickle.load(stream)
        if found is None:
            return None
        assert isinstance(found, tuple)
        removed, added = found
        return (new, removed, added)


__all__ = ["CHUNK", "KEPT_DELTAS", "KEPT_DELTA_BYTES", "Delta", "UnionCopy"]
