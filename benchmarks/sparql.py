"""Benchmark the researchers' queries: our endpoint over HTTP, pyoxigraph directly, rdflib, Virtuoso.

    python benchmarks/sparql.py --sizes 10000 100000 [--virtuoso] [--json results.json]

For each size it makes the synthetic N-Quads (benchmarks/sparql_data.py) and
a store (bulk load), then times the example queries of the query page
(``miglod.query.examples``), each written out in full (SPARQL JSON for SELECT,
N-Triples for CONSTRUCT), as median and p99 (nearest rank) over the runs;
pyoxigraph in memory and our endpoint are timed in turns, run by run, so that
the noise of a shared machine falls on both alike:

- ``ours cold``: through a real server (gunicorn, 2 workers) with a query
  text it has never seen (a unique comment), so nothing is cached;
- ``ours warm``: the exact example text, answered from the results the server
  precomputed for the data version;
- ``ours after change``: a never-seen text again, but the first query after
  the data changed (one graph replaced and folded into a new generation, as
  after a steward's write), so the query helper catches up with the change
  first (``--change-reps`` times per query);
- ``ours 1 s after change``: the same, the query a second after the change
  (the web workers have their query runners follow it meanwhile);
- ``oxigraph mem``: pyoxigraph directly on an in-memory store holding the
  union of the graphs (what our query processes hold; the floor);
- ``oxigraph disk``: pyoxigraph directly on the on-disk store (union flag);
- ``rdflib``: rdflib's own SPARQL engine on a ``Dataset`` with a union
  default graph;
- ``virtuoso cold`` (first run after a restart) and ``warm``, over HTTP;
- ``virtuoso after change`` (with ``--change-reps``): the query at once after
  the same change as ours, made with a SPARQL Update (Virtuoso keeps no
  results, so this is its cold figure in the issue's sense).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import sparql_virtuoso  # noqa: E402
from benchmarks.settled import wait_settled  # noqa: E402
from benchmarks.sparql_data import BASE, write_nquads  # noqa: E402
from miglod.query.examples import example_item_query, examples  # noqa: E402
from miglod.store import BulkInput, build_store, layout  # noqa: E402
from tests.test_sparql_support import running_server  # noqa: E402

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
SCHEMA_NAME = "https://schema.org/name"
#: The graph the "after change" columns replace before each query.
CHANGE_GRAPH = BASE + "id/news/benchmark-change"
Timings = dict[str, list[float]]


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def prepare(work: Path, count: int) -> tuple[Path, Path, Path]:
    """Return the N-Quads file, its union as N-Triples, and the store for ``count`` items."""
    work.mkdir(parents=True, exist_ok=True)
    quads, triples, store = (
        work / f"items-{count}.nq",
        work / f"items-{count}.nt",
        work / f"store-{count}",
    )
    if not quads.exists():
        write_nquads(quads, count)
    if not triples.exists():
        with quads.open("rb") as source, triples.open("wb") as out:
            for line in source:
                out.write(line[: line.rindex(b" ", 0, len(line) - 3)] + b" .\n")
    if not store.exists():
        build_store(store, [BulkInput(quads)])
    return quads, triples, store


def timed(run: Callable[[], object], reps: int) -> list[float]:
    """Return the milliseconds of ``reps`` runs."""
    found = []
    for _ in range(reps):
        started = time.perf_counter()
        run()
        found.append((time.perf_counter() - started) * 1000)
    return found


def oxigraph_runner(store: ox.Store, union: bool) -> Callable[[str], Callable[[], object]]:
    def make(query: str) -> Callable[[], object]:
        def run() -> object:
            result = store.query(query, use_default_graph_as_union=union)
            if isinstance(result, ox.QueryTriples):
                return result.serialize(format=ox.RdfFormat.N_TRIPLES)
            return result.serialize(format=ox.QueryResultsFormat.JSON)

        return run

    return make


def http_get(url: str, query: str, accept: str) -> bytes:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        connection.request(
            "GET",
            parts.path + "?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": accept},
        )
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")
        return body
    finally:
        connection.close()


def accept_for(query: str) -> str:
    return NTRIPLES if "CONSTRUCT" in query else JSON


def bench_endpoint(
    store: Path,
    queries: dict[str, str],
    reps: int,
    work: Path,
    direct: ox.Store,
    change_reps: int = 0,
) -> dict[str, Timings]:
    """Time the endpoint, cold and warm, interleaved run by run with pyoxigraph in memory."""
    launched = time.time()
    with running_server(store, work / "server.log", workers=2, query_timeout=120) as url:
        started = time.perf_counter()
        http_get(url + "/sparql", "ASK {}", JSON)
        first = (time.perf_counter() - started) * 1000
        wait_settled(store, BASE, launched)
        ready = (time.perf_counter() - started) * 1000
        quick = 0
        while quick < 20:  # every web worker has loaded the data
            before = time.perf_counter()
            http_get(url + "/sparql", "ASK { ?s ?p ?o }", JSON)
            quick = quick + 1 if time.perf_counter() - before < 0.05 else 0
        found: dict[str, Timings] = {"oxigraph mem": {}, "ours cold": {}, "ours warm": {}}
        make = oxigraph_runner(direct, False)
        for name, query in queries.items():
            accept = accept_for(query)
            runs = {
                "oxigraph mem": make(query),
                "ours cold": lambda q=query, a=accept: http_get(
                    url + "/sparql", f"{q}\n# {time.perf_counter_ns()}", a
                ),
                "ours warm": lambda q=query, a=accept: http_get(url + "/sparql", q, a),
            }
            for column in found:
                found[column][name] = []
            for _ in range(reps):
                for column, run in runs.items():
                    found[column][name] += timed(run, 1)
        if change_reps:
            found["ours after change"] = after_changes(store, url, queries, change_reps)
            found["ours 1 s after change"] = after_changes(store, url, queries, change_reps, 1.0)
    return {**found, "_start": {"first answer": [first], "examples precomputed": [ready]}}


def after_changes(
    store: Path, url: str, queries: dict[str, str], reps: int, gap: float = 0.0
) -> Timings:
    """Time each query as the first one after the data changed, ``reps`` times.

    A change replaces one graph (a statement about a news item, different each
    time) through the store's own write path and folds it into a new
    generation, as the server does after a steward's write; the query that
    follows at once is the first to see it, so its time includes the helper
    catching up with the change. With a ``gap`` the query comes that many
    seconds after the fold instead, as a reader's query comes some time after
    a steward's write. The graph is removed at the end.
    """
    from rdflib import Literal, URIRef

    from miglod.store import open_store
    from miglod.store.oxigraph import OxigraphStore

    graph = CHANGE_GRAPH
    subject = URIRef(graph)
    found: Timings = {name: [] for name in queries}
    with open_store(store) as writable:
        assert isinstance(writable, OxigraphStore)
        for rep in range(reps):
            for name, query in queries.items():
                note = Literal(f"change {rep} {name} {time.time_ns()}")
                writable.replace_graphs({graph: [(subject, URIRef(SCHEMA_NAME), note)]})
                writable.compact()
                time.sleep(gap)
                text = f"{query}\n# {time.perf_counter_ns()}"
                started = time.perf_counter()
                http_get(url + "/sparql", text, accept_for(query))
                found[name].append((time.perf_counter() - started) * 1000)
        writable.delete_graphs([graph])
        writable.compact()
    return found


def virtuoso_after_changes(
    server: sparql_virtuoso.Virtuoso, queries: dict[str, str], reps: int
) -> Timings:
    """Time each query at once after the change :func:`after_changes` makes, on Virtuoso."""
    graph = CHANGE_GRAPH
    found: Timings = {name: [] for name in queries}
    for rep in range(reps):
        for name, query in queries.items():
            note = json.dumps(f"change {rep} {name} {time.time_ns()}")
            server.update(
                f"CLEAR SILENT GRAPH <{graph}> ; "
                f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> <{SCHEMA_NAME}> {note} }} }}"
            )
            started = time.perf_counter()
            server.query(query, accept_for(query))
            found[name].append((time.perf_counter() - started) * 1000)
    server.update(f"CLEAR SILENT GRAPH <{graph}>")
    return found


def bench_rdflib(quads: Path, queries: dict[str, str], reps: int) -> Timings:
    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(quads, format="nquads")
    print(
        f"  rdflib parsed {len(dataset)} quads in {time.perf_counter() - started:.0f} s", flush=True
    )

    def make(query: str) -> Callable[[], object]:
        return lambda: dataset.query(query).serialize(
            format="nt" if "CONSTRUCT" in query else "json"
        )

    return {name: timed(make(query), reps) for name, query in queries.items()}


def bench_virtuoso(
    quads: Path, queries: dict[str, str], reps: int, work: Path, change_reps: int = 0
) -> dict[str, Timings]:
    directory = work / f"virtuoso-{quads.stem}"
    server = sparql_virtuoso.Virtuoso(directory, quads.parent)
    server.start()
    try:
        seconds = server.load(quads.name)
        print(f"  virtuoso loaded {quads.name} in {seconds:.1f} s", flush=True)
        server.stop()
        server.start()
        cold = {n: timed(lambda q=q: server.query(q, accept_for(q)), 1) for n, q in queries.items()}
        warm = {
            n: timed(lambda q=q: server.query(q, accept_for(q)), reps) for n, q in queries.items()
        }
        changed = virtuoso_after_changes(server, queries, change_reps) if change_reps else {}
    finally:
        server.stop()
    return {
        "virtuoso cold": cold,
        "virtuoso warm": warm,
        **({"virtuoso after change": changed} if change_reps else {}),
        "_load": {"virtuoso load": [seconds * 1000]},
    }


def run_size(count: int, args: argparse.Namespace) -> dict[str, Timings]:
    work = Path(args.work)
    print(f"{count} items", flush=True)
    quads, triples, store = prepare(work, count)
    memory = ox.Store()
    memory.bulk_load(path=str(triples), format=ox.RdfFormat.N_TRIPLES)
    newest = next(iter(memory.query(example_item_query(BASE))))["item"].value
    queries = {e.name: e.query for e in examples(BASE, newest)}
    results = bench_endpoint(store, queries, args.reps, work, memory, args.change_reps)
    del memory
    gc.collect()
    print("  endpoint and pyoxigraph in memory done", flush=True)
    generation = layout.generation_dir(store, layout.current_name(store))
    disk = ox.Store.read_only(str(generation / layout.RDF_DIR))
    make = oxigraph_runner(disk, True)
    results["oxigraph disk"] = {n: timed(make(q), args.disk_reps) for n, q in queries.items()}
    del disk
    if args.rdflib_reps:
        results["rdflib"] = bench_rdflib(quads, queries, args.rdflib_reps)
    if args.virtuoso and sparql_virtuoso.available():
        results.update(bench_virtuoso(quads, queries, args.reps, work, args.change_reps))
    return results


def report(count: int, results: dict[str, Timings]) -> str:
    columns = [c for c in results if not c.startswith("_")]
    names = list(results["oxigraph mem"])
    lines = [
        f"### {count:,} items (ms: median / p99)",
        "",
        "| query | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for name in names:
        cells = []
        for column in columns:
            values = results[column].get(name, [])
            cells.append(
                f"{statistics.median(values):.1f} / {percentile(values, 0.99):.1f}"
                if values
                else ""
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key in ("_start", "_load"):
        for label, values in results.get(key, {}).items():
            lines.append(f"\n{label}: {values[0] / 1000:.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--reps", type=int, default=20, help="runs per query (ours, pyoxigraph, Virtuoso)"
    )
    parser.add_argument(
        "--change-reps",
        type=int,
        default=5,
        help="runs per query as the first query after a change of the data (0: skip)",
    )
    parser.add_argument(
        "--disk-reps", type=int, default=5, help="runs per query on the on-disk store"
    )
    parser.add_argument(
        "--rdflib-reps", type=int, default=3, help="runs per query with rdflib (0: skip)"
    )
    parser.add_argument(
        "--virtuoso", action="store_true", help="also time Virtuoso (Debian package)"
    )
    parser.add_argument("--work", default=str(ROOT / "var" / "bench-sparql"))
    parser.add_argument("--json", help="write every timing to this file")
    args = parser.parse_args()
    everything = {}
    for count in args.sizes:
        results = run_size(count, args)
        everything[count] = results
        print(report(count, results), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
