"""Fork a child process that does one piece of work and exits with its status.

The query side forks children for work that must stay out of the caller's
process: reading the on-disk store (whose storage engine starts threads of its
own), reading deltas, precomputing the examples' results. Each child takes
the default action on SIGTERM again (so the parent can stop it), reports an
error on its standard error and exits at once, without running the parent's
clean-up code it inherited.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable


def fork_child(work: Callable[[], None]) -> int:
    """Fork a child that runs ``work`` then exits (status 1 after printing an error); return its pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        status = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            work()
        except BaseException:
            traceback.print_exc(file=sys.stderr)
            status = 1
        finally:
            os._exit(status)
    return pid
