"""The query service: killed on time, shedding load, following the data as it changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod.query import QueryBusyError, QueryRequest, QueryService, QueryTimeoutError
from miglod.query.service import MAX_FOLLOWS
from miglod.store import OxigraphStore, Store, layout
from tests.conftest import BASE

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
COUNTRIES = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://schema.org/Country> }"
ITEMS = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> }"


def fold(store: Store) -> None:
    """Fold the journaled writes into a generation: queries see them from then on."""
    assert isinstance(store, OxigraphStore)
    store.compact()


def number(service: QueryService, query: str, version: str = "") -> int:
    outcome = service.run(QueryRequest(query, "csv"), timeout=10, version=version)
    return int(outcome.read().split()[1])


@pytest.fixture
def service(store_path: Path) -> Iterator[QueryService]:
    found = QueryService(store_path, slots=1)
    yield found
    found.close()


def alive(pid: int) -> bool:
    """Return whether a process runs (a zombie, killed but not yet collected, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_query_past_its_time_limit_is_killed_and_the_next_one_runs(service: QueryService) -> None:
    assert number(service, COUNTRIES) == 4
    runner = service._idle[0]
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as stopped:
        service.run(QueryRequest(ENDLESS, "csv"), timeout=1.0)
    assert 0.9 <= time.monotonic() - started <= 2.0
    assert stopped.value.status == 503 and "1 s" in stopped.value.message
    time.sleep(0.2)
    assert not alive(runner.pid)
    started = time.monotonic()
    assert number(service, COUNTRIES) == 4
    assert time.monotonic() - started < 1.0  # a fresh runner is forked, not loaded


def test_queries_beyond_the_slots_are_turned_away_at_once(
    service: QueryService, store_path: Path
) -> None:
    other = QueryService(store_path, slots=1)  # another web worker on the same store
    try:
        errors: list[BaseException] = []
        thread = threading.Thread(target=lambda: _expect_timeout(service, errors))
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(QueryBusyError) as busy:
            other.run(QueryRequest(COUNTRIES, "csv"), timeout=5)
        assert time.monotonic() - started < 1.5
        assert busy.value.status == 503 and busy.value.retry_after and busy.value.retry_after >= 1
        thread.join()
        assert errors == []
        assert number(other, COUNTRIES) == 4  # the slot is free again
    finally:
        other.close()


def _expect_timeout(service: QueryService, errors: list[BaseException]) -> None:
    try:
        service.run(QueryRequest(ENDLESS, "csv"), timeout=2.0)
    except QueryTimeoutError:
        return
    except BaseException as exc:  # pragma: no cover - reported by the test
        errors.append(exc)
    errors.append(AssertionError("the endless query was not stopped"))


def write_item(store: Store, n: int, extra: tuple[URIRef, URIRef, Literal] | None = None) -> None:
    item = URIRef(f"{BASE}id/news/written-{n}")
    triples = [(item, RDF.type, SDO.NewsArticle), (item, SDO.headline, Literal(f"Written {n}"))]
    if extra:
        triples.append(extra)
    store.replace_graphs({f"{BASE}graph/news/written-{n}": triples})
    fold(store)  # writes are journaled; queries see them once folded into a generation


def test_answers_follow_writes_and_the_union_is_a_merge(
    service: QueryService, store: Store
) -> None:
    items = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> }"
    shared = (URIRef(f"{BASE}id/person/ann"), SDO.name, Literal("Ann"))
    names = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{BASE}id/person/ann> ?p ?o }}"
    assert number(service, items, store.version) == 4
    write_item(store, 1, shared)
    write_item(store, 2, shared)
    assert number(service, items, store.version) == 6
    assert number(service, names, store.version) == 1  # stated in two graphs, one triple
    store.delete_graphs([f"{BASE}graph/news/written-1"])
    fold(store)
    assert number(service, items, store.version) == 5
    assert number(service, names, store.version) == 1  # still stated by item 2
    store.delete_graphs([f"{BASE}graph/news/written-2"])
    fold(store)
    assert number(service, names, store.version) == 0
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(service, graphs, store.version) == 8  # the fixture's graphs, read from disk


def test_a_kept_runner_follows_the_data_without_a_fork(service: QueryService, store: Store) -> None:
    items = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> }"
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(service, items, store.version) == 4
    runner = service._idle[0]
    write_item(store, 1)
    write_item(store, 2)  # two changes at once: the runner follows both
    assert number(service, items, store.version) == 6
    assert service._idle == [runner] and alive(runner.pid)
    assert (runner.version, runner.follows) == (store.version, 1)
    assert number(service, graphs, store.version) == 10  # the new generation, read from disk
    store.delete_graphs([f"{BASE}graph/news/written-1"])
    fold(store)
    assert number(service, items, store.version) == 5
    assert service._idle == [runner] and runner.follows == 2

    runner.follows = MAX_FOLLOWS  # one that has followed enough is replaced by a fresh fork
    write_item(store, 3)
    assert number(service, items, store.version) == 6
    fresh = service._idle[0]
    assert fresh.pid != runner.pid and fresh.follows == 0
    time.sleep(0.2)
    assert not alive(runner.pid)

    fresh.version = "0"  # older than every delta the zygote keeps: replaced too
    write_item(store, 4)
    assert number(service, items, store.version) == 7
    assert service._idle[0].pid != fresh.pid
    time.sleep(0.2)
    assert not alive(fresh.pid)


def asking(service: QueryService) -> list[object]:
    """Record what ``service`` asks its zygote from now on."""
    asked: list[object] = []
    original = service._ask

    def recorded(message: dict[str, object], deadline: float, timeout: float) -> Any:
        asked.append(message["op"])
        return original(message, deadline, timeout)

    service._ask = recorded  # type: ignore[method-assign]
    return asked


def test_a_runner_reads_the_folds_changes_itself(
    service: QueryService, store: Store, store_path: Path
) -> None:
    assert number(service, ITEMS, store.version) == 4
    runner = service._idle[0]
    asked = asking(service)
    write_item(store, 1)  # each fold wrote its change: the runner reads it, the zygote is not asked
    assert number(service, ITEMS, store.version) == 5
    assert asked == [] and service._idle == [runner]
    assert (runner.version, runner.follows) == (store.version, 1)
    write_item(store, 2)
    write_item(store, 3)  # two folds: read one after the other
    assert number(service, ITEMS, store.version) == 7
    assert asked == [] and (runner.version, runner.follows) == (store.version, 2)
    write_item(store, 4)
    shutil.rmtree(layout.generation_dir(store_path, store.version) / layout.DELTA_DIR)
    # a fold that wrote no change (many graphs changed): the zygote reads it from the generations
    assert number(service, ITEMS, store.version) == 8
    assert asked == ["follow"] and service._idle == [runner]
    assert (runner.version, runner.follows) == (store.version, 3)
    headlines = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{SDO.headline}> ?h FILTER(STRSTARTS(?h, 'Written')) }}"
    assert number(service, headlines, store.version) == 4  # each change applied once


def test_idle_runners_catch_up_ahead_of_the_next_query(service: QueryService, store: Store) -> None:
    assert number(service, ITEMS, store.version) == 4
    runner = service._idle[0]
    assert service.catch_up(store.version) == 0  # already there: nothing asked, nothing sent
    write_item(store, 1)
    assert runner.version < store.version
    assert service.catch_up(store.version) == 1
    assert service._idle == [runner] and alive(runner.pid)
    assert (runner.version, runner.follows) == (store.version, 1)
    asked = asking(service)
    assert number(service, ITEMS, store.version) == 5  # the change, and no asking for it now
    assert asked == [] and service._idle == [runner]


def test_a_query_waits_for_a_runner_catching_up_rather_than_forking(
    service: QueryService, store: Store
) -> None:
    assert number(service, ITEMS, store.version) == 4
    runner = service._idle.pop()
    service._catching = 1  # as catch_up leaves it while the runner follows
    back = threading.Timer(0.3, lambda: service._give_back(runner, keep=True))
    back.start()
    asked = asking(service)
    started = time.monotonic()
    assert number(service, ITEMS, store.version) == 4
    assert time.monotonic() - started >= 0.25  # it waited for the runner...
    assert asked == [] and service._idle == [runner]  # ...and took it: no fork
    back.join()


def test_a_runner_that_cannot_catch_up_is_dropped(service: QueryService, store: Store) -> None:
    assert number(service, ITEMS, store.version) == 4
    runner = service._idle[0]
    runner.follows = MAX_FOLLOWS
    write_item(store, 1)
    assert service.catch_up(store.version) == 0
    assert service._idle == [] and service._catching == 0
    time.sleep(0.2)
    assert not alive(runner.pid)
    assert number(service, ITEMS, store.version) == 5  # a fresh fork answers


CHECK_DELTA = """
import sys
from pathlib import Path
from miglod.query.union import UnionCopy

path, old = Path(sys.argv[1]), sys.argv[2]
caught_up = UnionCopy(path)
caught_up._load(old)
caught_up.version = old
assert caught_up.refresh()
reloaded = UnionCopy(path)
reloaded.refresh()
assert caught_up.version == reloaded.version
assert set(caught_up.store) == set(reloaded.store), "the delta and a full load differ"
print(len(reloaded.store))
"""


def test_catching_up_by_delta_gives_the_same_union_as_a_full_load(
    store: Store, store_path: Path
) -> None:
    old = store.version
    held = layout.hold(store_path, old)  # a reader still at it: three folds later, it is kept
    shared = (URIRef(f"{BASE}id/country/SR"), SDO.name, Literal("Surinam", lang="es"))
    write_item(store, 1, shared)  # restates a reference triple: it must survive the removal below
    write_item(store, 2)
    store.delete_graphs([f"{BASE}graph/news/written-2", f"{BASE}graph/places"])
    fold(store)
    write_item(store, 1)  # drops the restated triple again
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", CHECK_DELTA, str(store_path), old],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 100
    held.release()


def test_a_dead_zygote_is_replaced(service: QueryService) -> None:
    assert number(service, COUNTRIES) == 4
    assert service._zygote is not None
    service._zygote.kill()
    service._zygote.wait()
    while service._idle:  # runners forked from it keep working; drop them to force a new fork
        service._idle.pop().close()
    assert number(service, COUNTRIES) == 4


def test_close_stops_every_process_and_removes_the_spools(store_path: Path) -> None:
    service = QueryService(store_path, slots=None)
    outcome = service.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }", "json", None), timeout=10)
    assert outcome.rows is None and outcome.size > 0
    zygote, runner = service._zygote, service._idle[0]
    assert zygote is not None
    service.close()
    time.sleep(0.2)
    assert zygote.poll() is not None and not alive(runner.pid)
    assert not Path(service.spool_dir).exists()


def test_the_examples_are_precomputed_per_version_and_match_a_fresh_evaluation(
    store_path: Path, store: Store
) -> None:
    from miglod.query.examples import examples
    from miglod.query.precompute import cache_root, done_marker

    service = QueryService(store_path, slots=None, warm=(BASE, (2, 1000)))
    try:
        version = store.version
        service.start()
        done = done_marker(store_path, version, BASE, (2, 1000))
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.exists()
        for example in examples(BASE, None):
            for fmt, limit in (("json", 1000), ("csv", 2)):
                kept = service.run(
                    QueryRequest(example.query, fmt, limit, base_iri=BASE),
                    timeout=10,
                    version=version,
                )
                fresh = service.run(
                    QueryRequest(example.query + "\n# fresh", fmt, limit, base_iri=BASE),
                    timeout=10,
                    version=version,
                )
                assert kept.read() == fresh.read(), example.name
                assert (kept.rows, kept.truncated) == (fresh.rows, fresh.truncated)
        write_item(store, 1)
        service.run(QueryRequest("ASK {}"), timeout=10, version=store.version)
        deadline = time.monotonic() + 60
        while (
            not done_marker(store_path, store.version, BASE, (2, 1000)).exists()
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        kept = sorted(p.name for p in cache_root(store_path).iterdir())
        assert [name for name in kept if not name.startswith(".")] == [store.version]
    finally:
        service.close()


def test_the_last_service_of_a_store_removes_its_shared_directories(store_path: Path) -> None:
    from miglod.query.precompute import cache_root

    first = QueryService(store_path, slots=1, warm=(BASE, (2,)))
    second = QueryService(store_path, slots=1, warm=(BASE, (2,)))
    assert first.slots is not None
    shared = [first.slots.directory, cache_root(store_path)]
    assert number(first, COUNTRIES) == 4
    first.close()
    assert all(d.exists() for d in shared)  # the second still uses them
    second.close()
    assert not any(d.exists() for d in shared)


def test_a_worker_following_the_store_brings_its_runners_up_to_date(
    store: Store, store_path: Path
) -> None:
    from server.http import follow_store
    from server.sparql import sparql_state
    from tests.conftest import app_on

    app = app_on(store_path)
    answer = app.test_client().get("/sparql", query_string={"query": ITEMS, "format": "csv"})
    assert answer.status_code == 200 and answer.get_data(as_text=True).split()[1] == "4"
    service = sparql_state(app).service
    assert isinstance(service, QueryService)
    runner = service._idle[0]
    halt = follow_store(app, every=0.02)
    try:
        write_item(store, 1)
        deadline = time.monotonic() + 10
        while runner.version < store.version and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (runner.version, runner.follows) == (store.version, 1)  # no query asked for it
        asked = asking(service)
        answer = app.test_client().get("/sparql", query_string={"query": ITEMS, "format": "csv"})
        assert answer.get_data(as_text=True).split()[1] == "5"
        assert asked == [] and service._idle == [runner]
    finally:
        halt()
        service.close()


def test_a_worker_hears_of_a_new_generation_as_it_is_published(
    store: Store, store_path: Path
) -> None:
    pytest.importorskip("inotify_simple", reason="inotify is Linux's: elsewhere the thread polls")
    from server.http import follow_store
    from server.sparql import sparql_state
    from tests.conftest import app_on

    app = app_on(store_path)
    answer = app.test_client().get("/sparql", query_string={"query": ITEMS, "format": "csv"})
    assert answer.get_data(as_text=True).split()[1] == "4"
    service = sparql_state(app).service
    assert isinstance(service, QueryService)
    runner = service._idle[0]
    halt = follow_store(app, every=3600)  # it never looks on its own during the test
    try:
        write_item(store, 1)
        deadline = time.monotonic() + 30
        while runner.version < store.version and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (runner.version, runner.follows) == (store.version, 1)
        opened = app.extensions["miglod"].store
        assert opened.generation.name != store.version  # the worker's own turn is the next look
    finally:
        halt()
        service.close()


def test_a_worker_following_the_store_leaves_new_generations_to_its_thread(
    store: Store, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its queries name the newest generation and never open it (nor the journal) first."""
    from server.http import FOLLOWING
    from server.sparql import sparql_state
    from tests.conftest import app_on

    app = app_on(store_path)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": ITEMS, "format": "csv"}).status_code == 200
    served = app.extensions["miglod"].store
    refreshed: list[bool] = []
    original = served.refresh

    def refresh(*, wait: bool = True) -> bool:
        refreshed.append(wait)
        return bool(original(wait=wait))

    monkeypatch.setattr(served, "refresh", refresh)
    app.extensions[FOLLOWING] = lambda: None  # as ``serve`` sets it for a worker's thread
    try:
        write_item(store, 1)
        answer = client.get("/sparql", query_string={"query": ITEMS, "format": "csv"})
        assert answer.get_data(as_text=True).split()[1] == "5"  # the new generation's answer
        assert refreshed == []
        assert client.get("/").status_code == 200
        assert refreshed == [True]  # pages still catch up first
        del app.extensions[FOLLOWING]
        client.get("/sparql", query_string={"query": ITEMS + " ", "format": "csv"})
        assert refreshed == [True, False]  # without the thread, a query catches up without waiting
    finally:
        service = sparql_state(app).service
        if service is not None:
            service.close()


def test_the_spare_warms_up_then_follows_a_change_rather_than_being_forked_again(
    store_path: Path, store: Store
) -> None:
    """The zygote's spare runner is warmed once, then follows each change while it waits."""
    service = QueryService(store_path, slots=None, warm=(BASE, (2,)))
    try:
        assert number(service, ITEMS) == 4

        def fresh_runner(version: str = "") -> tuple[int, int]:
            """Drop the kept runners, so the next query takes the zygote's spare."""
            while service._idle:
                service._idle.pop().close()
            time.sleep(1.0)  # the data is still: a spare is forked and warms up
            assert number(service, ITEMS, version) >= 4
            runner = service._idle[-1]
            return runner.pid, runner.follows

        first, follows = fresh_runner()
        assert follows == 0
        while service._idle:
            service._idle.pop().close()
        time.sleep(1.0)  # the next spare is forked and warm
        write_item(store, 1)
        pid, follows = fresh_runner(store.version)
        assert follows == 1  # the waiting spare followed the change: no fork, no new warm-up
        assert pid != first
        assert number(service, ITEMS, store.version) == 5
    finally:
        service.close()
