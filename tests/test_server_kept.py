"""Whole responses kept: identical answers, never stale, never for conditionals, outliving writes elsewhere."""

from __future__ import annotations

import random
from pathlib import Path

from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod.store import BulkInput, Store, build_store
from miglod.store.oxigraph import OxigraphStore
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


# Kept documents outlive writes that name none of the resources they were made from.

COUNTRY_DOC = "/doc/country/SR"
SURINAME = URIRef(BASE + "id/country/SR")


def _refuse_describing(app: Flask) -> None:
    """Make the app's store fail on any description, so only kept answers can succeed."""

    def refuse(iri: str, **_: object) -> object:
        raise AssertionError(f"described {iri} although a kept answer was still right")

    app.extensions["miglod"].store.describe = refuse


def test_a_write_elsewhere_keeps_the_answer(store: Store, store_path: Path) -> None:
    app = app_on(store_path)
    client = app.test_client()
    first = client.get(DOC, headers=TURTLE)
    elsewhere = URIRef(BASE + "id/thing/unrelated")
    store.replace_graphs({BASE + "graph/unrelated": [(elsewhere, SDO.name, Literal("Else"))]})
    _refuse_describing(app)
    again = client.get(DOC, headers=TURTLE)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_write_naming_a_linked_resource_changes_the_answer(
    store: Store, store_path: Path
) -> None:
    client = app_on(store_path).test_client()
    client.get(DOC, headers=TURTLE)
    renamed = Literal("Surinam (renamed)", lang="en")
    store.replace_graphs({BASE + "graph/renames": [(SURINAME, SDO.name, renamed)]})
    after = Graph().parse(data=client.get(DOC, headers=TURTLE).data, format="turtle")
    assert (SURINAME, SDO.name, renamed) in after


def test_a_new_item_linking_to_a_country_changes_the_country_page(
    store: Store, store_path: Path
) -> None:
    client = app_on(store_path).test_client()
    client.get(COUNTRY_DOC, headers=TURTLE)
    new = URIRef(BASE + "id/news/2030-01-01-new")
    store.replace_graphs(
        {
            BASE + "graph/news/2030-01-01-new": [
                (new, SDO.about, SURINAME),
                (new, RDF.type, SDO.NewsArticle),
            ]
        }
    )
    after = Graph().parse(data=client.get(COUNTRY_DOC, headers=TURTLE).data, format="turtle")
    assert (new, SDO.about, SURINAME) in after


def test_folding_the_journal_keeps_answers_and_a_build_drops_them(
    store: Store, store_path: Path, tmp_path: Path
) -> None:
    app = app_on(store_path)
    client = app.test_client()
    first = client.get(DOC, headers=TURTLE)
    elsewhere = URIRef(BASE + "id/thing/unrelated")
    store.replace_graphs({BASE + "graph/unrelated": [(elsewhere, SDO.name, Literal("Else"))]})
    assert isinstance(store, OxigraphStore) and store.compact()
    describe = app.extensions["miglod"].store.describe
    _refuse_describing(app)
    assert client.get(DOC, headers=TURTLE).data == first.data  # kept across the fold
    app.extensions["miglod"].store.describe = describe
    source = tmp_path / "one.nq"
    graph = BASE + "graph/news/" + SURINAME_ID
    source.write_text(f'<{ITEM}> <{SDO.headline}> "Rebuilt"@en <{graph}> .\n')
    build_store(store_path, [BulkInput(source)])
    rebuilt = Graph().parse(data=client.get(DOC, headers=TURTLE).data, format="turtle")
    assert (ITEM, SDO.headline, Literal("Rebuilt", lang="en")) in rebuilt


def test_kept_answers_always_equal_fresh_ones(store: Store, store_path: Path) -> None:
    """Random writes among a few graphs: the kept answers never differ from uncached ones."""
    rng = random.Random(7)
    kept = app_on(store_path).test_client()
    fresh = app_on(store_path, cache_mb=0).test_client()
    docs = [DOC, COUNTRY_DOC, "/doc/organization/iom", "/doc/news/2030-01-01-a"]
    subjects = [ITEM, SURINAME, URIRef(BASE + "id/organization/iom")]
    news = [URIRef(BASE + f"id/news/2030-01-01-{n}") for n in "ab"]
    for step in range(40):
        target = rng.choice(news)
        graph = BASE + "graph/news/" + str(target).rsplit("/", 1)[1]
        if rng.random() < 0.2:
            store.delete_graphs([graph])
        else:
            triples = [(target, RDF.type, SDO.NewsArticle)]
            for subject in rng.sample(subjects, rng.randint(0, 2)):
                if subject == ITEM:
                    triples.append((target, SDO.isBasedOn, ITEM))
                else:
                    triples.append((target, SDO.mentions, subject))
            if rng.random() < 0.3:
                label = Literal(f"Label {step}", lang="en")
                triples.append((rng.choice(subjects[1:]), SDO.name, label))
            store.replace_graphs({graph: triples})
        if step % 7 == 3:
            store.compact()
        for doc in rng.sample(docs, 3):
            for accept in ("text/turtle", "application/ld+json", "text/html"):
                got = kept.get(doc, headers={"Accept": accept})
                want = fresh.get(doc, headers={"Accept": accept})
                assert got.status_code == want.status_code, (step, doc)
                assert got.data == want.data, (step, doc, accept)
