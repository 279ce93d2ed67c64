"""Whole responses kept per data version: identical answers, never stale, never for conditionals."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from miglod.store import Store
from tests.conftest import BASE, SURINAME_ID, app_on

DOC = "/doc/news/" + SURINAME_ID
ITEM = URIRef(BASE + "id/news/" + SURINAME_ID)
TURTLE = {"Accept": "text/turtle"}


def test_a_kept_answer_is_the_answer_the_app_gave(store: Store, store_path: Path) -> None:
    client = app_on(store_path).test_client()
    first = client.get(DOC, headers=TURTLE)
    again = client.get(DOC, headers=TURTLE)
    assert first.status_code == again.status_code == 200
    assert again.data == first.data
    drop = {"Date"}
    assert [h for h in again.headers if h[0] not in drop] == [
        h for h in first.headers if h[0] not in drop
    ]
    other = client.get(DOC, headers={"Accept": "application/ld+json"})
    assert other.headers["Content-Type"] == "application/ld+json"
    head = client.head(DOC, headers=TURTLE)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == first.headers["ETag"]


def test_a_write_is_seen_at_once(store: Store, store_path: Path) -> None:
    client = app_on(store_path).test_client()
    before = client.get(DOC, headers=TURTLE)
    client.get(DOC, headers=TURTLE)  # now kept
    graph = f"{BASE}graph/news/{SURINAME_ID}"
    triples = [(ITEM, SDO.headline, Literal("Rewritten headline", lang="en"))]
    store.replace_graphs({graph: triples})
    after = client.get(DOC, headers=TURTLE)
    assert after.headers["ETag"] != before.headers["ETag"]
    parsed = Graph().parse(data=after.data, format="turtle")
    assert (ITEM, SDO.headline, Literal("Rewritten headline", lang="en")) in parsed


def test_conditional_requests_still_get_304(store: Store, store_path: Path) -> None:
    client = app_on(store_path).test_client()
    first = client.get(DOC, headers=TURTLE)
    client.get(DOC, headers=TURTLE)
    again = client.get(DOC, headers={**TURTLE, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    stale = client.get(DOC, headers={**TURTLE, "If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_errors_are_not_kept(store: Store, store_path: Path) -> None:
    client = app_on(store_path).test_client()
    for _ in range(2):
        missing = client.get("/doc/news/no-such-item", headers=TURTLE)
        assert missing.status_code == 404
    refused = client.get(DOC, headers={"Accept": "image/png"})
    assert refused.status_code == 406
