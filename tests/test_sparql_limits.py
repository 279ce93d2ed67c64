"""Limits that hold on a real server: time limit, load shedding, and no outbound requests."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server.sparql import query_slots
from tests.test_sparql_support import fetch, running_server

pytestmark = pytest.mark.e2e

TIMEOUT = 2.0
#: Five unconstrained patterns over the fixture store: about 10^12 solutions, hours of work.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
WORKERS = 3
SLOTS = query_slots({"workers": WORKERS})


@pytest.fixture(scope="module")
def server(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the fixture store with a 2-second limit and three web workers."""
    log = tmp_path_factory.mktemp("limits") / "server.log"
    with running_server(built_store, log, workers=WORKERS, query_timeout=TIMEOUT) as url:
        yield url


def get_query(
    server: str, query: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    return fetch(
        f"{server}/sparql?query={urllib.parse.quote(query)}", headers=headers or JSON_RESULTS
    )


def test_a_runaway_query_is_stopped_while_other_requests_are_answered(server: str) -> None:
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        running = pool.submit(get_query, server, ENDLESS)
        time.sleep(0.3)
        answered = []
        while not running.done():
            before = time.monotonic()
            status, _, body = get_query(server, "ASK { ?s a <https://schema.org/Country> }")
            page, _, _ = fetch(f"{server}/", headers={"Accept": "text/html"})
            assert status == 200, body
            answered.append((status, json.loads(body)["boolean"], page, time.monotonic() - before))
        status, _, body = running.result()
        elapsed = time.monotonic() - started
    assert status == 503
    assert json.loads(body)["error"] == "query_timeout"
    assert TIMEOUT - 0.1 <= elapsed <= TIMEOUT + 1.0
    assert answered and all(a[:3] == (200, True, 200) for a in answered)
    assert max(a[3] for a in answered) < 1.0
    # The worker that ran it is usable at once.
    assert get_query(server, "ASK {}")[0] == 200


def test_excess_heavy_queries_get_503_with_retry_after(server: str) -> None:
    heavy = SLOTS + 2
    with ThreadPoolExecutor(heavy) as pool:
        futures = [pool.submit(get_query, server, ENDLESS + f" # {n}") for n in range(heavy)]
        time.sleep(0.8)
        before = time.monotonic()
        page, _, _ = fetch(f"{server}/", headers={"Accept": "text/html"})
        page_seconds = time.monotonic() - before
        results = [f.result() for f in futures]
    codes = sorted(json.loads(body)["error"] for _, _, body in results)
    assert [status for status, _, _ in results] == [503] * heavy
    assert codes.count("query_timeout") <= SLOTS
    busy = [
        headers for _, headers, body in results if json.loads(body)["error"] == "query_service_busy"
    ]
    assert busy and all(int(h["Retry-After"]) >= 1 for h in busy)
    assert page == 200 and page_seconds < 1.5


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def refusals(target: str) -> list[tuple[str, str]]:
    """Return queries (and how to send them) that would reach ``target`` if evaluated."""
    return [
        ("get", f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"),
        (
            "get",
            f"select * where {{ ?x ?y ?z OPTIONAL {{ service silent <{target}> {{ ?s ?p ?o }} }} }}",
        ),
        ("get", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE<{target}>{{?s ?p ?o}} }} }} }}"),
        (
            "get",
            f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<'a>b') SERVICE <{target}> {{ ?x ?y ?z }} }} #'",
        ),
        ("get", f"PREFIX s: <{target}> SELECT * WHERE {{ SERVICE s: {{ ?s ?p ?o }} }}"),
        ("get", f"LOAD <{target}data.ttl>"),
        ("get", f"LOAD <{target}data.ttl> INTO GRAPH <http://example.org/g>"),
        ("direct", f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"),
        ("form", f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"),
        ("update", f"LOAD <{target}data.ttl>"),
        ("update-form", f"LOAD <{target}data.ttl>"),
        ("update", "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"),
        ("get", "DELETE WHERE { ?s ?p ?o }"),
    ]


def send(server: str, how: str, query: str) -> tuple[int, bytes]:
    if how == "get":
        status, _, body = get_query(server, query)
    elif how in ("direct", "update"):
        kind = "application/sparql-query" if how == "direct" else "application/sparql-update"
        status, _, body = fetch(
            f"{server}/sparql", data=query.encode(), headers={"Content-Type": kind, **JSON_RESULTS}
        )
    else:
        field = "query" if how == "form" else "update"
        form = urllib.parse.urlencode({field: query}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **JSON_RESULTS}
        status, _, body = fetch(f"{server}/sparql", data=form, headers=headers)
    return status, body


def test_updates_load_and_service_are_refused_and_nothing_goes_out(
    server: str, listener: Listener
) -> None:
    target = f"http://127.0.0.1:{listener.port}/"
    for how, query in refusals(target):
        status, body = send(server, how, query)
        assert status == 403, (how, query, body)
        assert json.loads(body)["error"] in ("service_refused", "update_refused"), query
    # Clauses that name remote IRIs without fetching them are answered, still without a connection.
    for query in (f"ASK FROM <{target}g> {{ ?s ?p ?o }}", f"DESCRIBE <{target}thing>"):
        assert get_query(server, query, {"Accept": "*/*"})[0] == 200
    time.sleep(0.5)
    assert listener.connections == 0


def test_get_queries_up_to_the_length_cap_reach_the_endpoint(server: str) -> None:
    padding = "# " + "é" * 20_000 + "\n"  # 20 k characters, 120 kB once percent-encoded
    status, _, body = get_query(server, padding + "ASK {}")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = get_query(server, "# " + "x" * (64 * 1024) + "\nASK {}")
    assert status == 413 and json.loads(body)["error"] == "query_too_long"
