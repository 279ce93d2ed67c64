"""The deltas the query copies follow: read from the journal after a fold, from both generations after a build."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import SDO

from miglod.query import delta
from miglod.store import BulkInput, Store, build_store, layout
from miglod.store.compact import fold_delta
from tests.conftest import BASE

SHARED = (URIRef(BASE + "id/thing/shared"), SDO.name, Literal("Stated twice"))
ONLY_A = (URIRef(BASE + "id/thing/a"), SDO.name, Literal("Only in A"))
NEW = (URIRef(BASE + "id/thing/c"), SDO.name, Literal("New in C"))
A, B, C = (BASE + f"graph/delta-{name}" for name in "abc")


def nt(*triples: tuple[URIRef, URIRef, Literal]) -> set[str]:
    return {f"<{s}> <{p}> {o.n3()} ." for s, p, o in triples}


def lines(data: bytes) -> set[str]:
    return {line.strip() for line in data.decode().splitlines() if line.strip()}


def read(path: Path, old: str, new: str, opened: delta.Opened) -> tuple[set[str], set[str]]:
    """Return the delta read from the journal, after checking the fold wrote the same one."""
    out = io.BytesIO()
    delta.write_delta(path, old, new, out, opened)
    found = pickle.loads(out.getvalue())
    assert found is not None
    removed, added = found
    written = fold_delta(path, old, new)
    assert written is not None
    assert (lines(written[0]), lines(written[1])) == (lines(removed), lines(added))
    return lines(removed), lines(added)


def test_a_fold_is_read_from_the_journal_as_the_union_changed(
    store: Store, store_path: Path
) -> None:
    """A triple still stated in another graph is not removed; one stated nowhere any more is."""
    store.replace_graphs({A: [SHARED, ONLY_A], B: [SHARED]})
    assert store.compact()
    old = layout.current_name(store_path)
    store.replace_graphs({A: []})  # A drops both: SHARED stays through B, ONLY_A goes
    store.replace_graphs({C: [ONLY_A]})
    store.replace_graphs({C: [NEW]})  # the latest entry of a graph counts
    assert store.compact()
    new = layout.current_name(store_path)

    opened = delta.Opened(store_path)
    removed, added = read(store_path, old, new, opened)
    assert removed == nt(ONLY_A)
    assert added == nt(NEW)
    assert list(opened.handles) == [old]  # the new generation was not opened for it

    assert between(store_path, old, new) == (removed, added)  # as read from both generations


def test_a_triple_dropped_from_every_graph_stating_it_is_removed(
    store: Store, store_path: Path
) -> None:
    store.replace_graphs({A: [SHARED], B: [SHARED]})
    assert store.compact()
    old = layout.current_name(store_path)
    store.delete_graphs([A])
    store.replace_graphs({B: [NEW]})
    assert store.compact()
    new = layout.current_name(store_path)
    removed, added = read(store_path, old, new, delta.Opened(store_path))
    assert removed == nt(SHARED)
    assert added == nt(NEW)
    assert between(store_path, old, new) == (removed, added)


def test_a_triple_moved_to_another_changed_graph_stays(store: Store, store_path: Path) -> None:
    store.replace_graphs({A: [SHARED], B: [ONLY_A]})
    assert store.compact()
    old = layout.current_name(store_path)
    store.delete_graphs([A])
    store.replace_graphs({C: [SHARED, NEW]})
    assert store.compact()
    new = layout.current_name(store_path)
    removed, added = read(store_path, old, new, delta.Opened(store_path))
    assert removed == set()
    assert added == nt(SHARED, NEW)
    assert between(store_path, old, new) == (removed, added)


def between(path: Path, old: str, new: str) -> tuple[set[str], set[str]]:
    """Return the delta as read from both generations' graphs, not from the journal."""
    found = delta._between(
        delta.Opened(path),
        old,
        new,
        layout.generation_dir(path, old),
        layout.generation_dir(path, new),
    )
    assert found is not None
    form = ox.RdfFormat.N_TRIPLES
    return lines(ox.serialize(found[0], format=form) or b""), lines(
        ox.serialize(found[1], format=form) or b""
    )


def test_after_a_build_both_generations_are_read(
    store: Store, store_path: Path, tmp_path: Path
) -> None:
    old = layout.current_name(store_path)
    source = tmp_path / "one.nq"
    source.write_text(f"<{NEW[0]}> <{NEW[1]}> {NEW[2].n3()} <{C}> .\n")
    store.close()
    build_store(store_path, [BulkInput(source)])
    new = layout.current_name(store_path)
    assert (
        delta._folded_span(
            layout.generation_dir(store_path, old) / layout.INDEX_FILE,
            layout.generation_dir(store_path, new) / layout.INDEX_FILE,
        )
        is None
    )  # a new lineage: the journal does not say what changed
    out = io.BytesIO()
    opened = delta.Opened(store_path)
    delta.write_delta(store_path, old, new, out, opened)
    found = pickle.loads(out.getvalue())
    assert found is not None  # a small build: a delta between lineages, read from both
    assert lines(found[1]) == nt(NEW)
    assert lines(found[0])  # what the old lineage stated is gone
    assert fold_delta(store_path, old, new) is None  # a build writes none
    assert set(opened.handles) == {old, new}
    rebuilt = ox.Store.read_only(str(layout.generation_dir(store_path, new) / layout.RDF_DIR))
    assert len(rebuilt) == 1
