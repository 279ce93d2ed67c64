"""The columnar copy follows the union copy of a real store: loaded with it, caught up by deltas."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from miglod.query import union
from miglod.query.union import UnionCopy
from miglod.store import Store, layout
from tests.conftest import BASE
from tests.test_sparql_helper import write_item

QUERIES = [
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type",
    'SELECT ?s ?h WHERE { ?s <https://schema.org/headline> ?h FILTER(LANG(?h) = "en") }'
    " ORDER BY ?s ?h",
    f"SELECT ?o ?name WHERE {{ ?s ?p ?o OPTIONAL {{ ?o <https://schema.org/name> ?name"
    f' FILTER(LANG(?name) = "en") }} FILTER(STRSTARTS(STR(?o), "{BASE}id/")) }} ORDER BY ?o ?name',
]


def agree(copy: UnionCopy) -> None:
    """Assert the columnar copy answers the queries as the in-memory union does."""
    columnar = copy.live_columnar()
    assert columnar is not None and copy.store is not None
    for query in QUERIES:
        body, _ = columnar.select(query, None)
        mine = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(mine, ox.QuerySolutions)
        theirs = copy.store.query(query)
        assert isinstance(theirs, ox.QuerySolutions)
        tsv = ox.QueryResultsFormat.TSV
        assert mine.serialize(format=tsv) == theirs.serialize(format=tsv), query


def test_the_columnar_copy_loads_and_follows_deltas(store: Store, store_path: Path) -> None:
    copy = UnionCopy(store_path, columnar=True)
    assert copy.columnar is not None
    copy.columnar.min_triples = 0  # a small store: answer from the columns all the same
    try:
        assert not copy.step(0.0)
        assert copy.live_columnar() is None  # not before the load is complete
        copy.refresh()
        agree(copy)
        loaded = copy.store
        write_item(store, 1)
        write_item(store, 2)
        assert copy.step(5.0)
        assert copy.store is loaded, "the write is applied as a delta"
        assert copy.columnar is not None and copy.columnar.version == store.version
        agree(copy)
    finally:
        copy.close()


def loaded(store_path: Path) -> UnionCopy:
    """Return a copy of the store's current generation, in memory and in columns."""
    copy = UnionCopy(store_path, columnar=True)
    assert copy.columnar is not None
    copy.columnar.min_triples = 0
    copy.refresh()
    return copy


def like_a_fresh_load(copy: UnionCopy, store_path: Path, copies: list[UnionCopy]) -> None:
    """Assert ``copy`` holds what a fresh load holds (kept in ``copies`` to be closed), in both forms."""
    fresh = loaded(store_path)
    copies.append(fresh)
    assert set(copy.store or ()) == set(fresh.store or ())
    agree(copy)


def test_a_copy_follows_the_deltas_another_copy_read(store: Store, store_path: Path) -> None:
    """A runner follows the zygote's deltas: its copy then equals a fresh load, in both forms."""
    leader, follower = loaded(store_path), loaded(store_path)
    copies = [leader, follower]
    try:
        first = store.version
        write_item(store, 1)
        leader.read_ahead()  # read, not yet applied: a runner may follow before the zygote does
        assert leader.version == first
        chain = leader.deltas_since(first)
        assert chain is not None and [new for new, _, _ in chain] == [store.version]
        follower.follow(chain)
        assert follower.version == store.version
        assert follower.columnar is not None and len(follower.columnar.deferred) == 1
        agree(follower)  # a query on the columns applies what was deferred first
        assert follower.columnar.deferred == []
        fresh = loaded(store_path)
        copies.append(fresh)
        assert set(follower.store or ()) == set(fresh.store or ())

        # Read ahead twice, then applied: the kept deltas form one chain that a runner
        # on any version in it can follow.
        second = store.version
        write_item(store, 2)
        leader.read_ahead()
        third = store.version
        store.delete_graphs([f"{BASE}graph/news/helper-1"])
        write_item(store, 3)
        leader.read_ahead()
        assert leader.version == first
        assert leader.step(5.0) and leader.version == store.version
        chain = leader.deltas_since(second)
        assert chain is not None and [new for new, _, _ in chain] == [third, store.version]
        assert leader.deltas_since(store.version) == []
        assert leader.deltas_since("never") is None
        follower.follow(chain)
        agree(follower)
        fresh = loaded(store_path)
        copies.append(fresh)
        assert set(follower.store or ()) == set(fresh.store or ()) == set(leader.store or ())
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{BASE}id/news/helper-1> ?p ?o }}"
        assert next(iter(follower.store.query(count)))[0].value == "0"  # type: ignore[union-attr, index, call-overload]
    finally:
        # Newest first: each copy's reading process holds the sockets of those made before.
        for copy in reversed(copies):
            copy.close()


def test_a_delta_too_large_to_keep_is_still_applied(
    store: Store, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runners cannot follow a delta over the kept size, but the copy itself catches up."""
    monkeypatch.setattr(union, "KEPT_DELTA_BYTES", 1)
    copy = loaded(store_path)
    copies = [copy]
    try:
        first = store.version
        write_item(store, 1)
        copy.read_ahead()
        write_item(store, 2)
        assert copy.deltas_since(first) is None  # nothing kept: a runner would be forked anew
        assert copy.step(5.0) and copy.version == store.version
        like_a_fresh_load(copy, store_path, copies)
    finally:
        for each in reversed(copies):
            each.close()


def test_without_columnar_there_is_none(store_path: Path) -> None:
    copy = UnionCopy(store_path)
    try:
        copy.refresh()
        assert copy.columnar is None and copy.live_columnar() is None
    finally:
        copy.close()


def _loaded_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_the_setting_reaches_the_zygote(store_path: Path) -> None:
    """With ``columnar`` off the zygote never loads DuckDB; on, it does once the copy is in."""
    from miglod.query import QueryService
    from tests.test_sparql_service import COUNTRIES, number

    for columnar in (False, True):
        service = QueryService(store_path, slots=None, columnar=columnar)
        try:
            service.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert number(service, COUNTRIES) == 4
                zygote = service._zygote
                assert zygote is not None
                if "duckdb" in _loaded_libraries(zygote.pid) or not columnar:
                    break
                time.sleep(0.2)
            time.sleep(0.5)  # the copy is in memory by now (four countries, a small store)
            assert ("duckdb" in _loaded_libraries(zygote.pid)) is columnar
        finally:
            service.close()


def test_a_copy_reads_what_a_fold_wrote_and_asks_the_store_otherwise(
    store: Store, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fold's written delta is read without the reading process; another change still is."""
    copy = loaded(store_path)
    asked: list[tuple[str, str]] = []
    assert copy.reader is not None
    reading = copy.reader.delta

    def delta(old: str, new: str) -> object:
        asked.append((old, new))
        return reading(old, new)

    monkeypatch.setattr(copy.reader, "delta", delta)
    copies = [copy]
    try:
        write_item(store, 1)  # folded from the generation the copy holds
        assert copy.step(5.0) and copy.version == store.version
        assert asked == []
        write_item(store, 2)
        write_item(store, 3)  # two folds since the copy's generation: read one after the other
        assert copy.step(5.0) and copy.version == store.version
        assert asked == [] and len(copy.deltas) == 3
        like_a_fresh_load(copy, store_path, copies)
        held = store.version
        write_item(store, 4)
        write_item(store, 5)
        shutil.rmtree(layout.generation_dir(store_path, store.version) / layout.DELTA_DIR)
        assert copy.step(5.0) and copy.version == store.version  # a fold on the way wrote none
        assert asked == [(held, store.version)]
        like_a_fresh_load(copy, store_path, copies)
    finally:
        for each in reversed(copies):
            each.close()
