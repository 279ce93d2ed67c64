"""The columnar copy follows the union copy of a real store: loaded with it, caught up by deltas."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from miglod.query.union import UnionCopy
from miglod.store import Store
from tests.conftest import BASE
from tests.test_sparql_helper import write_item

QUERIES = [
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type",
    'SELECT ?s ?h WHERE { ?s <https://schema.org/headline> ?h FILTER(LANG(?h) = "en") }'
    " ORDER BY ?s ?h",
    f"SELECT ?o ?name WHERE {{ ?s ?p ?o OPTIONAL {{ ?o <https://schema.org/name> ?name"
    f' FILTER(LANG(?name) = "en") }} FILTER(STRSTARTS(STR(?o), "{BASE}id/")) }} ORDER BY ?o ?name',
]


def agree(copy: UnionCopy) -> None:
    """Assert the columnar copy answers the queries as the in-memory union does."""
    columnar = copy.live_columnar()
    assert columnar is not None and copy.store is not None
    for query in QUERIES:
        body, _ = columnar.select(query, None)
        mine = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(mine, ox.QuerySolutions)
        theirs = copy.store.query(query)
        assert isinstance(theirs, ox.QuerySolutions)
        tsv = ox.QueryResultsFormat.TSV
        assert mine.serialize(format=tsv) == theirs.serialize(format=tsv), query


def test_the_columnar_copy_loads_and_follows_deltas(store: Store, store_path: Path) -> None:
    copy = UnionCopy(store_path, columnar=True)
    assert copy.columnar is not None
    copy.columnar.min_triples = 0  # a small store: answer from the columns all the same
    try:
        assert not copy.step(0.0)
        assert copy.live_columnar() is None  # not before the load is complete
        copy.refresh()
        agree(copy)
        loaded = copy.store
        write_item(store, 1)
        write_item(store, 2)
        assert copy.step(5.0)
        assert copy.store is loaded, "the write is applied as a delta"
        assert copy.columnar is not None and copy.columnar.version == store.version
        agree(copy)
    finally:
        copy.close()


def test_without_columnar_there_is_none(store_path: Path) -> None:
    copy = UnionCopy(store_path)
    try:
        copy.refresh()
        assert copy.columnar is None and copy.live_columnar() is None
    finally:
        copy.close()


def _loaded_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_the_setting_reaches_the_zygote(store_path: Path) -> None:
    """With ``columnar`` off the zygote never loads DuckDB; on, it does once the copy is in."""
    from miglod.query import QueryService
    from tests.test_sparql_service import COUNTRIES, number

    for columnar in (False, True):
        service = QueryService(store_path, slots=None, columnar=columnar)
        try:
            service.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert number(service, COUNTRIES) == 4
                zygote = service._zygote
                assert zygote is not None
                if "duckdb" in _loaded_libraries(zygote.pid) or not columnar:
                    break
                time.sleep(0.2)
            time.sleep(0.5)  # the copy is in memory by now (four countries, a small store)
            assert ("duckdb" in _loaded_libraries(zygote.pid)) is columnar
        finally:
            service.close()
