"""Writes through the app, in process: tokens, validation, conditions, retraction, history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SDO

from server.auth import Tokens
from tests.conftest import app_on
from tests.writes_helpers import LABOUR, TOKENS, invalid_turtle, item_turtle, news_iri, nquads

NEW = "2021-09-15-a-steward-adds-an-item"
ALICE = {"Authorization": "Bearer s3cret-alice"}
TTL = {"Content-Type": "text/turtle"}


@pytest.fixture
def writable(store_path: Path) -> Flask:
    """Return an app with write tokens on a private copy of the fixture store."""
    return app_on(store_path, write_tokens=TOKENS)


@pytest.fixture
def wclient(writable: Flask) -> FlaskClient:
    """Return a test client of the writable app."""
    return writable.test_client()


def post(client: FlaskClient, body: bytes, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = client.post("/news", data=body, headers={**TTL, **ALICE, **headers})
    return response.status_code, dict(response.headers), response.data


def test_tokens_parse_lists_and_files_and_match_by_name(tmp_path: Path) -> None:
    tokens = Tokens.parse(TOKENS)
    assert tokens.holder("s3cret-bob") == "bob"
    assert tokens.holder("s3cret") is None
    path = tmp_path / "tokens"
    path.write_text("# stewards\ncarol=abc\n\n", encoding="utf-8")
    assert Tokens.parse(str(path)).holder("abc") == "carol"
    assert not Tokens.parse("")
    assert "abc" not in repr(Tokens.parse(str(path)))


def test_without_tokens_configured_writes_are_refused(store_path: Path) -> None:
    client = app_on(store_path).test_client()
    before = nquads(store_path)
    response = client.post("/news", data=item_turtle(NEW), headers={**TTL, **ALICE})
    assert response.status_code == 403
    assert "no write tokens" in response.get_json()["message"]
    assert nquads(store_path) == before
    assert client.get(f"/doc/news/{LABOUR}.ttl").status_code == 200


def test_no_token_is_401_with_a_challenge_and_a_wrong_one_403(
    wclient: FlaskClient, store_path: Path
) -> None:
    before = nquads(store_path)
    response = wclient.post("/news", data=item_turtle(NEW), headers=TTL)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    wrong = wclient.post(
        "/news", data=item_turtle(NEW), headers={**TTL, "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    assert nquads(store_path) == before


def test_a_valid_item_is_created_and_recorded(wclient: FlaskClient) -> None:
    status, headers, body = post(wclient, item_turtle(NEW))
    assert status == 201, body
    assert headers["Location"] == news_iri(NEW)
    page = wclient.get(f"/doc/news/{NEW}.ttl")
    graph = Graph().parse(data=page.data, format="turtle")
    assert (URIRef(news_iri(NEW)), SDO.headline, Literal("Nueva noticia", lang="es")) in graph
    changes = wclient.get("/changes").get_json()["changes"]
    mine = [c for c in changes if c["resource"] == news_iri(NEW)]
    assert mine and mine[-1]["agent"] == "alice" and mine[-1]["before"] is None
    again = post(wclient, item_turtle(NEW))
    assert again[0] == 409
    assert post(wclient, item_turtle(NEW), **{"If-None-Match": "*"})[0] == 412


def test_an_invalid_item_gets_422_naming_the_field_and_changes_nothing(
    wclient: FlaskClient, store_path: Path
) -> None:
    before = nquads(store_path)
    response = wclient.post(
        "/news", data=invalid_turtle(NEW), headers={**TTL, **ALICE, "Accept": "application/json"}
    )
    assert response.status_code == 422
    report = response.get_json()
    assert not report["conforms"]
    assert any(
        r["focus"] == news_iri(NEW) and r["path"] == str(SDO.datePublished)
        for r in report["results"]
    )
    text = wclient.post(
        "/news", data=invalid_turtle(NEW), headers={**TTL, **ALICE, "Accept": "text/plain"}
    )
    assert text.status_code == 422 and "datePublished" in text.get_data(as_text=True)
    assert nquads(store_path) == before


def test_replace_needs_the_current_etag_and_sets_date_modified(wclient: FlaskClient) -> None:
    assert post(wclient, item_turtle(NEW))[0] == 201
    etag = wclient.get(f"/doc/news/{NEW}.jsonld").headers["ETag"]
    body = item_turtle(NEW, headline="Noticia corregida")
    headers = {**TTL, **ALICE, "If-Match": etag}
    first = wclient.put(f"/id/news/{NEW}", data=body, headers=headers)
    assert first.status_code == 200, first.data
    lost = wclient.put(f"/id/news/{NEW}", data=item_turtle(NEW, headline="Otra"), headers=headers)
    assert lost.status_code == 412
    graph = Graph().parse(data=wclient.get(f"/doc/news/{NEW}.ttl").data, format="turtle")
    item = URIRef(news_iri(NEW))
    assert (item, SDO.headline, Literal("Noticia corregida", lang="es")) in graph
    assert graph.value(item, SDO.dateModified) is not None
    wrong = wclient.put(f"/id/news/{LABOUR}", data=body, headers={**TTL, **ALICE})
    assert wrong.status_code == 400


def test_history_keeps_every_version(wclient: FlaskClient) -> None:
    assert post(wclient, item_turtle(NEW))[0] == 201
    wclient.put(
        f"/id/news/{NEW}", data=item_turtle(NEW, headline="Segunda"), headers={**TTL, **ALICE}
    )
    page = wclient.get(f"/doc/news/{NEW}.ttl")
    assert 'rel="version-history"' in page.headers["Link"]
    history = json.loads(wclient.get(f"/doc/news/{NEW}?history").data)
    versions = history["versions"]
    assert [v["agent"] for v in versions] == ["alice", "alice"]
    assert versions[1]["before"] == versions[0]["after"]
    old = wclient.get(f"/doc/news/{NEW}.ttl?version={versions[0]['after']}")
    graph = Graph().parse(data=old.data, format="turtle")
    assert (URIRef(news_iri(NEW)), SDO.headline, Literal("Nueva noticia", lang="es")) in graph


def test_a_retracted_item_is_gone_and_never_reused(wclient: FlaskClient) -> None:
    response = wclient.delete(f"/id/news/{LABOUR}", headers=ALICE)
    assert response.status_code == 204
    gone = wclient.get(f"/doc/news/{LABOUR}.ttl")
    assert gone.status_code == 410
    assert "history" in gone.headers["Link"]
    assert (
        wclient.get(f"/id/news/{LABOUR}", headers={"Accept": "application/json"}).status_code == 410
    )
    assert post(wclient, item_turtle(LABOUR))[0] == 409
    assert wclient.delete(f"/id/news/{LABOUR}", headers=ALICE).status_code == 410
    changes = wclient.get("/changes").get_json()["changes"]
    assert any(c["resource"] == news_iri(LABOUR) and c["deleted"] for c in changes)


def test_json_ld_with_a_remote_context_is_refused(wclient: FlaskClient) -> None:
    document = {"@context": "https://example.org/context.jsonld", "@id": news_iri(NEW)}
    response = wclient.post(
        "/news",
        data=json.dumps(document),
        headers={**ALICE, "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 400
    assert "not fetched" in response.get_json()["message"]


def test_json_ld_with_our_context_is_accepted(wclient: FlaskClient) -> None:
    assert post(wclient, item_turtle(NEW))[0] == 201
    document = wclient.get(f"/doc/news/{NEW}.jsonld").get_json()
    wclient.delete(f"/id/news/{NEW}", headers=ALICE)
    other = "2021-09-15-the-same-item-again"
    text = json.dumps(document).replace(NEW, other)
    response = wclient.post(
        "/news", data=text, headers={**ALICE, "Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.data


def test_oversized_bodies_get_413(wclient: FlaskClient) -> None:
    response = wclient.post("/news", data=b"#" * (3 * 1024 * 1024), headers={**TTL, **ALICE})
    assert response.status_code == 413


def test_an_item_in_the_listing_shape_is_converted_and_stored(wclient: FlaskClient) -> None:
    # Themes the fixture store's scheme holds (capacity building, protection).
    listing = (
        "16 September, 2021\n\n"
        "IOM trains officials in Guatemala on the protection of migrants\n\n"
        "Guatemala City – The International Organization for Migration (IOM) trained "
        "40 officials of Guatemala's migration institute on the protection of migrants.\n"
    ).encode()
    status, headers, body = post(wclient, listing, **{"Content-Type": "text/plain"})
    assert status == 201, body
    location = headers["Location"]
    assert "/id/news/2021-09-16-iom-trains-officials-in-guatemala" in location
    doc = location.split("/id/", 1)[1]
    page = wclient.get(f"/doc/{doc}.ttl")
    graph = Graph().parse(data=page.data, format="turtle")
    item = URIRef("https://w3id.org/miglod/id/" + doc)
    assert (item, SDO.about, URIRef("https://w3id.org/miglod/id/country/GT")) in graph
    assert (item, SDO.datePublished, None) in graph


def test_folds_are_spaced_by_twenty_times_their_duration() -> None:
    """While writes keep coming, the rest after a fold is 20 times what the fold took."""
    from server import writes as w

    clock = [0.0]
    rests: list[float] = []

    class Writer:
        folds = 0

        def refresh(self) -> None:
            pass

        def pending(self) -> int:
            return 0 if self.folds == 3 else 5  # writes keep coming until the third fold

        def compact(self, wait: bool = False) -> bool:
            self.folds += 1
            clock[0] += 0.5 * self.folds  # folds take 0.5 s, 1 s, 1.5 s
            return True

    # Given, not patched into the time module: other tests' threads go on sleeping meanwhile.
    w._fold(Flask("t"), Writer(), 2.0, sleep=rests.append, clock=lambda: clock[0])
    assert rests == [2.0, 10.0, 20.0, 30.0]
