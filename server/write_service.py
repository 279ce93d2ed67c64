"""Run a server's writes in separate, lower-priority processes (the write service).

A write parses its body, validates it against the published data and
journals it: tens of milliseconds of CPU that, in a web worker, would hold the
interpreter lock its read threads need. :class:`WriteService` (started by
``miglod serve`` before gunicorn forks) runs ``write_workers`` write processes
under one supervising process that starts any that dies again. Each write
process lowers its CPU priority by ``write_nice`` (``nice``: so reads come
first when the cores are busy), builds its own app with
:func:`server.create_app` and answers every forwarded request through that
app's WSGI callable, folding the journal as a web worker would. They listen on Unix sockets in a private
runtime directory (mode 0700, named like the query helper's so that one left
by a killed server is removed by the next); :meth:`WriteService.close` stops
them and removes it. Settings (write tokens included) reach the processes on
their standard input, never on a command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from miglod.query import wire
from miglod.query.helper import OWNER, PREFIX, RESTART_PAUSE, HelperPaths, remove_stale
from server.write_client import WritePaths

#: Seconds between the supervisor's looks at its write processes.
LOOK_EVERY = 0.2
#: The answer to a request that failed outside the app's own error handling.
FAILED = {
    "status": "500 INTERNAL SERVER ERROR",
    "headers": [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
    "body": b'{"error": "internal_error", "message": "The write service failed to answer'
    b' this request.", "status": 500}\n',
}


class WriteService:
    """Start ``count`` write processes for the resolved settings ``values``; stop them on close."""

    def __init__(
        self, values: Mapping[str, Any], count: int = 1, *, helper: HelperPaths | None = None
    ) -> None:
        remove_stale()
        self.paths = WritePaths(Path(tempfile.mkdtemp(prefix=PREFIX)))
        self.count = count
        self.process: subprocess.Popen[bytes] | None = None
        try:
            (self.paths.runtime / OWNER).write_text(str(os.getpid()))
            config = {
                "settings": dict(values),
                "runtime": str(self.paths.runtime),
                "count": count,
                "helper": str(helper.runtime) if helper is not None else None,
            }
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.write_service"],
                env=_environment(),
                stdin=subprocess.PIPE,
            )
            assert self.process.stdin is not None
            with self.process.stdin:
                self.process.stdin.write(json.dumps(config, default=str).encode())
        except BaseException:
            self.close()
            raise

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every write process listens (at most ``timeout`` seconds); return whether."""
        deadline = time.monotonic() + timeout
        while not all(self.paths.socket(i).exists() for i in range(self.count)):
            if (
                time.monotonic() > deadline
                or self.process is None
                or self.process.poll() is not None
            ):
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        """Stop the write processes (after the writes they handle) and remove their files."""
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.paths.runtime, ignore_errors=True)


def _environment() -> dict[str, str]:
    """Return the environment of a child process, with this package importable."""
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def _start(config: bytes, index: int) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-m", "server.write_service", "--index", str(index)],
        env=_environment(),
        stdin=subprocess.PIPE,
    )
    assert child.stdin is not None
    # A child that died at once is started again by the supervisor.
    with contextlib.suppress(BrokenPipeError), child.stdin:
        child.stdin.write(config)
    return child


def supervise(config: bytes) -> int:
    """Keep the write processes running, starting any that dies again, until told to stop.

    Stop on SIGTERM, or when the server that started us is gone; the write
    processes finish the writes they handle first.
    """
    count = int(json.loads(config)["count"])
    parent = os.getppid()
    stopping = {"now": False}

    def stop(*_: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children: dict[int, subprocess.Popen[bytes]] = {}
    pauses = dict.fromkeys(range(count), RESTART_PAUSE)
    due = dict.fromkeys(range(count), 0.0)
    started = dict.fromkeys(range(count), 0.0)
    while not stopping["now"]:
        now = time.monotonic()
        for index in range(count):
            child = children.get(index)
            if child is not None and child.poll() is None:
                continue
            if child is not None:
                print(
                    f"miglod write service: write process {index} stopped"
                    f" (status {child.returncode}); restarting it",
                    file=sys.stderr,
                )
                quick = now - started[index] < 60
                pauses[index] = min(pauses[index] * 2, 10.0) if quick else RESTART_PAUSE
                due[index] = now + pauses[index]
                del children[index]
            if now >= due[index]:
                children[index] = _start(config, index)
                started[index] = now
        if os.getppid() != parent:
            break
        time.sleep(LOOK_EVERY)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)
        if child.poll() is None:
            child.kill()
            child.wait()
    return 0


class _Handler(socketserver.BaseRequestHandler):
    """Answer one forwarded request on one connection."""

    server: _WriteServer

    def handle(self) -> None:
        try:
            message, _ = wire.receive(self.request)
        except (OSError, EOFError):
            return  # the web worker went away
        assert isinstance(message, dict)
        try:
            answer = self.server.answer(message)
        except Exception:  # the app answers its own errors; this is a failure around it
            self.server.app.logger.exception("the write service failed to run a request")
            answer = FAILED
        with contextlib.suppress(OSError):
            wire.send(self.request, answer)


class _WriteServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Accept web workers on a Unix socket; one thread per forwarded request."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, path: str, app: Any) -> None:
        super().__init__(path, _Handler)
        self.app = app

    def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """Run one forwarded request through the app; return its status, headers and body."""
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        body = message["body"]
        environ = EnvironBuilder(method="POST", data=body).get_environ()
        environ.update(message["environ"])
        environ["CONTENT_LENGTH"] = str(len(body))
        chunks, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return {"status": status, "headers": list(headers.items()), "body": data}


def run(config: bytes, index: int) -> int:
    """Serve forwarded writes as write process ``index`` until SIGTERM or the supervisor goes."""
    settings = json.loads(config)
    os.nice(int(settings["settings"]["write_nice"]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    paths = WritePaths(Path(settings["runtime"]))

    from server.app import create_app
    from server.sparql import use_query_helper
    from server.writes import prepare

    app = create_app(settings["settings"])
    if settings.get("helper"):
        # Queries (none a write asks today) go to the server's helper: without it the
        # app would start a query service of its own, holding a second copy of the data.
        use_query_helper(app, HelperPaths(Path(settings["helper"])))
    prepare(app)
    target = paths.socket(index)
    fresh = target.with_name(target.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        fresh.unlink()
    server = _WriteServer(str(fresh), app)
    os.replace(fresh, target)  # atomically over a dead predecessor's socket
    paths.pid(index).write_text(str(os.getpid()))
    stopping = {"now": False}

    def stop(*_: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5})
    serving.start()
    while not stopping["now"] and os.getppid() == parent:
        time.sleep(LOOK_EVERY)
    server.shutdown()
    serving.join()
    server.server_close()  # waits for the writes being handled
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without interpreter finalisation: a fold may be running in a daemon thread,
    # and the native store library crashes when torn down under it. Journaled writes are
    # committed (SQLite transactions) before they are answered, so nothing is lost.
    os._exit(0)


def main(argv: list[str]) -> int:
    """Run the supervisor (no arguments) or write process ``--index N``; settings on stdin."""
    config = sys.stdin.buffer.read()
    sys.stdin.close()
    if argv[:1] == ["--index"]:
        return run(config, int(argv[1]))
    return supervise(config)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
