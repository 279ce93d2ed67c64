"""What only a remote store has: credentials, timeouts, bookkeeping in the server, killed writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod.store import StoreError
from miglod.store.remote import RemoteStore
from miglod.store.remote_http import Endpoints
from miglod.store.remote_log import meta_graph
from miglod.store.terms import ox_triple, triples_digest
from tests.backends import empty_remote, remote_params
from tests.conftest import BASE, ROOT, free_port

GRAPH = BASE + "graph/news/remote-1"
ITEM = URIRef(BASE + "id/news/remote-1")
PROV_ACTIVITY = URIRef("http://www.w3.org/ns/prov#Activity")


@pytest.fixture(params=remote_params())
def remote(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    """Return an empty remote store."""
    store = empty_remote(request.param)
    yield store
    store.close()


def version(n: int) -> Graph:
    g = Graph()
    g.add((ITEM, RDF.type, SDO.NewsArticle))
    g.add((ITEM, SDO.headline, Literal(f"Remote headline {n}", lang="en")))
    return g


def test_bookkeeping_is_prov_and_dublin_core_only(remote: RemoteStore) -> None:
    remote.replace_graphs({GRAPH: version(1)}, agent="alice")
    remote.replace_graphs({GRAPH: version(2)}, agent="bob")
    meta = f"<{meta_graph(BASE)}>"
    _, types = remote.client.select(f"SELECT DISTINCT ?t WHERE {{ GRAPH {meta} {{ ?s a ?t }} }}")
    assert {row[0] for row in types} == {PROV_ACTIVITY}
    _, predicates = remote.client.select(
        f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), STR({meta}))) }}"
    )
    allowed = (
        "http://purl.org/dc/terms/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    )
    assert predicates and all(str(row[0]).startswith(allowed) for row in predicates)
    # The superseded version is one literal, not triples anyone's query would count.
    _, items = remote.client.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a <https://schema.org/NewsArticle> } "
        f'FILTER(STRSTARTS(STR(?g), "{BASE}")) }}'
    )
    assert int(str(items[0][0])) == 1


def test_a_second_handle_sees_writes_after_refresh(remote: RemoteStore) -> None:
    other = RemoteStore(remote.client.endpoints, BASE)
    version_before = other.version
    remote.replace_graphs({GRAPH: version(1)})
    assert other.version == version_before
    assert other.refresh() is True and other.version == remote.version
    assert other.describe(str(ITEM))
    other.close()


def test_an_unreachable_server_is_a_store_error(remote: RemoteStore) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore(Endpoints(f"http://127.0.0.1:{port}/sparql", timeout=1.0), BASE)


def test_wrong_credentials_are_refused(remote: RemoteStore) -> None:
    found = remote.client.endpoints
    if not found.user:
        pytest.skip("this server takes updates without credentials")
    wrong = Endpoints(found.query_url, found.update_url, found.gsp_url, found.user, "wrong")
    with pytest.raises(StoreError, match="401"):
        RemoteStore(wrong, BASE).replace_graphs({GRAPH: version(1)})
    assert remote.status(GRAPH) is None


WRITER = """
import sys
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO
from miglod.store.remote import RemoteStore
from miglod.store.remote_http import Endpoints
endpoints = Endpoints(*sys.argv[1:6])
store = RemoteStore(endpoints, sys.argv[6])
item = URIRef(sys.argv[6] + "id/news/remote-1")
for n in range(10_000):
    g = Graph()
    g.add((item, RDF.type, SDO.NewsArticle))
    for k in range(40):
        g.add((item, SDO.keywords, Literal(f"keyword {k} of version {n}")))
    store.replace_graphs({sys.argv[6] + "graph/news/remote-1": g})
    print(n, flush=True)
"""


def test_a_writer_killed_midway_leaves_the_graph_whole(remote: RemoteStore) -> None:
    found = remote.client.endpoints
    args = [found.query_url, found.update_url, found.gsp_url, found.user, found.password, BASE]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, *args], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    while int(process.stdout.readline() or "0") < 3:  # a few writes done, more under way
        pass
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()
    # The server may still be running the update the writer sent before it died:
    # wait for the store to be still, then read.
    remote.refresh()
    while True:
        time.sleep(0.5)
        if not remote.refresh():
            break
    status = remote.status(GRAPH)
    assert status is not None
    content = remote.version_of(GRAPH, status.digest)
    assert content is not None and len(content) == 41
    assert triples_digest(ox_triple(t) for t in content) == status.digest
    assert remote.history(GRAPH)[-1].after == status.digest
