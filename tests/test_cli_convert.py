"""``miglod convert`` as a user runs it: stable bytes, clear errors, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "news" / "iom-news-2021.txt"


def run(*args: str, seed: str = "0", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-m", "miglod.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_output_is_identical_across_runs_and_hash_seeds(tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    for out, seed in ((first, "1"), (second, "2")):
        done = run(
            "convert",
            str(SAMPLE),
            "-o",
            str(out),
            "--format",
            fmt,
            "--generated-at",
            "2026-01-01T00:00:00Z",
            seed=seed,
        )
        assert done.returncode == 0, done.stderr
    assert first.read_bytes() == second.read_bytes()
    parsed = Graph().parse(first, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert len(parsed) > 2000


def test_formats_describe_the_same_graph(tmp_path: Path) -> None:
    graphs = []
    for fmt, parser in (("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        out = tmp_path / f"out.{fmt}"
        assert run("convert", str(SAMPLE), "-o", str(out), "--format", fmt).returncode == 0
        graphs.append(to_isomorphic(Graph().parse(out, format=parser)))
    assert graphs[0] == graphs[1] == graphs[2]


def test_generation_time_defaults_to_the_newest_input(tmp_path: Path) -> None:
    listing = tmp_path / "news.txt"
    listing.write_bytes(SAMPLE.read_bytes())
    os.utime(listing, (1_700_000_000, 1_700_000_000))
    done = run("convert", str(listing), "--format", "nt")
    assert done.returncode == 0
    assert '"2023-11-14T22:13:20+00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in done.stdout


BAD_INPUTS = {
    "empty.txt": (b"", "empty"),
    "binary.txt": (b"\x00\x01\x02\xff\xfe binary", ""),
    "undated.txt": (b"A headline without a date\n\nSome body text.\n", ""),
    "baddate.txt": (b"32 September, 2021\n\nHeadline\n\nBody.\n", ""),
    "noheadline.txt": (b"20 September, 2021\n\n\n\n17 September, 2021\n\nHeadline\n\nBody\n", ""),
    "bad.jsonl": (b'{"date": "2021-09-20", "headline": "A", "body": "B"}\n{"date": oops}\n', ""),
    "truncated.xml": (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>A',
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path: Path, name: str) -> None:
    data, words = BAD_INPUTS[name]
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out.ttl"
    done = run("convert", str(source), "-o", str(out))
    assert done.returncode == 2, done.stderr
    message = done.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(f"miglod: error: {source}"), message
    assert words in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_bad_jsonl_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(BAD_INPUTS["bad.jsonl"][0])
    done = run("convert", str(source))
    assert f"{source}:2:" in done.stderr


def test_one_bad_item_fails_the_listing_unless_skipped(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("17 September, 2021", "31 September, 2021", 1)
    source = tmp_path / "mixed.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.nt"
    failed = run("convert", str(source), "-o", str(out))
    assert failed.returncode == 2 and not out.exists()
    assert f"{source}:7:" in failed.stderr
    skipped = run("convert", str(source), "-o", str(out), "--skip-invalid")
    assert skipped.returncode == 0, skipped.stderr
    assert f"skipped {source}:7:" in skipped.stderr
    assert "9 items" in skipped.stderr
    graph = Graph().parse(out, format="nt")
    assert len(set(graph.subjects(predicate=None, object=None))) > 0


def test_missing_input_and_bad_base(tmp_path: Path) -> None:
    missing = run("convert", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "no such input file" in missing.stderr
    bad_base = run("convert", str(SAMPLE), "--base-iri", "not-an-iri")
    assert bad_base.returncode == 2 and "base_iri" in bad_base.stderr
