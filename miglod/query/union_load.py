"""Load the union of one on-disk generation into a new in-memory store, a chunk at a time.

The on-disk store starts RocksDB threads, which must stay out of the process
that holds the copy (see :mod:`miglod.query.union`). So a forked child opens
the generation and writes every triple of it as N-Triples to a pipe
(:func:`write_union`), and :class:`Loading` reads the pipe in pieces of about
:data:`CHUNK` bytes, loading each into the new store (and into the columnar
copy, when there is one) between requests. :class:`from_child` forks such a
child and reads what it writes; the union copy also uses it to read a delta
when it has no reading process of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from miglod.query.forking import fork_child
from miglod.store import layout

if TYPE_CHECKING:
    from miglod.query.columnar import ColumnarCopy

#: Bytes of N-Triples loaded at a time while the copy is built in steps.
CHUNK = 1 << 20
#: fcntl's command to resize a pipe (Linux), so the reading child writes in large pieces.
F_SETPIPE_SZ = 1031


class Loading:
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
        self.child = from_child(lambda out: write_union(directory, out))
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


class from_child:
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

        def child() -> None:  # pragma: no cover - runs in the child
            os.close(read)
            with os.fdopen(write, "wb", buffering=1 << 20) as out:
                self.work(out)

        self.pid = fork_child(child)
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
