"""The zygote: hold the in-memory union of the data and fork query runners from it.

It is started either by one :class:`miglod.query.service.QueryService` as
``python -m miglod.query.zygote FD`` with one end of a Unix socket (the
service then sends the configuration on it), or once for a whole server as
``python -m miglod.query.zygote --listen FD CONFIG`` (``CONFIG`` in JSON),
accepting any number of web workers on the listening Unix socket ``FD``. Each
connection may ask:

``{"op": "runner"}``
    catch up with the store's current generation, fork a runner, and send back
    its version, its pid and whether it may be kept for further queries, with
    two descriptors: the runner's socket and a pidfd the web worker uses to
    kill it when a query runs too long.

``{"op": "follow", "since": VERSION}``
    read the change to the store's current generation (without applying it
    yet) and send back the deltas that lead a runner of ``VERSION`` there, as
    ``deltas`` with the ``version`` they reach, or ``deltas: None`` when that
    runner is too old to follow (it is then replaced by a new one). A runner
    kept by a web worker thus follows the data without a fork and stays warm.

The data is loaded into memory in steps between requests, so runners are
forked at once from the start; until the copy is complete they read the
on-disk store and serve one query each. Between requests the zygote reads
the delta to each new generation (the graphs written since) at once, for the
runners to follow, and applies it to its own copy once the data has been
still for a moment; after catching up it forks a child that precomputes the
example queries' results (one at a time, for the newest version; see
:mod:`miglod.query.precompute`).

The zygote runs Python on one thread so that forking it is safe: the columnar
copy's DuckDB thread (see :meth:`miglod.query.columnar.ColumnarCopy._call`)
only works while the main thread waits for it, so it is idle at every fork. It exits when
its only web worker closes the socket, or, serving a whole server, when its
parent process goes away or sends SIGTERM.

The spare, a runner forked and warmed up ahead of requests, is kept by
:mod:`miglod.query.zygote_spare`.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from miglod.query import wire
from miglod.query.evaluate import Engines
from miglod.query.examples import examples
from miglod.query.forking import fork_child
from miglod.query.precompute import precompute
from miglod.query.runner import serve_requests
from miglod.query.sqlexpr import Unsupported
from miglod.query.union import UnionCopy
from miglod.query.zygote_spare import (
    SPARE_DELAY,
    SPARE_READY_WAIT,
    Spare,
    current_spare,
    keep_spare,
)

#: Seconds between two looks at the store's current generation when idle.
TICK = 0.1
#: Seconds the data must stay unchanged before the examples are precomputed again: while
#: writes go on, each fold would otherwise start seconds of CPU for a version soon replaced.
WARM_DELAY = 3.0
#: Niceness of the child that precomputes the examples: queries, reads and writes come first.
WARM_NICE = 15
#: Seconds a runner request may wait for a load to finish (small stores load in less).
LOAD_WAIT = 0.2


@dataclass(slots=True)
class Zygote:
    """What the zygote keeps: the copy, its settings, its connections and its children."""

    copy: UnionCopy
    spool_dir: str
    warm: tuple[str, tuple[int, ...]] | None
    cache_dir: str | None
    selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    warmed: set[str] = field(default_factory=set)
    warming: int = 0
    runners: set[int] = field(default_factory=set)
    spare: Spare | None = None
    changed_at: float = 0.0
    planned: bool = False

    @classmethod
    def configured(cls, config: dict[str, object]) -> Zygote:
        """Return a zygote for the configuration a service sends."""
        warm = config.get("warm")
        chosen = None
        if isinstance(warm, list | tuple):
            chosen = (str(warm[0]), tuple(int(n) for n in warm[1]))
        cache_dir = config.get("cache_dir")
        return cls(
            UnionCopy(
                Path(str(config["store"])),
                memory=bool(config["memory"]),
                columnar=bool(config.get("columnar", True)),
            ),
            str(config["spool_dir"]),
            chosen,
            str(cache_dir) if cache_dir else None,
        )

    def serve(self, listener: socket.socket | None, only: socket.socket | None) -> int:
        """Answer requests until the single client leaves or the parent goes away."""
        parent = os.getppid()
        if listener is not None:
            listener.setblocking(False)
            self.selector.register(listener, selectors.EVENT_READ, "listen")
        if only is not None:
            self.selector.register(only, selectors.EVENT_READ, "client")
        self._catch_up(0.0)
        while True:
            timeout = 0.0 if self.copy.loading is not None else TICK
            for key, _ in self.selector.select(timeout):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if key.data == "listen":
                    self._accept(sock)
                elif not self._answer(sock) and sock is only:
                    self.stop()  # our one web worker has gone: so do our children
            if listener is not None and os.getppid() != parent:
                self.stop()
            self._reap()
            self._catch_up(0.05, settle=False)
            keep_spare(self)

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        client.setblocking(True)
        self.selector.register(client, selectors.EVENT_READ, "client")

    def _answer(self, client: socket.socket) -> bool:
        """Answer one message of ``client``; return ``False`` when it has gone."""
        try:
            message, _ = wire.receive(client)
            assert isinstance(message, dict)
            if message.get("op") == "runner":
                self._runner(client, message.get("id"))
            elif message.get("op") == "follow":
                self._follow(client, message.get("id"), str(message.get("since", "")))
        except (wire.ChannelClosedError, OSError):
            self.selector.unregister(client)
            client.close()
            return False
        return True

    def _catch_up(self, budget: float, *, settle: bool = True) -> str | None:
        """Move the copy towards the current generation; return an error's text, if any.

        Without ``settle`` a change to a copy in memory is only read (for
        runners to follow), and applied here once the data has been still for
        :data:`~miglod.query.zygote_spare.SPARE_DELAY`: the kept runners follow
        on their own, and the zygote's copy only matters for the next fork.
        Applying it at once would take the other core from the runner that is
        applying the same change.
        """
        copy = self.copy
        if not settle and copy.memory and copy.ready:
            try:
                self._read_ahead()
            except Exception as exc:  # the web worker reports it; the zygote keeps serving
                return f"{type(exc).__name__}: {exc}"
            if time.monotonic() - self.changed_at < SPARE_DELAY:
                return None
        before = copy.version
        try:
            done = copy.step(budget)
        except Exception as exc:  # the web worker reports it; the zygote keeps serving
            return f"{type(exc).__name__}: {exc}"
        finally:
            if copy.version != before:
                self.changed_at = time.monotonic()
        if done:
            self._warm()
        return None

    def _read_ahead(self) -> None:
        """Read the change to the current generation, if any, and note when it was first seen."""
        newest = self.copy.newest
        self.copy.read_ahead()
        if self.copy.newest != newest:
            self.changed_at = time.monotonic()

    def _runner(self, client: socket.socket, ident: object) -> None:
        error = self._catch_up(LOAD_WAIT if self.copy.loading is not None else 0.0)
        copy = self.copy
        if error is not None or not copy.version:
            wire.send(client, {"id": ident, "error": error or "the store has no data yet"})
            return
        spare = self.spare
        if spare is not None and copy.ready and current_spare(self, SPARE_READY_WAIT):
            self.spare = None
            mine, pid, follows = spare.sock, spare.pid, spare.follows
        else:
            (mine, pid), follows = self._fork_runner(), 0
        pidfd = os.pidfd_open(pid)
        reply = {
            "id": ident,
            "version": copy.version,
            "pid": pid,
            "keep": copy.ready,
            "follows": follows,
        }
        try:
            wire.send(client, reply, fds=[mine.fileno(), pidfd])
        finally:
            mine.close()
            os.close(pidfd)

    def _follow(self, client: socket.socket, ident: object, since: str) -> None:
        """Send the deltas from ``since`` on; this process applies them to its own copy later.

        The change counts as seen now, so the zygote's own catching up waits
        until the data has been still (see :meth:`_catch_up`) and leaves the
        other core to the runner applying it.
        """
        copy = self.copy
        chain = None
        try:
            self._read_ahead()
            chain = copy.deltas_since(since)
            if chain is None:
                chain = copy.deltas_between(since, copy.newest)
        except Exception:  # the runner is replaced instead; the zygote keeps serving
            traceback.print_exc()
        if chain is None:
            wire.send(client, {"id": ident, "deltas": None})
            return
        wire.send(client, {"id": ident, "version": chain[-1][0], "deltas": chain})

    def _fork_runner(self, warm_up: list[str] | None = None) -> tuple[socket.socket, int]:
        """Fork a runner on the copy as it is now; return our end of its socket and its pid.

        With ``warm_up`` (a spare's) the runner runs those queries first and then
        says it is ready.
        """
        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the runner
            self._close_inherited()
            mine.close()
            serve_requests(theirs, self.copy, self.spool_dir, warm_up=warm_up)
            os._exit(0)
        theirs.close()
        self.runners.add(pid)
        return mine, pid

    def _close_inherited(self) -> None:
        """Close, in a forked child, the descriptors that belong to the zygote."""
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        if self.spare is not None:
            self.spare.sock.close()
        self.copy.forget_children()

    def _warm(self) -> None:
        """Fork a child that precomputes the examples' results for the version just loaded.

        One child at a time, and (but for the first version) only once the data has stayed
        unchanged for :data:`WARM_DELAY`: versions that came and went meanwhile are skipped.
        """
        copy = self.copy
        if not self.warm or copy.store is None or self.warming or copy.version in self.warmed:
            return
        if self.warmed and time.monotonic() - self.changed_at < WARM_DELAY:
            return
        self.warmed = {copy.version}
        base, limits = self.warm
        self._plan_examples(base)
        cache_dir = Path(self.cache_dir) if self.cache_dir else None

        def child() -> None:  # pragma: no cover - runs in the child
            self._close_inherited()
            os.nice(WARM_NICE)
            engines = Engines(
                disk=_no_disk,
                union=copy.store,
                version=copy.version,
                columnar=copy.live_columnar(),
            )
            precompute(copy.path, engines, base, limits, root=cache_dir)

        self.warming = fork_child(child)

    def _plan_examples(self, base: str) -> None:
        """Compile the examples' plans for the columnar copy once, here, before runners fork.

        Plans do not depend on the data: every runner forked from now on starts
        with them, and an example asked with a comment of its own reuses them.
        """
        columnar = self.copy.live_columnar()
        if columnar is None or self.planned:
            return
        self.planned = True
        for example in examples(base):
            with contextlib.suppress(Unsupported):
                columnar.plan(example.query)

    def _reap(self) -> None:
        """Collect runners and precomputing children that have exited, so none lingers.

        Only those: the children reading the on-disk store are waited for by
        whoever reads from them.
        """
        for pid in [*self.runners, self.warming]:
            if not pid:
                continue
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.runners.discard(pid)
                if pid == self.warming:
                    self.warming = 0

    def stop(self) -> None:
        """Kill every child (runners, precomputing, loading) and exit."""
        children = [*self.runners, self.warming, *self.copy.children()]
        for pid in children:
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        os._exit(0)


def _no_disk() -> ox.Store:
    raise RuntimeError("the examples are answered from memory")


def main(argv: list[str] | None = None) -> int:
    """Serve one web worker (``FD``) or every worker of a server (``--listen FD CONFIG``)."""
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # whoever started us decides when we stop
    if args[0] == "--listen":
        listener = socket.socket(fileno=int(args[1]))
        zygote = Zygote.configured(json.loads(args[2]))
        signal.signal(signal.SIGTERM, lambda *_: zygote.stop())
        return zygote.serve(listener, None)
    control = socket.socket(fileno=int(args[0]))
    try:
        config, _ = wire.receive(control)
    except wire.ChannelClosedError:
        return 0
    assert isinstance(config, dict)
    zygote = Zygote.configured(config)
    signal.signal(signal.SIGTERM, lambda *_: zygote.stop())
    return zygote.serve(None, control)


if __name__ == "__main__":
    raise SystemExit(main())
