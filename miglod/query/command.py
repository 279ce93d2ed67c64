"""Run one query from the command line (``miglod query``): the library call and its text output."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from miglod.query import formats as qf
from miglod.query.check import inspect_query
from miglod.query.errors import QueryError
from miglod.query.evaluate import Outcome, QueryRequest
from miglod.query.service import QueryService
from miglod.store import layout

#: ``--format`` values: a results or RDF format by name, or a text table.
COMMAND_FORMATS = qf.COMMAND_FORMATS
COLUMN_WIDTH = 60


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What ``miglod query`` prints and returns: exit code, standard output, a message for stderr."""

    exit_code: int
    output: str
    message: str = ""


def run_query(
    store: str | os.PathLike[str],
    sparql: str,
    *,
    timeout: float,
    limit: int | None,
    format: str = qf.JSON.name,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
    base_iri: str | None = None,
) -> Outcome:
    """Evaluate one query on the on-disk store at ``store`` in a process stopped after ``timeout`` s.

    The result's bytes are in the returned outcome's ``body``. Raise
    :class:`QueryError` (and its subclasses) when the query is refused,
    malformed, or runs too long.
    """
    request = QueryRequest(sparql, format, limit, default_graphs, named_graphs, base_iri)
    service = QueryService(store, memory=False, slots=None)
    try:
        outcome = service.run(request, timeout=timeout)
        return replace(outcome, body=outcome.read(), path=None)
    finally:
        service.close()


def query_command(
    store: str | os.PathLike[str],
    sparql: str,
    fmt: str = "table",
    *,
    timeout: float = 10.0,
    limit: int | None = 10_000,
    base_iri: str | None = None,
) -> CommandResult:
    """Run ``sparql`` on ``store`` and return the exit code (0 ok, 1 query failed, 2 usage) and text."""
    if fmt not in COMMAND_FORMATS:
        return CommandResult(
            2, "", f"unknown format {fmt!r}; use one of {', '.join(COMMAND_FORMATS)}"
        )
    if not layout.is_store(Path(store)):
        return CommandResult(2, "", f"no store at {store}: build one first (`miglod build`)")
    try:
        form = inspect_query(sparql).form
        wanted = _wanted(fmt, form)
        outcome = run_query(
            store, sparql, timeout=timeout, limit=limit, format=wanted, base_iri=base_iri
        )
    except QueryError as exc:
        return CommandResult(1, "", f"{exc.message} ({exc.code})")
    text = outcome.read().decode("utf-8")
    if fmt == "table" and outcome.format == qf.JSON.name:
        text = render_table(json.loads(text))
    message = ""
    if outcome.truncated:
        message = f"warning: the result was cut to the first {limit} rows (the result limit)"
    return CommandResult(0, text if text.endswith("\n") else text + "\n", message)


def _wanted(fmt: str, form: str | None) -> str:
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt == "table":
        return qf.TURTLE.name if graph else qf.JSON.name
    if fmt in ("csv", "tsv") and graph:
        return qf.NTRIPLES.name
    if fmt == "json" and graph:
        return qf.JSONLD.name
    if fmt == "xml" and graph:
        return qf.RDFXML.name
    return fmt


def render_table(document: dict[str, object]) -> str:
    """Return SPARQL JSON results as an aligned text table (or ``true``/``false`` for ASK)."""
    if "boolean" in document:
        return "true" if document["boolean"] else "false"
    head = document["head"]
    assert isinstance(head, dict)
    columns = list(head.get("vars", []))
    results = document["results"]
    assert isinstance(results, dict)
    rows = [[_text(binding.get(c)) for c in columns] for binding in results["bindings"]]
    widths = [
        min(COLUMN_WIDTH, max([len(c), *(len(r[i]) for r in rows)])) for i, c in enumerate(columns)
    ]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in rows:
        cells = (_fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _text(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    text = str(value.get("value", "")).replace("\n", " ")
    if value.get("type") == "bnode":
        return "_:" + text
    if "xml:lang" in value:
        return f"{text} @{value['xml:lang']}"
    return text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
