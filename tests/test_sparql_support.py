"""Start and stop a real server process for the SPARQL end-to-end tests (no tests here).

The server is ``server.serve`` (gunicorn, sync workers) on a free 127.0.0.1
port, started in its own process group so that stopping it also stops the
query processes it started.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(store: Path, log: Path, **settings: Any) -> Iterator[str]:
    """Run the server on ``store`` until the block ends; yield its base URL."""
    port = free_port()
    values = {"store": str(store), "host": "127.0.0.1", "port": port, "workers": 2, **settings}
    code = f"from server import serve; serve({values!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/sparql", process, log)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        _stop_group(process.pid)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() - started > 30:
                raise RuntimeError(log.read_text(errors="replace")) from None
            time.sleep(0.05)


def _stop_group(group: int) -> None:
    """Wait for the query processes of the server to go, killing any that linger."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """Return the status, headers and body of a request, whatever its status.

    Sent with :mod:`http.client`, which adds no header of its own (urllib would
    add a form ``Content-Type`` to every POST).
    """
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            method or ("POST" if data is not None else "GET"),
            target,
            body=data,
            headers=headers or {},
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
