"""Time validation: plain pyshacl, the compiled engine, and one-item updates.

Run from the repository root::

    python benchmarks/validate.py                 # 10,000 and 100,000 items
    python benchmarks/validate.py --sizes 1000 10000 --pyshacl-max 2000

The data is synthetic, in the shape of docs/MODEL.md (shapes.synthetic). Plain pyshacl
costs about 25 ms per item with the shipped SHACL-SPARQL constraints, so above
``--pyshacl-max`` items it runs on a prefix of that many items and the time is scaled
linearly (marked "est."). The machine is shared: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
from rdflib import Graph

from shapes import GraphPublished, Validator, load_shapes
from shapes.oxterms import TermConverter
from shapes.synthetic import Synthetic


def _seconds(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one row per dataset size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--pyshacl-max", type=int, default=2_000)
    parser.add_argument(
        "--updates", type=int, default=20, help="update timings to take the median of"
    )
    args = parser.parse_args(argv)

    syn = Synthetic()
    shapes = load_shapes()
    compiled = Validator(shapes, engine="compiled")
    plain = Validator(shapes, engine="pyshacl")
    print(f"{len(compiled.compiled.checks) if compiled.compiled else 0} compiled checks")
    header = (
        f"{'items':>8} {'triples':>9} {'pyshacl s':>12} {'compiled s':>11} {'of which load':>13}"
        f" {'speed-up':>9} {'update ms':>10} {'full/update':>12}"
    )
    print(header)
    for size in args.sizes:
        data = syn.dataset(size)
        sample = min(size, args.pyshacl_max)
        prefix = data if sample == size else syn.dataset(sample)
        plain_s = _seconds(lambda p=prefix: plain.validate(p)) * size / sample
        estimated = " est." if sample < size else ""
        load_s = _seconds(lambda d=data: TermConverter().load(ox.Store(), d))
        result = compiled.validate(data)
        compiled_s = _seconds(lambda d=data: compiled.validate(d))
        published = GraphPublished(data)
        times = []
        for k in range(args.updates):
            item: Graph = syn.item(size + k)
            times.append(_seconds(lambda i=item, p=published: compiled.validate_update(i, p)))
        update_ms = statistics.median(times) * 1000
        print(
            f"{size:>8} {len(data):>9} {plain_s:>8.1f}{estimated:<4} {compiled_s:>11.1f}"
            f" {load_s:>13.1f} {plain_s / compiled_s:>8.1f}x {update_ms:>10.1f}"
            f" {compiled_s * 1000 / update_ms:>11.0f}x"
            f"   findings: {len(result.findings)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
