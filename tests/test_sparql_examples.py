"""The researchers' example queries answer what their plain reading asks, on the fixture data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from miglod.query.examples import PROLOGUE, examples
from miglod.store import layout
from tests.conftest import BASE


def _union(built_store: Path) -> ox.Store:
    directory = layout.generation_dir(built_store, layout.current_name(built_store))
    return ox.Store.read_only(str(directory / layout.RDF_DIR))


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    found = store.query(query, use_default_graph_as_union=True)
    assert isinstance(found, ox.QuerySolutions)
    return [tuple(str(value) for value in row) for row in found]


def test_co_mentions_are_counted_as_the_plain_query_counts_them(built_store: Path) -> None:
    store = _union(built_store)
    iom = f"<{BASE}id/organization/iom>"
    plain = PROLOGUE.format(base=BASE) + (
        "SELECT ?organization (SAMPLE(?label) AS ?name) (COUNT(?item) AS ?items) WHERE {"
        f" ?item schema:mentions {iom}, ?organization . ?organization a schema:Organization ."
        f" FILTER(?organization != {iom})"
        ' OPTIONAL { ?organization schema:name ?label FILTER(LANG(?label) = "en") } }'
        " GROUP BY ?organization ORDER BY DESC(?items) ?organization"
    )
    example = next(e for e in examples(BASE) if e.name == "co-mentioned-with-iom")
    want = _rows(store, plain)
    assert want  # the fixture names other organisations beside IOM
    assert _rows(store, example.query) == want
