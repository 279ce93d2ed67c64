"""Lay out a store directory as immutable generations behind a ``current`` link.

::

    store/
      current -> generations/20261128T101500123456Z-3f2a9c
      generations/
        20261128T101500123456Z-3f2a9c/
          oxigraph/       the RDF data (RocksDB)
          index.sqlite    modification times and digests of the named graphs
          delta/          (a fold's only) what the fold changed in the union of the
                          graphs, for in-memory copies (see miglod.store.compact)
      .lock               held by whoever is making a new generation

A published generation is never written again. A writer takes the lock, makes
a new generation in a hidden directory (a cheap hard-linked copy of the current
one, or a fresh bulk load), and renames the ``current`` link onto it in one
atomic step. Readers open the generation ``current`` names read-only and reopen
when the link moves, so nobody ever opens data another process is writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CURRENT = "current"
GENERATIONS = "generations"
LOCK = ".lock"
GENERATION_LOCK = ".generation.lock"
RDF_DIR = "oxigraph"
INDEX_FILE = "index.sqlite"
DELTA_DIR = "delta"
TMP_PREFIX = ".tmp-"
#: Generations kept besides the current one, for readers still using them.
KEEP = 2
#: Seconds an older generation is kept after it stopped being current.
GRACE_SECONDS = 300.0
#: Seconds a :class:`CurrentWatch` waits at a time before it looks whether it must stop.
WATCH_SLICE = 0.1


def is_store(path: Path) -> bool:
    """Return whether ``path`` holds a store laid out in generations."""
    return (path / CURRENT).is_symlink()


def current_name(path: Path) -> str:
    """Return the name of the generation ``current`` points at."""
    return Path(os.readlink(path / CURRENT)).name


def generation_dir(path: Path, name: str) -> Path:
    """Return the directory of one generation."""
    return path / GENERATIONS / name


def new_name(at: dt.datetime) -> str:
    """Return a new generation name that sorts after older ones made earlier."""
    stamp = at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{secrets.token_hex(3)}"


@contextlib.contextmanager
def writer_lock(path: Path, name: str = LOCK, *, wait: bool = True) -> Iterator[bool]:
    """Hold one of the store's locks (across processes) while the block runs.

    ``LOCK`` orders writers; ``GENERATION_LOCK`` is held by whoever makes a new
    generation. With ``wait`` false the block runs at once, told (``False``)
    when another process holds the lock.
    """
    path.mkdir(parents=True, exist_ok=True)
    with open(path / name, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_tmp(path: Path) -> Path:
    """Return a fresh hidden directory for a generation being made (lock held)."""
    root = path / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(TMP_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = root / (TMP_PREFIX + secrets.token_hex(6))
    tmp.mkdir()
    return tmp


def publish(path: Path, tmp: Path, name: str) -> None:
    """Move a finished generation into place and point ``current`` at it atomically."""
    final = generation_dir(path, name)
    tmp.rename(final)
    link = path / (CURRENT + TMP_PREFIX + secrets.token_hex(4))
    os.symlink(Path(GENERATIONS) / name, link)
    os.replace(link, path / CURRENT)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class CurrentWatch:
    """Wait until ``current`` is moved onto another generation, or a timeout passes.

    With Linux's inotify a waiting thread wakes as the link is renamed, so a
    new generation is noticed within a millisecond instead of at the next
    look; elsewhere (or when the system has no watches left) it only waits.
    """

    def __init__(self, path: Path) -> None:
        self._notify: Any = None
        try:
            from inotify_simple import INotify, flags

            notify = INotify()
            try:
                notify.add_watch(str(path), flags.MOVED_TO | flags.CREATE)
            except OSError:
                notify.close()
                raise
            self._notify = notify
        except (ImportError, OSError):
            pass

    @property
    def notified(self) -> bool:
        """Return whether moves of the link are noticed at once (else only at timeouts)."""
        return self._notify is not None

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Wait up to ``timeout`` s, less when ``current`` moves; return whether it did.

        It returns soon after ``stop`` is set (at once without notifications).
        """
        if self._notify is None:
            stop.wait(timeout)
            return False
        deadline = time.monotonic() + timeout
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                events = self._notify.read(timeout=max(int(min(left, WATCH_SLICE) * 1000), 1))
            except OSError:  # the watch broke: wait as without one from now on
                self.close()
                stop.wait(left)
                return False
            if any(event.name == CURRENT for event in events):
                return True
        return False

    def close(self) -> None:
        """Stop watching."""
        if self._notify is not None:
            self._notify.close()
            self._notify = None


def prune(path: Path, *, keep: int = KEEP, grace: float = GRACE_SECONDS) -> list[str]:
    """Remove generations no reader should still use; return their names (lock held)."""
    current = current_name(path)
    names = sorted(
        p.name for p in (path / GENERATIONS).iterdir() if not p.name.startswith(TMP_PREFIX)
    )
    older = [n for n in names if n < current]
    removed = []
    now = time.time()
    for index, name in enumerate(older[: max(len(older) - keep, 0)]):
        successor = older[index + 1] if index + 1 < len(older) else current
        replaced_at = generation_dir(path, successor).stat().st_mtime
        if now - replaced_at >= grace:
            shutil.rmtree(generation_dir(path, name), ignore_errors=True)
            removed.append(name)
    return removed
