"""Run queries for one web worker in processes that hold the data in memory and can be killed.

pyoxigraph can neither stop a query nor give up the CPU it holds, so queries
run in runner processes: the web worker sends a query, waits until the time
limit, and kills the runner (by pidfd, so never a stranger) if it is late. A
replacement is forked at once from the zygote, which keeps the in-memory
union of the data, so a killed query costs milliseconds to recover from.

Across the web workers of one server, a few query slots (file locks) bound
how many queries run at once; a query that finds no free slot within a short
wait is answered 503 with ``Retry-After``, so heavy queries can never tie up
every web worker and pages keep being served.

The handle on a runner, the exchanges over the sockets, and the starting and
stopping of the processes are in :mod:`miglod.query.service_processes`.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from miglod.query import wire
from miglod.query.errors import QueryBusyError, QueryError
from miglod.query.evaluate import Outcome, QueryRequest
from miglod.query.helper import HelperPaths
from miglod.query.precompute import cache_root, read_entry
from miglod.query.runner import MAX_FOLLOWS, Follow
from miglod.query.service_processes import (
    Runner,
    await_reply,
    exchange,
    send_follow,
    shutdown,
    start_zygote,
    stop,
)
from miglod.query.shared import QuerySlots, SharedDirs

#: Seconds a query waits for a free slot before it is turned away.
SLOT_WAIT = 0.5
#: Seconds :meth:`QueryService.catch_up` gives each runner to follow a change.
CATCH_UP_TIMEOUT = 10.0


class QueryService:
    """Evaluate queries on a store's data with a time limit that holds.

    ``memory`` keeps the union of the data in memory in the zygote (fast; the
    default); without it queries read the on-disk store. ``slots`` bounds the
    queries running at once across every process using the same store
    (``None``: no bound, for one-off use such as the command line). ``warm``
    (base IRI, row caps) has the example queries' results precomputed for each
    data version, for requests with those caps.

    With ``helper`` (the paths of a server's :class:`~miglod.query.helper.QueryHelper`)
    the service starts no zygote of its own: it asks the server's one, over
    its socket, and keeps its files in the helper's runtime directory.
    """

    def __init__(
        self,
        store: str | os.PathLike[str],
        *,
        memory: bool = True,
        columnar: bool = True,
        slots: int | None = 1,
        warm: tuple[str, tuple[int, ...]] | None = None,
        helper: HelperPaths | None = None,
    ) -> None:
        self.store = Path(store)
        self.memory = memory
        self.columnar = columnar
        self.warm = warm
        self.helper = helper
        self.cache_dir = helper.cache if helper else None
        slot_dir = helper.slots if helper else None
        self.slots = QuerySlots(self.store, slots, slot_dir) if slots is not None else None
        self.spool_dir = self._make_spool_dir()
        self._shared = self._share()
        self._lock = threading.Lock()
        #: Notified when runners that were catching up are idle again.
        self._caught_up = threading.Condition(self._lock)
        self._catching = 0
        self._zygote: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._pending: tuple[int, dict[str, object]] | None = None
        self._counter = 0
        self._idle: list[Runner] = []
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, shutdown, self._idle, self._own_spool(), [])

    def run(self, request: QueryRequest, *, timeout: float, version: str = "") -> Outcome:
        """Evaluate ``request`` within ``timeout`` seconds on data at least as new as ``version``.

        Raise :class:`QueryTimeoutError` when it runs too long (it is killed),
        :class:`QueryBusyError` when no slot is free or the data is still being
        loaded, and :class:`QueryError` for malformed or refused queries.
        """
        if self.warm and version:
            found = read_entry(self.store, version, request, self.cache_dir)
            if found is not None:
                return found
        self._forget_if_forked()
        deadline = time.monotonic() + timeout
        retry = max(1, math.ceil(timeout / 2))
        slot = (
            self.slots.hold(min(SLOT_WAIT, timeout)) if self.slots else contextlib.nullcontext(True)
        )
        with slot as held:
            if not held:
                raise QueryBusyError(
                    "Every query slot is busy with other queries; try again shortly.", retry
                )
            runner = self._take_runner(version, deadline, timeout)
            try:
                reply = exchange(runner, request, deadline, timeout)
            except BaseException:
                runner.kill()
                self._remove_spools(runner.pid)
                raise
            if runner.keep:
                with self._lock:
                    self._idle.append(runner)
            else:  # read from disk while the data was loading: the next query gets memory
                runner.close()
        if reply[0] == "ok":
            outcome = reply[1]
            assert isinstance(outcome, Outcome)
            return outcome
        _, status, code, message = reply
        raise QueryError(int(str(status)), str(code), str(message))

    def catch_up(self, version: str) -> int:
        """Bring the idle runners up to ``version`` now, ahead of any query; return how many.

        Called when the data changed (the web worker's thread that follows the
        store calls it), so that the first query afterwards finds its runner
        up to date, the columns included, instead of waiting while it follows.
        A query that comes meanwhile waits for a runner to come back rather
        than forking a new one. A runner that cannot follow is dropped, as a
        query would drop it.
        """
        if os.getpid() != self._pid:
            return 0
        with self._lock:
            behind = [runner for runner in self._idle if runner.version < version]
            for runner in behind:
                self._idle.remove(runner)  # in place: the finalizer holds this list
            self._catching += len(behind)
        followed, pending = 0, list(behind)
        try:
            while pending:
                runner = pending.pop(0)
                deadline = time.monotonic() + CATCH_UP_TIMEOUT
                try:
                    keep = self._follow(runner, version, deadline, CATCH_UP_TIMEOUT, settle=True)
                except QueryBusyError:  # the zygote is busy: the runner was not touched
                    keep = True
                except QueryError:
                    keep = False
                except BaseException:
                    self._give_back(runner, keep=False)
                    raise
                self._give_back(runner, keep=keep)
                followed += keep and runner.version >= version
        finally:
            for runner in pending:  # not reached after an unexpected error: untouched
                self._give_back(runner, keep=True)
        return followed

    def _give_back(self, runner: Runner, *, keep: bool) -> None:
        """End ``runner``'s catching up: idle again if ``keep``, else killed."""
        with self._lock:
            if keep:
                self._idle.append(runner)
            self._catching -= 1
            self._caught_up.notify_all()
        if not keep:
            runner.kill()

    def start(self) -> None:
        """Start the zygote now, so the data is in memory before the first query comes."""
        self._forget_if_forked()
        with self._lock:
            self._ensure_zygote()

    def _forget_if_forked(self) -> None:
        """Drop the processes of the parent when this object was inherited through a fork.

        A server that creates the app before forking its workers (gunicorn's
        ``--preload``) would otherwise share one zygote's socket between workers.
        """
        if os.getpid() == self._pid:
            return
        self._finalizer.detach()
        if self._control is not None:
            self._control.close()  # our copy only: the parent keeps its own
        for runner in self._idle:
            runner.close()
        self._lock = threading.Lock()
        self._caught_up = threading.Condition(self._lock)
        self._catching = 0
        self._zygote, self._control, self._pending = None, None, None
        self._idle = []
        self.spool_dir = self._make_spool_dir()
        if self._shared is not None:
            self._shared.forget()
        self._shared = self._share()
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, shutdown, self._idle, self._own_spool(), [])

    def _share(self) -> SharedDirs | None:
        """Hold the slot and cache directories this service shares with others on its store."""
        if self.helper is not None:
            return None  # the helper's runtime directory goes with the helper
        shared = [self.slots.directory] if self.slots is not None else []
        if self.warm:
            shared.append(cache_root(self.store))
        return SharedDirs(shared)

    def _make_spool_dir(self) -> str:
        if self.helper is not None:
            return str(self.helper.spool)
        return tempfile.mkdtemp(prefix="miglod-query-")

    def _own_spool(self) -> str:
        """Return the spool directory this service removes when it stops ('' when shared)."""
        return "" if self.helper is not None else self.spool_dir

    def close(self) -> None:
        """Stop the zygote and every runner, and remove the spool directory."""
        with self._lock:
            processes = [self._zygote] if self._zygote else []
            if self._control is not None:
                self._control.close()
            self._zygote, self._control, self._pending = None, None, None
        shutdown(self._idle, self._own_spool(), processes)
        if self._shared is not None:
            self._shared.release()

    def _take_runner(self, version: str, deadline: float, timeout: float) -> Runner:
        with self._lock:
            if not self._idle and self._catching:  # one is catching up: soon ready, forks are not
                self._caught_up.wait_for(
                    lambda: bool(self._idle) or not self._catching,
                    max(deadline - time.monotonic(), 0.0),
                )
            runner = self._idle.pop() if self._idle else None
        if runner is not None and runner.version >= version:
            return runner
        if runner is not None:
            try:
                followed = self._follow(runner, version, deadline, timeout)
            except BaseException:
                runner.kill()
                raise
            if followed:
                return runner
            runner.kill()  # too old, or its copy may be half changed: never used again
        return self._new_runner(version, deadline, timeout)

    def _follow(
        self,
        runner: Runner,
        version: str,
        deadline: float,
        timeout: float,
        *,
        settle: bool = False,
    ) -> bool:
        """Bring a kept runner up to ``version`` with the zygote's deltas; return whether it is.

        A runner that has followed :data:`MAX_FOLLOWS` changes, or is older than
        the deltas the zygote keeps, is replaced by a fork instead: its pages
        copied on write grow with every change it applies.
        """
        if runner.follows >= MAX_FOLLOWS:
            return False
        # Most changes are folds that wrote their deltas: the runner reads them itself.
        answer = send_follow(runner, Follow([], settle, version, runner.version), deadline, timeout)
        if answer == "behind":
            reply, _ = self._ask({"op": "follow", "since": runner.version}, deadline, timeout)
            deltas = reply.get("deltas")
            if not deltas or str(reply.get("version")) < version:
                return False
            answer = send_follow(runner, Follow(list(deltas), settle), deadline, timeout)
        if answer != "followed":
            return False
        runner.follows += 1
        return runner.version >= version

    def _new_runner(self, version: str, deadline: float, timeout: float) -> Runner:
        reply, fds = self._ask({"op": "runner"}, deadline, timeout)
        if reply.get("error"):
            for fd in fds:
                os.close(fd)
            raise QueryError(500, "query_service_failed", str(reply["error"]))
        sock_fd, pidfd = fds
        runner = Runner(
            socket.socket(fileno=sock_fd),
            pidfd,
            int(reply["pid"]),
            str(reply["version"]),
            bool(reply.get("keep", True)),
            int(str(reply.get("follows", 0))),
        )
        if runner.version < version:
            runner.close()
            raise QueryBusyError("The query service is catching up with the latest data.", 1)
        return runner

    def _ask(
        self, message: dict[str, object], deadline: float, timeout: float
    ) -> tuple[dict[str, Any], list[int]]:
        """Send ``message`` to the zygote and return its reply, with the descriptors passed."""
        with self._lock:
            try:
                control = self._ensure_zygote()
            except OSError as exc:
                raise QueryError(
                    500, "query_service_failed", f"The query service cannot be reached: {exc}"
                ) from None
            try:
                # A request abandoned at its deadline is answered later: the same
                # request takes that answer, another one sends anew.
                if self._pending is None or self._pending[1] != message:
                    self._counter += 1
                    self._pending = (self._counter, message)
                    wire.send(control, {**message, "id": self._counter})
                reply, fds = await_reply(control, self._pending[0], deadline)
                self._pending = None
                control.settimeout(None)
            except TimeoutError:
                raise QueryBusyError(
                    "The query service is loading the latest data; try again shortly.",
                    max(1, math.ceil(timeout)),
                ) from None
            except (wire.ChannelClosedError, OSError) as exc:
                self._drop_zygote()
                raise QueryError(
                    500, "query_service_failed", f"The query service stopped: {exc}"
                ) from None
        return reply, fds

    def _ensure_zygote(self) -> socket.socket:
        if self._zygote is not None and self._zygote.poll() is not None:
            self._drop_zygote()
        if self._control is not None:
            return self._control
        if self.helper is not None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(self.helper.socket))
            except OSError:
                sock.close()
                raise
            self._control = sock
            return sock
        mine, self._zygote = start_zygote()
        config = {
            "store": str(self.store),
            "memory": self.memory,
            "columnar": self.columnar,
            "spool_dir": self.spool_dir,
            "warm": self.warm,
        }
        wire.send(mine, config)
        self._control = mine
        self._finalizer.detach()
        self._finalizer = weakref.finalize(
            self, shutdown, self._idle, self.spool_dir, [self._zygote]
        )
        return mine

    def _drop_zygote(self) -> None:
        if self._control is not None:
            self._control.close()
        if self._zygote is not None:
            stop(self._zygote)
        self._zygote, self._control, self._pending = None, None, None

    def _remove_spools(self, pid: int) -> None:
        for leftover in Path(self.spool_dir).glob(f"{pid}-*.out"):
            leftover.unlink(missing_ok=True)
