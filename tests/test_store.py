"""The embedded store: atomic graph replacement, change records, queries, descriptions."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod.store import (
    BulkInput,
    QueryError,
    QueryTimeoutError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    StoreNotFoundError,
    build_store,
    layout,
    open_store,
)
from tests.backends import backend_params, open_backend
from tests.conftest import BASE, FIXTURES, fixture_inputs

SURINAME_ID = (
    "2021-09-20-iom-and-suriname-government-launch-innovative-report-on-national-migration"
)
SURINAME = BASE + "id/news/" + SURINAME_ID
SURINAME_GRAPH = BASE + "graph/news/" + SURINAME_ID
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # after the fixture store was built


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, built_store: Path, tmp_path: Path) -> Iterator[Store]:
    """Open a writable store holding the fixture data, on each configured backend."""
    yield from open_backend(request.param, built_store, tmp_path)


def item(n: int) -> Graph:
    """Return a tiny news item graph."""
    g = Graph()
    s = URIRef(BASE + f"id/news/test-{n}")
    g.add((s, RDF.type, SDO.NewsArticle))
    g.add((s, SDO.headline, Literal(f"Headline {n}", lang="en")))
    return g


def test_build_records_every_graph_as_changed(tmp_path: Path) -> None:
    changes = build_store(tmp_path / "s", fixture_inputs(), at=T0)
    assert {c.graph for c in changes} == {i.graph for i in fixture_inputs()}
    assert all(c.modified == T0 and not c.deleted for c in changes)


def test_rebuild_of_same_data_changes_nothing(store_path: Path) -> None:
    before = open_store(store_path, read_only=True)
    assert build_store(store_path, fixture_inputs(), at=T0) == []
    after = open_store(store_path, read_only=True)
    assert after.version != before.version
    assert after.modified == before.modified
    assert [c.modified for c in after.changes()] == [c.modified for c in before.changes()]


def test_rebuild_reports_changed_and_removed_graphs(store_path: Path, tmp_path: Path) -> None:
    inputs = fixture_inputs()
    places = next(i for i in inputs if i.graph.endswith("graph/places"))
    edited = tmp_path / "places.ttl"
    edited.write_text(places.path.read_text().replace("Georgetown", "Georgetown City"))
    kept = [i for i in inputs if i is not places and i.graph != SURINAME_GRAPH]
    changes = build_store(store_path, [*kept, BulkInput(edited, places.graph)], at=T0)
    assert {(c.graph, c.deleted) for c in changes} == {
        (places.graph, False),
        (SURINAME_GRAPH, True),
    }
    reader = open_store(store_path, read_only=True)
    assert not reader.describe(SURINAME)
    assert reader.changes(T0 - dt.timedelta(seconds=1))[-1].modified == T0


def test_failed_build_leaves_the_published_store_untouched(
    store_path: Path, tmp_path: Path
) -> None:
    before = open_store(store_path, read_only=True)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .")
    with pytest.raises(StoreError):
        build_store(store_path, [*fixture_inputs(), BulkInput(broken, BASE + "graph/broken")])
    after = open_store(store_path, read_only=True)
    assert after.version == before.version
    assert after.describe(SURINAME)
    assert not list((store_path / layout.GENERATIONS).glob(layout.TMP_PREFIX + "*"))


def test_build_refuses_to_replace_a_directory_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not a miglod store"):
        build_store(tmp_path, fixture_inputs())
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_triples_need_a_graph(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="needs the graph"):
        build_store(tmp_path / "s", [FIXTURES / "countries.ttl"])


def test_read_only_opener_needs_a_store_and_cannot_write(tmp_path: Path, store_path: Path) -> None:
    with pytest.raises(StoreNotFoundError):
        open_store(tmp_path / "missing", read_only=True)
    reader = open_store(store_path, read_only=True)
    with pytest.raises(ReadOnlyStoreError):
        reader.replace_graphs({BASE + "graph/news/test-1": item(1)})


def test_writable_opener_creates_an_empty_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new")
    assert store.modified is None
    assert store.changes() == []
    assert store.query("ASK { ?s ?p ?o }").boolean is False


def test_replace_graphs_is_visible_and_recorded(store: Store) -> None:
    version = store.version
    changes = store.replace_graphs({BASE + "graph/news/test-1": item(1)}, at=T0)
    assert [(c.graph, c.deleted) for c in changes] == [(BASE + "graph/news/test-1", False)]
    assert store.version != version
    assert (URIRef(BASE + "id/news/test-1"), SDO.headline, Literal("Headline 1", lang="en")) in (
        store.describe(BASE + "id/news/test-1").triples
    )


def test_replacing_with_the_same_triples_is_not_a_change(store: Store) -> None:
    store.replace_graphs({BASE + "graph/news/test-1": item(1)})
    version = store.version
    assert store.replace_graphs({BASE + "graph/news/test-1": item(1)}) == []
    assert store.version == version


def test_replace_after_bulk_load_of_same_triples_is_not_a_change(store: Store) -> None:
    graph = Graph().parse(FIXTURES / "countries.ttl")
    assert store.replace_graphs({BASE + "graph/countries": graph}) == []


def test_replace_graphs_replaces_the_whole_graph(store: Store) -> None:
    store.replace_graphs({BASE + "graph/news/test-1": item(1)})
    store.replace_graphs({BASE + "graph/news/test-1": item(2)})
    assert not store.describe(BASE + "id/news/test-1")
    assert store.describe(BASE + "id/news/test-2")


def test_several_graphs_are_replaced_together(store: Store) -> None:
    changes = store.replace_graphs({BASE + f"graph/news/test-{n}": item(n) for n in range(3)})
    assert len(changes) == 3
    assert len({c.modified for c in changes}) == 1


def test_delete_graphs_records_a_tombstone(store: Store) -> None:
    changes = store.delete_graphs([SURINAME_GRAPH], at=T0 + dt.timedelta(days=1))
    assert [(c.graph, c.deleted) for c in changes] == [(SURINAME_GRAPH, True)]
    assert not store.describe(SURINAME)
    assert store.changes(T0)[-1].graph == SURINAME_GRAPH
    assert store.delete_graphs([SURINAME_GRAPH]) == []


def test_changes_since_a_time_are_ordered_and_limited(store: Store) -> None:
    for n in range(3):
        store.replace_graphs(
            {BASE + f"graph/news/test-{n}": item(n)}, at=T0 + dt.timedelta(hours=n)
        )
    since = store.changes(T0 - dt.timedelta(seconds=1))
    assert [c.graph for c in since] == [BASE + f"graph/news/test-{n}" for n in range(3)]
    assert len(store.changes(T0 - dt.timedelta(seconds=1), limit=2)) == 2


def test_a_reader_sees_a_writer_after_refresh(store_path: Path) -> None:
    reader = open_store(store_path, read_only=True)
    writer = open_store(store_path)
    writer.replace_graphs({BASE + "graph/news/test-1": item(1)})
    assert not reader.describe(BASE + "id/news/test-1")
    assert reader.refresh() is True
    assert reader.describe(BASE + "id/news/test-1")
    assert reader.refresh() is False


def test_old_generations_are_pruned(store_path: Path) -> None:
    store = open_store(store_path)
    for n in range(5):
        store.replace_graphs({BASE + "graph/news/test-1": item(n)})
        store.compact()  # writes are journaled; each fold makes a generation
    layout.prune(store_path, keep=1)
    names = [p.name for p in (store_path / layout.GENERATIONS).iterdir()]
    assert len(names) == 2
    assert layout.current_name(store_path) in names


def test_a_generation_a_reader_holds_stays_until_it_lets_go(store_path: Path) -> None:
    writer = open_store(store_path)
    writer.replace_graphs({BASE + "graph/news/test-1": item(1)})
    writer.compact()
    reader = open_store(store_path, read_only=True)
    read = layout.current_name(store_path)
    for n in range(4):
        writer.replace_graphs({BASE + "graph/news/test-1": item(n + 2)})
        writer.compact()  # each fold prunes what nobody holds, beyond KEEP
    generations = store_path / layout.GENERATIONS
    names = sorted(p.name for p in generations.iterdir() if not p.name.startswith("."))
    # The current one, the two newest replaced ones, and the one the reader holds.
    assert len(names) == 2 + layout.KEEP
    assert read in names and names.index(read) == 0
    assert reader.describe(BASE + "id/news/test-1")  # still readable where it was
    reader.refresh()  # moves on: the old generation is let go
    assert layout.current_name(store_path) == reader.generation.name
    assert layout.prune(store_path) == [read]
    assert not layout.generation_dir(store_path, read).exists()
    reader.close()
    writer.close()


def _open_files_under(directory: Path) -> list[str]:
    """Return the files under ``directory`` this process has open (Linux's /proc)."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith(str(directory)):
                found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_replaced_generation_s_files_are_closed_when_it_is_let_go_without_a_collection(
    store_path: Path,
) -> None:
    # A reader's replaced generation must not keep files open until a garbage
    # collection: once pruned, closing them frees the deleted files' space, and a
    # collection that did it for many generations at once stalled a request.
    writer = open_store(store_path)
    writer.replace_graphs({BASE + "graph/news/test-1": item(1)})
    writer.compact()
    reader = open_store(store_path, read_only=True)
    assert reader.describe(BASE + "id/news/test-1")  # reads the index and the triples
    old = layout.generation_dir(store_path, reader.generation.name).resolve()
    assert any(f.endswith(layout.INDEX_FILE) for f in _open_files_under(old))
    gc.disable()
    try:
        writer.replace_graphs({BASE + "graph/news/test-1": item(2)})
        writer.compact()
        reader.refresh()
        assert reader.generation.name != old.name
        assert _open_files_under(old) == []
    finally:
        gc.enable()
    reader.close()
    writer.close()


def test_a_generation_is_published_with_its_readers_file_and_holding_it_writes_nothing(
    store_path: Path,
) -> None:
    writer = open_store(store_path)
    writer.replace_graphs({BASE + "graph/news/test-1": item(1)})
    tmp = layout.make_tmp(store_path)
    layout.publish(store_path, tmp, layout.new_name(dt.datetime.now(dt.UTC)))
    name = layout.current_name(store_path)
    directory = layout.generation_dir(store_path, name)
    assert (directory / layout.READERS).is_file()  # made with the generation
    before = os.stat(directory).st_mtime_ns
    hold = layout.hold(store_path, name)
    assert os.stat(directory).st_mtime_ns == before  # no file made: nothing written
    hold.release()
    (directory / layout.READERS).unlink()  # as in a generation published before the file
    hold = layout.hold(store_path, name)
    assert hold.held and (directory / layout.READERS).is_file()
    hold.release()
    writer.close()


def test_a_hold_on_a_removed_generation_fails_and_the_current_one_is_held(
    store_path: Path,
) -> None:
    writer = open_store(store_path)
    first = layout.current_name(store_path)
    for n in range(4):
        writer.replace_graphs({BASE + "graph/news/test-1": item(n)})
        writer.compact()
    assert not layout.generation_dir(store_path, first).exists()
    with pytest.raises(layout.GenerationGoneError):
        layout.hold(store_path, first)
    name, hold = layout.hold_current(store_path)
    assert name == layout.current_name(store_path) and hold.held
    hold.release()
    hold.release()  # twice: nothing
    assert not hold.held
    writer.close()


def test_a_forked_child_does_not_keep_its_parents_hold(store_path: Path) -> None:
    writer = open_store(store_path)
    writer.replace_graphs({BASE + "graph/news/test-1": item(1)})
    writer.compact()
    name, hold = layout.hold_current(store_path)
    ready, go = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child waits until told, holding nothing
        os.write(ready[1], b"x")
        os.read(go[0], 1)
        os._exit(0)
    try:
        os.read(ready[0], 1)
        hold.release()  # the child still runs: only its inherited copy could hold it now
        for n in range(3):
            writer.replace_graphs({BASE + "graph/news/test-1": item(n + 2)})
            writer.compact()
        assert not layout.generation_dir(store_path, name).exists()
    finally:
        os.write(go[1], b"x")
        os.waitpid(pid, 0)
        for fd in (*ready, *go):
            os.close(fd)
        writer.close()


def test_a_watch_wakes_when_a_generation_is_published(store_path: Path) -> None:
    pytest.importorskip("inotify_simple", reason="inotify is Linux's: elsewhere the watch polls")
    watch = layout.CurrentWatch(store_path)
    stop = threading.Event()
    store = open_store(store_path)
    try:
        assert watch.notified
        assert watch.wait(0.05, stop) is False  # nothing published: the timeout passes
        store.replace_graphs({BASE + "graph/news/test-1": item(1)})  # journaled, not published
        assert watch.wait(0.05, stop) is False
        folding = threading.Timer(0.2, store.compact)
        folding.start()
        assert watch.wait(60, stop) is True  # woken by the new generation, not by the timeout
        folding.join()
    finally:
        watch.close()
        store.close()


def test_a_watch_that_breaks_goes_on_waiting(store_path: Path) -> None:
    pytest.importorskip("inotify_simple", reason="inotify is Linux's: elsewhere the watch polls")
    watch = layout.CurrentWatch(store_path)
    assert watch.notified

    def broken(**_: object) -> list[object]:
        raise OSError("the watch is gone")

    watch._notify.read = broken
    assert watch.wait(0.01, threading.Event()) is False  # no error: it waited
    assert not watch.notified


def test_without_inotify_a_watch_only_waits(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "inotify_simple", None)  # as on a system without it
    watch = layout.CurrentWatch(store_path)
    stop = threading.Event()
    assert not watch.notified
    assert watch.wait(0.01, stop) is False
    stop.set()
    assert watch.wait(60, stop) is False  # returns at once when told to stop
    watch.close()


def test_query_answers_select_ask_and_construct(store: Store) -> None:
    select = store.query("SELECT ?c WHERE { ?c a <https://schema.org/Country> } ORDER BY ?c")
    assert select.kind == "solutions" and select.variables == ("c",)
    assert [row[0] for row in select.rows][:2] == [
        URIRef(BASE + "id/country/GY"),
        URIRef(BASE + "id/country/MX"),
    ]
    assert store.query("ASK { ?s a <https://schema.org/NewsArticle> }").boolean is True
    construct = store.query(f"CONSTRUCT WHERE {{ <{BASE}id/country/SR> ?p ?o }}")
    assert construct.kind == "triples" and len(construct.triples) == 12


def test_query_keeps_plain_literals_plain(store: Store) -> None:
    rows = store.query(
        f"SELECT ?o WHERE {{ <{BASE}id/country/SR> <https://schema.org/identifier> ?o }}"
    ).rows
    assert rows == ((Literal("SR"),),)


def test_query_limit_truncates(store: Store) -> None:
    result = store.query("SELECT ?s WHERE { ?s ?p ?o }", limit=3)
    assert len(result.rows) == 3 and result.truncated


def test_query_errors_are_typed(store: Store) -> None:
    with pytest.raises(QueryError):
        store.query("SELEC nothing")
    with pytest.raises(QueryError):
        store.query("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")


def test_query_time_limit(store: Store) -> None:
    with pytest.raises(QueryTimeoutError):
        store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=0)


def test_changes_page_through_changes_made_at_one_time(store: Store) -> None:
    store.replace_graphs({BASE + f"graph/news/test-{n}": item(n) for n in range(5)}, at=T0)
    first = store.changes(T0 - dt.timedelta(seconds=1), limit=2)
    rest = store.changes(first[-1].modified, after=first[-1].graph, limit=10)
    assert [c.graph for c in first + rest] == [BASE + f"graph/news/test-{n}" for n in range(5)]


def test_a_store_from_another_version_is_refused_then_rebuilt(store_path: Path) -> None:
    index = layout.generation_dir(store_path, layout.current_name(store_path)) / layout.INDEX_FILE
    with sqlite3.connect(index) as db:
        db.execute("PRAGMA user_version = 1")
    with pytest.raises(StoreError, match="another version"):
        open_store(store_path, read_only=True)
    changes = build_store(store_path, fixture_inputs())
    assert len(changes) == len(fixture_inputs())
    assert open_store(store_path, read_only=True).describe(SURINAME)


def test_query_results_can_cross_a_process_boundary(store: Store) -> None:
    for sparql in (
        "SELECT ?s ?o WHERE { ?s <https://schema.org/name> ?o }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s <https://schema.org/name> ?o }",
    ):
        result = store.query(sparql)
        assert pickle.loads(pickle.dumps(result)) == result
