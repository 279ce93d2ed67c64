"""The processes a web worker's query service talks to, seen from the web worker.

This module holds the handle kept on each runner (its socket, its pidfd, the
version it holds), the exchanges over a runner's socket (a query, a change to
follow) and over the zygote's (waiting for the reply to one request), and how
the service's own zygote is started and how it and the runners are stopped.
:class:`miglod.query.service.QueryService` decides when each of these happens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from miglod.query import wire
from miglod.query.errors import QueryError, QueryTimeoutError
from miglod.query.evaluate import QueryRequest
from miglod.query.runner import Follow


@dataclass(slots=True)
class Runner:
    sock: socket.socket
    pidfd: int
    pid: int
    version: str
    keep: bool = True
    #: Changes this runner has followed since it was forked.
    follows: int = 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        self.close()

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(OSError):
            os.close(self.pidfd)


def exchange(
    runner: Runner, request: QueryRequest, deadline: float, timeout: float
) -> tuple[object, ...]:
    try:
        wire.send(runner.sock, request)
        runner.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        reply, _ = wire.receive(runner.sock)
    except TimeoutError:
        raise QueryTimeoutError(timeout) from None
    except (wire.ChannelClosedError, OSError) as exc:
        raise QueryError(500, "query_crashed", f"The query process stopped: {exc}") from None
    runner.sock.settimeout(None)
    assert isinstance(reply, tuple)
    return reply


def send_follow(runner: Runner, follow: Follow, deadline: float, timeout: float) -> str:
    """Send ``follow`` to ``runner``; return its answer's kind (``""``: it failed)."""
    try:
        wire.send(runner.sock, follow)
        runner.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        answer, _ = wire.receive(runner.sock)
        runner.sock.settimeout(None)
    except TimeoutError:
        raise QueryTimeoutError(timeout) from None
    except (wire.ChannelClosedError, OSError):
        return ""
    if not isinstance(answer, tuple) or answer[0] not in ("followed", "behind"):
        return ""
    if answer[0] == "followed":
        runner.version = str(answer[1])
    return str(answer[0])


def await_reply(
    control: socket.socket, ident: int, deadline: float
) -> tuple[dict[str, Any], list[int]]:
    """Read replies until the one to request ``ident``; close what others passed."""
    while True:
        control.settimeout(max(deadline - time.monotonic(), 0.001))
        reply, fds = wire.receive(control, max_fds=2)
        assert isinstance(reply, dict)
        if reply.get("id") == ident:
            return reply, fds
        for fd in fds:
            os.close(fd)


def start_zygote() -> tuple[socket.socket, subprocess.Popen[bytes]]:
    """Start a zygote of the service's own; return our end of its socket, and the process.

    The zygote imports this package from where this file is, whatever the
    current directory; it waits for its configuration on the socket.
    """
    mine, theirs = socket.socketpair()
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": package_root + (os.pathsep + path if path else "")}
    zygote = subprocess.Popen(
        [sys.executable, "-m", "miglod.query.zygote", str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    theirs.close()
    return mine, zygote


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a zygote: asked first, so that it stops its own children too, then killed."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2)
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def shutdown(idle: list[Runner], spool_dir: str, processes: list[subprocess.Popen[bytes]]) -> None:
    while idle:
        idle.pop().kill()
    for process in processes:
        stop(process)
    if not spool_dir:
        return
    for leftover in Path(spool_dir).glob("*"):
        leftover.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        os.rmdir(spool_dir)
