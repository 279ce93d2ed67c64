"""The query page: a form, the researchers' examples, and results shown as a table.

It works without JavaScript (and offline): each example is a link that runs
the query, the form submits with GET, and results come back on the same page
as a table in which every IRI is a link (our own IRIs to their local pages).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import render_template, request

from miglod.query import formats as qf
from miglod.query.evaluate import Outcome
from miglod.query.examples import Example
from server import negotiation as neg
from server.i18n import message
from server.sparql_words import example_words, word
from server.views import PageBuilder

#: Rows the page shows; the downloads carry up to the result limit.
PAGE_ROWS = 1000
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True, slots=True)
class Cell:
    """One value in the results table."""

    text: str
    href: str | None = None
    note: str | None = None
    lang: str | None = None


@dataclass(slots=True)
class Table:
    """A result shown on the page: columns and rows, or a yes/no answer."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    seconds: float = 0.0
    precomputed: bool = False


def table_of(outcome: Outcome, pages: PageBuilder) -> Table:
    """Return the table of a result written as SPARQL JSON (tabular) or N-Triples (a graph)."""
    data = outcome.read()
    table = Table(
        truncated=outcome.truncated, seconds=outcome.seconds, precomputed=outcome.precomputed
    )
    if outcome.kind == "triples":
        table.columns = ["subject", "predicate", "object"]
        for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            table.rows.append(
                [_term(t, pages) for t in (quad.subject, quad.predicate, quad.object)]
            )
        return table
    document = json.loads(data)
    if "boolean" in document:
        table.boolean = bool(document["boolean"])
        return table
    table.columns = list(document["head"].get("vars", []))
    for binding in document["results"]["bindings"]:
        table.rows.append([_cell(binding.get(name), pages) for name in table.columns])
    return table


def _cell(value: dict[str, str] | None, pages: PageBuilder) -> Cell | None:
    if value is None:
        return None
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return Cell(text, pages.href(text))
    if kind == "bnode":
        return Cell("_:" + text)
    lang = value.get("xml:lang")
    datatype = value.get("datatype")
    note = lang or (_short(datatype) if datatype else None)
    return Cell(text, note=note, lang=lang)


def _term(term: object, pages: PageBuilder) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell(term.value, pages.href(term.value))
    if isinstance(term, ox.Literal):
        note = term.language or _short(term.datatype.value)
        return Cell(term.value, note=note, lang=term.language)
    return Cell(str(term))


def _short(datatype: str) -> str | None:
    """Return the note shown for a datatype; none for strings and numbers, which speak for themselves."""
    if datatype in _PLAIN:
        return None
    return "xsd:" + datatype[len(XSD) :] if datatype.startswith(XSD) else datatype


_PLAIN = frozenset(XSD + name for name in ("string", "integer", "decimal", "double", "boolean"))


def page_format(form: str | None) -> qf.ResultFormat:
    """Return the format the page asks the query service for."""
    return qf.NTRIPLES if form in ("CONSTRUCT", "DESCRIBE") else qf.JSON


def downloads(query: str, form: str | None, root: str) -> list[tuple[str, str]]:
    """Return a link to the current query's result in each format it can be written in."""
    links = []
    for fmt in qf.formats_for(form):
        links.append(
            (fmt.label, f"{root}/sparql?" + urlencode({"query": query, "format": fmt.name}))
        )
    return links


def render(
    *,
    base: str,
    query: str,
    examples: list[Example],
    form: str | None = None,
    table: Table | None = None,
    error: str | None = None,
    timeout: float,
    limit: int,
) -> str:
    """Return the query page."""
    root = request.script_root
    asked = request.args.get("lang", "")
    language = (
        asked
        if asked in neg.LANGUAGES
        else neg.choose_language(request.headers.get("Accept-Language"))
    )
    links = [
        (e, *example_words(e, language), f"{root}/sparql?" + urlencode({"query": e.query}))
        for e in examples
    ]
    return render_template(
        "sparql.html",
        lang=language,
        t=functools.partial(message, language),
        w=functools.partial(word, language),
        query=query,
        examples=links,
        table=table,
        error=error,
        downloads=downloads(query, form, root) if table is not None else [],
        timeout=timeout,
        limit=limit,
        page_rows=PAGE_ROWS,
        base=base,
    )
