"""Measure the published read side under load beside two floors, and start-up and memory by size.

    PYTHONPATH=. python benchmarks/serve.py [--items 10000 100000] [--work DIR] [--wrk PATH]

For each size it makes the synthetic N-Quads (``benchmarks/sparql_data.py``),
builds a store (bulk load), starts ``miglod serve`` (gunicorn, 2 workers) and
prints the time until it answers a page and a SPARQL query, and the memory of
its processes. On the first size it then loads one item's Turtle, JSON-LD and
HTML with ``wrk`` at concurrency 1 and 8, beside two floors serving the
Turtle's very bytes: nginx (a static file, 2 worker processes) and a minimal
Flask app returning them from memory under the same gunicorn settings. The
last lines give our Turtle's requests/s as a share of the minimal Flask app
(target at least 90 %) and its p99 (target under 10 ms).

``wrk`` and ``nginx`` come from Debian (``apt-get install -y wrk nginx``);
the script says so and stops when either is missing. The machine's load
average is printed first: on a shared machine, compare figures of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.sparql_data import BASE, write_nquads  # noqa: E402

DURATION = 3
ITEM_QUERY = "SELECT ?s WHERE { ?s a <https://schema.org/NewsArticle> } LIMIT 1"
FORMATS = (("Turtle", "text/turtle"), ("JSON-LD", "application/ld+json"), ("HTML", "text/html"))

MINIMAL_APP = """
import sys
from flask import Flask, Response
from gunicorn.app.base import BaseApplication
from server.serve import gunicorn_options

body = open(sys.argv[1], "rb").read()
app = Flask("minimal")


@app.get("/item")
def item():
    return Response(body, content_type="text/turtle")


values = {"host": "127.0.0.1", "port": int(sys.argv[2]), "workers": 2,
          "query_timeout": 10.0, "debug": False}
options = {k: v for k, v in gunicorn_options(values).items() if k != "worker_exit"}
options["worker_class"] = WORKER_CLASS


class Minimal(BaseApplication):
    def load_config(self):
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self):
        return app


Minimal().run()
"""

NGINX_CONF = """
worker_processes 2;
daemon off;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /item {{ default_type text/turtle; alias {dir}/item.ttl; }}
    }}
}}
"""


@dataclass(frozen=True, slots=True)
class Load:
    """What one ``wrk`` run measured."""

    rate: float
    p50: float
    p99: float


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need(tool: str, given: str | None) -> str:
    """Return the path of ``tool``, or stop with the command that installs it."""
    found = given or shutil.which(tool) or shutil.which(tool, path="/usr/sbin")
    if not found:
        raise SystemExit(f"{tool} is missing: apt-get install -y {tool} (or pass --{tool} PATH)")
    return found


def wait_for(url: str, process: subprocess.Popen[bytes], headers: dict[str, str]) -> None:
    """Wait until ``url`` answers 200."""
    while True:
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the server stopped before answering {url}") from None
            time.sleep(0.01)


@contextlib.contextmanager
def started(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in its own process group until the block ends."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=out, start_new_session=True, cwd=ROOT
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def ours(store: Path, port: int, work: Path, worker_class: str = "") -> list[str]:
    """Return the command that serves ``store`` with ``miglod serve``'s code (2 workers)."""
    settings = {"store": str(store), "host": "127.0.0.1", "port": port, "workers": 2}
    options = {"worker_class": worker_class} if worker_class else {}
    code = f"from server.serve import serve; serve({settings!r}, gunicorn={options!r})"
    return [sys.executable, "-c", code]


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[tuple[int, str]]:
    """Return the processes under ``pid`` with their command lines (skipping any that end)."""
    found = []
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    for child in listed.stdout.split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found.append((int(child), command))
        found.extend(descendants(int(child)))
    return found


def roles(server: int) -> list[tuple[int, str]]:
    """Return the server's processes and what each is: arbiter, web worker, query helper, ..."""
    found = [(server, "gunicorn arbiter")]
    for pid, command in descendants(server):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            above = Path(f"/proc/{parent}/cmdline").read_text()
        except OSError:
            continue
        if "miglod.query.helper" in command:
            found.append((pid, "query helper (supervisor)"))
        elif "miglod.query.zygote" in command:
            child = "miglod.query.zygote" in above
            found.append((pid, "zygote child (runner, ...)" if child else "query helper (zygote)"))
        elif parent == server:
            found.append((pid, "web worker"))
    return found


def wrk(tool: str, url: str, accept: str, concurrency: int) -> Load:
    """Load ``url`` for a few seconds at ``concurrency`` and return what wrk measured."""
    threads = min(concurrency, 2)
    command = [tool, f"-t{threads}", f"-c{concurrency}", f"-d{DURATION}s", "--latency"]
    done = subprocess.run(
        [*command, "-H", f"Accept: {accept}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    return Load(rate, _percentile(done.stdout, "50%"), _percentile(done.stdout, "99%"))


def _percentile(report: str, label: str) -> float:
    found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", report, re.MULTILINE)
    assert found, report
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def line(label: str, load: Load) -> None:
    """Print one load figure."""
    print(f"  {label:<34} {load.rate:9.0f} req/s  p50 {load.p50:6.2f} ms  p99 {load.p99:6.2f} ms")


def prepare(work: Path, items: int) -> tuple[Path, float]:
    """Write the synthetic data and build a fresh store; return it and the build's seconds."""
    from miglod.store import BulkInput, build_store

    quads = work / f"items-{items}.nq"
    if not quads.exists():
        write_nquads(quads, items)
    store = work / f"serve-store-{items}"
    shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    build_store(store, [BulkInput(quads)])
    return store, time.perf_counter() - start


def startup(store: Path, work: Path, items: int) -> None:
    """Print build → serve start-up figures and the memory of the server's processes."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    query = urllib.parse.quote(ITEM_QUERY)
    start = time.perf_counter()
    with started(ours(store, port, work), work / f"serve-{items}.log") as server:
        wait_for(url + "/", server, {"Accept": "text/html"})
        page = time.perf_counter() - start
        wait_for(f"{url}/sparql?query={query}", server, {"Accept": "text/csv"})
        answer = time.perf_counter() - start
        print(f"  serve start-up: first page {page:.2f} s, first SPARQL answer {answer:.2f} s")
        ready = _memory_ready(server.pid, url, query)
        print(
            f"  in-memory copy of the data ready after {time.perf_counter() - start:.1f} s{ready}"
        )
        for pid, role in roles(server.pid):
            print(f"  RSS {role:<28} {pid:>7}: {rss_mb(pid):7.0f} MB")


def _memory_ready(pid: int, url: str, query: str) -> str:
    """Wait (up to 5 minutes) until the zygote stops growing; say when it did."""
    zygote = next((p for p, c in descendants(pid) if "zygote" in c), None)
    if zygote is None:
        return " (no zygote found)"
    last, steady, deadline = 0.0, 0, time.monotonic() + 300
    while steady < 3 and time.monotonic() < deadline:
        time.sleep(1)
        now = rss_mb(zygote)
        steady = steady + 1 if abs(now - last) < 1 else 0
        last = now
    return f" (zygote steady at {last:.0f} MB)"


def loads(store: Path, work: Path, tool: str, nginx: str, worker_class: str, rounds: int) -> None:
    """Print the load figures of our three formats and the two floors, then the ratios.

    The three servers run side by side and are loaded in turns, round by round,
    so that the noise of a shared machine falls on all alike; each figure is
    the median over the rounds.
    """
    minimal_code = MINIMAL_APP.replace("WORKER_CLASS", repr(worker_class))
    with contextlib.ExitStack() as stack:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = stack.enter_context(
            started(ours(store, port, work, worker_class), work / "serve-load.log")
        )
        wait_for(url + "/", server, {"Accept": "text/html"})
        path = url + _first_item(url).replace(BASE, "/").replace("/id/", "/doc/", 1)
        request = urllib.request.Request(path, headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
        (work / "item.ttl").write_bytes(body)
        port = free_port()
        minimal_url = f"http://127.0.0.1:{port}/item"
        minimal = stack.enter_context(
            started(
                [sys.executable, "-c", minimal_code, str(work / "item.ttl"), str(port)],
                work / "minimal.log",
            )
        )
        port = free_port()
        nginx_url = f"http://127.0.0.1:{port}/item"
        conf_dir = Path(tempfile.mkdtemp(prefix="nginx-", dir=work))
        stack.callback(shutil.rmtree, conf_dir, True)
        shutil.copyfile(work / "item.ttl", conf_dir / "item.ttl")
        (conf_dir / "nginx.conf").write_text(NGINX_CONF.format(dir=conf_dir, port=port))
        static = stack.enter_context(
            started(
                [nginx, "-c", str(conf_dir / "nginx.conf"), "-p", str(conf_dir)],
                work / "nginx.log",
            )
        )
        wait_for(minimal_url, minimal, {})
        wait_for(nginx_url, static, {})
        print(f"  item {path} ({len(body)} bytes of Turtle), {worker_class} workers")
        targets = [(f"ours {name}", path, accept) for name, accept in FORMATS]
        targets += [("minimal Flask", minimal_url, "text/turtle")]
        targets += [("nginx static", nginx_url, "text/turtle")]
        runs: dict[tuple[str, int], list[Load]] = {}
        for _ in range(rounds):
            for concurrency in (1, 8):
                for label, target, accept in targets:
                    found = wrk(tool, target, accept, concurrency)
                    runs.setdefault((label, concurrency), []).append(found)
    results = {key: _median(found) for key, found in runs.items()}
    for concurrency in (1, 8):
        for label, _, _ in targets:
            line(f"{label} c={concurrency}", results[(label, concurrency)])
    for concurrency in (1, 8):
        ours_turtle = results[("ours Turtle", concurrency)]
        share = ours_turtle.rate / results[("minimal Flask", concurrency)].rate
        print(
            f"  c={concurrency}: our Turtle at {share:.0%} of minimal Flask (target >= 90%), "
            f"p99 {ours_turtle.p99:.2f} ms (target < 10 ms)"
        )


def _median(found: list[Load]) -> Load:
    return Load(
        statistics.median(f.rate for f in found),
        statistics.median(f.p50 for f in found),
        statistics.median(f.p99 for f in found),
    )


def _first_item(url: str) -> str:
    query = urllib.parse.quote(ITEM_QUERY)
    request = urllib.request.Request(f"{url}/sparql?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request) as response:
        return response.read().decode().splitlines()[1].strip()


def main() -> None:
    """Run the figures for each size, then the load test on the first size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-serve")
    parser.add_argument("--wrk", help="path of wrk (default: from PATH)")
    parser.add_argument("--nginx", help="path of nginx (default: from PATH or /usr/sbin)")
    parser.add_argument("--no-load", action="store_true", help="start-up and memory only")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds (median reported)")
    parser.add_argument(
        "--worker-class", default="gthread", help="gunicorn worker class for ours and Flask"
    )
    args = parser.parse_args()
    tool, nginx = need("wrk", args.wrk), need("nginx", args.nginx)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {' '.join(map(str, os.getloadavg()))}; {os.cpu_count()} cores")
    stores = {}
    for items in args.items:
        print(f"{items} items")
        store, seconds = prepare(args.work, items)
        stores[items] = store
        print(f"  build (bulk load of the synthetic N-Quads): {seconds:.1f} s")
        startup(store, args.work, items)
    if not args.no_load:
        print(
            f"load on {args.items[0]} items, 2 gunicorn workers, wrk {DURATION} s per figure, "
            f"median of {args.rounds} rounds"
        )
        loads(stores[args.items[0]], args.work, tool, nginx, args.worker_class, args.rounds)
    print(f"load average after: {' '.join(map(str, os.getloadavg()))}")


if __name__ == "__main__":
    main()
