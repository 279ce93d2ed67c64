"""Compute the example queries' results once per data version, ahead of the researchers asking.

The aggregate examples (items per country and year, organisations mentioned
with IOM) read every item, half a second each at 100,000 items even in
memory. So when the zygote catches up with a new version it forks a child that
evaluates each example once, rewrites the result in every format and for
every row cap the web uses, and leaves the bytes in a cache directory shared
by the server's processes, keyed by the exact request and the data version.
Answers are exact: an entry is only ever used for the version it was computed
on, and a query differing in one character is simply evaluated.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from miglod.query.check import inspect_query
from miglod.query.errors import QueryError
from miglod.query.evaluate import (
    Engines,
    Outcome,
    QueryRequest,
    Spool,
    cut_lines,
    evaluate,
    line_format,
    write_lines,
)
from miglod.query.examples import example_item_query, examples
from miglod.query.formats import ResultKind, formats_for


def cache_root(store: Path) -> Path:
    """Return the directory of precomputed results for the store at ``store``."""
    key = hashlib.blake2b(str(store.resolve()).encode(), digest_size=6).hexdigest()
    return Path(tempfile.gettempdir()) / f"miglod-query-cache-{key}"


def entry_path(store: Path, version: str, request: QueryRequest, root: Path | None = None) -> Path:
    """Return where the result of ``request`` on data ``version`` is kept.

    ``root`` is the cache directory (by default :func:`cache_root` of the store).
    """
    digest = hashlib.blake2b(repr(request).encode(), digest_size=16).hexdigest()
    return (root or cache_root(store)) / version / digest


def read_entry(
    store: Path, version: str, request: QueryRequest, root: Path | None = None
) -> Outcome | None:
    """Return the precomputed result of ``request`` on ``version``, if there is one."""
    if not version:
        return None
    try:
        with open(entry_path(store, version, request, root), "rb") as handle:
            found = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
    if not isinstance(found, tuple) or found[0] != request:
        return None
    outcome = found[1]
    return replace(outcome, precomputed=True) if isinstance(outcome, Outcome) else None


def _write_entry(
    root: Path, store: Path, version: str, request: QueryRequest, outcome: Outcome
) -> None:
    path = entry_path(store, version, request, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "wb") as handle:
        pickle.dump((request, outcome), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def done_marker(
    store: Path, version: str, base: str, limits: tuple[int, ...], root: Path | None = None
) -> Path:
    """Return the file that says the examples were precomputed for ``version``.

    Its name changes with the examples' text, the base and the caps, so a new
    release with new examples computes them again on the same data.
    """
    texts = [e.query for e in examples(base, "urn:example:item")]
    digest = hashlib.blake2b(repr((base, limits, texts)).encode(), digest_size=8).hexdigest()
    return (root or cache_root(store)) / version / f".done-{digest}"


def precompute(
    store: Path,
    engines: Engines,
    base: str,
    limits: tuple[int, ...],
    *,
    root: Path | None = None,
) -> int:
    """Evaluate the examples on ``engines`` and keep their results; return how many were kept.

    ``root`` is the cache directory (by default :func:`cache_root` of the store).
    """
    version = engines.version
    root = root or cache_root(store)
    marker = done_marker(store, version, base, limits, root)
    if marker.exists():
        return 0
    _prune(root, version)
    kept = 0
    for example in examples(base, _newest_item(engines, base)):
        kept += _each_way(root, store, engines, example.query, base, limits)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return kept


def _each_way(
    root: Path, store: Path, engines: Engines, query: str, base: str, limits: tuple[int, ...]
) -> int:
    """Evaluate ``query`` once, then keep it in every format and for every cap."""
    form = inspect_query(query).form
    if form not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        return 0
    kind: ResultKind = "solutions" if form == "SELECT" else "triples"
    first = QueryRequest(query, line_format(kind).name, max(limits), base_iri=base)
    try:
        lined = evaluate(first, engines, Spool(None, "precompute"))
    except QueryError:
        return 0
    data = lined.read()
    kept = 0
    for limit in limits:
        cut, dropped = cut_lines(data, kind, limit)
        for fmt in formats_for(form):
            spool = Spool(None, "precompute")
            rows = write_lines(kind, cut, fmt, spool)
            body = spool.finish()[0] or b""
            outcome = Outcome(
                kind,
                fmt.name,
                fmt.media_type,
                rows,
                lined.truncated or dropped,
                len(body),
                lined.seconds,
                body,
                None,
                engines.version,
            )
            request = QueryRequest(query, fmt.name, limit, base_iri=base)
            _write_entry(root, store, engines.version, request, outcome)
            kept += 1
    return kept


def _newest_item(engines: Engines, base: str) -> str | None:
    request = QueryRequest(example_item_query(base), "tsv", 1)
    try:
        data = evaluate(request, engines, Spool(None, "item")).read()
    except QueryError:
        return None
    lines = data.decode("utf-8").splitlines()
    return lines[1].strip("<>") if len(lines) > 1 and lines[1].startswith("<") else None


def _prune(root: Path, version: str) -> None:
    """Remove the results of versions older than ``version``."""
    with contextlib.suppress(FileNotFoundError):
        for old in root.iterdir():
            if old.is_dir() and old.name < version:
                shutil.rmtree(old, ignore_errors=True)
