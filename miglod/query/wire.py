"""Send messages (and file descriptors) between the query processes over Unix sockets.

A message is a 4-byte length and a pickle. The processes are our own, started
by the web worker, so pickle is safe here; nothing read from the network is
ever unpickled.
"""

from __future__ import annotations

import pickle
import socket
import struct
from collections.abc import Sequence

_HEADER = struct.Struct("!I")


class ChannelClosedError(EOFError):
    """Raise when the other end of a channel has gone."""


def send(sock: socket.socket, message: object, fds: Sequence[int] = ()) -> None:
    """Send one message, passing ``fds`` along with its first byte."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    frame = _HEADER.pack(len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [frame[:1]], list(fds))
        if sent != 1:  # pragma: no cover - a one-byte send either fails or succeeds
            raise ChannelClosedError("could not pass file descriptors")
        frame = frame[1:]
    sock.sendall(frame)


def receive(sock: socket.socket, *, max_fds: int = 0) -> tuple[object, list[int]]:
    """Receive one message and the file descriptors sent with it."""
    fds: list[int] = []
    if max_fds:
        first, fds, _, _ = socket.recv_fds(sock, 1, max_fds)
        if not first:
            raise ChannelClosedError("the other process closed the channel")
        head = first + _exactly(sock, _HEADER.size - 1)
    else:
        head = _exactly(sock, _HEADER.size)
    (length,) = _HEADER.unpack(head)
    return pickle.loads(_exactly(sock, length)), fds


def _exactly(sock: socket.socket, count: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < count:
        chunk = sock.recv(min(count - len(chunks), 1 << 20))
        if not chunk:
            raise ChannelClosedError("the other process closed the channel")
        chunks += chunk
    return bytes(chunks)
