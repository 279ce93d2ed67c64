"""Time validation: plain pyshacl, the compiled engine, and one-item updates, side by side.

Run from the repository root::

    python benchmarks/validate.py                 # 10,000 and 100,000 items
    python benchmarks/validate.py --sizes 1000 10000 --pyshacl-max 500
    python benchmarks/validate.py --pyshacl-full  # plain pyshacl on all the data (slow)

The data is synthetic, in the shape of docs/MODEL.md (shapes.synthetic). "ours full" is
``Validator.validate_store`` on an in-memory pyoxigraph store holding the merged dataset,
as ``miglod build`` validates; "update" is ``Validator.validate_update`` of one new or
changed item against a store with one named graph per item (``StorePublished``), as the
write path validates. Plain pyshacl costs about 25 ms per item with the shipped
SHACL-SPARQL constraints, so by default it runs on the first ``--pyshacl-max`` items and
its time is scaled linearly to the size (marked "est."; pyshacl is linear in the items).
"update CPU ms" is the median CPU time of the validating thread per update. The targets
(at 100,000 items: one update under 25 ms, and at least 1,000 times faster than full
validation) are checked under the table. The machine is shared: compare figures from one run, and see
the load average printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
from rdflib import URIRef

from shapes import StorePublished, Validator, load_shapes
from shapes.synthetic import Synthetic

UPDATE_TARGET_S = 0.025  # one update against the published dataset
RATIO_TARGET = 1_000  # full validation time ÷ one update's
TARGET_SIZE = 100_000  # items; the targets are set for a dataset of this size


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _pyshacl_seconds(syn: Synthetic, plain: Validator, size: int, most: int) -> tuple[float, str]:
    sample = min(size, most)
    data = syn.dataset(sample)
    spent = _seconds(lambda: plain.validate(data))
    return spent * size / sample, "" if sample == size else " est."


def _update_times(
    syn: Synthetic, validator: Validator, published: ox.Store, size: int, count: int
) -> tuple[list[float], list[float]]:
    """Time ``count`` updates: new items and replacements of published ones, alternately.

    Return the wall-clock times and the CPU times of this thread (less disturbed by
    other processes on a shared machine).
    """
    times, cpu = [], []
    for k in range(count + 5):
        if k % 2:
            n, replacing = k * 7919 % size, URIRef(syn.graph_name(k * 7919 % size))
        else:
            n, replacing = size + k, None
        item = syn.item(n)
        adapter = StorePublished(published, replacing=replacing)
        started = time.thread_time()
        spent = _seconds(partial(validator.validate_update, item, adapter))
        if k >= 5:  # the first few warm caches up
            times.append(spent)
            cpu.append(time.thread_time() - started)
    return times, cpu


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one row per dataset size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--pyshacl-max", type=int, default=2_000)
    parser.add_argument("--pyshacl-full", action="store_true", help="run pyshacl on all items")
    parser.add_argument("--updates", type=int, default=200, help="update timings per size")
    parser.add_argument("--repeat", type=int, default=2, help="full validations per size")
    parser.add_argument(
        "--converted",
        type=int,
        nargs="*",
        default=[100_000],
        help="also convert synthetic listings of these sizes and validate the output",
    )
    args = parser.parse_args(argv)

    syn = Synthetic()
    shapes = load_shapes()
    ours = Validator(shapes, engine="compiled")
    plain = Validator(shapes, engine="pyshacl")
    checks = len(ours.compiled.checks) if ours.compiled else 0
    print(f"{checks} compiled checks, {ours.compiled.workers if ours.compiled else 0} workers")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    header = (
        f"{'items':>8} {'triples':>9} {'pyshacl full s':>15} {'ours full s':>12}"
        f" {'ratio':>7} {'update ms median/p99':>21} {'full/update':>12} {'update CPU ms':>14}"
    )
    rows: list[str] = []
    verdicts: list[str] = []
    for size in args.sizes:
        merged = syn.store(size, named=False)
        published = syn.store(size, named=True)
        most = size if args.pyshacl_full else args.pyshacl_max
        plain_s, estimated = _pyshacl_seconds(syn, plain, size, most)
        runs, findings = [], -1
        for _ in range(args.repeat):
            start = time.perf_counter()
            findings = len(ours.validate_store(merged).findings)
            runs.append(time.perf_counter() - start)
        ours_s = min(runs)
        times, cpu = _update_times(syn, ours, published, size, args.updates)
        median, p99 = statistics.median(times), _percentile(times, 0.99)
        cpu_median = statistics.median(cpu)
        rows.append(
            f"{size:>8} {len(merged):>9} {plain_s:>10.1f}{estimated:<5} {ours_s:>12.1f}"
            f" {plain_s / ours_s:>6.0f}x {median * 1000:>10.1f} / {p99 * 1000:<8.1f}"
            f" {ours_s / median:>11.0f}x {cpu_median * 1000:>14.1f}   findings: {findings};"
            f" full runs: {', '.join(f'{r:.1f}' for r in runs)} s"
        )
        met = median < UPDATE_TARGET_S and ours_s / median >= RATIO_TARGET
        if size >= TARGET_SIZE:
            verdicts.append(
                f"{size} items: update {median * 1000:.1f} ms (< {UPDATE_TARGET_S * 1000:.0f} ms),"
                f" full/update {ours_s / median:.0f}x (>= {RATIO_TARGET}x):"
                f" {'met' if met else 'NOT MET'}"
            )
        print(f"  {size} items done; load average {os.getloadavg()[0]:.1f}", flush=True)
        del merged, published
    print(header)
    print("\n".join(rows))
    print(f"targets at {TARGET_SIZE:,} items: " + ("; ".join(verdicts) or "not measured"))
    for size in args.converted:
        print(_converted(ours, size))
    return 0


def _converted(validator: Validator, size: int) -> str:
    """Convert a synthetic listing of ``size`` items and validate the converter's output."""
    from benchmarks.synthetic import write_listing

    with tempfile.TemporaryDirectory(prefix="miglod-validate-") as work:
        listing = write_listing(Path(work) / f"synthetic-{size}.txt", size)
        output = Path(work) / "out.nt"
        command = [sys.executable, "-m", "miglod.cli", "convert", str(listing), "-o", str(output)]
        command += ["--generated-at", "2026-01-01T00:00:00Z"]
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parents[1])
        start = time.perf_counter()
        result, _ = validator.validate_file(output)
        seconds = time.perf_counter() - start
    verdict = "conforms" if result.conforms else "DOES NOT CONFORM"
    return (
        f"converter output, {size} synthetic items: {verdict}"
        f" ({len(result.violations)} violations, {len(result.warnings)} warnings),"
        f" validated in {seconds:.1f} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
