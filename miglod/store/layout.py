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
          .readers        locked (shared) by every process reading the generation
      .lock               held by whoever is making a new generation

A published generation is never written again. A writer takes the lock, makes
a new generation in a hidden directory (a cheap hard-linked copy of the current
one, or a fresh bulk load), and renames the ``current`` link onto it in one
atomic step. Readers open the generation ``current`` names read-only and reopen
when the link moves, so nobody ever opens data another process is writing.

A reader holds a shared lock on the generation's ``.readers`` file while it
uses the generation (:class:`Hold`). A replaced generation is removed once it is
not among the :data:`KEEP` newest replaced ones and no process holds it, so a
stream of writes leaves only the generations still read on disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import secrets
import shutil
import threading
import time
import weakref
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
READERS = ".readers"
TMP_PREFIX = ".tmp-"
#: Replaced generations always kept besides the current one, whether read or not: a
#: reader told of a generation by name opens it a moment later, and changes are read
#: between neighbouring generations.
KEEP = 2
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
    (tmp / READERS).touch()
    tmp.rename(final)
    link = path / (CURRENT + TMP_PREFIX + secrets.token_hex(4))
    os.symlink(Path(GENERATIONS) / name, link)
    os.replace(link, path / CURRENT)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class GenerationGoneError(FileNotFoundError):
    """The generation asked for was removed: it was replaced and nobody read it."""


class Hold:
    """A shared lock on one generation: it is not removed while a process holds it.

    Take it before opening the generation's files and keep it while they are
    read; it is released by :meth:`release` or when the hold is garbage. A hold
    belongs to its process: a forked child does not inherit it, and takes its
    own if it reads the generation. On a store the process cannot write (read-only
    media) no lock is taken, and none is needed: nobody can remove anything there.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        marker = directory / READERS
        try:
            fd = _open_marker(marker)
        except FileNotFoundError:
            raise GenerationGoneError(f"generation {directory.name} was removed") from None
        except PermissionError:
            self.fd = -1
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a prune is removing it
            if not _same_file(fd, marker):
                raise GenerationGoneError(f"generation {directory.name} was removed")
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        self._closing = weakref.finalize(self, os.close, fd)
        _forget_at_fork()
        _HELD.add(self)

    @property
    def held(self) -> bool:
        """Return whether this process still holds the lock."""
        return self.fd >= 0

    def release(self) -> None:
        """Let the generation go (again: nothing)."""
        if self.fd >= 0:
            self.fd = -1
            self._closing()

    def _forget(self) -> None:
        """In a forked child: close the inherited descriptor, leaving the parent's lock."""
        if self.fd >= 0:
            self._closing.detach()
            os.close(self.fd)
            self.fd = -1


def _open_marker(marker: Path) -> int:
    """Open a generation's ``.readers`` file, made with the generation (by :func:`publish`).

    Opening it writes nothing, so a reader never waits on the file system's
    journal (which a fold's large writes can keep busy). A generation published
    before the file existed gets it now.
    """
    try:
        return os.open(marker, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        if not marker.parent.is_dir():
            raise
        return os.open(marker, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


#: The holds of this process, forgotten in a forked child. The one piece of module
#: state here: descriptors are the process's, and so is what a fork does with them.
_HELD: weakref.WeakSet[Hold] = weakref.WeakSet()


@functools.cache
def _forget_at_fork() -> None:
    """Have forked children forget the holds they inherit (registered once, at the first hold)."""
    os.register_at_fork(after_in_child=_forget_inherited)


def _forget_inherited() -> None:  # pragma: no cover - runs in forked children
    for hold in list(_HELD):
        hold._forget()
    _HELD.clear()


def hold(path: Path, name: str) -> Hold:
    """Hold generation ``name`` of the store at ``path`` (see :class:`Hold`)."""
    return Hold(generation_dir(path, name))


def hold_current(path: Path) -> tuple[str, Hold]:
    """Hold the generation ``current`` points at; return its name and the hold."""
    for _ in range(100):
        name = current_name(path)
        try:
            return name, hold(path, name)
        except GenerationGoneError:
            continue  # replaced and removed between reading the link and locking it
    raise GenerationGoneError(f"the current generation of {path} keeps being removed")


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


def prune(path: Path, *, keep: int = KEEP) -> list[str]:
    """Remove replaced generations that no process holds; return their names (lock held).

    The ``keep`` newest replaced generations stay whether held or not. One being
    removed is first moved aside under an exclusive lock, so a reader about to
    hold it either holds it first (and it stays) or finds it gone.
    """
    current = current_name(path)
    names = sorted(
        p.name for p in (path / GENERATIONS).iterdir() if not p.name.startswith(TMP_PREFIX)
    )
    older = [n for n in names if n < current]
    removed = []
    for name in older[: max(len(older) - keep, 0)]:
        directory = generation_dir(path, name)
        try:
            fd = _open_marker(directory / READERS)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader holds it
            aside = path / GENERATIONS / (TMP_PREFIX + secrets.token_hex(6))
            try:
                directory.rename(aside)
            except OSError:
                continue
        finally:
            os.close(fd)
        shutil.rmtree(aside, ignore_errors=True)
        removed.append(name)
    return removed
