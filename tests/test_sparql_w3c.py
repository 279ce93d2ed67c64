"""The W3C SPARQL 1.1 Protocol tests, run against a real server process.

Every test of ``sparql11/protocol/manifest.ttl`` is run as written, its
``/sparql/`` paths mapped to our ``/sparql``. Seven positive update tests
(``update_*``, expecting 2xx after changing the data) do not apply to a
read-only endpoint: for those the test asserts instead that every update
request is refused with 403 and that the data did not change. The negative
update tests (``bad_update_*``, expecting 4xx) apply as they are.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from miglod.store import BulkInput, build_store
from tests.test_sparql_support import fetch, running_server

pytestmark = pytest.mark.e2e


def _shared() -> Path:
    return Path(os.environ.get("MIGLOD_SHARED") or Path(__file__).resolve().parents[2] / "shared")


SUITE = _shared() / "w3c-suites" / "rdf-tests" / "sparql" / "sparql11" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
TABULAR = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "text/html")
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")


@dataclass(frozen=True)
class HttpRequest:
    """One request of a protocol test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]
    result_format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    """One test of the manifest: its requests and the graphs it needs."""

    name: str
    requests: tuple[HttpRequest, ...]
    graphs: tuple[tuple[str, str], ...]

    @property
    def is_update(self) -> bool:
        """Return whether the test changes data (and so expects a store that takes updates)."""
        return self.name.startswith("update_")


def load_manifest() -> list[ProtocolTest]:
    """Return the tests of the protocol manifest, in its order."""
    graph = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return [_test(graph, entry) for entry in entries]


def _test(graph: Graph, entry: object) -> ProtocolTest:
    name = str(entry).rsplit("#", 1)[-1]
    action = graph.value(entry, MF.action)
    requests = tuple(
        _request(graph, r) for r in Collection(graph, graph.value(action, HT.requests))
    )
    graphs = tuple(
        (str(graph.value(g, UT.graph)), str(graph.value(g, RDFS.label)))
        for g in graph.objects(entry, UT.graphData)
    )
    return ProtocolTest(name, requests, graphs)


def _request(graph: Graph, node: object) -> HttpRequest:
    headers = {}
    listed = graph.value(node, HT.headers)
    for header in Collection(graph, listed) if listed is not None else []:
        headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = tuple(str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus))
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    return HttpRequest(
        str(graph.value(node, HT.methodName)),
        str(graph.value(node, HT.absolutePath)),
        headers,
        body,
        statuses,
        str(fmt) if fmt is not None else None,
        boolean.toPython() if boolean is not None else None,
    )


TESTS = load_manifest() if (SUITE / "manifest.ttl").is_file() else []
SKIP = pytest.mark.skipif(
    not TESTS, reason=f"the W3C suites are not at {SUITE} (set MIGLOD_SHARED)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a store holding the suite's three graphs, each under its label's IRI."""
    inputs = {label: SUITE / file.rsplit("/", 1)[-1] for t in TESTS for file, label in t.graphs}
    store = tmp_path_factory.mktemp("w3c") / "store"
    build_store(store, [BulkInput(path, label) for label, path in sorted(inputs.items())])
    with running_server(store, tmp_path_factory.mktemp("log") / "server.log") as url:
        yield url


def _send(server: str, request: HttpRequest) -> tuple[int, dict[str, str], bytes]:
    path = request.path.replace("/sparql/", "/sparql", 1)
    return fetch(server + path, data=request.body, headers=request.headers, method=request.method)


def _boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    return b"<boolean>true</boolean>" in body


def _check(request: HttpRequest, status: int, headers: dict[str, str], body: bytes) -> None:
    assert f"{status // 100}xx" in request.statuses, (status, body[:300])
    media_type = headers.get("Content-Type", "").split(";")[0].strip()
    if request.result_format == "boolean":
        assert media_type in BOOLEAN_TYPES
    elif request.result_format == "tabular":
        assert media_type in TABULAR
    elif request.result_format == "RDF":
        assert media_type in RDF_TYPES
        Graph().parse(data=body, format={"text/turtle": "turtle"}.get(media_type, "xml"))
    if request.boolean is not None:
        assert _boolean(media_type, body) is request.boolean


@SKIP
@pytest.mark.parametrize("test", [t for t in TESTS if not t.is_update], ids=lambda t: t.name)
def test_protocol(server: str, test: ProtocolTest) -> None:
    for request in test.requests:
        _check(request, *_send(server, request))


@SKIP
@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update], ids=lambda t: t.name)
def test_updates_are_refused(server: str, test: ProtocolTest) -> None:
    updates = [
        r
        for r in test.requests
        if r.headers.get("content-type") == "application/sparql-update"
        or (r.body or b"").startswith(b"update=")
    ]
    assert updates, "an update test sends an update"
    for request in updates:
        status, _, body = _send(server, request)
        assert status == 403, body[:300]
        assert json.loads(body)["error"] == "update_refused"
    query = urllib.parse.quote(
        "ASK { GRAPH ?g { ?s a <http://purl.org/dc/terms/BibliographicResource> } }"
    )
    status, _, body = fetch(
        f"{server}/sparql?query={query}", headers={"Accept": "application/sparql-results+json"}
    )
    assert (status, json.loads(body)["boolean"]) == (200, False)


def test_every_manifest_entry_is_run() -> None:
    if not TESTS:
        pytest.skip(f"the W3C suites are not at {SUITE}")
    assert len(TESTS) == 34
    assert sum(t.is_update for t in TESTS) == 7
