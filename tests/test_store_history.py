"""Graph status, history, kept versions and conditional writes, on every store backend."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SDO

from miglod.store import ConflictError, Store
from tests.backends import another_handle, backend_params, open_backend
from tests.conftest import BASE, SURINAME_ID

GRAPH = BASE + "graph/news/history-1"
ITEM = URIRef(BASE + "id/news/history-1")
SURINAME_GRAPH = BASE + "graph/news/" + SURINAME_ID
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, built_store: Path, tmp_path: Path) -> Iterator[Store]:
    """Open a writable store holding the fixture data, on each configured backend."""
    yield from open_backend(request.param, built_store, tmp_path)


def version(n: int) -> Graph:
    """Return the ``n``-th version of a small news item (with a blank node)."""
    g = Graph()
    g.add((ITEM, RDF.type, SDO.NewsArticle))
    g.add((ITEM, SDO.headline, Literal(f"Headline, version {n}", lang="en")))
    g.add((ITEM, SDO.abstract, Literal(f'Text with "quotes"\nand a new line ({n})')))
    return g


def test_status_tells_new_live_and_removed_graphs(store: Store) -> None:
    assert store.status(GRAPH) is None
    [written] = store.replace_graphs({GRAPH: version(1)}, at=T0)
    live = store.status(GRAPH)
    assert live is not None and not live.deleted
    assert live.digest == written.after and live.modified == T0
    store.delete_graphs([GRAPH], at=T0 + dt.timedelta(hours=1))
    gone = store.status(GRAPH)
    assert gone is not None and gone.deleted
    assert gone.modified == T0 + dt.timedelta(hours=1)


def test_history_records_agent_before_and_after_oldest_first(store: Store) -> None:
    first = store.replace_graphs({GRAPH: version(1)}, at=T0, agent="alice")[0]
    second = store.replace_graphs(
        {GRAPH: version(2)}, at=T0 + dt.timedelta(minutes=1), agent="bob"
    )[0]
    removed = store.delete_graphs([GRAPH], at=T0 + dt.timedelta(minutes=2), agent="carol")[0]
    assert first.before is None and first.after is not None
    assert second.before == first.after and second.after not in (None, first.after)
    assert removed.deleted and removed.before == second.after and removed.after is None
    assert store.history(GRAPH) == [first, second, removed]
    assert [c.agent for c in store.history(GRAPH)] == ["alice", "bob", "carol"]
    assert store.changes(T0 + dt.timedelta(seconds=90)) == [removed]


def test_superseded_versions_stay_retrievable(store: Store) -> None:
    first = store.replace_graphs({GRAPH: version(1)})[0]
    second = store.replace_graphs({GRAPH: version(2)})[0]
    assert first.after is not None and second.after is not None
    old = store.version_of(GRAPH, first.after)
    assert old is not None and isomorphic(_graph(old), version(1))
    current = store.version_of(GRAPH, second.after)
    assert current is not None and isomorphic(_graph(current), version(2))
    assert store.version_of(GRAPH, "0" * 32) is None


def test_a_write_expecting_the_current_digest_succeeds(store: Store) -> None:
    before = store.status(SURINAME_GRAPH)
    assert before is not None
    changes = store.replace_graphs(
        {SURINAME_GRAPH: version(1)}, expect={SURINAME_GRAPH: before.digest}
    )
    assert [c.before for c in changes] == [before.digest]
    assert store.replace_graphs({GRAPH: version(1)}, expect={GRAPH: None})


def test_a_write_expecting_another_digest_changes_nothing(store: Store) -> None:
    before = store.status(SURINAME_GRAPH)
    version_token = store.version
    with pytest.raises(ConflictError) as raised:
        store.replace_graphs(
            {SURINAME_GRAPH: version(1), GRAPH: version(2)}, expect={SURINAME_GRAPH: "f" * 32}
        )
    assert raised.value.graph == SURINAME_GRAPH and raised.value.found == before.digest
    assert store.status(SURINAME_GRAPH) == before and store.status(GRAPH) is None
    assert store.version == version_token
    with pytest.raises(ConflictError):
        store.replace_graphs({SURINAME_GRAPH: version(1)}, expect={SURINAME_GRAPH: None})
    with pytest.raises(ConflictError):
        store.delete_graphs([SURINAME_GRAPH], expect={SURINAME_GRAPH: "f" * 32})
    assert store.status(SURINAME_GRAPH) == before


def test_racing_writers_on_one_graph_one_wins(store: Store) -> None:
    start = store.replace_graphs({GRAPH: version(0)})[0].after
    others = [another_handle(store) for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(others))

    def write(handle: Store, n: int) -> None:
        barrier.wait()
        try:
            handle.replace_graphs({GRAPH: version(n)}, agent=f"w{n}", expect={GRAPH: start})
            outcomes.append(f"won {n}")
        except ConflictError:
            outcomes.append("lost")

    threads = [threading.Thread(target=write, args=(h, n)) for n, h in enumerate(others, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for handle in others:
        handle.close()
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("lost") == len(others) - 1
    store.refresh()
    history = store.history(GRAPH)
    assert [c.before for c in history] == [None, start]
    winner = int(winners[0].split()[1])
    assert history[-1].agent == f"w{winner}"
    content = store.version_of(GRAPH, str(history[-1].after))
    assert content is not None and isomorphic(_graph(content), version(winner))


def test_racing_writers_on_different_graphs_all_land(store: Store) -> None:
    others = [another_handle(store) for _ in range(4)]
    barrier = threading.Barrier(len(others))
    failures: list[BaseException] = []

    def write(handle: Store, n: int) -> None:
        barrier.wait()
        try:
            for k in range(3):
                handle.replace_graphs({f"{GRAPH}-{n}-{k}": version(k)})
        except BaseException as exc:  # reported below, with the thread's error
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(h, n)) for n, h in enumerate(others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for handle in others:
        handle.close()
    assert failures == []
    store.refresh()
    written = {c.graph for c in store.changes(T0 - dt.timedelta(days=3650), limit=10000)}
    assert {f"{GRAPH}-{n}-{k}" for n in range(4) for k in range(3)} <= written


def _graph(triples: tuple[tuple[object, object, object], ...]) -> Graph:
    g = Graph()
    for triple in triples:
        g.add(triple)  # type: ignore[arg-type]
    return g
