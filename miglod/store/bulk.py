"""Build a whole new generation from files with pyoxigraph's bulk loader.

``build`` converts everything to N-Quads (one named graph per item) and hands
the files here. The new generation is made in a hidden directory next to the
published ones and swapped in only once it is complete, so a failure leaves the
published store untouched. Graphs whose content did not change keep their
modification time, so a rebuild does not tell harvesters that everything changed.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miglod.store import layout
from miglod.store.base import Change, StoreError, live_digest
from miglod.store.history import Journal
from miglod.store.index import GraphIndex, GraphRecord
from miglod.store.links import LinkCollector
from miglod.store.scan import scan_lines
from miglod.store.terms import combine, format_digest, line_digest

_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


@dataclass(frozen=True, slots=True)
class BulkInput:
    """One file to load: N-Quads or TriG as they are, a triple format into ``graph``."""

    path: Path
    graph: str | None = None
    format: ox.RdfFormat | None = None

    def rdf_format(self) -> ox.RdfFormat:
        """Return the file's format, given or guessed from its suffix."""
        found = self.format or ox.RdfFormat.from_extension(self.path.suffix.lstrip("."))
        if found is None:
            raise StoreError(f"{self.path}: cannot tell the RDF format from its name")
        return found


def build_store(
    path: str | os.PathLike[str],
    inputs: Iterable[BulkInput | str | os.PathLike[str]],
    *,
    at: dt.datetime | None = None,
) -> list[Change]:
    """Load ``inputs`` into a new generation of the store at ``path`` and publish it.

    Return the graphs that were added, changed or removed compared with the
    generation it replaces. The store directory is created when missing.
    """
    root = Path(path)
    files = [i if isinstance(i, BulkInput) else BulkInput(Path(i)) for i in inputs]
    for item in files:
        if item.rdf_format() not in _QUAD_FORMATS and item.graph is None:
            raise StoreError(f"{item.path}: a file of triples needs the graph to load it into")
        if not item.path.is_file():
            raise StoreError(f"{item.path}: no such file")
    if root.exists() and any(root.iterdir()) and not layout.is_store(root):
        raise StoreError(f"{root} is not a miglod store; refusing to replace what is there")
    when = at or dt.datetime.now(dt.UTC)
    with layout.writer_lock(root), layout.writer_lock(root, layout.GENERATION_LOCK):
        return _build_locked(root, files, when)


def create_empty(path: Path) -> None:
    """Create an empty store at ``path`` unless another process has just made one."""
    with layout.writer_lock(path), layout.writer_lock(path, layout.GENERATION_LOCK):
        if not layout.is_store(path):
            _build_locked(path, [], dt.datetime.now(dt.UTC))


def _build_locked(root: Path, files: list[BulkInput], when: dt.datetime) -> list[Change]:
    tmp = layout.make_tmp(root)
    try:
        links = LinkCollector()
        digests = _load(tmp, files, links)
        journal = Journal(root)
        try:
            previous, last = _previous_records(root, journal)
        finally:
            journal.close()
        records, changes = _merge(previous, digests, when)
        index = GraphIndex(tmp / layout.INDEX_FILE, writable=True)
        index.write(records)
        index.replace_links((), links)
        index.set_folded(last)  # the build supersedes every write journaled before it
        index.set_lineage(secrets.token_hex(8))
        index.close()
        layout.publish(root, tmp, layout.new_name(dt.datetime.now(dt.UTC)))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    layout.prune(root)
    return changes


def _load(tmp: Path, files: list[BulkInput], links: LinkCollector) -> dict[str, str]:
    """Bulk-load every file into a new RDF directory; return each graph's digest."""
    store = ox.Store(str(tmp / layout.RDF_DIR))
    sums: dict[str, list[int]] = defaultdict(list)
    try:
        for item in files:
            fmt = item.rdf_format()
            target = ox.NamedNode(item.graph) if item.graph else None
            store.bulk_load(path=str(item.path), format=fmt, to_graph=target)
            _digest_file(item, fmt, sums, links)
        store.flush()
    except SyntaxError as exc:
        raise StoreError(f"cannot load RDF: {exc}") from None
    finally:
        del store
    return {graph: format_digest(combine(parts)) for graph, parts in sums.items()}


def _digest_file(
    item: BulkInput, fmt: ox.RdfFormat, sums: dict[str, list[int]], links: LinkCollector
) -> None:
    """Add the digests of a file's triples to their graphs' sums.

    Line-based formats are digested line by line without parsing (fast on big
    dumps); others are parsed. Either way a triple is digested as the text of
    its canonical N-Triples line, as :meth:`OxigraphStore.replace_graphs` does.
    """
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        quads = fmt == ox.RdfFormat.N_QUADS
        found = scan_lines(item.path, quads=quads, graph=item.graph, links=links)
        for name, total in found.items():
            sums[name].append(total)
        return
    for quad in ox.parse(path=str(item.path), format=fmt):
        graph = item.graph or (
            quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        )
        if graph is not None:
            sums[graph].append(line_digest(str(quad.triple).encode("utf-8")))
            links.add_triple(quad.triple, graph)


def _previous_records(root: Path, journal: Journal) -> tuple[dict[str, GraphRecord], int]:
    """Return the record of every graph readers see now, and the last journal entry."""
    last = journal.last()
    if not layout.is_store(root):
        return {}, last
    directory = layout.generation_dir(root, layout.current_name(root))
    try:
        index = GraphIndex(directory / layout.INDEX_FILE)
    except StoreError:
        return {}, last  # made by another version: everything counts as changed
    try:
        records = index.records()
        for _, change in journal.entries(index.folded(), last):
            digest = change.after or change.before or ""
            records[change.graph] = GraphRecord(
                change.graph, digest, change.modified, change.deleted, change.agent, change.before
            )
        return records, last
    finally:
        index.close()


def _merge(
    previous: dict[str, GraphRecord], digests: dict[str, str], when: dt.datetime
) -> tuple[list[GraphRecord], list[Change]]:
    """Return the new generation's records and the changes they amount to."""
    records: list[GraphRecord] = []
    changes: list[Change] = []
    for graph, digest in sorted(digests.items()):
        before = previous.get(graph)
        was = live_digest(before)
        if before is not None and was == digest:
            records.append(before)
        else:
            record = GraphRecord(graph, digest, when, before=was)
            records.append(record)
            changes.append(record.change())
    for graph, before in sorted(previous.items()):
        if graph in digests:
            continue
        if before.deleted:
            records.append(before)
        else:
            record = GraphRecord(graph, before.digest, when, deleted=True, before=before.digest)
            records.append(record)
            changes.append(record.change())
    return records, changes
