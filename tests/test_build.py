"""``miglod build``: one step from data/ to a published store, all or nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from miglod.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "news" / "iom-news-2021.txt"
COUNT = (
    "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s a <https://schema.org/NewsArticle> } }"
)


def miglod(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "miglod.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def news_graphs(store: Path) -> int:
    with open_store(store, read_only=True) as opened:
        rows = opened.query(COUNT).rows
    return int(str(rows[0][0]))


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "data" / "news").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "data" / "news" / SAMPLE.name)
    return tmp_path


def test_build_loads_every_item_and_writes_dumps(workdir: Path) -> None:
    done = miglod("build", "data", "--generated-at", "2026-01-01T00:00:00Z", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "10 items from 1 file(s)" in done.stderr
    assert news_graphs(workdir / "var" / "store") == 10
    dumps = {p.name for p in (workdir / "var" / "dumps").iterdir()}
    assert {"miglod.ttl", "miglod.nt.gz", "miglod.jsonld"} <= dumps


def test_a_bad_input_leaves_the_published_store_untouched(workdir: Path) -> None:
    assert miglod("build", "data", cwd=workdir).returncode == 0
    store = workdir / "var" / "store"
    before = sorted(p.relative_to(store).as_posix() for p in store.rglob("*"))
    (workdir / "data" / "news" / "broken.jsonl").write_text(
        '{"date": "2021-01-01"\n', encoding="utf-8"
    )
    failed = miglod("build", "data", cwd=workdir)
    assert failed.returncode == 2
    assert "broken.jsonl:1:" in failed.stderr and "Traceback" not in failed.stderr
    after = sorted(p.relative_to(store).as_posix() for p in store.rglob("*"))
    assert after == before
    assert news_graphs(store) == 10


def test_an_empty_data_directory_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    done = miglod("build", "data", cwd=tmp_path)
    assert done.returncode == 2
    assert "no news files" in done.stderr
    assert not (tmp_path / "var").exists()
