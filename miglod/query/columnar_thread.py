"""The one thread per process on which the columnar copy's DuckDB work runs.

The copy hands each call to this thread and waits for it, so DuckDB's memory
comes from an arena of the thread's own rather than the heap the in-memory
pyoxigraph copy uses, and the thread is idle whenever the zygote forks. While
it runs Python code the garbage collector is off (see :class:`DuckThread`).
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class DuckThread:
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
