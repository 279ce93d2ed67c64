"""Fold journaled writes into a new generation.

Writes are journaled (cheap, atomic, durable) and served by every reader at
once through its overlay; folding them into a new RocksDB generation costs a
copy, a flush and every reader reopening, so it is done for many writes at a
time. Writers go on while a fold runs: the new generation records the last
entry it includes, and readers serve the entries after it from their overlay.
A fold killed midway leaves only a hidden directory the next one removes.
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
            del reader
            shutil.copyfile(base / layout.INDEX_FILE, tmp / layout.INDEX_FILE)
            _fold(tmp, latest, journal, top)
            name = layout.new_name(dt.datetime.now(dt.UTC))
            layout.publish(path, tmp, name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        layout.prune(path)
    return name


def _fold(target: Path, latest: dict[str, Change], journal: Journal, top: int) -> None:
    writer = ox.Store(str(target / layout.RDF_DIR))
    links = LinkCollector()
    for graph, change in latest.items():
        name = ox.NamedNode(graph)
        writer.remove_graph(name)
        if change.deleted or change.after is None:
            continue
        content = journal.version(change.after) or b""
        triples = [q.triple for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)]
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
