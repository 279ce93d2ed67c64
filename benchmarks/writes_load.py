"""Time reads and burn CPU for the writes benchmark (``benchmarks/writes.py``).

:func:`reads` fetches one URL again and again, paced or back to back, and returns the
p50 and p99 of how long the answers took. :func:`reads_apart` runs it in a process of
its own, so the writers' threads in the benchmark's process do not slow it down, and
:func:`reads_beside_burners` does the same while lowest-priority processes only burn CPU:
the read latency the machine allows at that load, whatever the server does.
:func:`cpu_seconds` adds up the CPU time a session's processes have used, and
:func:`request` is the HTTP client the reads and the writers share (writes carry the
benchmark's bearer token, :data:`TOKEN`; reads go without, as the public's do).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from multiprocessing.synchronize import Event
from pathlib import Path

TOKEN = "bench-token"


def request(url: str, method: str = "GET", body: bytes | None = None) -> int:
    # Reads are public, as a site's readers send them: a request with credentials is
    # personal and never answered from a kept response.
    headers = {} if method == "GET" else {"Authorization": f"Bearer {TOKEN}"}
    if body is not None:
        headers["Content-Type"] = "text/turtle"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)


def reads(
    url: str, stop: Event | threading.Event, seconds: float, rate: float = 0.0
) -> tuple[float, float]:
    """Read ``url`` (one item's Turtle) for ``seconds``; return p50 and p99 in milliseconds.

    With a ``rate`` (reads per second) the reads are paced, as independent
    readers send them, and each is timed from when it was due: a stall of the
    server then counts against every read it held up, not only the one that
    met it. Without, one read follows another as fast as the server answers.
    """
    times = []
    end = time.monotonic() + seconds
    interval = 1.0 / rate if rate > 0 else 0.0
    due = time.perf_counter()
    while time.monotonic() < end and not stop.is_set():
        if interval:
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        else:
            due = time.perf_counter()
        status = request(url)
        times.append((time.perf_counter() - due) * 1000)
        due += interval
        if status != 200:
            raise SystemExit(f"reading {url} answered {status}, not 200")
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.99) - 1, 0)]


def _read_into(
    url: str,
    stop: Event,
    seconds: float,
    rate: float,
    out: multiprocessing.Queue[tuple[float, float]],
) -> None:
    # A session of its own, like the server's: a reader is another client than the
    # writers, so with the kernel's autogroups it does not share their CPU time either.
    os.setsid()
    out.put(reads(url, stop, seconds, rate))


def reads_apart(
    url: str, seconds: float, rate: float, during: Callable[[], None] | None = None
) -> tuple[float, float]:
    """Run :func:`reads` in a process of its own, while ``during`` runs here (if given)."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    out: multiprocessing.Queue[tuple[float, float]] = context.Queue()
    reader = context.Process(
        target=_read_into, args=(url, stop, seconds + 60 if during else seconds, rate, out)
    )
    reader.start()
    if during is not None:
        during()
        stop.set()
    found = out.get()
    reader.join()
    return found


def _burn(share: float, seconds: float) -> None:
    """Burn ``share`` of one core for ``seconds`` at the lowest priority, in slices of 20 ms.

    The lowest priority an unprivileged process can take: nice 19 in a session
    of its own whose autogroup is niced 19 too (with the kernel's autogroups, a
    process's own nice value only orders it within its session).
    """
    os.setsid()
    os.nice(19)
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text("19")
    period = 0.02
    end = time.monotonic() + seconds
    due = time.perf_counter()
    while time.monotonic() < end:
        started = time.perf_counter()
        while time.perf_counter() - started < share * period:
            pass
        due += period
        rest = due - time.perf_counter()
        if rest > 0:
            time.sleep(rest)


def reads_beside_burners(
    url: str, seconds: float, rate: float, cores: float
) -> tuple[float, float]:
    """Read as :func:`reads_apart` does while processes burn ``cores`` of CPU time, and nothing else."""
    context = multiprocessing.get_context("spawn")
    count = max(1, int(cores + 0.999))
    burners = [
        context.Process(target=_burn, args=(cores / count, seconds + 5)) for _ in range(count)
    ]
    for burner in burners:
        burner.start()
    try:
        return reads_apart(url, seconds, rate)
    finally:
        for burner in burners:
            burner.terminate()
            burner.join()


def cpu_seconds(session: int) -> float:
    """Return the CPU time (user and system) the live processes of a session have used."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == session:  # the fields after the name start at state (3rd)
            total += int(fields[11]) + int(fields[12])
    return total / tick
