"""Keep an in-memory copy of the store whose default graph is the union of all its graphs.

Queries over the union are most of what researchers ask, and an in-memory
pyoxigraph store answers them several times faster than the on-disk one. Its
default graph is the RDF merge of every graph, so a triple stated in several
item graphs (a person's name, say) is one triple, as SPARQL's union default
graph means.

The copy belongs to the query service's zygote process, which forks the query
runners, so it must stay single-threaded: the on-disk store (RocksDB starts
threads) is only ever opened in short-lived children forked for the purpose,
which stream triples to the zygote through a pipe. After a write the copy is
brought up to date from the graphs whose digests changed, comparing the two
generations; only a large change or a vanished generation costs a full reload.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from miglod.store import layout
from miglod.store.index import GraphIndex

#: Above this share of changed graphs a full reload is cheaper than a delta.
RELOAD_SHARE = 0.2


class UnionCopy:
    """The union of one generation of an on-disk store, held in memory (or not at all)."""

    def __init__(self, path: Path, *, memory: bool = True) -> None:
        self.path = path
        self.memory = memory
        self.store: ox.Store | None = None
        self.version = ""

    def refresh(self) -> bool:
        """Catch up with the generation the store's ``current`` link names; return whether it moved."""
        current = layout.current_name(self.path)
        if current == self.version:
            return False
        if self.memory and (self.store is None or not self._apply_delta(self.version, current)):
            self._load(current)
        self.version = current
        return True

    def _load(self, name: str) -> None:
        self.store = None  # let the old copy go before the new one is built
        directory = layout.generation_dir(self.path, name) / layout.RDF_DIR
        store = ox.Store()
        with _from_child(lambda out: write_union(directory, out)) as stream:
            store.bulk_load(stream, format=ox.RdfFormat.N_TRIPLES)
        self.store = store

    def _apply_delta(self, old: str, new: str) -> bool:
        assert self.store is not None
        with _from_child(lambda out: write_delta(self.path, old, new, out)) as stream:
            found = pickle.load(stream)
        if found is None:
            return False
        removed, added = found
        for quad in ox.parse(removed, format=ox.RdfFormat.N_TRIPLES):
            self.store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
        self.store.load(added, format=ox.RdfFormat.N_TRIPLES)
        return True


def write_union(directory: Path, out: IO[bytes]) -> None:
    """Write every triple of the on-disk store at ``directory`` as N-Triples (duplicates allowed)."""
    disk = ox.Store.read_only(str(directory))
    if next(iter(disk.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None:
        disk.dump(cast("IO[bytes]", _GraphDropper(out)), format=ox.RdfFormat.N_QUADS)
        return
    disk.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    for graph in disk.named_graphs():
        disk.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def write_delta(path: Path, old: str, new: str, out: IO[bytes]) -> None:
    """Pickle the triples to remove from and add to the union of ``old`` to get that of ``new``.

    ``None`` is written when a full reload is needed: ``old`` is gone, one of
    the default graphs holds triples, or too much changed.
    """
    old_dir, new_dir = layout.generation_dir(path, old), layout.generation_dir(path, new)
    if not (old_dir / layout.INDEX_FILE).exists():
        pickle.dump(None, out)
        return
    before = _live_digests(old_dir / layout.INDEX_FILE)
    after = _live_digests(new_dir / layout.INDEX_FILE)
    changed = sorted(g for g in before.keys() | after.keys() if before.get(g) != after.get(g))
    if len(changed) > max(100, RELOAD_SHARE * len(after)):
        pickle.dump(None, out)
        return
    old_rdf = ox.Store.read_only(str(old_dir / layout.RDF_DIR))
    new_rdf = ox.Store.read_only(str(new_dir / layout.RDF_DIR))
    for rdf in (old_rdf, new_rdf):
        if next(iter(rdf.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            pickle.dump(None, out)
            return
    removed: list[ox.Triple] = []
    added: list[ox.Triple] = []
    for iri in changed:
        graph = ox.NamedNode(iri)
        was = {q.triple for q in old_rdf.quads_for_pattern(None, None, None, graph)}
        now = {q.triple for q in new_rdf.quads_for_pattern(None, None, None, graph)}
        added.extend(now - was)
        for t in was - now:
            if (
                next(iter(new_rdf.quads_for_pattern(t.subject, t.predicate, t.object)), None)
                is None
            ):
                removed.append(t)
    nt = ox.RdfFormat.N_TRIPLES
    pickle.dump((ox.serialize(removed, format=nt), ox.serialize(added, format=nt)), out)


def _live_digests(index_file: Path) -> dict[str, str]:
    index = GraphIndex(index_file)
    try:
        return {iri: r.digest for iri, r in index.records().items() if not r.deleted}
    finally:
        index.close()


class _GraphDropper:
    """Turn N-Quads whose every line names a graph into N-Triples, as they are written."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.rest = b""

    def write(self, chunk: bytes) -> int:
        data = self.rest + chunk
        end = data.rfind(b"\n") + 1
        self.rest = data[end:]
        self.out.write(
            b"".join(
                line[: line.rindex(b" ", 0, len(line) - 2)] + b" .\n"
                for line in data[:end].split(b"\n")
                if line
            )
        )
        return len(chunk)

    def flush(self) -> None:
        """Do nothing: only whole lines are passed on."""


class _from_child:
    """Run ``work`` in a forked child writing to a pipe; read the pipe in the ``with`` block.

    Forking keeps RocksDB's threads out of the caller. The child's failure is
    raised in the caller when the block ends.
    """

    def __init__(self, work: Callable[[IO[bytes]], None]) -> None:
        self.work = work
        self.pid = 0
        self.stream: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child
            status = 0
            try:
                os.close(read)
                with os.fdopen(write, "wb", buffering=1 << 20) as out:
                    self.work(out)
            except BaseException:
                traceback.print_exc(file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self.stream = os.fdopen(read, "rb", buffering=1 << 20)
        return self.stream

    def __exit__(self, *exc: object) -> None:
        assert self.stream is not None
        self.stream.close()
        _, status = os.waitpid(self.pid, 0)
        if status != 0 and exc[0] is None:
            raise RuntimeError(f"reading the store failed in process {self.pid} (status {status})")
