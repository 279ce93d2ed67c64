"""Writes against a real gunicorn server, a writer killed with SIGKILL, and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from miglod.cli import main
from miglod.store import open_store, write_dumps
from tests.conftest import BASE, ROOT, app_on, free_port, serve_command, server_process
from tests.writes_helpers import TOKENS, invalid_turtle, item_turtle, news_iri, nquads

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": "Bearer s3cret-alice"}


def call(
    url: str, method: str = "GET", body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """Return the status, headers and body of one request."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture
def writable_server(store_path: Path, tmp_path: Path) -> Iterator[str]:
    """Run a gunicorn server with two workers and write tokens on a private store."""
    port = free_port()
    settings = {
        "store": str(store_path),
        "host": "127.0.0.1",
        "port": port,
        "workers": 2,
        "write_tokens": TOKENS,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIGLOD_WRITE_TOKENS": TOKENS}
    log = tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    with server_process(serve_command(settings), env, log, url + "/"):
        yield url
    assert "s3cret" not in log.read_text(), "a token reached the log"


def sparql_ask(url: str, iri: str) -> bool:
    query = urllib.parse.urlencode({"query": f"ASK {{ <{iri}> ?p ?o }}"})
    status, _, body = call(f"{url}/sparql?{query}", Accept="application/sparql-results+json")
    assert status == 200, body
    return bool(json.loads(body)["boolean"])


def test_the_write_path_over_http(writable_server: str, store_path: Path, tmp_path: Path) -> None:
    url, new = writable_server, "2021-09-16-written-over-http"
    before = nquads(store_path)
    assert (
        call(f"{url}/news", "POST", item_turtle(new), **{"Content-Type": "text/turtle"})[0] == 401
    )
    wrong = {"Authorization": "Bearer wrong", "Content-Type": "text/turtle"}
    assert call(f"{url}/news", "POST", item_turtle(new), **wrong)[0] == 403
    bad = call(
        f"{url}/news", "POST", invalid_turtle(new), **ALICE, **{"Content-Type": "text/turtle"}
    )
    assert bad[0] == 422
    assert any(r["path"] == str(SDO.datePublished) for r in json.loads(bad[2])["results"])
    assert nquads(store_path) == before

    status, headers, _ = call(
        f"{url}/news", "POST", item_turtle(new), **ALICE, **{"Content-Type": "text/turtle"}
    )
    assert status == 201 and headers["Location"] == news_iri(new)
    for _ in range(2):  # both workers answer with the new item
        status, _, body = call(f"{url}/doc/news/{new}.ttl")
        assert status == 200
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(news_iri(new)), SDO.headline, Literal("Nueva noticia", lang="es")) in graph
    changes = json.loads(call(f"{url}/changes")[2])["changes"]
    assert any(c["resource"] == news_iri(new) and c["agent"] == "alice" for c in changes)
    deadline = time.monotonic() + 60
    while not sparql_ask(url, news_iri(new)):
        assert time.monotonic() < deadline, "the new item never showed in /sparql"
        time.sleep(0.5)
    with open_store(store_path, read_only=True) as store:
        write_dumps(store, tmp_path / "dumps")
    dumped = (tmp_path / "dumps").glob("*.nt.gz")
    import gzip

    assert any(news_iri(new).encode() in gzip.decompress(p.read_bytes()) for p in dumped)

    assert call(f"{url}/id/news/{new}", "DELETE", **ALICE)[0] == 204
    assert call(f"{url}/doc/news/{new}.ttl")[0] == 410
    assert call(f"{url}/id/news/{new}", Accept="application/json")[0] == 410


def test_racing_writers_one_wins_the_other_gets_412(writable_server: str) -> None:
    url, new = writable_server, "2021-09-17-raced-over-http"
    ttl = {"Content-Type": "text/turtle"}
    assert call(f"{url}/news", "POST", item_turtle(new), **ALICE, **ttl)[0] == 201
    etag = call(f"{url}/doc/news/{new}.ttl")[1]["ETag"]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def writer(n: int) -> None:
        body = item_turtle(new, headline=f"Escritor {n}")
        barrier.wait()
        statuses.append(
            call(f"{url}/id/news/{new}", "PUT", body, **ALICE, **ttl, **{"If-Match": etag})[0]
        )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]


KILLED_WRITER = """
import sys, time
from pathlib import Path
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO
from miglod.store import open_store
store = open_store(sys.argv[1])
def pause():
    Path(sys.argv[2]).write_text("inside")
    time.sleep(600)
store.before_publish = pause
graphs = {}
for n in range(3000):
    item = URIRef(f"https://w3id.org/miglod/id/news/2030-01-01-killed-{n}")
    g = Graph()
    g.add((item, RDF.type, SDO.NewsArticle))
    g.add((item, SDO.headline, Literal(f"Never published {n}", lang="en")))
    graphs[f"https://w3id.org/miglod/graph/news/2030-01-01-killed-{n}"] = g
store.replace_graphs(graphs, agent="killed")
"""


def test_a_writer_killed_midway_leaves_the_store_as_before(
    store_path: Path, tmp_path: Path
) -> None:
    committed = "2021-09-18-committed-before-the-kill"
    assert (
        main(
            [
                "load",
                str(write(tmp_path / "one.ttl", item_turtle(committed))),
                "--store",
                str(store_path),
            ]
        )
        == 0
    )
    before = nquads(store_path)
    marker = tmp_path / "inside"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(store_path), str(marker)], env=env
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the writer ended before the pause"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert nquads(store_path) == before
    with open_store(store_path) as store:
        assert all(c.agent != "killed" for c in store.changes(limit=100000))
        graph = BASE + "graph/news/2030-01-01-killed-0"
        assert store.status(graph) is None and store.history(graph) == []
        store.replace_graphs({BASE + "graph/news/after-the-kill": []})
    client = app_on(store_path).test_client()  # a restarted server
    page = client.get(f"/doc/news/{committed}.ttl")
    assert page.status_code == 200
    assert client.get("/doc/news/2030-01-01-killed-0.ttl").status_code == 404


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_load_validates_first_and_exits_1_on_a_bad_item(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = nquads(store_path)
    bad = write(tmp_path / "bad.ttl", invalid_turtle("2021-09-19-bad-item"))
    assert main(["load", str(bad), "--store", str(store_path)]) == 1
    assert "datePublished" in capsys.readouterr().out
    assert nquads(store_path) == before
    assert main(["load", str(tmp_path / "missing.ttl"), "--store", str(store_path)]) == 2
    good = write(tmp_path / "good.ttl", item_turtle("2021-09-19-good-item"))
    assert main(["load", str(good), "--store", str(store_path)]) == 0
    with open_store(store_path, read_only=True) as store:
        assert store.describe(news_iri("2021-09-19-good-item"))


def test_publish_posts_each_item_and_replaces_on_request(
    writable_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = "2021-09-20-published-from-the-command-line"
    good = write(tmp_path / "good.ttl", item_turtle(new))
    args = ["publish", str(good), "--to", writable_server, "--token", "s3cret-bob"]
    assert main(args) == 0
    assert f"{news_iri(new)} 201" in capsys.readouterr().out
    assert main(args) == 2
    assert main([*args, "--replace"]) == 0
    assert f"{news_iri(new)} 200" in capsys.readouterr().out
    bad = write(tmp_path / "bad.ttl", invalid_turtle("2021-09-20-bad"))
    assert main(["publish", str(bad), "--to", writable_server, "--token", "s3cret-bob"]) == 1
    assert "datePublished" in capsys.readouterr().out
    assert main(["publish", str(good), "--to", writable_server, "--token", "nope"]) == 2
