"""Share files between the query services of one store: query slots, and who still uses them.

Across the web workers of one server, a few query slots (file locks) bound
how many queries run at once. Services started on their own (tests, an app
served without ``miglod serve``) keep their slots and precomputed results in
directories of the system's temporary directory shared by every service of
the same store; the last service to close removes them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: The file each service holding a shared directory keeps a shared lock on.
USERS_FILE = ".users"


class QuerySlots:
    """Bound the queries running at once across processes, with one lock file per slot."""

    def __init__(self, store: Path, count: int, directory: Path | None = None) -> None:
        key = hashlib.blake2b(str(store.resolve()).encode(), digest_size=6).hexdigest()
        self.directory = directory or Path(tempfile.gettempdir()) / f"miglod-query-slots-{key}"
        self.count = max(1, count)

    @contextlib.contextmanager
    def hold(self, wait: float) -> Iterator[bool]:
        """Hold a free slot while the block runs; yield ``False`` when none freed up in ``wait`` s."""
        self.directory.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait
        while True:
            for number in range(self.count):
                handle = open(self.directory / f"slot-{number}.lock", "a+b")  # noqa: SIM115
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    handle.close()
                return
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(0.005)


class SharedDirs:
    """Hold directories shared by the services of one store; the last one out removes them.

    Each service holds a shared lock on a file in each directory while it
    runs; closing, it removes a directory only when it can take that lock
    alone, so nobody else still uses it.
    """

    def __init__(self, directories: list[Path]) -> None:
        self.held: list[tuple[Path, IO[bytes]]] = []
        for directory in directories:
            directory.mkdir(parents=True, exist_ok=True)
            handle = open(directory / USERS_FILE, "a+b")  # noqa: SIM115
            fcntl.flock(handle, fcntl.LOCK_SH)
            self.held.append((directory, handle))

    def release(self) -> None:
        """Let the directories go, removing those no other service uses."""
        while self.held:
            directory, handle = self.held.pop()
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            shutil.rmtree(directory, ignore_errors=True)
            handle.close()

    def forget(self) -> None:
        """Drop the handles inherited through a fork (the parent keeps its locks)."""
        for _, handle in self.held:
            handle.close()
        self.held = []
