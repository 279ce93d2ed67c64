"""Build, serve, query and write, as real processes, on every configured store backend.

``miglod build`` loads the store (the embedded one, or a Virtuoso or Oxigraph
server), gunicorn serves it with two workers, and real HTTP requests read the
linked data and the SPARQL endpoint, and write through ``POST /news``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from tests.backends import backend_params, empty_remote, endpoints
from tests.conftest import BASE, ROOT, free_port, server_process

TOKEN = "e2e-secret-token"
NEW_ITEM = """30 September, 2021

IOM and Suriname open a migration data centre in Paramaribo

The International Organization for Migration (IOM) and the Government of Suriname opened a \
migration data centre in Paramaribo to improve migration governance and data collection.
"""
NEW_HEADLINE = "IOM and Suriname open a migration data centre in Paramaribo"


@dataclass
class Site:
    """A served store: its address and the environment its processes ran with."""

    url: str
    env: dict[str, str]


def _environment(kind: str, tmp: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MIGLOD_BASE_IRI": BASE,
        "MIGLOD_STORE": str(tmp / "store"),
        "MIGLOD_DUMPS": str(tmp / "dumps"),
        "MIGLOD_RESULT_LIMIT": "5",
        "MIGLOD_WRITE_TOKENS": f"steward={TOKEN}",
    }
    found = endpoints(kind) if kind != "embedded" else None
    if found is not None:
        empty_remote(kind).close()
        env.update(
            MIGLOD_SPARQL_QUERY_URL=found.query_url,
            MIGLOD_SPARQL_UPDATE_URL=found.update_url,
            MIGLOD_GSP_URL=found.gsp_url,
            MIGLOD_STORE_USER=found.user,
            MIGLOD_STORE_PASSWORD=found.password,
        )
    return env


@pytest.fixture(params=backend_params())
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    """Build the sample data into the backend's store and serve it with gunicorn."""
    env = _environment(request.param, tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "news" / "iom-news-2021.txt", data)
    built = subprocess.run(
        [sys.executable, "-m", "miglod.cli", "build", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    port = free_port()
    # `miglod serve` as a steward runs it: gunicorn workers, each opening the store itself.
    command = [
        sys.executable,
        "-m",
        "miglod.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    url = f"http://127.0.0.1:{port}"
    with server_process(command, env, tmp_path / "server.log", url + "/"):
        yield Site(url, env)


def _get(url: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _sparql(site: Site, query: str) -> tuple[int, dict[str, str], bytes]:
    url = site.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    return _get(url, "application/sparql-results+json")


def _send(
    site: Site, method: str, path: str, body: bytes, token: str | None
) -> tuple[int, dict[str, str]]:
    headers = {"Content-Type": "text/plain; charset=utf-8", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(site.url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {**response.headers, "body": response.read().decode()}
    except urllib.error.HTTPError as error:
        return error.code, {**error.headers, "body": error.read().decode()}


def _count_items(site: Site) -> int:
    status, _, body = _sparql(
        site,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}")) }}',
    )
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _settles(site: Site, expected: int) -> int:
    """Return the item count once it is ``expected``, or the last count after a minute.

    Each web worker catches up with a write at its next request; its query
    service may take a moment longer to load the new data. SPARQL sees a write
    once it is folded, and a fold waits 20 times as long as the last one took:
    on a loaded machine (a fold of 0.5 s) that alone is 10 s.
    """
    deadline = time.monotonic() + 60
    while (found := _count_items(site)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_build_serve_query_and_write(site: Site) -> None:
    assert _count_items(site) == 10

    status, _, body = _sparql(
        site,
        "SELECT ?s WHERE { ?s a <https://schema.org/NewsArticle> "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}")) }}',
    )
    assert status == 200
    items = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    status, headers, body = _sparql(site, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and headers["X-Result-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 5
    assert _sparql(site, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")[0] == 403
    assert _sparql(site, "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")[0] == 403

    doc = items[0].replace(BASE + "id/", site.url + "/doc/")
    status, _, body = _get(doc, "text/turtle")
    assert status == 200
    described = Graph().parse(data=body, format="turtle", publicID=site.url + "/")
    assert (URIRef(items[0]), SDO.headline, None) in described

    status, _, body = _get(site.url + "/changes", "application/json")
    assert status == 200 and items[0].replace("/id/", "/graph/").encode() in body

    if not (ROOT / "server" / "writes.py").exists():
        pytest.skip("the write path (server/writes.py) is not there yet")
    assert _send(site, "POST", "/news", NEW_ITEM.encode(), None)[0] == 401
    assert _send(site, "POST", "/news", NEW_ITEM.encode(), "wrong")[0] == 403
    assert _count_items(site) == 10
    status, headers = _send(site, "POST", "/news", NEW_ITEM.encode(), TOKEN)
    assert status == 201, headers["body"]
    created = headers["Location"]
    assert _settles(site, 11) == 11
    status, _, body = _sparql(
        site, f'ASK {{ ?s <https://schema.org/headline> "{NEW_HEADLINE}"@en }}'
    )
    assert json.loads(body)["boolean"] is True
    iri = created if created.startswith(BASE) else BASE + created.split("/", 3)[3]
    status, _, body = _get(iri.replace(BASE + "id/", site.url + "/doc/"), "text/turtle")
    assert status == 200
    assert (None, SDO.headline, Literal(NEW_HEADLINE, lang="en")) in Graph().parse(
        data=body, format="turtle"
    )
    path = "/" + iri[len(BASE) :]
    assert _send(site, "DELETE", path, b"", TOKEN)[0] == 204
    assert _get(iri.replace(BASE + "id/", site.url + "/doc/"), "text/turtle")[0] == 410
    assert _settles(site, 10) == 10
