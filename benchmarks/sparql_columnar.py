"""Time the example SELECT queries through the columnar copy and through pyoxigraph in memory.

    python benchmarks/sparql_columnar.py /tmp/bench-sparql/items-100000.nt [--reps 5]

The union of the data (N-Triples, as benchmarks/sparql.py writes it next to
the N-Quads) is loaded into an in-memory pyoxigraph store, dumped as
N-Triples and fed to a :class:`~miglod.query.columnar.ColumnarCopy` in the
chunks the zygote uses; the load time and memory growth are printed, then
each example's time (median of the runs, taken in turns, each run a query text
never seen before so no plan is cached) for both engines, and whether their
results agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.sparql_data import BASE  # noqa: E402
from miglod.query.columnar import ColumnarCopy  # noqa: E402
from miglod.query.examples import examples  # noqa: E402
from miglod.query.union import CHUNK  # noqa: E402


def rss_mb() -> float:
    """Return the resident memory of this process in megabytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ntriples")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=args.ntriples, format=ox.RdfFormat.N_TRIPLES)
    print(f"pyoxigraph in memory: {time.perf_counter() - started:.1f} s", flush=True)
    data = memory.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    before = rss_mb()
    copy = ColumnarCopy()
    started = time.perf_counter()
    copy.load(data, "bench", CHUNK)
    total = time.perf_counter() - started
    print(
        f"columnar load: {total:.1f} s, memory +{rss_mb() - before:.0f} MB, {copy.stats()}",
        flush=True,
    )
    del data
    print("| query | columnar ms | pyoxigraph ms | same |")
    print("|---|---|---|---|")
    for example in examples(BASE):
        mine: list[float] = []
        theirs: list[float] = []
        same = True
        for rep in range(args.reps):
            text = f"{example.query}\n# {rep} {time.perf_counter_ns()}"
            started = time.perf_counter()
            body, _ = copy.select(text, None)
            mine.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            reference = memory.query(text).serialize(format=ox.QueryResultsFormat.TSV)
            theirs.append((time.perf_counter() - started) * 1000)
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
            assert isinstance(parsed, ox.QuerySolutions)
            same = same and parsed.serialize(format=ox.QueryResultsFormat.TSV) == reference
        print(
            f"| {example.name} | {statistics.median(mine):.1f} |"
            f" {statistics.median(theirs):.1f} | {same} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
