"""HTML pages: readable, in the reader's language, escaped, with their JSON-LD embedded."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO, XSD

from miglod.store import StoreError, open_store
from tests.conftest import BASE, COURSE_ID, SURINAME_ID, app_on

COURSE = "/doc/news/" + COURSE_ID
SURINAME = "/doc/news/" + SURINAME_ID


class Page(HTMLParser):
    """Collect a page's text, links and JSON-LD scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: dict[str, str] = {}
        self.scripts: list[str] = []
        self._href: str | None = None
        self._script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self._href = values.get("href")
        if tag == "script":
            assert values.get("type") == "application/ld+json", "only JSON-LD scripts"
            self._script = True

    def handle_endtag(self, tag: str) -> None:
        self._href = None if tag == "a" else self._href
        self._script = False if tag == "script" else self._script

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts.append(data)
            return
        self.text.append(data)
        if self._href and data.strip():
            self.links[data.strip()] = self._href

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def page(client: FlaskClient, path: str, language: str = "en") -> Page:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": language})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def test_news_page_shows_the_article(client: FlaskClient) -> None:
    shown = page(client, COURSE)
    text = shown.all_text
    assert (
        'Online course "Protection of migrants in vulnerable conditions in Panama" is concluded'
        in text
    )
    assert "2 September 2021" in text
    assert "was held from July 26 to August 25, 2021" in text
    assert shown.links["Panama"] == "/doc/country/PA"
    assert shown.links["International Organization for Migration"] == "/doc/organization/iom"
    assert shown.links["Protection"] == "/def/theme/protection"
    assert shown.links["Protection of migrants in vulnerable conditions in Panama"].startswith(
        "/doc/event/"
    )
    assert shown.links["Turtle"] == COURSE + ".ttl"


def test_news_page_in_spanish(client: FlaskClient) -> None:
    shown = page(client, COURSE, "es-MX,es;q=0.9")
    assert "2 de septiembre de 2021" in shown.all_text
    assert shown.links["Panamá"] == "/doc/country/PA"
    assert shown.links["Protección"] == "/def/theme/protection"
    assert "Países" in shown.all_text and "Temas" in shown.all_text


def test_language_can_be_chosen_by_link(client: FlaskClient) -> None:
    response = client.get(COURSE + ".html?lang=es", headers={"Accept-Language": "en"})
    assert "Panamá" in Page(response.get_data(as_text=True)).links
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_labels_fall_back_to_another_language(client: FlaskClient) -> None:
    shown = page(client, SURINAME, "es")
    # The ministry only has an English name.
    assert (
        "Ministry of Foreign Affairs, International Business and International Cooperation"
        in shown.links
    )


def test_country_page_lists_its_news(client: FlaskClient) -> None:
    shown = page(client, "/doc/country/SR")
    assert (
        shown.links[
            "IOM and Suriname Government launch innovative report on national migration governance"
        ]
        == SURINAME
    )
    assert "20 September 2021" in shown.all_text
    assert "Suriname" in shown.all_text


def test_organisation_and_theme_pages_list_their_news(client: FlaskClient) -> None:
    iom = page(client, "/doc/organization/iom")
    assert sum(1 for href in iom.links.values() if href.startswith("/doc/news/")) == 4
    theme = page(client, "/def/theme/migration-policy")
    assert sum(1 for href in theme.links.values() if href.startswith("/doc/news/")) == 2


def test_every_page_embeds_its_json_ld(client: FlaskClient) -> None:
    shown = page(client, "/doc/country/SR")
    assert len(shown.scripts) == 1
    embedded = json.loads(shown.scripts[0])
    assert embedded["@id"] == BASE + "id/country/SR"
    assert embedded["@type"] == "Country"


def test_home_page_explains_and_links(client: FlaskClient) -> None:
    shown = page(client, "/")
    hrefs = set(shown.links.values())
    assert {"/sparql", "/dumps/", "/dataset"} <= hrefs
    assert SURINAME in hrefs  # the latest news are examples
    assert "/def/theme/protection" in hrefs
    assert "linked open data" in shown.all_text


def test_home_page_in_spanish(client: FlaskClient) -> None:
    assert "Últimas noticias" in page(client, "/", "es").all_text


def test_data_is_escaped_everywhere(store_path: Path) -> None:
    hostile = '</script><script>alert("x")</script><b onmouseover="y">&amp;'
    g = Graph()
    item = URIRef(BASE + "id/news/2030-01-01-hostile")
    g.add((item, RDF.type, SDO.NewsArticle))
    g.add((item, SDO.headline, Literal(hostile, lang="en")))
    g.add((item, SDO.articleBody, Literal(hostile)))
    g.add((item, SDO.datePublished, Literal("2030-01-01", datatype=XSD.date)))
    g.add((item, SDO.url, URIRef("https://example.org/a?b=c&d='e'")))
    g.add((item, SDO.sameAs, URIRef("javascript:alert(1)")))
    g.add((item, SDO.about, URIRef(BASE + "id/country/SR")))
    open_store(store_path).replace_graphs({BASE + "graph/news/2030-01-01-hostile": g})
    client = app_on(store_path).test_client()
    for path in ("/doc/news/2030-01-01-hostile", "/doc/country/SR", "/"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html, path
        assert len(re.findall("<script", html)) <= 1, path
        shown = Page(html)
        if path != "/":
            assert json.loads(shown.scripts[0])  # still valid JSON
        assert hostile in shown.all_text, path


def test_invalid_iris_are_refused_by_the_store(store_path: Path) -> None:
    g = Graph()
    g.add((URIRef(BASE + "id/news/x"), SDO.url, URIRef("https://example.org/a?b=<c>")))
    with pytest.raises(StoreError, match="graph/news/x"):
        open_store(store_path).replace_graphs({BASE + "graph/news/x": g})


def test_language_links_keep_the_filters_and_nothing_else(client: FlaskClient) -> None:
    html = client.get("/news?theme=protection&x=%3Cb%3E", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'href="/news?theme=protection&amp;lang=es"' in html
    assert "x=" not in html
