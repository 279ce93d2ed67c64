"""Measure validated writes per second and read latency while they run.

Builds a synthetic store (``--items``, default 100,000; the fixture reference
data makes new items validate), serves it with gunicorn (two workers), then:

- reads one item's Turtle while nothing is written (idle), ``--read-rate``
  reads a second (each timed from when it was due, so a stall counts for every
  read it delays), or one after another with ``--read-rate 0``,
- runs ``--writers`` concurrent writers over HTTP for ``--seconds`` (new items
  with POST, then replacements with PUT), as fast as they are answered or, with
  ``--write-rate``, on a schedule, reading the same item meanwhile,

and prints writes/s and read p50/p99 side by side with their ratios. With
``--control`` it also measures what the writes cost in CPU time (the server's
processes and the writer clients, less what the same reads cost idle) and
reads once more beside an unrelated process that only burns that much CPU at
the lowest priority: the read p99 the machine itself allows at that load,
whatever the server does. Reads are
public (no credentials, as a site's readers send them) and timed in a process
of their own (and session: another client than the writers), so the writer threads' interpreter lock and CPU time do not add to
their latency. A column is one target: the embedded store, once per
``--write-workers`` value given (the server's default otherwise), and with
``--virtuoso`` the same items in a throwaway Virtuoso served as a remote store
(``benchmarks/writes_virtuoso.py``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.serve import free_port  # noqa: E402
from benchmarks.settled import wait_settled  # noqa: E402
from benchmarks.sparql_data import BASE, write_nquads  # noqa: E402
from benchmarks.writes_load import (  # noqa: E402
    TOKEN,
    cpu_seconds,
    reads,
    reads_apart,
    reads_beside_burners,
    request,
)

FIXTURES = ROOT / "tests" / "fixtures" / "store"
TEMPLATE_ID = "2021-09-14-iom-and-ilo-lead-global-conversation-on-labour-migration-in-the-age"
#: The document reads fetch (set once the store is built).
READ_PATH = [""]


@dataclass
class Figures:
    """What one target measured."""

    writes_per_s: float = 0.0
    errors: int = 0
    idle: tuple[float, float] = (0.0, 0.0)
    busy: tuple[float, float] = (0.0, 0.0)
    #: CPU milliseconds per write, server and clients (with ``--control``).
    cpu_per_write: float | None = None
    #: Reads beside a burner of the writes' CPU time (with ``--control``).
    control: tuple[float, float] | None = None


def item(new_id: str, headline: str) -> bytes:
    """Return a valid news item made from the fixture template."""
    text = (FIXTURES / "news-labour.ttl").read_text(encoding="utf-8").replace(TEMPLATE_ID, new_id)
    start = text.index("schema:headline")
    end = text.index(";", start)
    return (text[:start] + f'schema:headline "{headline}"@es ' + text[end:]).encode()


def build(directory: Path, items: int) -> Path:
    """Build (once) the synthetic store of ``items`` items plus the reference data."""
    from miglod.store import BulkInput, build_store

    store = directory / f"store-writes-{items}"
    if store.exists():
        return store
    data = directory / f"news-{items}.nq"
    if not data.exists():
        write_nquads(data, items)
    inputs = [BulkInput(data)]
    for name in ("countries", "organizations", "places", "ontology"):
        inputs.append(BulkInput(FIXTURES / f"{name}.ttl", BASE + f"graph/{name}"))
    started = time.perf_counter()
    build_store(store, inputs)
    print(f"built {items} items in {time.perf_counter() - started:.1f} s")
    return store


def read_path(store: Path) -> str:
    """Return the document path of the newest item of ``store``, the one reads fetch."""
    from miglod.store import open_store

    with open_store(store, read_only=True) as opened:
        newest = opened.latest(limit=1).items[0][0]
    return "/doc/" + newest[len(BASE) + len("id/") :] + ".ttl"


def writes(url: str, writers: int, seconds: float, figures: Figures, rate: float = 0.0) -> None:
    """Run concurrent writers for ``seconds``: POST new items, then PUT replacements.

    With a ``rate`` (writes per second in all) each writer sends its share on a
    schedule, staggered from the others'; without, each sends its next write as
    soon as the last is answered.
    """
    run = f"{os.getpid()}-{time.time_ns() // 1_000_000 % 1_000_000_000}"  # fresh per target
    done = [0] * writers
    errors = [0] * writers
    end = time.monotonic() + seconds

    interval = writers / rate if rate > 0 else 0.0

    def writer(n: int) -> None:
        count = 0
        due = time.monotonic() + n * interval / writers
        while time.monotonic() < end:
            if interval:
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                due += interval
            new_id = f"2021-09-14-bench-{run}-{n}-{count // 2}"
            if count % 2 == 0:
                status = request(f"{url}/news", "POST", item(new_id, f"Nueva {count}"))
            else:
                body = item(new_id, f"Corregida {count}")
                status = request(f"{url}/id/news/{new_id}", "PUT", body)
            count += 1
            if status in (200, 201):
                done[n] += 1
            else:
                errors[n] += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures.writes_per_s = sum(done) / (time.perf_counter() - started)
    figures.errors = sum(errors)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


def serve_embedded(
    store: Path,
    log: Path,
    fold_delay: float,
    write_workers: int | None = None,
    write_nice: int | None = None,
) -> Iterator[Server]:
    """Run ``miglod serve``'s gunicorn (two workers) on the embedded store."""
    settings: dict[str, object] = {"store": str(store), "fold_delay": fold_delay}
    if write_workers is not None:
        settings["write_workers"] = write_workers
    if write_nice is not None:
        settings["write_nice"] = write_nice
    started = time.time()
    for server in serve_with(settings, log):
        # Measure a settled server: its query helper has loaded the in-memory copy of
        # the data (a minute of one core at 100,000 items) and precomputed the examples.
        waited = wait_settled(store, BASE, started)
        print(f"query helper ready {waited:.0f} s after start", flush=True)
        yield server


def serve_virtuoso(directory: Path, items: int, log: Path) -> Iterator[Server]:
    """Run ``miglod serve`` on a throwaway Virtuoso holding the same items."""
    from benchmarks import writes_virtuoso

    with writes_virtuoso.loaded(directory, directory / f"news-{items}.nq", FIXTURES) as remote:
        yield from serve_with(remote, log)


def serve_with(store_settings: dict[str, object], log: Path) -> Iterator[Server]:
    """Run ``miglod serve``'s gunicorn (two workers) with ``store_settings``."""
    port = free_port()
    settings = {**store_settings, "port": port, "workers": 2, "write_tokens": f"bench={TOKEN}"}
    code = f"from server import serve; serve({settings!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        # A session of its own, as a deployed server has: with the kernel's autogroups, the
        # server's processes then share the CPU among themselves, not with this client's.
        process = subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=out, stderr=out, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=10):
                    break
            except OSError:  # refused, reset or timed out while the server starts
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(log.read_text()) from None
                time.sleep(0.2)
        yield Server(url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def measure(
    server: Server,
    writers: int,
    seconds: float,
    rate: float,
    write_rate: float = 0.0,
    control: bool = False,
) -> Figures:
    """Measure one target: idle reads, reads while writers run, and the control if asked."""
    figures = Figures()
    url = server.url + READ_PATH[0]
    session = os.getsid(server.process.pid)
    reads(url, threading.Event(), 3)  # warm the caches
    cpu = cpu_seconds(session)
    started = time.perf_counter()
    figures.idle = reads_apart(url, seconds, rate)
    idle_share = (cpu_seconds(session) - cpu) / (time.perf_counter() - started)
    cpu, mine = cpu_seconds(session), time.process_time()
    started = time.perf_counter()
    figures.busy = reads_apart(
        url, seconds, rate, lambda: writes(server.url, writers, seconds, figures, write_rate)
    )
    elapsed = time.perf_counter() - started
    busy_share = (cpu_seconds(session) - cpu + time.process_time() - mine) / elapsed
    if control and figures.writes_per_s > 0:
        share = max(busy_share - idle_share, 0.0)
        figures.cpu_per_write = share * 1000 / figures.writes_per_s
        figures.control = reads_beside_burners(url, seconds, rate, share)
    return figures


def targets(args: argparse.Namespace) -> Iterator[tuple[str, Iterator[Server]]]:
    """Yield each target to measure: the embedded store, and Virtuoso with ``--virtuoso``."""
    store = build(args.dir, args.items)
    READ_PATH[0] = read_path(store)
    log = args.dir / "writes-server.log"
    if not args.write_workers:
        yield "embedded", serve_embedded(store, log, args.fold_delay)
    for count in args.write_workers:
        for nice in args.write_nice or [None]:
            name = f"ww={count}" + (f",n={nice}" if nice is not None else "")
            yield name, serve_embedded(store, log, args.fold_delay, count, nice)
    if args.virtuoso:
        yield "virtuoso", serve_virtuoso(args.dir, args.items, args.dir / "writes-virtuoso.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--read-rate",
        type=float,
        default=200.0,
        help="reads per second, each timed from when it was due (0: one after another)",
    )
    parser.add_argument(
        "--write-rate",
        type=float,
        default=0.0,
        help="writes per second in all, on a schedule (0: each writer as fast as answered)",
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/miglod-bench"))
    parser.add_argument(
        "--fold-delay", type=float, default=2.0, help="the server's fold_delay setting"
    )
    parser.add_argument(
        "--write-workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[],
        help="the server's write_workers setting, or several (0,1) to compare side by side",
    )
    parser.add_argument(
        "--write-nice",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[],
        help="with --write-workers: the write_nice setting, or several (0,10)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="also read beside an unrelated process burning the CPU time the writes cost",
    )
    parser.add_argument(
        "--virtuoso",
        action="store_true",
        help="also measure a throwaway Virtuoso (Debian's virtuoso-opensource) as the store",
    )
    args = parser.parse_args()
    # Stopped by a signal (say, `timeout`), still stop the servers started in their own sessions.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.virtuoso:
        from benchmarks import writes_virtuoso

        if not writes_virtuoso.available():
            raise SystemExit("--virtuoso: install virtuoso-opensource (apt-get) first")
    args.dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, servers in targets(args):
        for server in servers:
            results[name] = measure(
                server, args.writers, args.seconds, args.read_rate, args.write_rate, args.control
            )
    print(
        f"\n{args.items} items, {args.writers} writers"
        + (f" at {args.write_rate:g} writes/s in all" if args.write_rate > 0 else "")
        + f", {args.seconds:.0f} s,"
        f" fold_delay {args.fold_delay} s, reads "
        + (f"{args.read_rate:g}/s" if args.read_rate > 0 else "one after another")
    )
    print(f"{'':34}" + "".join(f"{name:>14}" for name in results))
    rows = [
        ("validated writes/s", lambda f: f"{f.writes_per_s:.1f}"),
        ("failed writes", lambda f: f"{f.errors}"),
        ("read p50 idle (ms)", lambda f: f"{f.idle[0]:.1f}"),
        ("read p50 under writes (ms)", lambda f: f"{f.busy[0]:.1f}"),
        ("read p99 idle (ms)", lambda f: f"{f.idle[1]:.1f}"),
        ("read p99 under writes (ms)", lambda f: f"{f.busy[1]:.1f}"),
        ("read p99 ratio busy/idle", lambda f: f"{f.busy[1] / max(f.idle[1], 1e-9):.2f}"),
    ]
    if args.control:
        rows += [
            ("CPU per write, server+clients (ms)", lambda f: _maybe(f.cpu_per_write, "{:.1f}")),
            ("read p99 beside a burner (ms)", lambda f: _maybe(f.control and f.control[1])),
            (
                "read p99 ratio burner/idle",
                lambda f: _maybe(f.control and f.control[1] / max(f.idle[1], 1e-9), "{:.2f}"),
            ),
        ]
    for label, value in rows:
        print(f"{label:34}" + "".join(f"{value(f):>14}" for f in results.values()))


def _maybe(value: float | None, form: str = "{:.1f}") -> str:
    return "-" if value is None else form.format(value)


if __name__ == "__main__":
    main()
