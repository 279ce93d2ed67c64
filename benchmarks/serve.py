"""Measure the store and the web app's read side on a synthetic dataset.

    PYTHONPATH=. python benchmarks/serve.py --items 100000 --dir /tmp/miglod-bench

Writes N-Quads of N synthetic news items (about 25 triples each, one named graph
per item, countries, organisations and themes in reference graphs), then times:
the bulk build, a rebuild of the same data, one item's copy-on-write replacement,
read-only opening, descriptions, app start-up, first and cached renders, and a
real gunicorn server under concurrent clients. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO

BASE = "https://w3id.org/miglod/"
S = "https://schema.org/"
COUNTRIES = [
    "SR",
    "GY",
    "MX",
    "PA",
    "CR",
    "GT",
    "HN",
    "SV",
    "BZ",
    "JM",
    "CO",
    "EC",
    "PE",
    "BR",
    "AR",
]
ORGS = ["iom", "ilo", "unhcr", "caricom-impacs", "un", "sica", "oas", "eu"]
THEMES = ["labour-migration", "border-management", "protection", "capacity-building", "health"]


def write_data(path: Path, items: int) -> None:
    """Write the synthetic dataset as N-Quads."""
    body = " ".join(["migration governance report"] * 30)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(items):
            day = f"20{10 + n % 12}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            item = f"{day}-synthetic-news-item-{n}"
            s, g = f"<{BASE}id/news/{item}>", f"<{BASE}graph/news/{item}>"
            lines = [
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{S}NewsArticle>",
                f'{s} <{S}identifier> "{item}"',
                f'{s} <{S}headline> "Synthetic news item {n} on labour migration"@en',
                f'{s} <{S}abstract> "{body[:200]}"@en',
                f'{s} <{S}articleBody> "{body}"@en',
                f'{s} <{S}datePublished> "{day}"^^<http://www.w3.org/2001/XMLSchema#date>',
                f'{s} <{S}inLanguage> "en"',
                f"{s} <{S}publisher> <{BASE}id/organization/iom>",
                f"{s} <{S}about> <{BASE}id/country/{COUNTRIES[n % len(COUNTRIES)]}>",
                f"{s} <{BASE}def/mig/theme> <{BASE}def/theme/{THEMES[n % len(THEMES)]}>",
                f"{s} <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}id/news/{item}#source>",
                f'<{BASE}id/news/{item}#source> <{S}name> "news/synthetic.txt"',
                f'<{BASE}id/news/{item}#source> <{BASE}def/mig/sourceLine> "{n * 5 + 1}"'
                "^^<http://www.w3.org/2001/XMLSchema#integer>",
            ]
            for k in range(3):
                lines.append(
                    f"{s} <{S}mentions> <{BASE}id/country/{COUNTRIES[(n + k) % len(COUNTRIES)]}>"
                )
                lines.append(
                    f"{s} <{S}mentions> <{BASE}id/organization/{ORGS[(n + k) % len(ORGS)]}>"
                )
            out.write("".join(f"{line} {g} .\n" for line in lines))
        for code in COUNTRIES:
            for lang in ("en", "es"):
                out.write(
                    f'<{BASE}id/country/{code}> <{S}name> "Country {code} {lang}"@{lang} '
                    f"<{BASE}graph/countries> .\n"
                )
            out.write(
                f"<{BASE}id/country/{code}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                f"<{S}Country> <{BASE}graph/countries> .\n"
            )
        for slug in ORGS:
            out.write(
                f'<{BASE}id/organization/{slug}> <{S}name> "Organisation {slug}"@en '
                f"<{BASE}graph/organizations> .\n"
            )
        for slug in THEMES:
            out.write(
                f"<{BASE}def/theme/{slug}> <http://www.w3.org/2004/02/skos/core#prefLabel> "
                f'"Theme {slug}"@en <{BASE}graph/ontology> .\n'
            )
            out.write(
                f"<{BASE}def/theme/{slug}> <http://www.w3.org/2004/02/skos/core#inScheme> "
                f"<{BASE}def/theme> <{BASE}graph/ontology> .\n"
            )


def timed(label: str, action: Callable[[], object], repeat: int = 1) -> object:
    """Run ``action``, print its median time in milliseconds, and return its last result."""
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} {statistics.median(times):10.1f} ms")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(
    url: str, paths: list[str], headers: dict[str, str], requests: int, concurrency: int
) -> None:
    """Fetch ``requests`` URLs with ``concurrency`` threads; print throughput and latency."""

    def fetch(i: int) -> float:
        start = time.perf_counter()
        request = urllib.request.Request(url + paths[i % len(paths)], headers=headers)
        with urllib.request.urlopen(request) as response:
            response.read()
        return time.perf_counter() - start

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(fetch, range(requests)))
    elapsed = time.perf_counter() - start
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    label = f"HTTP {headers.get('Accept', '')} x{concurrency}"
    print(
        f"{label:<58} {requests / elapsed:10.0f} req/s  p50 {latencies[len(latencies) // 2] * 1000:.1f} ms  p99 {p99:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/miglod-bench"))
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()

    from miglod.store import build_store, open_store, write_dumps
    from miglod.store.bulk import BulkInput

    args.dir.mkdir(parents=True, exist_ok=True)
    data = args.dir / f"news-{args.items}.nq"
    if not data.exists():
        timed(
            f"write {args.items} synthetic items as N-Quads", lambda: write_data(data, args.items)
        )
    store_dir = args.dir / f"store-{args.items}"
    timed("build: bulk load + digests + publish", lambda: build_store(store_dir, [BulkInput(data)]))
    timed(
        "rebuild of the same data (no changes)", lambda: build_store(store_dir, [BulkInput(data)])
    )
    store = open_store(store_dir)
    timed("open read-only", lambda: open_store(store_dir, read_only=True), repeat=5)
    item = f"{BASE}id/news/2010-01-01-synthetic-news-item-0"
    graph = Graph()
    graph.add((URIRef(item), RDF.type, SDO.NewsArticle))
    graph.add((URIRef(item), SDO.headline, Literal("Rewritten", lang="en")))
    counter = iter(range(10**6))
    timed(
        "replace one item graph (copy-on-write generation)",
        lambda: store.replace_graphs({f"{BASE}graph/news/x-{next(counter)}": graph}),
        repeat=5,
    )
    reader = open_store(store_dir, read_only=True)
    news = f"{BASE}id/news/2011-02-02-synthetic-news-item-1"
    timed("describe one news item", lambda: reader.describe(news), repeat=20)
    timed(
        "describe a country (inbound top 100 + count)",
        lambda: reader.describe(f"{BASE}id/country/SR"),
        repeat=3,
    )
    timed(
        "describe IOM (mentioned by every item)",
        lambda: reader.describe(f"{BASE}id/organization/iom"),
        repeat=3,
    )
    timed(
        "changes since the beginning, first 1000",
        lambda: reader.changes(None, limit=1000),
        repeat=5,
    )
    timed(
        "write dumps (ttl, nt.gz, nq.gz, jsonld)", lambda: write_dumps(reader, args.dir / "dumps")
    )

    from server import create_app

    app = timed(
        "create_app (open store, register blueprints)",
        lambda: create_app({"store": str(store_dir)}),
    )
    client = app.test_client()  # type: ignore[attr-defined]
    doc = "/doc/news/2011-02-02-synthetic-news-item-1"
    for suffix in ("ttl", "jsonld", "html"):
        timed(
            f"first render {suffix} (describe + serialise)",
            lambda s=suffix: client.get(f"{doc}.{s}"),
        )
        timed(f"cached {suffix}", lambda s=suffix: client.get(f"{doc}.{s}"), repeat=200)
    timed("first render of the home page", lambda: client.get("/"))
    timed("first render of a country page (html)", lambda: client.get("/doc/country/MX.html"))
    print(
        f"{'benchmark process max RSS':<58} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:10.0f} MB"
    )

    port = free_port()
    settings = {"store": str(store_dir), "port": port, "workers": 2}
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", f"from server import serve; serve({settings!r})"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/context.jsonld").read()
                break
            except OSError:
                time.sleep(0.02)
        print(
            f"{'gunicorn start-up until the first answer':<58} {(time.perf_counter() - start) * 1000:10.1f} ms"
        )
        paths = [
            f"/doc/news/20{10 + n % 12}-{1 + n % 12:02d}-{1 + n % 28:02d}-synthetic-news-item-{n}"
            for n in range(0, min(args.items, 200))
        ]
        for accept in ("text/turtle", "application/ld+json", "text/html"):
            load(url, paths, {"Accept": accept}, args.requests, 8)
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in workers:
            rss = Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]
            print(f"{'worker ' + pid + ' RSS after the load':<58} {int(rss) / 1024:10.0f} MB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
