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
requests, so the zygote answers (from disk) while it loads. After a new
generation is published the copy is brought up to date from the graphs
changed since (see :mod:`miglod.query.delta`); only a large change or a
vanished generation costs a full reload.

The copy keeps the last few deltas it read, so that a runner forked from an
older version can follow them (:meth:`UnionCopy.deltas_since` in the zygote,
:meth:`UnionCopy.follow` in the runner) instead of being replaced by a fork.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import select
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from miglod.query.delta import DeltaReader, write_delta
from miglod.store import layout
from miglod.store.compact import fold_chain

if TYPE_CHECKING:
    from miglod.query.columnar import ColumnarCopy

#: Bytes of N-Triples loaded at a time while the copy is built in steps.
CHUNK = 1 << 20
#: fcntl's command to resize a pipe (Linux), so the reading child writes in large pieces.
F_SETPIPE_SZ = 1031
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
        self.loading: _Loading | None = None
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
        self.loading = _Loading(self.path, current, self.columnar)
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
        loading = _Loading(self.path, name, self.columnar)
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
            with _from_child(lambda out: write_delta(self.path, old, new, out)) as stream:
                found = pickle.load(stream)
        if found is None:
            return None
        assert isinstance(found, tuple)
        removed, added = found
        return (new, removed, added)


class _Loading:
    """Load the union of one generation into a new in-memory store, a chunk at a time."""

    def __init__(self, path: Path, name: str, columnar: ColumnarCopy | None = None) -> None:
        self.name = name
        self.store = ox.Store()
        self.columnar = columnar
        if columnar is not None:
            columnar.begin()
        directory = layout.generation_dir(path, name) / layout.RDF_DIR
        #: Keeps the generation on disk while the child reads it (the child's own
        #: copy of the lock is dropped at the fork; this one is held for both).
        self.hold = layout.hold(path, name)
        self.child = _from_child(lambda out: write_union(directory, out))
        try:
            self.fd = self.child.start()
        except BaseException:
            self.hold.release()
            raise
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.fd, F_SETPIPE_SZ, CHUNK)
        self.rest = b""

    def cancel(self) -> None:
        """Stop the reading child and forget what was read."""
        if self.fd >= 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child.pid, signal.SIGKILL)
            self.child.finish(self.fd, failed=True)
            self.fd = -1
        self.hold.release()

    def feed(self, budget: float) -> bool:
        """Load what the reading child has written for about ``budget`` s; return whether done."""
        deadline = time.monotonic() + budget
        pending = [self.rest]
        size = len(self.rest)
        while True:
            wait = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait if size < CHUNK else 0.0)
            chunk = os.read(self.fd, CHUNK) if ready else b""
            if chunk:
                pending.append(chunk)
                size += len(chunk)
                if size < CHUNK:
                    continue
            data = b"".join(pending)
            end = len(data) if ready and not chunk else data.rfind(b"\n") + 1
            if end:
                self.store.load(data[:end], format=ox.RdfFormat.N_TRIPLES)
                if self.columnar is not None:
                    self.columnar.feed(data[:end])
            self.rest, pending, size = data[end:], [data[end:]], len(data) - end
            if ready and not chunk:
                fd, self.fd = self.fd, -1
                try:
                    self.child.finish(fd)
                finally:
                    self.hold.release()
                if self.columnar is not None:
                    self.columnar.finish(self.name)
                return True
            if time.monotonic() >= deadline:
                return False


def write_union(directory: Path, out: IO[bytes]) -> None:
    """Write every triple of the on-disk store at ``directory`` as N-Triples (duplicates allowed)."""
    disk = ox.Store.read_only(str(directory))
    if next(iter(disk.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None:
        disk.dump(cast("IO[bytes]", _GraphDropper(out)), format=ox.RdfFormat.N_QUADS)
        return
    disk.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    for graph in disk.named_graphs():
        disk.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


class _GraphDropper:
    """Turn N-Quads whose every line names a graph into N-Triples, as they are written."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.rest = b""

    def write(self, chunk: bytes) -> int:
        data = self.rest + chunk
        end = data.rfind(b"\n") + 1
        self.rest = data[end:]
        self.out.write(
            b"".join(
                line[: line.rindex(b" ", 0, len(line) - 2)] + b" .\n"
                for line in data[:end].split(b"\n")
                if line
            )
        )
        return len(chunk)

    def flush(self) -> None:
        """Do nothing: only whole lines are passed on."""


class _from_child:
    """Run ``work`` in a forked child writing to a pipe; read the pipe in the ``with`` block.

    Forking keeps RocksDB's threads out of the caller. The child's failure is
    raised in the caller when the block ends (or at :meth:`finish`).
    """

    def __init__(self, work: Callable[[IO[bytes]], None]) -> None:
        self.work = work
        self.pid = 0
        self.stream: IO[bytes] | None = None

    def start(self) -> int:
        """Fork the child and return the pipe's reading end."""
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child
            status = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.close(read)
                with os.fdopen(write, "wb", buffering=1 << 20) as out:
                    self.work(out)
            except BaseException:
                traceback.print_exc(file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        return read

    def finish(self, fd: int, *, failed: bool = False) -> None:
        """Close the reading end and wait for the child; raise when it failed."""
        os.close(fd)
        _, status = os.waitpid(self.pid, 0)
        if status != 0 and not failed:
            raise RuntimeError(f"reading the store failed in process {self.pid} (status {status})")

    def __enter__(self) -> IO[bytes]:
        self.stream = os.fdopen(self.start(), "rb", buffering=1 << 20, closefd=False)
        return self.stream

    def __exit__(self, *exc: object) -> None:
        assert self.stream is not None
        fd = self.stream.fileno()
        self.stream.close()
        self.finish(fd, failed=exc[0] is not None)
