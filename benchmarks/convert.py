"""Time ``miglod convert`` end to end: a synthetic listing in, N-Triples on disk out.

Run from the repository root::

    python benchmarks/convert.py                      # 10,000 and 100,000 items
    python benchmarks/convert.py --sizes 1000 10000 --repeat 3
    python benchmarks/convert.py --against /tmp/old-checkout      # old and new, turn about

Each size runs in a fresh child process through the real command-line code
path (``miglod.cli.main(["convert", ...])``), so start-up (building the
gazetteers) and peak memory are the child's own. The child reports its
start-up time (imports and the converter built) and its peak resident set
size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``); the parent times the
whole child. The listings come from ``benchmarks/synthetic.py`` and are made
once per run in a temporary directory (or ``--workdir``). The machine may be
shared: compare the sizes of one run with each other, and take the fastest of
``--repeat`` runs. The processor time an item costs (``cpu us/item``, start-up
left out) suffers less from other processes than the elapsed time does.
``--against DIR`` runs another checkout of the repository (say ``git archive
HEAD | tar -x -C DIR``) on the same listings, each run of it next to one of
this checkout, so that both meet the same load.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import write_listing  # noqa: E402

TARGET_ITEMS = 100_000
TARGET_SECONDS = 30.0

# The child: time the imports and the converter's construction, run the command, report.
CHILD = """
import json, resource, sys, time
began = time.perf_counter()
began_cpu = time.process_time()
from converter import pipeline
from miglod import cli, conversion
marks = {}

class Timed(pipeline.Converter):
    def __post_init__(self):
        super().__post_init__()
        marks.setdefault("built", time.perf_counter())
        marks.setdefault("built_cpu", time.process_time())

conversion.Converter = Timed
code = cli.main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "code": code,
    "startup": marks.get("built", began) - began,
    "maxrss_kb": usage.ru_maxrss,
    "cpu": usage.ru_utime + usage.ru_stime,
    "startup_cpu": marks.get("built_cpu", began_cpu),
}))
"""


@dataclass
class Run:
    """What one child conversion measured."""

    items: int
    seconds: float
    startup: float
    cpu: float
    startup_cpu: float
    rss_mb: float
    output_bytes: int

    @property
    def per_item_us(self) -> float:
        """Return the microseconds an item costs once the converter is built."""
        return 1e6 * max(self.seconds - self.startup, 0.0) / self.items

    @property
    def cpu_per_item_us(self) -> float:
        """Return the processor microseconds an item costs once the converter is built."""
        return 1e6 * max(self.cpu - self.startup_cpu, 0.0) / self.items


def convert_once(listing: Path, output: Path, items: int, root: Path = ROOT) -> Run:
    """Convert ``listing`` to ``output`` in a fresh child process and return what it measured.

    ``root`` is the checkout whose code converts.
    """
    command = [
        sys.executable,
        "-c",
        CHILD,
        "convert",
        str(listing),
        "-o",
        str(output),
        "--generated-at",
        "2026-01-01T00:00:00Z",
    ]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"conversion of {listing} failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["code"] != 0:
        raise SystemExit(f"conversion of {listing} exited with {report['code']}:\n{done.stderr}")
    return Run(
        items=items,
        seconds=seconds,
        startup=report["startup"],
        cpu=report["cpu"],
        startup_cpu=report["startup_cpu"],
        rss_mb=report["maxrss_kb"] / 1024,
        output_bytes=output.stat().st_size,
    )


def table(runs: list[Run]) -> str:
    """Return the runs side by side, one row per size."""
    header = (
        f"{'items':>9} {'seconds':>8} {'items/s':>8} {'start-up s':>10} "
        f"{'us/item':>8} {'cpu s':>7} {'cpu us/item':>11} {'peak RSS MB':>11} {'output MB':>9}"
    )
    rows = [header, "-" * len(header)]
    for run in runs:
        rows.append(
            f"{run.items:>9,} {run.seconds:>8.2f} {run.items / run.seconds:>8,.0f} "
            f"{run.startup:>10.2f} {run.per_item_us:>8.0f} {run.cpu:>7.2f} "
            f"{run.cpu_per_item_us:>11.0f} {run.rss_mb:>11.1f} {run.output_bytes / 1e6:>9.1f}"
        )
    return "\n".join(rows)


def verdict(runs: list[Run]) -> list[str]:
    """Return the memory ratio of the largest to the smallest size and the time target's fate."""
    lines = []
    small, large = min(runs, key=lambda r: r.items), max(runs, key=lambda r: r.items)
    if large.items > small.items:
        lines.append(
            f"peak RSS {large.items:,} / {small.items:,} items: "
            f"{large.rss_mb / small.rss_mb:.2f} ({large.rss_mb:.1f} / {small.rss_mb:.1f} MB)"
        )
    target = next((r for r in runs if r.items == TARGET_ITEMS), None)
    if target is not None:
        met = "met" if target.seconds < TARGET_SECONDS else "NOT met"
        lines.append(
            f"target {TARGET_ITEMS:,} items in < {TARGET_SECONDS:.0f} s: {met} "
            f"({target.seconds:.1f} s)"
        )
    else:
        estimate = large.startup + large.per_item_us * TARGET_ITEMS / 1e6
        met = "would be met" if estimate < TARGET_SECONDS else "would NOT be met"
        lines.append(
            f"target {TARGET_ITEMS:,} items in < {TARGET_SECONDS:.0f} s: {met} "
            f"(estimated {estimate:.1f} s from {large.items:,} items)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Make the listings, convert each in a child process, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", "--items", type=int, nargs="+", default=[10_000, TARGET_ITEMS])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest counts")
    parser.add_argument("--workdir", type=Path, help="keep listings and outputs here")
    parser.add_argument("--against", type=Path, help="another checkout to run next to this one")
    args = parser.parse_args(argv)
    roots = {"this checkout": ROOT}
    if args.against is not None:
        roots = {f"against {args.against}": args.against.resolve(), **roots}
    runs: dict[str, list[Run]] = {name: [] for name in roots}
    with tempfile.TemporaryDirectory(prefix="miglod-convert-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in sorted(set(args.sizes)):
            listing = workdir / f"synthetic-{size}.txt"
            if not listing.exists():
                write_listing(listing, size)
            tries: dict[str, list[Run]] = {name: [] for name in roots}
            for _ in range(max(args.repeat, 1)):
                for number, (name, root) in enumerate(roots.items()):
                    output = workdir / f"synthetic-{size}-{number}.nt"
                    tries[name].append(convert_once(listing, output, size, root))
            for name in roots:
                runs[name].append(min(tries[name], key=lambda r: r.seconds))
            print(f"converted {size:,} items", file=sys.stderr)
    for name, measured in runs.items():
        if len(roots) > 1:
            print(f"\n{name}:")
        print(table(measured))
        for line in verdict(measured):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
