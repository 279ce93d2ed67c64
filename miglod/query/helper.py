"""Run one query zygote for a whole server, which every web worker reaches over a Unix socket.

The zygote holds the in-memory union of the data (about 1 GB at 100,000
items; 1.7 GB with the columnar copy, see :mod:`miglod.query.columnar`), so one per server rather than one per web worker keeps the workers
small whatever the data's size. Its socket, the spools of large results,
the precomputed results and the query slots live in a private runtime
directory (mode 0700) that :meth:`QueryHelper.close` removes; one left by a
server that was killed outright is removed when the next one starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How runtime directories are named, in the system's temporary directory.
PREFIX = "miglod-serve-"
#: The file naming the process that owns a runtime directory.
OWNER = "owner.pid"
#: Seconds before a zygote that died is started again (doubling while it keeps dying).
RESTART_PAUSE = 0.2


def remove_stale() -> list[Path]:
    """Remove the runtime directories of servers that were killed before they could; return them.

    Only directories of this user whose owner process is gone are removed.
    """
    removed = []
    for runtime in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if runtime.stat().st_uid != os.getuid():
                continue
            owner = int((runtime / OWNER).read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(runtime, ignore_errors=True)
            removed.append(runtime)
        except PermissionError:
            continue
    return removed


@dataclass(frozen=True, slots=True)
class HelperPaths:
    """Where a server's query helper keeps its socket and files."""

    runtime: Path

    @property
    def socket(self) -> Path:
        """Return the Unix socket the zygote accepts web workers on."""
        return self.runtime / "query.sock"

    @property
    def spool(self) -> Path:
        """Return the directory of results too large to pass in memory."""
        return self.runtime / "spool"

    @property
    def cache(self) -> Path:
        """Return the directory of precomputed results."""
        return self.runtime / "cache"

    @property
    def slots(self) -> Path:
        """Return the directory of the query slots' lock files."""
        return self.runtime / "slots"


class QueryHelper:
    """Start the zygote of one server now; stop it and remove its files on :meth:`close`.

    The listening socket is bound before the zygote starts, so web workers can
    connect at once; the zygote answers from the on-disk store until its copy
    in memory is loaded. A small supervising process (:func:`supervise`) owns
    the zygote and starts it again if it dies.
    """

    def __init__(
        self,
        store: str | os.PathLike[str],
        *,
        memory: bool = True,
        columnar: bool = True,
        warm: tuple[str, tuple[int, ...]] | None = None,
    ) -> None:
        remove_stale()
        self.paths = HelperPaths(Path(tempfile.mkdtemp(prefix=PREFIX)))
        self.process: subprocess.Popen[bytes] | None = None
        try:
            (self.paths.runtime / OWNER).write_text(str(os.getpid()))
            for directory in (self.paths.spool, self.paths.cache, self.paths.slots):
                directory.mkdir(mode=0o700)
            self.process = self._start(Path(store), memory, columnar, warm)
        except BaseException:
            self.close()
            raise

    def _start(
        self,
        store: Path,
        memory: bool,
        columnar: bool,
        warm: tuple[str, tuple[int, ...]] | None,
    ) -> subprocess.Popen[bytes]:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self.paths.socket))
            listener.listen(128)
            config = {
                "store": str(store),
                "memory": memory,
                "columnar": columnar,
                "spool_dir": str(self.paths.spool),
                "cache_dir": str(self.paths.cache),
                "warm": [warm[0], list(warm[1])] if warm else None,
            }
            package_root = str(Path(__file__).resolve().parents[2])
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": package_root + (os.pathsep + path if path else "")}
            fd = str(listener.fileno())
            return subprocess.Popen(
                [sys.executable, "-m", "miglod.query.helper", fd, json.dumps(config)],
                pass_fds=[listener.fileno()],
                env=env,
                stdin=subprocess.DEVNULL,
            )
        finally:
            listener.close()

    def close(self) -> None:
        """Stop the helper (its runners end with their web workers) and remove the files."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.paths.runtime, ignore_errors=True)


def supervise(fd: int, config: str) -> int:
    """Run the zygote on the listening socket ``fd``, starting it again whenever it dies.

    Stop on SIGTERM, or when the process that started us (the server) is gone.
    Web workers keep their address: the socket stays open here across restarts.
    """
    parent = os.getppid()
    state: dict[str, Any] = {"stopping": False, "child": None}

    def stop(*_: object) -> None:
        state["stopping"] = True
        child = state["child"]
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pause = RESTART_PAUSE
    while not state["stopping"]:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "miglod.query.zygote", "--listen", str(fd), config],
            pass_fds=[fd],
            stdin=subprocess.DEVNULL,
        )
        state["child"] = child
        while child.poll() is None:
            if os.getppid() != parent:
                stop()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.5)
        if state["stopping"]:
            break
        print(
            f"miglod query helper: the zygote stopped (status {child.returncode}); restarting it",
            file=sys.stderr,
        )
        pause = RESTART_PAUSE if time.monotonic() - started > 60 else min(pause * 2, 10.0)
        time.sleep(pause)
    child = state["child"]
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
        if child.poll() is None:
            child.kill()
            child.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(supervise(int(sys.argv[1]), sys.argv[2]))
