"""Descriptions: own triples, labels of what a resource links to, what links to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SDO, XSD

from miglod.store import Store
from tests.backends import backend_params, open_backend
from tests.conftest import BASE, COURSE_ID, SURINAME_ID

COURSE = BASE + "id/news/" + COURSE_ID
SURINAME = BASE + "id/news/" + SURINAME_ID
PANAMA = URIRef(BASE + "id/country/PA")
IOM = BASE + "id/organization/iom"


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, built_store: Path, tmp_path: Path) -> Iterator[Store]:
    """Open a writable store holding the fixture data, on each configured backend."""
    yield from open_backend(request.param, built_store, tmp_path)


def subjects(store: Store, iri: str) -> set[str]:
    return {str(s) for s, _, _ in store.describe(iri).triples}


def test_a_news_item_has_its_own_triples_and_its_source(store: Store) -> None:
    triples = set(store.describe(COURSE).triples)
    assert (
        URIRef(COURSE),
        SDO.datePublished,
        Literal("2021-09-02", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
    ) in triples
    source = URIRef(COURSE + "#source")
    assert (source, URIRef(BASE + "def/mig/sourceLine"), Literal(29)) in triples


def test_linked_resources_come_with_types_and_labels_only(store: Store) -> None:
    triples = set(store.describe(COURSE).triples)
    assert (PANAMA, RDF.type, SDO.Country) in triples
    assert (PANAMA, SDO.name, Literal("Panamá", lang="es")) in triples
    assert not any(s == PANAMA and p == RDFS.label for s, p, _ in triples)  # one label property
    assert not any(s == PANAMA and p == SDO.identifier for s, p, _ in triples)


def test_a_country_lists_the_news_about_it_newest_first(store: Store) -> None:
    description = store.describe(BASE + "id/country/PA")
    linking = {
        s for s, p, o in description.triples if o == PANAMA and p in (SDO.about, SDO.mentions)
    }
    assert linking == {URIRef(COURSE)}
    assert (
        URIRef(COURSE),
        SDO.headline,
        Literal(
            'Online course "Protection of migrants in vulnerable conditions in Panama" '
            "is concluded",
            lang="en",
        ),
    ) in description.triples


def test_inbound_links_are_limited_but_counted(store: Store) -> None:
    everything = store.describe(IOM)
    news = {s for s, p, o in everything.triples if str(o) == IOM and "/id/news/" in str(s)}
    assert len(news) == 4
    limited = store.describe(IOM, inbound_limit=2)
    kept = {s for s, p, o in limited.triples if str(o) == IOM}
    assert len(kept) == 2
    assert limited.inbound_total == everything.inbound_total >= 4
    dates = sorted(str(o) for s, p, o in limited.triples if s in kept and p == SDO.datePublished)
    assert dates == ["2021-09-14", "2021-09-20"]  # the newest two


def test_unknown_and_invalid_iris_have_empty_descriptions(store: Store) -> None:
    assert not store.describe(BASE + "id/news/nothing-here")
    assert not store.describe("not an iri")
    assert not store.describe(BASE + "id/news/x> } ; DROP ALL ; { <y")


def test_a_concept_scheme_lists_its_concepts(store: Store) -> None:
    description = store.describe(BASE + "def/theme")
    concepts = {
        s
        for s, p, o in description.triples
        if str(o) == BASE + "def/theme" and p.endswith("inScheme")
    }
    assert len(concepts) == 4


def dated_item(n: int, day: str, *links: str) -> Graph:
    g = Graph()
    s = URIRef(BASE + f"id/news/{day}-new-{n}")
    g.add((s, RDF.type, SDO.NewsArticle))
    g.add((s, SDO.datePublished, Literal(day, datatype=XSD.date)))
    for target in links:
        g.add((s, SDO.mentions, URIRef(target)))
    return g


def test_inbound_links_follow_writes_and_deletes(store: Store) -> None:
    panama = str(PANAMA)
    before = store.describe(panama).inbound_total
    store.replace_graphs({BASE + "graph/news/new-1": dated_item(1, "2030-01-01", panama)})
    newest = [s for s, p, o in store.describe(panama).triples if o == PANAMA and p == SDO.mentions]
    assert URIRef(BASE + "id/news/2030-01-01-new-1") in newest
    store.delete_graphs([BASE + "graph/news/new-1"])
    description = store.describe(panama)
    assert not any(str(s).endswith("new-1") for s, _, _ in description.triples)
    assert description.inbound_total == before == 2  # the course item and its event


def test_inbound_links_follow_rewrites_of_one_graph(store: Store) -> None:
    panama, suriname = str(PANAMA), BASE + "id/country/SR"
    before = {iri: store.describe(iri).inbound_total for iri in (panama, suriname)}
    graphs = [BASE + f"graph/news/new-{n}" for n in range(6)]
    store.replace_graphs({g: dated_item(n, "2030-01-01", panama) for n, g in enumerate(graphs)})
    # Half the items move from Panama to Suriname, one item twice; one links to both.
    store.replace_graphs(
        {g: dated_item(n, "2030-01-01", suriname) for n, g in enumerate(graphs[:3])}
    )
    store.replace_graphs({graphs[0]: dated_item(0, "2030-01-01", panama)})
    store.replace_graphs({graphs[0]: dated_item(0, "2030-01-01", suriname)})
    store.replace_graphs({graphs[5]: dated_item(5, "2030-01-01", panama, suriname)})

    def linking(iri: str) -> set[str]:
        found = store.describe(iri).triples
        return {str(s) for s, p, o in found if str(o) == iri and p == SDO.mentions and "new-" in s}

    item = BASE + "id/news/2030-01-01-new-{}"
    assert linking(panama) == {item.format(n) for n in (3, 4, 5)}
    assert linking(suriname) == {item.format(n) for n in (0, 1, 2, 5)}
    assert store.describe(panama).inbound_total == before[panama] + 3
    assert store.describe(suriname).inbound_total == before[suriname] + 4


def test_latest_lists_dated_items_newest_first(store: Store) -> None:
    everything = store.latest()
    assert everything.total == 4
    assert [date for _, date in everything.items] == [
        "2021-09-20",
        "2021-09-14",
        "2021-09-02",
        "2021-08-26",
    ]
    assert store.latest(offset=1, limit=2).items == everything.items[1:3]
    assert store.latest(since="2021-09-10").total == 2


def test_latest_filters_by_what_items_link_to(store: Store) -> None:
    iom = store.latest(linked_to=[IOM])
    assert iom.total == 4
    both = store.latest(linked_to=[IOM, BASE + "id/organization/ilo"])
    assert [iri for iri, _ in both.items] == [
        BASE
        + "id/news/2021-09-14-iom-and-ilo-lead-global-conversation-on-labour-migration-in-the-age"
    ]
    assert store.latest(linked_to=[BASE + "id/country/ZZ"]).total == 0
