"""Fold journaled writes into a new generation.

Writes are journaled (cheap, atomic, durable) and served by every reader at
once through its overlay; folding them into a new RocksDB generation costs a
copy, a flush and every reader reopening, so it is done for many writes at a
time. Writers go on while a fold runs: the new generation records the last
entry it includes, and readers serve the entries after it from their overlay.
A fold killed midway leaves only a hidden directory the next one removes.

A fold also writes what it changed in the union of the graphs (the default
graph SPARQL queries see) beside the new generation, in ``delta/``: the
in-memory query copies then catch up by reading two small files, not by
comparing generations on the way of the first query after a write.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyoxigraph as ox

from miglod.store import layout
from miglod.store.base import Change
from miglod.store.history import Journal
from miglod.store.index import GraphIndex, GraphRecord
from miglod.store.links import LinkCollector

#: Above this many changed graphs a fold writes no delta: a copy reloads instead.
MAX_DELTA_GRAPHS = 5000


def compact(path: Path, journal: Journal, *, wait: bool = False) -> str | None:
    """Fold the journal into a new generation; return its name.

    ``None`` when nothing is waiting to be folded, or (unless ``wait``) when
    another process is making a generation right now.
    """
    with layout.writer_lock(path, layout.GENERATION_LOCK, wait=wait) as held:
        if not held:
            return None
        base = layout.generation_dir(path, layout.current_name(path))
        index = GraphIndex(base / layout.INDEX_FILE)
        try:
            folded = index.folded()
        finally:
            index.close()
        top = journal.last()
        if top <= folded:
            return None
        latest = journal.latest(folded, top)
        tmp = layout.make_tmp(path)
        try:
            reader = ox.Store.read_only(str(base / layout.RDF_DIR))
            reader.backup(str(tmp / layout.RDF_DIR))
            shutil.copyfile(base / layout.INDEX_FILE, tmp / layout.INDEX_FILE)
            now = _fold(tmp, latest, journal, top)
            _write_delta(tmp, base.name, reader, now)
            del reader
            name = layout.new_name(dt.datetime.now(dt.UTC))
            layout.publish(path, tmp, name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        layout.prune(path)
    return name


def _fold(
    target: Path, latest: dict[str, Change], journal: Journal, top: int
) -> dict[str, set[ox.Triple]]:
    """Replace the graphs ``latest`` names in the copy at ``target``; return their new triples."""
    writer = ox.Store(str(target / layout.RDF_DIR))
    links = LinkCollector()
    now: dict[str, set[ox.Triple]] = {}
    for graph, change in latest.items():
        name = ox.NamedNode(graph)
        writer.remove_graph(name)
        now[graph] = set()
        if change.deleted or change.after is None:
            continue
        content = journal.version(change.after) or b""
        triples = [q.triple for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)]
        now[graph] = set(triples)
        writer.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        for triple in triples:
            links.add_triple(triple, graph)
    writer.flush()
    del writer
    records = [
        GraphRecord(c.graph, c.after or c.before or "", c.modified, c.deleted, c.agent, c.before)
        for c in latest.values()
    ]
    index = GraphIndex(target / layout.INDEX_FILE, writable=True)
    index.write(records)
    index.replace_links(list(latest), links)
    index.set_folded(top)
    index.close()
    return now


def union_change(
    before: ox.Store, now: dict[str, set[ox.Triple]]
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Return the triples the union of the graphs loses and gains when graphs change.

    ``before`` holds the graphs as they were; ``now`` maps each changed graph to
    its triples now (none: deleted). A triple a changed graph drops is lost only
    if no changed graph states it now and no unchanged graph states it; a triple
    a changed graph gains is listed whether or not another graph states it too.
    """
    stated_now = set().union(*now.values())
    removed: list[ox.Triple] = []
    added: list[ox.Triple] = []
    for graph in sorted(now):
        was = {q.triple for q in before.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
        added.extend(now[graph] - was)
        for t in was - now[graph]:
            if t in stated_now:
                continue
            elsewhere = (
                q.graph_name for q in before.quads_for_pattern(t.subject, t.predicate, t.object)
            )
            if not any(
                not isinstance(name, ox.NamedNode) or name.value not in now for name in elsewhere
            ):
                removed.append(t)
    return removed, added


def has_default_graph(rdf: ox.Store) -> bool:
    """Return whether triples sit in the store's default graph (then not the named graphs' union)."""
    return next(iter(rdf.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def _write_delta(target: Path, base: str, before: ox.Store, now: dict[str, set[ox.Triple]]) -> None:
    """Write the union's change from generation ``base`` into the new generation at ``target``.

    Not when many graphs changed (a copy reloads then) or a default graph holds
    triples (the union is not the named graphs' alone): the copies then read
    the change from the generations themselves, as after a build.
    """
    if len(now) > MAX_DELTA_GRAPHS:
        return
    if has_default_graph(before):
        return
    removed, added = union_change(before, now)
    directory = target / layout.DELTA_DIR
    directory.mkdir()
    nt = ox.RdfFormat.N_TRIPLES
    (directory / "removed.nt").write_bytes(ox.serialize(removed, format=nt) or b"")
    (directory / "added.nt").write_bytes(ox.serialize(added, format=nt) or b"")
    (directory / "from").write_text(base)  # last: without it the directory is ignored


def fold_delta(path: Path, old: str, new: str) -> tuple[bytes, bytes] | None:
    """Return the union's change from ``old`` to ``new`` as the fold that made ``new`` wrote it.

    The N-Triples removed and added, or ``None`` when ``new`` was not folded
    from ``old`` (a build, a fold from a later generation) or wrote none.
    """
    chain = fold_chain(path, old, new, 1)
    return (chain[0][1], chain[0][2]) if chain else None


def fold_chain(path: Path, old: str, new: str, limit: int) -> list[tuple[str, bytes, bytes]] | None:
    """Return the changes from ``old`` to ``new`` fold by fold, as each fold wrote its own.

    Each is ``(generation, removed, added)``, oldest first; ``None`` when some
    generation on the way was not folded (a build), wrote no change, is gone,
    or when there are more than ``limit`` folds.
    """
    steps: list[tuple[str, bytes, bytes]] = []
    name = new
    while name != old:
        if len(steps) >= limit or name < old:
            return None
        directory = layout.generation_dir(path, name) / layout.DELTA_DIR
        try:
            start = (directory / "from").read_text()
            removed, added = (
                (directory / "removed.nt").read_bytes(),
                (directory / "added.nt").read_bytes(),
            )
        except FileNotFoundError:
            return None
        steps.append((name, removed, added))
        name = start
    return steps[::-1]
