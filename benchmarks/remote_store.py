"""Measure a remote store: loading N items, one item write, one describe.

Run with the endpoints of a running server (``.ci/engines.sh start`` prints them):

    PYTHONPATH=. python benchmarks/remote_store.py virtuoso 10000

It loads N copies of a fixture news item (each in its own graph) under a base
IRI of its own, then times item writes and descriptions, and prints figures.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from miglod.store import BulkInput
from miglod.store.remote import RemoteStore
from miglod.store.remote_load import load_remote
from tests.backends import endpoints

#: A base of its own per run, so each run loads into an empty dataset.
BASE = f"https://bench.example/{int(time.time())}/"
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "store"
FIXTURE_BASE = "https://w3id.org/miglod/"


def items_file(path: Path, count: int) -> None:
    """Write ``count`` news items as N-Quads, one graph each."""
    template = Graph().parse(FIXTURE / "news-suriname.ttl")
    text = template.serialize(format="nt")
    countries = (FIXTURE / "countries.ttl").read_text(encoding="utf-8")
    countries_nt = Graph().parse(data=countries.replace(FIXTURE_BASE, BASE), format="turtle")
    with open(path, "w", encoding="utf-8") as out:
        for line in countries_nt.serialize(format="nt").splitlines():
            if line.strip():
                out.write(line.rstrip(" .") + f" <{BASE}graph/countries> .\n")
        for n in range(count):
            graph = f"<{BASE}graph/news/item-{n}>"
            body = text.replace(FIXTURE_BASE + "id/news/", f"{BASE}id/news/item-{n}-").replace(
                FIXTURE_BASE, BASE
            )
            for line in body.splitlines():
                if line.strip():
                    out.write(line.rstrip(" .") + f" {graph} .\n")


def main(kind: str, count: int) -> None:
    found = endpoints(kind)
    if found is None:
        sys.exit(f"set MIGLOD_TEST_{kind.upper()}_QUERY_URL first")
    store = RemoteStore(found, BASE)
    with tempfile.TemporaryDirectory() as tmp:
        quads = Path(tmp) / "items.nq"
        items_file(quads, count)
        started = time.perf_counter()
        changes = load_remote(store, [BulkInput(quads, format=ox.RdfFormat.N_QUADS)])
        seconds = time.perf_counter() - started
    print(
        f"{kind}: loaded {len(changes)} graphs in {seconds:.1f} s ({len(changes) / seconds:.0f}/s)"
    )
    template = (FIXTURE / "news-suriname.ttl").read_text(encoding="utf-8")
    item = Graph().parse(data=template.replace("https://w3id.org/miglod/", BASE), format="turtle")
    writes, describes = [], []
    for n in range(20):
        item.set((URIRef(BASE + "id/news/extra"), SDO.headline, Literal(f"version {n}")))
        started = time.perf_counter()
        store.replace_graphs({BASE + "graph/news/extra": item}, agent="bench")
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.describe(BASE + "id/country/SR")
        describes.append(time.perf_counter() - started)
    assert len(store.describe(BASE + "id/country/SR").triples) > 100
    print(
        f"{kind}: one item write {1000 * statistics.median(writes):.0f} ms (median of 20), "
        f"one describe of a country linked from {count} items "
        f"{1000 * statistics.median(describes):.0f} ms"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
