"""The SPARQL endpoint's query service on a remote store: our rules, our cap, our formats."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from miglod.query import QueryError, QueryRefusedError, QueryRequest
from miglod.query.remote import RemoteQueryService
from miglod.store.remote_load import load_remote
from tests.backends import empty_remote, endpoints, remote_params
from tests.conftest import BASE, fixture_inputs

COUNTRIES = f"SELECT ?c WHERE {{ ?c a <https://schema.org/Country> FILTER(STRSTARTS(STR(?c), '{BASE}')) }} ORDER BY ?c"


@pytest.fixture(scope="module", params=remote_params())
def service(request: pytest.FixtureRequest) -> Iterator[RemoteQueryService]:
    """Load the fixture data into a remote store and return a query service on it."""
    store = empty_remote(request.param)
    load_remote(store, fixture_inputs())
    store.close()
    found = endpoints(request.param)
    assert found is not None
    running = RemoteQueryService(found)
    yield running
    running.close()


def test_select_is_capped_and_marked_truncated(service: RemoteQueryService) -> None:
    outcome = service.run(QueryRequest(COUNTRIES, "json", limit=2), timeout=30)
    rows = json.loads(outcome.read())["results"]["bindings"]
    assert [r["c"]["value"] for r in rows] == [BASE + "id/country/GY", BASE + "id/country/MX"]
    assert outcome.truncated and outcome.rows == 2


def test_results_come_in_the_format_asked_for(service: RemoteQueryService) -> None:
    csv = service.run(QueryRequest(COUNTRIES, "csv", limit=100), timeout=30)
    lines = csv.read().decode().splitlines()
    assert lines[0] == "c" and BASE + "id/country/SR" in lines and not csv.truncated
    ask = service.run(QueryRequest("ASK { ?s a <https://schema.org/Country> }", "json"), timeout=30)
    assert ask.kind == "boolean" and json.loads(ask.read())["boolean"] is True


def test_construct_is_capped_and_written_as_rdf(service: RemoteQueryService) -> None:
    query = f"CONSTRUCT WHERE {{ <{BASE}id/country/SR> ?p ?o }}"
    whole = service.run(QueryRequest(query, "turtle", limit=None), timeout=30)
    assert (
        whole.kind == "triples"
        and len(list(ox.parse(whole.read(), format=ox.RdfFormat.TURTLE))) == 12
    )
    cut = service.run(QueryRequest(query, "ntriples", limit=5), timeout=30)
    assert cut.truncated and cut.read().count(b"\n") == 5


def test_blank_nodes_from_the_server_are_written(service: RemoteQueryService) -> None:
    outcome = service.run(
        QueryRequest("SELECT ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) } LIMIT 3", "tsv"), timeout=30
    )
    assert outcome.kind == "solutions"


def test_updates_and_service_are_refused_before_the_server_sees_them(
    service: RemoteQueryService,
) -> None:
    with pytest.raises(QueryRefusedError) as update:
        service.run(QueryRequest("INSERT DATA { <urn:a> <urn:b> <urn:c> }"), timeout=30)
    assert update.value.status == 403
    with pytest.raises(QueryRefusedError):
        service.run(
            QueryRequest("SELECT * WHERE { SERVICE <http://x.invalid/> { ?s ?p ?o } }"), timeout=30
        )


def test_a_malformed_query_is_a_query_error(service: RemoteQueryService) -> None:
    with pytest.raises(QueryError) as raised:
        service.run(QueryRequest("SELECT ?s WHERE { ?s"), timeout=30)
    assert raised.value.status == 400


def test_the_time_limit_holds(service: RemoteQueryService) -> None:
    # 200**4 combinations to count, whatever the server holds.
    numbers = " ".join(str(n) for n in range(200))
    blocks = " ".join(f"VALUES ?{v} {{ {numbers} }}" for v in "abcd")
    heavy = f"SELECT (COUNT(*) AS ?n) WHERE {{ {blocks} FILTER(?a + ?b != ?c * ?d) }}"
    started = time.monotonic()
    with pytest.raises(QueryError) as raised:
        service.run(QueryRequest(heavy), timeout=0.3)
    assert time.monotonic() - started < 5
    # Either our limit stopped it, or Virtuoso refused it up front from its cost estimate.
    stopped = raised.value.code == "query_timeout" and raised.value.status == 503
    assert stopped or "estimated execution time" in raised.value.message
