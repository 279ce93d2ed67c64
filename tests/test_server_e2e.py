"""End to end: a real gunicorn server process and real clients (rdflib, pyld, urllib)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SDO

from miglod.store import layout, open_store
from tests.conftest import BASE, COURSE_ID, ROOT, jsonld_graph
from tests.test_sparql_support import running_server

pytestmark = pytest.mark.e2e


def status_of(request: urllib.request.Request | str) -> tuple[int, bytes]:
    """Return the status and body of a request that is expected to fail or be 304."""
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_rdflib_follows_the_303_and_reads_the_data(live_server: str) -> None:
    graph = Graph().parse(f"{live_server}/id/country/SR")
    country = URIRef(BASE + "id/country/SR")
    assert (country, SDO.name, Literal("Surinam", lang="es")) in graph
    assert (None, SDO.about, country) in graph


def test_json_ld_over_http_expands_to_the_turtle(live_server: str) -> None:
    path = "/doc/news/" + COURSE_ID
    with urllib.request.urlopen(live_server + "/context.jsonld") as response:
        context = json.load(response)
    request = urllib.request.Request(live_server + path, headers={"Accept": "application/ld+json"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/ld+json"
        document = json.load(response)
    with urllib.request.urlopen(live_server + path + ".ttl") as response:
        turtle = Graph().parse(data=response.read(), format="turtle")
    assert isomorphic(jsonld_graph(document, context), turtle)


def test_conditional_request_gets_304(live_server: str) -> None:
    with urllib.request.urlopen(live_server + "/doc/country/SR.ttl") as response:
        etag = response.headers["ETag"]
        modified = response.headers["Last-Modified"]
    for header, value in (("If-None-Match", etag), ("If-Modified-Since", modified)):
        request = urllib.request.Request(
            live_server + "/doc/country/SR.ttl", headers={header: value}
        )
        assert status_of(request) == (304, b"")


def test_html_and_errors_over_http(live_server: str) -> None:
    request = urllib.request.Request(
        live_server + "/doc/country/SR", headers={"Accept": "text/html"}
    )
    with urllib.request.urlopen(request) as response:
        assert "Suriname" in response.read().decode()
    status, body = status_of(live_server + "/doc/country/XX.jsonld")
    assert status == 404
    assert json.loads(body)["error"] == "not_found"


def test_workers_freeze_their_start_up_heap() -> None:
    """gunicorn runs ``settle_worker`` in each worker once the app is loaded: it freezes the heap."""
    code = (
        "import gc; from server.serve import gunicorn_options, settle_worker\n"
        "from miglod.settings import resolve\n"
        "hook = gunicorn_options(resolve({}))['post_worker_init']\n"
        "assert hook is settle_worker and gc.get_freeze_count() == 0\n"
        "junk = [[n] for n in range(1000)]\n"
        "hook(None)\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert int(done.stdout) > 1000


def _serving_pids(port: int) -> list[int]:
    """Return the processes started as the server on ``port`` (gunicorn's master and workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if f"'port': {port}".encode() in cmdline.read():
                        found.append(int(entry))
            except OSError:  # gone meanwhile
                continue
    return found


def _reads_under(pid: int, directory: Path) -> bool:
    """Return whether process ``pid`` holds a file open under ``directory``."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(str(directory) + "/"):
                return True
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_workers_open_a_new_generation_before_any_request_needs_it(
    store_path: Path, tmp_path: Path
) -> None:
    """Each worker follows the store between requests: a fold is opened without a request."""
    with running_server(store_path, tmp_path / "server.log") as url:
        port = int(url.rsplit(":", 1)[1])
        writer = open_store(store_path)
        graph, item = (
            BASE + "graph/news/2030-01-01-followed",
            URIRef(BASE + "id/news/2030-01-01-followed"),
        )
        writer.replace_graphs({graph: [(item, SDO.headline, Literal("Followed", lang="en"))]})
        assert writer.compact()
        writer.close()
        generation = layout.generation_dir(store_path, layout.current_name(store_path))
        deadline, following = time.monotonic() + 15, []
        while time.monotonic() < deadline:
            following = [pid for pid in _serving_pids(port) if _reads_under(pid, generation)]
            if len(following) == 2:
                break
            time.sleep(0.1)
        assert len(following) == 2, f"workers reading {generation.name}: {following}"
        with urllib.request.urlopen(f"{url}/doc/news/2030-01-01-followed.ttl") as response:
            served = Graph().parse(data=response.read(), format="turtle")
        assert (item, SDO.headline, Literal("Followed", lang="en")) in served


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a /dev/shm memory file system")
def test_workers_keep_their_heartbeat_file_in_memory(live_server: str) -> None:
    """gunicorn's workers touch a file on every turn: never one on a disk's journalling file system."""
    port = int(live_server.rsplit(":", 1)[1])
    heartbeats = []
    for pid in _serving_pids(port):
        with contextlib.suppress(OSError):  # gone meanwhile
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    name = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if "/wgunicorn-" in name:  # gunicorn's heartbeat file, unlinked once opened
                        heartbeats.append((pid, name))
    # One per worker, held by the worker and by the master, which watches them.
    assert len({name for _, name in heartbeats}) == 2, heartbeats
    assert all(name.startswith("/dev/shm/wgunicorn-") for _, name in heartbeats), heartbeats
