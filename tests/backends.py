"""Run store tests on every configured backend: the embedded store, Virtuoso, Oxigraph server.

A remote backend is configured by environment variables (``.ci/engines.sh
start`` prints them): ``MIGLOD_TEST_VIRTUOSO_QUERY_URL``, ``…_UPDATE_URL``,
``…_GSP_URL``, ``…_USER``, ``…_PASSWORD``, and the same with ``OXIGRAPH``.
Without them its tests skip, saying which variable is missing. A remote store
is emptied of everything under the test base IRI and loaded with the fixture
data before each test, so the tests that write may run in any order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from miglod.store import Store, open_store
from miglod.store.remote import RemoteStore
from miglod.store.remote_http import Endpoints
from miglod.store.remote_load import load_remote
from tests.conftest import BASE, fixture_inputs

REMOTES = ("virtuoso", "oxigraph")


def endpoints(kind: str) -> Endpoints | None:
    """Return the endpoints of a remote backend, or ``None`` when it is not configured."""
    prefix = f"MIGLOD_TEST_{kind.upper()}_"
    query = os.environ.get(prefix + "QUERY_URL")
    if not query:
        return None
    return Endpoints(
        query_url=query,
        update_url=os.environ.get(prefix + "UPDATE_URL", ""),
        gsp_url=os.environ.get(prefix + "GSP_URL", ""),
        user=os.environ.get(prefix + "USER", ""),
        password=os.environ.get(prefix + "PASSWORD", ""),
        timeout=30.0,
    )


def backend_params() -> list[object]:
    """Return the pytest parameters of every backend, remote ones skipped when unconfigured."""
    return [pytest.param("embedded", id="embedded"), *remote_params()]


def remote_params() -> list[object]:
    """Return the pytest parameters of the remote backends, skipped when unconfigured."""
    params: list[object] = []
    for kind in REMOTES:
        reason = f"set MIGLOD_TEST_{kind.upper()}_QUERY_URL (see .ci/engines.sh) to test {kind}"
        marks = [] if endpoints(kind) else [pytest.mark.skip(reason=reason)]
        params.append(pytest.param(kind, id=kind, marks=marks))
    return params


def empty_remote(kind: str) -> RemoteStore:
    """Return a remote store emptied of every graph under the test base IRI."""
    found = endpoints(kind)
    assert found is not None
    store = RemoteStore(found, BASE)
    _, rows = store.client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{BASE}")) }}'
    )
    if rows:
        store.client.update(" ;\n".join(f"DROP SILENT GRAPH <{row[0]}>" for row in rows))
    store.refresh()
    return store


def open_backend(kind: str, built_store: Path, tmp_path: Path) -> Iterator[Store]:
    """Yield a writable store holding the fixture data on backend ``kind``."""
    if kind == "embedded":
        copy = tmp_path / "store"
        shutil.copytree(built_store, copy, symlinks=True)
        opened: Store = open_store(copy)
    else:
        remote = empty_remote(kind)
        load_remote(remote, fixture_inputs())
        opened = remote
    try:
        yield opened
    finally:
        opened.close()


def another_handle(store: Store) -> Store:
    """Return a second, independent handle on the same store (as another worker would open)."""
    if isinstance(store, RemoteStore):
        return RemoteStore(store.client.endpoints, store.base)
    path = getattr(store, "path", None)
    assert isinstance(path, Path)
    return open_store(path)
