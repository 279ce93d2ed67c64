"""Incremental validation is exact: one update gives the item's full-validation results."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import PROV, RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SDO

from shapes import GraphPublished, Published, StorePublished, Validator, load_shapes
from shapes.findings import Finding
from shapes.oxterms import TermConverter
from shapes.published import TermCache, context_for, context_triples
from shapes.synthetic import Synthetic

BASE = "https://w3id.org/miglod/"
SYN = Synthetic(BASE)
PUBLISHED = 60  # items 0..59 are published; 60..79 are new


def _graph_name(n: int) -> URIRef:
    return URIRef(f"{BASE}graph/news/{SYN.item_id(n)}")


@cache
def _dataset() -> Dataset:
    ds = Dataset()
    reference = ds.graph(URIRef(BASE + "graph/reference"))
    reference += SYN.reference()
    for n in range(PUBLISHED):
        graph = ds.graph(_graph_name(n))
        graph += SYN.item(n)
    return ds


@cache
def _store() -> ox.Store:
    """Return the published dataset of :func:`_dataset` as a pyoxigraph store."""
    store = ox.Store()
    store.bulk_extend(SYN.quads(PUBLISHED))
    return store


@cache
def _validator(engine: str, local: bool = True) -> Validator:
    validator = Validator(load_shapes(BASE), engine=engine)
    if not local:
        validator.local = None  # every check a SPARQL query on the context
    return validator


def _article(g: Graph) -> URIRef:
    found = next(g.subjects(RDF.type, SDO.NewsArticle))
    assert isinstance(found, URIRef)
    return found


def _set(g: Graph, prop: URIRef, value: object) -> None:
    a = _article(g)
    g.remove((a, prop, None))
    g.add((a, prop, value))  # type: ignore[arg-type]


def _drop_person_names(g: Graph) -> None:
    for person in list(g.subjects(RDF.type, SDO.Person)):
        g.remove((person, SDO.name, None))


def _untype_people(g: Graph) -> None:
    g.remove((None, RDF.type, SDO.Person))


def _event_backwards(g: Graph) -> None:
    a = _article(g)
    e = URIRef(str(a).replace("/id/news/", "/id/event/"))
    g.add((a, URIRef(BASE + "def/mig/describesEvent"), e))
    g.add((e, RDF.type, SDO.Event))
    g.add((e, SDO.name, Literal("An event", lang="en")))
    g.add((e, URIRef(BASE + "def/mig/eventCategory"), Literal("forum")))
    g.add((e, SDO.startDate, Literal("2021-05-02", datatype=XSD.date)))
    g.add((e, SDO.endDate, Literal("2021-05-01", datatype=XSD.date)))
    g.add((e, SDO.subjectOf, a))


MUTATIONS: dict[str, Callable[[Graph], None]] = {
    "unchanged": lambda g: None,
    "no headline": lambda g: g.remove((_article(g), SDO.headline, None)),
    "headline without language": lambda g: _set(g, SDO.headline, Literal("Plain")),
    "long headline": lambda g: _set(g, SDO.headline, Literal("x" * 120, lang="en")),
    "about an organisation": lambda g: _set(g, SDO.about, URIRef(BASE + "id/organization/iom")),
    "theme outside the scheme": lambda g: _set(
        g, URIRef(BASE + "def/mig/theme"), URIRef(BASE + "def/framework/gcm")
    ),
    "no theme": lambda g: g.remove((_article(g), URIRef(BASE + "def/mig/theme"), None)),
    "published after generation": lambda g: _set(
        g, PROV.generatedAtTime, Literal("2020-01-01T00:00:00Z", datatype=XSD.dateTime)
    ),
    "unknown mention": lambda g: g.add((_article(g), SDO.mentions, URIRef(BASE + "id/thing/x"))),
    "person without a name here": _drop_person_names,
    "people untyped here": _untype_people,
    "event ends before it starts": _event_backwards,
}


def _check(n: int, mutation: str, engine: str, *, store: bool = False, local: bool = True) -> None:
    ds = _dataset()
    item = SYN.item(n)
    MUTATIONS[mutation](item)
    validator = _validator(engine, local)
    published: Published = (
        StorePublished(_store(), replacing=_graph_name(n))
        if store
        else GraphPublished(ds, replacing=_graph_name(n))
    )
    update = validator.validate_update(item, published)

    merged = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if getattr(g, "identifier", g) != _graph_name(n):
            merged.add((s, p, o))
    merged += item
    own = set(item.subjects())
    full = [f for f in validator.validate(merged).findings if f.focus in own]

    assert sorted(map(Finding.identity, update.findings), key=repr) == sorted(
        map(Finding.identity, full), key=repr
    )
    assert update.conforms is (not [f for f in full if f.severity == "Violation"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, PUBLISHED + 19), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_update_matches_full_validation(n: int, mutation: str) -> None:
    _check(n, mutation, "compiled")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, PUBLISHED + 19), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_update_against_a_store_matches_full_validation(n: int, mutation: str) -> None:
    _check(n, mutation, "compiled", store=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, PUBLISHED + 19), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_update_by_sparql_queries_matches_full_validation(n: int, mutation: str) -> None:
    _check(n, mutation, "compiled", store=True, local=False)


def test_the_store_holds_the_published_dataset() -> None:
    merged = Graph()
    for s, p, o, _g in _dataset().quads((None, None, None, None)):
        merged.add((s, p, o))
    copy = ox.Store()
    TermConverter().load(copy, merged, ox.DefaultGraph())  # as Oxigraph writes each term
    assert {(q.subject, q.predicate, q.object) for q in _store()} == {
        (q.subject, q.predicate, q.object) for q in copy
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, PUBLISHED + 19), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_update_matches_full_validation_with_pyshacl(n: int, mutation: str) -> None:
    _check(n, mutation, "pyshacl")


def test_a_broken_update_is_caught() -> None:
    item = SYN.item(PUBLISHED + 1)
    MUTATIONS["about an organisation"](item)
    result = _validator("compiled").validate_update(item, GraphPublished(_dataset()))
    assert not result.conforms
    assert [str(f.shape).rsplit("/", 1)[-1] for f in result.violations] == ["NewsArticle-about"]


class _DescribeOnly:
    """A published dataset that answers only the protocol's one required question."""

    def __init__(self, inner: Published) -> None:
        self.inner = inner

    def describe(self, iris: Collection[URIRef]) -> Graph:
        return self.inner.describe(iris)


def _published(kind: str, n: int) -> Published:
    if kind == "graph":
        return GraphPublished(_dataset(), replacing=_graph_name(n))
    store = StorePublished(_store(), replacing=_graph_name(n))
    return store if kind == "store" else _DescribeOnly(store)


@pytest.mark.parametrize("kind", ["graph", "store", "describe only"])
def test_the_context_triples_are_those_of_the_context_graph(kind: str) -> None:
    cache = TermCache(size=50)  # small enough to be emptied on the way
    for n in (3, 17, PUBLISHED + 2):
        item = SYN.item(n)
        MUTATIONS["unknown mention"](item)
        published = _published(kind, n)
        found = context_triples(item, published, to_rdf=cache)
        assert found == set(context_for(item, published))
        assert len(found) > len(item)
