"""The zygote: hold the in-memory union of the data and fork query runners from it.

Started by a web worker's :class:`miglod.query.service.QueryService` as
``python -m miglod.query.zygote FD`` with one end of a Unix socket. It loads
the data, then answers requests on that socket:

``{"op": "runner"}``
    catch up with the store's current generation, fork a runner, and send back
    its version and pid with two descriptors: the runner's socket and a pidfd
    the web worker uses to kill it when a query runs too long.

After catching up with a version it forks a child that precomputes the
example queries' results (see :mod:`miglod.query.precompute`).

The zygote stays single-threaded so that forking it is safe; it exits when
the web worker closes the socket (or dies).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import traceback
from pathlib import Path

import pyoxigraph as ox

from miglod.query import wire
from miglod.query.evaluate import Engines
from miglod.query.precompute import precompute
from miglod.query.runner import serve_requests
from miglod.query.union import UnionCopy


def main(argv: list[str] | None = None) -> int:
    """Serve the web worker connected to the descriptor named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(args[0]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the web worker decides when we stop
    try:
        config, _ = wire.receive(control)
        assert isinstance(config, dict)
        copy = UnionCopy(Path(config["store"]), memory=bool(config["memory"]))
        warm = config.get("warm")
        warmed: set[str] = set()
        _refresh(copy)
        _warm(copy, warm, warmed)
        while True:
            message, _ = wire.receive(control)
            assert isinstance(message, dict)
            _reap()
            if message.get("op") == "runner":
                _answer_runner(control, copy, str(config["spool_dir"]), message.get("id"))
                _warm(copy, warm, warmed)
    except wire.ChannelClosedError:
        return 0


def _refresh(copy: UnionCopy) -> str | None:
    try:
        copy.refresh()
    except Exception as exc:  # the web worker reports it; the zygote keeps serving
        return f"{type(exc).__name__}: {exc}"
    return None


def _answer_runner(control: socket.socket, copy: UnionCopy, spool_dir: str, ident: object) -> None:
    error = _refresh(copy)
    if error is not None or not copy.version:
        wire.send(control, {"id": ident, "error": error or "the store has no data yet"})
        return
    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the runner
        control.close()
        mine.close()
        serve_requests(theirs, copy, spool_dir)
        os._exit(0)
    theirs.close()
    pidfd = os.pidfd_open(pid)
    try:
        wire.send(
            control, {"id": ident, "version": copy.version, "pid": pid}, fds=[mine.fileno(), pidfd]
        )
    finally:
        mine.close()
        os.close(pidfd)


def _warm(copy: UnionCopy, warm: object, warmed: set[str]) -> None:
    """Fork a child that precomputes the examples' results for the version just loaded."""
    if not warm or copy.store is None or not copy.version or copy.version in warmed:
        return
    warmed.add(copy.version)
    assert isinstance(warm, tuple | list)
    base, limits = str(warm[0]), tuple(int(n) for n in warm[1])
    if os.fork() == 0:  # pragma: no cover - runs in the child
        status = 0
        try:
            os.nice(5)  # queries asked by people come first
            engines = Engines(disk=_no_disk, union=copy.store, version=copy.version)
            precompute(copy.path, engines, base, limits)
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            os._exit(status)


def _no_disk() -> ox.Store:
    raise RuntimeError("the examples are answered from memory")


def _reap() -> None:
    """Collect runners that have exited, so none lingers as a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    raise SystemExit(main())
