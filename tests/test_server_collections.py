"""Harvesting: the /news collection, /changes and the sitemap."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO, XSD

from miglod.store import open_store
from tests.conftest import BASE, SURINAME_ID, app_on, jsonld_graph

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def links(response: object) -> dict[str, str]:
    found = {}
    for part in response.headers.get("Link", "").split(", "):  # type: ignore[attr-defined]
        if part:
            target, _, rel = part.partition(">; rel=")
            found[rel.split(";")[0].strip('"')] = target.lstrip("<")
    return found


def test_news_lists_items_newest_first(client: FlaskClient) -> None:
    doc = client.get("/news", headers={"Accept": "application/ld+json"}).get_json()
    assert doc["@type"] == "ItemList" and doc["numberOfItems"] == 4
    dates = [item["datePublished"] for item in doc["itemListElement"]]
    assert dates == sorted(dates, reverse=True)
    assert doc["itemListElement"][0]["@id"] == BASE + "id/news/" + SURINAME_ID


def test_news_json_ld_is_real_json_ld(client: FlaskClient) -> None:
    doc = client.get("/news.jsonld").get_json()
    graph = jsonld_graph(doc, client.get("/context.jsonld").get_json())
    item = URIRef(BASE + "id/news/" + SURINAME_ID)
    assert (item, SDO.datePublished, Literal("2021-09-20", datatype=XSD.date)) in graph
    assert (None, SDO.itemListElement, item) in graph


def test_news_pages_link_to_each_other(client: FlaskClient) -> None:
    first = client.get("/news?limit=3")
    assert links(first)["next"] == "/news?limit=3&page=2"
    assert "prev" not in links(first)
    second = client.get(links(first)["next"])
    assert len(second.get_json()["itemListElement"]) == 1
    assert links(second)["prev"] == "/news?limit=3" and "next" not in links(second)
    assert client.get("/news?limit=3&page=3").status_code == 404


def test_news_filters(client: FlaskClient) -> None:
    def ids(query: str) -> list[str]:
        return [
            i["@id"].rsplit("/", 1)[-1][:10]
            for i in client.get("/news?" + query).get_json()["itemListElement"]
        ]

    assert ids("country=sr") == ["2021-09-20"]
    assert ids("organization=ilo") == ["2021-09-14"]
    assert ids("theme=migration-policy") == ["2021-09-20", "2021-08-26"]
    assert ids("theme=migration-policy&country=GY") == ["2021-08-26"]
    assert ids("since=2021-09-10") == ["2021-09-20", "2021-09-14"]
    assert ids("country=ZZ") == []


@pytest.mark.parametrize(
    "query", ["country=Suriname", "since=yesterday", "limit=1000", "page=0", "theme=A B"]
)
def test_bad_news_queries_are_400(client: FlaskClient, query: str) -> None:
    response = client.get("/news?" + query)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_news_in_html(client: FlaskClient) -> None:
    response = client.get(
        "/news?country=SR", headers={"Accept": "text/html", "Accept-Language": "es"}
    )
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert 'href="/doc/country/SR">Surinam<' in html
    assert "20 de septiembre de 2021" in html


def test_country_page_links_to_its_news(client: FlaskClient) -> None:
    html = client.get("/doc/country/SR.html").get_data(as_text=True)
    assert 'href="/news?country=SR"' in html


def test_changes_page_through_everything(client: FlaskClient) -> None:
    seen = []
    url = "/changes?limit=3"
    while url:
        response = client.get(url)
        document = response.get_json()
        seen += document["changes"]
        url = document["next"]
        assert (url is None) == ("next" not in links(response))
    assert len(seen) == 8
    news = [c for c in seen if c["resource"]]
    assert {c["resource"].split("/id/news/")[1] for c in news} == {
        c["graph"].split("/graph/news/")[1] for c in news
    }


def test_changes_since_a_time_include_deletions(store_path: Path) -> None:
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    open_store(store_path).delete_graphs([BASE + "graph/news/" + SURINAME_ID], at=later)
    client = app_on(store_path).test_client()
    changes = client.get("/changes?since=2029-12-31T00:00:00Z").get_json()["changes"]
    assert changes[0]["before"] and changes[0]["after"] is None  # the digest of what was removed
    keys = ("graph", "resource", "modified", "deleted")
    assert [{k: c[k] for k in keys} for c in changes] == [
        {
            "graph": BASE + "graph/news/" + SURINAME_ID,
            "resource": BASE + "id/news/" + SURINAME_ID,
            "modified": "2030-01-01T00:00:00.000000Z",
            "deleted": True,
        }
    ]
    assert client.get("/changes?since=2030-01-02").get_json()["changes"] == []
    assert client.get("/changes?since=soon").status_code == 400


def test_sitemap_lists_every_news_page(client: FlaskClient) -> None:
    response = client.get("/sitemap.xml", base_url="https://data.example.org")
    root = ET.fromstring(response.data)
    urls = root.findall(f"{SITEMAP}url")
    assert len(urls) == 4
    assert {u.findtext(f"{SITEMAP}loc") for u in urls} >= {
        "https://data.example.org/doc/news/" + SURINAME_ID
    }
    assert all(u.findtext(f"{SITEMAP}lastmod", "").endswith("Z") for u in urls)
    assert client.get("/sitemap-2.xml").status_code == 404


def test_a_new_item_shows_up_everywhere(store_path: Path) -> None:
    g = Graph()
    item = URIRef(BASE + "id/news/2030-01-01-new")
    g.add((item, RDF.type, SDO.NewsArticle))
    g.add((item, SDO.headline, Literal("New", lang="en")))
    g.add((item, SDO.datePublished, Literal("2030-01-01", datatype=XSD.date)))
    g.add((item, SDO.about, URIRef(BASE + "id/country/SR")))
    app = app_on(store_path)
    client = app.test_client()
    before = client.get("/news?country=SR").get_json()["numberOfItems"]
    open_store(store_path).replace_graphs({BASE + "graph/news/2030-01-01-new": g})
    doc = client.get("/news?country=SR").get_json()
    assert doc["numberOfItems"] == before + 1
    assert doc["itemListElement"][0]["@id"] == str(item)
    assert "2030-01-01-new" in client.get("/sitemap.xml").get_data(as_text=True)
