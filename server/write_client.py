"""Pass a web worker's write requests to the server's write service and relay its answers.

``miglod serve`` runs the writes (parsing, validation, journaling, folding) in
separate, lower-priority processes (:mod:`server.write_service`), so their CPU
time does not hold the interpreter lock of a worker that also serves reads. A
worker forwards the raw request (its CGI variables and body) over a Unix socket
in the server's private runtime directory and returns the answer unchanged.
When the service is down or silent, the client gets ``503`` with
``Retry-After``, never a hang.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import ServiceUnavailable

from miglod.query import wire

KEY = "miglod.write_service"
#: Seconds a write may take in the write service before the client gets 503.
ANSWER_TIMEOUT = 60.0
#: Seconds a client is told to wait before trying again.
RETRY_AFTER = 5
#: Request variables that do not pass: the body is sent whole, so its framing is new.
NOT_FORWARDED = frozenset({"CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "HTTP_CONNECTION"})


@dataclass(frozen=True, slots=True)
class WritePaths:
    """Where a server's write processes listen and note their process ids."""

    runtime: Path

    def socket(self, index: int) -> Path:
        """Return the Unix socket write process ``index`` accepts web workers on."""
        return self.runtime / f"writes-{index}.sock"

    def pid(self, index: int) -> Path:
        """Return the file holding the process id of write process ``index``."""
        return self.runtime / f"writes-{index}.pid"


@dataclass(slots=True)
class WriteTarget:
    """The write processes an app forwards to, and how long it waits for one."""

    paths: WritePaths
    count: int
    timeout: float = ANSWER_TIMEOUT
    turn: itertools.count[int] = field(default_factory=itertools.count)


def use_write_service(
    app: Flask, paths: WritePaths, count: int = 1, *, timeout: float = ANSWER_TIMEOUT
) -> None:
    """Have ``app`` forward its writes to the ``count`` write processes at ``paths``."""
    app.extensions[KEY] = WriteTarget(paths, max(1, count), timeout)


def write_target(app: Flask) -> WriteTarget | None:
    """Return where ``app`` forwards its writes, or ``None`` when it writes itself."""
    found = app.extensions.get(KEY)
    return found if isinstance(found, WriteTarget) else None


def request_message(environ: Mapping[str, Any], body: bytes) -> dict[str, Any]:
    """Return what the write service needs of a request: its text variables and its body."""
    forwarded = {
        name: value
        for name, value in environ.items()
        if isinstance(value, str)
        and (name.isupper() or name == "wsgi.url_scheme")
        and name not in NOT_FORWARDED
    }
    return {"environ": forwarded, "body": body}


def forward(target: WriteTarget, environ: Mapping[str, Any], body: bytes) -> Response:
    """Have a write process answer the request; raise ``503`` when none does in time."""
    message = request_message(environ, body)
    first = next(target.turn)
    for attempt in range(target.count):
        index = (first + attempt) % target.count
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(target.timeout)
            try:
                sock.connect(str(target.paths.socket(index)))
            except OSError:
                continue  # not running (restarting, say): try the next one
            try:
                wire.send(sock, message)
                answer, _ = wire.receive(sock)
            except TimeoutError:
                raise _unavailable(
                    f"The write service did not answer within {target.timeout:g} s; the write"
                    " may still be stored: fetch the item before trying again."
                ) from None
            except (OSError, EOFError):  # the process died (ChannelClosedError: EOFError)
                raise _unavailable(_STOPPED) from None
        finally:
            sock.close()
        assert isinstance(answer, dict)
        return Response(answer["body"], answer["status"], headers=answer["headers"])
    raise _unavailable("The write service is not running right now; try again shortly.")


_STOPPED = (
    "The write service stopped while handling the write, which may or may not have been"
    " stored: fetch the item before trying again."
)


def _unavailable(message: str) -> ServiceUnavailable:
    return ServiceUnavailable(message, retry_after=RETRY_AFTER)
