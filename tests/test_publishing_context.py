"""The write path's validation context: read by subject on the embedded store, journal included."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO

from miglod import publishing as pub
from miglod.store import Store
from miglod.store.oxigraph import OxigraphStore
from tests.conftest import BASE

THING = URIRef(BASE + "id/organization/new-body")
GRAPH = BASE + "graph/organizations-extra"


class SparqlOnly:
    """Hide the embedded store's quad reads, so the context is asked by SPARQL."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def query(self, sparql: str, **options: object) -> object:
        return self.store.query(sparql, **options)  # type: ignore[arg-type]


def test_a_journaled_write_is_in_the_context_at_once(store: Store) -> None:
    assert isinstance(store, OxigraphStore)
    triples = [
        (THING, RDF.type, SDO.Organization),
        (THING, SDO.name, Literal("New body", lang="en")),
    ]
    store.replace_graphs({GRAPH: triples})
    assert store.pending() == 1  # journaled, not yet folded
    context = pub.StorePublished(store).describe([THING])
    assert set(context) == set(triples)
    assert pub.known_subjects(store, _linking(), BASE) == {str(THING)}
    store.compact()
    by_sparql = pub.StorePublished(SparqlOnly(store)).describe([THING])  # type: ignore[arg-type]
    assert set(by_sparql) == set(triples)


def test_the_replaced_graph_is_left_out(store: Store) -> None:
    store.replace_graphs({GRAPH: [(THING, SDO.name, Literal("Old", lang="en"))]})
    other = BASE + "graph/organizations-more"
    store.replace_graphs({other: [(THING, SDO.name, Literal("Kept", lang="en"))]})
    context = pub.StorePublished(store, replacing=GRAPH).describe([THING])
    assert set(context) == {(THING, SDO.name, Literal("Kept", lang="en"))}
    by_triples = pub.StorePublished(store, replacing=GRAPH).describe_triples([THING])
    assert set(by_triples) == set(context)


def test_subjects_only_news_items_describe_are_not_known(store: Store) -> None:
    item = BASE + "graph/news/2030-01-01-x"
    store.replace_graphs({item: [(THING, SDO.name, Literal("Only in an item", lang="en"))]})
    assert pub.known_subjects(store, _linking(), BASE) == set()


def _linking() -> Graph:
    graph = Graph()
    news = URIRef(BASE + "id/news/2030-01-02-y")
    graph.add((news, RDF.type, SDO.NewsArticle))
    graph.add((news, SDO.mentions, THING))
    return graph


def test_a_bad_turtle_body_gets_one_line_naming_where(store: Store) -> None:
    body = b'@prefix schema: <https://schema.org/> .\n<id/news/x> schema:headline "open\n'
    try:
        pub.parse_rdf(body, "turtle", base=BASE, context={})
    except pub.PublishingError as error:
        message = str(error)
    else:
        raise AssertionError("a truncated Turtle body was accepted")
    assert message.startswith("cannot read the turtle body:") and "line 2" in message
    assert "\n" not in message


def test_turtle_is_read_against_the_base_with_literals_as_written(store: Store) -> None:
    body = b'<id/news/x> <https://schema.org/position> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    graph = pub.parse_rdf(body, "turtle", base=BASE, context={})
    ((subject, _, value),) = list(graph)
    assert subject == URIRef(BASE + "id/news/x") and str(value) == "01"
