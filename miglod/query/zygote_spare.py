"""The zygote's spare: a runner forked ahead of requests, warmed up, and kept current.

This module holds the spare and what the zygote does with it between
requests: fork it once the data has been still a moment, wait for its
warm-up on the example queries, bring it up to each change with the deltas
the zygote has read, and let it go when it cannot follow. A request for a
runner takes the spare when it is ready and current, and a fork otherwise
(see :meth:`miglod.query.zygote.Zygote._runner`).
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from miglod.query import wire
from miglod.query.examples import examples
from miglod.query.runner import MAX_FOLLOWS, READY, Follow
from miglod.query.sqlexpr import Unsupported

if TYPE_CHECKING:
    from miglod.query.zygote import Zygote

#: Seconds the data must stay unchanged before a runner is forked ahead of requests.
SPARE_DELAY = 0.2
#: Seconds a runner request waits for the spare to finish its warm-up before a fork is made
#: (the warm-up took 150-180 ms at 100,000 items; a fork's cold first queries cost 50-100 ms).
SPARE_READY_WAIT = 0.5
#: Seconds the zygote waits for its spare to follow a change.
SPARE_FOLLOW_WAIT = 10.0


@dataclass(slots=True)
class Spare:
    """A runner forked ahead of requests: our end of its socket, and what it holds.

    It warms up before it says it is ready (see :func:`~miglod.query.runner.serve_requests`),
    then follows the changes the zygote reads until a request takes it, so that a
    change costs it a delta rather than a fork and another warm-up.
    """

    sock: socket.socket
    pid: int
    version: str
    ready: bool = False
    follows: int = 0


def keep_spare(zygote: Zygote) -> None:
    """Have a warm runner ready ahead of the next request once the data has been still a moment.

    Forking a process that holds a large copy takes a while (its page table
    is copied), and so does its warm-up: both are done between requests
    rather than while one waits. A spare that is no longer current follows
    the change, as a kept runner does; one that cannot is replaced.
    """
    copy = zygote.copy
    if not copy.ready or time.monotonic() - zygote.changed_at < SPARE_DELAY:
        return
    if zygote.spare is not None and current_spare(zygote, 0.0):
        return
    if zygote.spare is not None and not zygote.spare.ready:
        return  # still warming up: it follows the change once ready
    mine, pid = zygote._fork_runner(_warm_up_queries(zygote))
    zygote.spare = Spare(mine, pid, copy.version)


def current_spare(zygote: Zygote, wait: float) -> bool:
    """Return whether the spare is ready and at the copy's version, bringing it there.

    It waits up to ``wait`` s for the spare's warm-up; a spare that cannot
    follow the change is dropped.
    """
    spare = zygote.spare
    if spare is None or not _spare_ready(zygote, wait):
        return False
    if spare.version != zygote.copy.version and not _follow_spare(zygote, spare):
        _drop_spare(zygote)
        return False
    return True


def _spare_ready(zygote: Zygote, wait: float) -> bool:
    """Return whether the spare has said it is ready, waiting up to ``wait`` s for it.

    A spare that is gone, or says something else, is dropped.
    """
    spare = zygote.spare
    if spare is None:
        return False
    if spare.ready:
        return True
    readable, _, _ = select.select([spare.sock], [], [], wait)
    if not readable:
        return False
    try:
        message, _ = wire.receive(spare.sock)
    except (wire.ChannelClosedError, OSError):
        message = None
    if not (isinstance(message, tuple) and message[:1] == (READY,)):
        _drop_spare(zygote)
        return False
    spare.ready = True
    return True


def _follow_spare(zygote: Zygote, spare: Spare) -> bool:
    """Bring the spare up to the copy's version with the deltas read; return whether it is."""
    copy = zygote.copy
    chain = copy.deltas_since(spare.version)
    if not chain or spare.follows >= MAX_FOLLOWS:
        return False
    try:
        spare.sock.settimeout(SPARE_FOLLOW_WAIT)
        wire.send(spare.sock, Follow(chain, settle=True))
        answer, _ = wire.receive(spare.sock)
        spare.sock.settimeout(None)
    except (wire.ChannelClosedError, OSError):
        return False
    if not (isinstance(answer, tuple) and answer[:1] == ("followed",)):
        return False
    spare.version = str(answer[1])
    spare.follows += 1
    return spare.version == copy.version


def _drop_spare(zygote: Zygote) -> None:
    """Let the spare go: it sees the end of its socket and exits (reaped later)."""
    if zygote.spare is not None:
        zygote.spare.sock.close()
        zygote.spare = None


def _warm_up_queries(zygote: Zygote) -> list[str]:
    """Return the queries a spare runs before it is ready: the examples the columns answer."""
    columnar = zygote.copy.live_columnar()
    if zygote.warm is None or columnar is None:
        return []
    found = []
    for example in examples(zygote.warm[0]):
        try:
            columnar.plan(example.query)
        except Unsupported:
            continue
        found.append(example.query)
    return found
