"""Shared fixtures: a small store built from hand-made Turtle, the app and its test client."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from miglod.store import BulkInput, Store, build_store, open_store
from server import create_app

BASE = "https://w3id.org/miglod/"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "store"
REFERENCE_GRAPHS = ("countries", "organizations", "places", "ontology")
COURSE_ID = "2021-09-02-online-course-protection-of-migrants-in-vulnerable-conditions-in-panama-is"
SURINAME_ID = (
    "2021-09-20-iom-and-suriname-government-launch-innovative-report-on-national-migration"
)
_IDENTIFIER = re.compile(r'schema:identifier "([^"]+)"')


def news_id(path: Path) -> str:
    """Return the id of the news item a fixture file holds."""
    found = _IDENTIFIER.search(path.read_text(encoding="utf-8"))
    assert found, f"{path} has no schema:identifier"
    return found.group(1)


def fixture_inputs() -> list[BulkInput]:
    """Return the fixture files, each with the named graph it is loaded into."""
    inputs = [
        BulkInput(FIXTURES / f"{name}.ttl", BASE + f"graph/{name}") for name in REFERENCE_GRAPHS
    ]
    for path in sorted(FIXTURES.glob("news-*.ttl")):
        inputs.append(BulkInput(path, BASE + f"graph/news/{news_id(path)}"))
    return inputs


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture store once per session; tests must not write to it."""
    path = tmp_path_factory.mktemp("store") / "store"
    build_store(path, fixture_inputs())
    return path


@pytest.fixture
def store_path(built_store: Path, tmp_path: Path) -> Path:
    """Return a private copy of the fixture store that a test may write to."""
    copy = tmp_path / "store"
    shutil.copytree(built_store, copy, symlinks=True)
    return copy


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    """Open a writable copy of the fixture store."""
    opened = open_store(store_path)
    yield opened
    opened.close()


def app_on(store: Path, **settings: object) -> Flask:
    """Return an app on ``store`` set up for tests (no background query service)."""
    app = create_app({"store": str(store), **settings})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(built_store: Path) -> Flask:
    """Return the app reading the (shared, unwritten) fixture store."""
    return app_on(built_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server_process(
    command: list[str], env: dict[str, str], log: Path, url: str, *, timeout: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends, once ``url`` answers.

    Its output goes to ``log``, which is shown when it exits or does not answer
    within ``timeout`` seconds; it is stopped with SIGTERM at the end.
    """
    started = time.monotonic()
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output, cwd=ROOT)
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() - started > timeout:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.05)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def serve_command(settings: dict[str, object]) -> list[str]:
    """Return the command that runs ``server.serve`` with ``settings``."""
    return [sys.executable, "-c", f"from server import serve; serve({settings!r})"]


@pytest.fixture(scope="session")
def live_server(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``server.serve`` in its own process and return its address."""
    port = free_port()
    settings = {"store": str(built_store), "host": "127.0.0.1", "port": port, "workers": 2}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    url = f"http://127.0.0.1:{port}"
    with server_process(serve_command(settings), env, log, url + "/", timeout=20):
        yield url


def jsonld_graph(document: object, context: object) -> Graph:
    """Return the triples a JSON-LD document expands to, with pyld and our context served locally.

    The loader answers only for the dataset's context; any other fetch fails the test.
    """
    from pyld import jsonld

    def loader(url: str, options: object = None) -> dict[str, object]:
        if url != BASE + "context.jsonld":
            raise AssertionError(f"pyld tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": context}

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
    return Graph().parse(data=nquads, format="nt")


#: Debian's Chromium, which the browser tests drive (Playwright never downloads one).
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Start headless Chromium once for a module's tests."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
    # Playwright leaves its driver's socket for the garbage collector; collect it here,
    # quietly, rather than have a ResourceWarning fail whichever test runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
