"""Put the writes benchmark's dataset in a throwaway Virtuoso and name the settings to serve it.

The synthetic items (one graph each) and the fixture reference data (countries,
organisations, places, the vocabulary, each in its graph) are bulk-loaded with
Virtuoso's loader, then ``miglod serve`` runs on the remote store: queries on
``/sparql``, updates on ``/sparql-auth`` and the Graph Store Protocol on
``/sparql-graph-crud-auth`` as ``dba`` (Debian's default account, fine for a
server that listens on 127.0.0.1 and is thrown away after the run).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks import sparql_virtuoso
from benchmarks.sparql_data import BASE

#: The reference graphs a new item's validation needs, from the test fixtures.
REFERENCE = ("countries", "organizations", "places", "ontology")


def available() -> bool:
    """Return whether Virtuoso is installed here."""
    return sparql_virtuoso.available()


def reference_quads(fixtures: Path, target: Path) -> None:
    """Write the fixture reference data as N-Quads, each file in its graph."""
    with target.open("wb") as out:
        for name in REFERENCE:
            graph = ox.NamedNode(BASE + f"graph/{name}")
            triples = ox.parse(path=str(fixtures / f"{name}.ttl"), format=ox.RdfFormat.TURTLE)
            quads = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples)
            out.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


@contextlib.contextmanager
def loaded(directory: Path, items: Path, fixtures: Path) -> Iterator[dict[str, Any]]:
    """Run Virtuoso holding ``items`` (N-Quads) and the reference data; yield store settings."""
    data = directory / "virtuoso-data"
    data.mkdir(parents=True, exist_ok=True)
    linked = data / items.name
    if not linked.exists():
        linked.symlink_to(items.resolve())
    reference_quads(fixtures, data / "reference.nq")
    with sparql_virtuoso.running(directory / "virtuoso-db", data) as server:
        started = time.monotonic()
        server.load("*.nq")
        print(f"virtuoso: loaded {items.name} in {time.monotonic() - started:.1f} s", flush=True)
        root = f"http://127.0.0.1:{server.http}"
        yield {
            "sparql_query_url": f"{root}/sparql",
            "sparql_update_url": f"{root}/sparql-auth",
            "gsp_url": f"{root}/sparql-graph-crud-auth",
            "store_user": "dba",
            "store_password": "dba",
        }
