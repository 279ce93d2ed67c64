"""One query helper per server: shared by every worker, loading in steps, catching up by delta."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod.query import QueryError, QueryRequest, QueryService
from miglod.query.helper import OWNER, PREFIX, QueryHelper
from miglod.query.union import UnionCopy
from miglod.store import OxigraphStore, Store
from tests.conftest import BASE
from tests.test_sparql_support import fetch, running_server

ITEMS = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> }"


def fold(store: Store) -> None:
    """Fold the journaled writes into a generation: queries see them from then on."""
    assert isinstance(store, OxigraphStore)
    store.compact()


def count(service: QueryService, version: str) -> int:
    outcome = service.run(QueryRequest(ITEMS, "csv"), timeout=10, version=version)
    return int(outcome.read().split()[1])


def helper_zygotes(store: Path) -> list[tuple[int, list[str]]]:
    """Return the pids and command lines of the shared zygotes serving ``store`` (not children)."""
    found: dict[int, tuple[int, list[str]]] = {}
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().decode().split("\0")[:-1]
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if "miglod.query.zygote" in args and "--listen" in args and str(store) in args[-1]:
            found[int(proc.name)] = (parent, args)
    return [(pid, args) for pid, (parent, args) in found.items() if parent not in found]


def write_item(store: Store, n: int) -> None:
    item = URIRef(f"{BASE}id/news/helper-{n}")
    triples = [(item, RDF.type, SDO.NewsArticle), (item, SDO.headline, Literal(f"Item {n}"))]
    store.replace_graphs({f"{BASE}graph/news/helper-{n}": triples})
    fold(store)  # writes are journaled; queries see them once folded into a generation


def test_workers_share_one_helper_whose_files_go_when_it_stops(
    store: Store, store_path: Path
) -> None:
    helper = QueryHelper(store_path)
    runtime = helper.paths.runtime
    try:
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        workers = [QueryService(store_path, helper=helper.paths, slots=2) for _ in range(2)]
        assert [count(w, store.version) for w in workers] == [4, 4]
        write_item(store, 1)
        assert [count(w, store.version) for w in workers] == [5, 5]
        for worker in workers:
            worker.close()
        assert runtime.exists()  # the workers do not own the helper's files
    finally:
        helper.close()
    assert helper.process is not None and helper.process.poll() is not None
    assert not runtime.exists()


def test_the_copy_loads_in_steps_and_catches_up_without_reloading(
    store: Store, store_path: Path
) -> None:
    copy = UnionCopy(store_path)
    try:
        assert not copy.step(0.0)  # a load has started; meanwhile queries read from disk
        assert copy.store is None and copy.version == store.version and not copy.ready
        copy.refresh()
        assert copy.ready and copy.store is not None
        loaded = copy.store
        before = len(loaded)
        write_item(store, 2)
        write_item(store, 3)
        assert copy.step(5.0)
        assert copy.store is loaded, "a write must be applied to the copy, not reloaded"
        assert copy.version == store.version
        assert len(loaded) == before + 4
    finally:
        copy.close()


@pytest.mark.e2e
def test_a_server_runs_one_zygote_in_a_private_directory_removed_at_exit(
    store_path: Path, tmp_path: Path
) -> None:
    # A private copy of the store: the session's live server runs a zygote on the shared one.
    built_store = store_path
    with running_server(built_store, tmp_path / "server.log", workers=2) as url:
        query = urllib.parse.quote(ITEMS)
        for _ in range(4):  # spread over both workers
            status, _, body = fetch(f"{url}/sparql?query={query}", headers={"Accept": "text/csv"})
            assert status == 200 and body.split()[1] == b"4"
        zygotes = helper_zygotes(built_store)
        assert len(zygotes) == 1
        config = json.loads(zygotes[0][1][-1])
        runtime = Path(config["spool_dir"]).parent
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    deadline = time.monotonic() + 10
    while runtime.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not runtime.exists()


def test_the_directory_of_a_killed_server_goes_when_the_next_one_starts(store_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = Path(tempfile.mkdtemp(prefix=PREFIX))
    (stale / OWNER).write_text(gone.stdout.strip())
    helper = QueryHelper(store_path)
    try:
        assert not stale.exists()
        assert (helper.paths.runtime / OWNER).read_text() == str(os.getpid())
    finally:
        helper.close()


def test_a_zygote_that_dies_is_started_again(store: Store, store_path: Path) -> None:
    helper = QueryHelper(store_path)
    worker = QueryService(store_path, helper=helper.paths, slots=2)
    try:
        assert count(worker, store.version) == 4
        ((zygote, _),) = helper_zygotes(store_path)
        os.kill(zygote, signal.SIGKILL)
        deadline = time.monotonic() + 20
        answered = None
        while answered is None and time.monotonic() < deadline:
            with contextlib.suppress(QueryError):
                while worker._idle:  # runners of the old zygote still work; force a new one
                    worker._idle.pop().close()
                answered = count(worker, store.version)
        assert answered == 4
        assert [pid for pid, _ in helper_zygotes(store_path)] != [zygote]
    finally:
        worker.close()
        helper.close()
