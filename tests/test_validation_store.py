"""Validating data where it is, in a pyoxigraph store, gives pyshacl's findings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import XSD, Graph, Literal

from shapes import Validator, load_shapes
from shapes.findings import Finding
from shapes.report import format_result
from shapes.sparqlgen import SURELY_WELL_FORMED, surely_well_formed
from shapes.synthetic import Synthetic
from shapes.validation import store_graph
from tests.test_validation_update import MUTATIONS

BASE = "https://w3id.org/miglod/"
SYN = Synthetic(BASE)
ITEMS = 40


@cache
def _validator(engine: str) -> Validator:
    return Validator(load_shapes(BASE), engine=engine)


def _broken() -> Graph:
    """Return reference data and items, one in three of them broken in its own way."""
    graph = SYN.reference()
    names = sorted(MUTATIONS)
    for n in range(ITEMS):
        item = SYN.item(n)
        if n % 3 == 0:
            MUTATIONS[names[n // 3 % len(names)]](item)
        graph += item
    return graph


def _store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _identities(findings: list[Finding]) -> list[tuple[object, ...]]:
    return sorted(map(Finding.identity, findings), key=repr)


@pytest.mark.parametrize("scan_above", [0, 10**9])
def test_a_store_validated_in_place_gives_pyshacls_findings(scan_above: int) -> None:
    store = _store(_broken())
    fast = Validator(load_shapes(BASE), engine="compiled")
    assert fast.compiled is not None
    fast.compiled.scan_above = scan_above
    found = fast.validate_store(store)
    reference = _validator("pyshacl").validate(store_graph(store))
    assert reference.violations and reference.warnings
    assert _identities(found.findings) == _identities(reference.findings)
    assert found.conforms is reference.conforms


def test_in_place_and_copied_validation_agree() -> None:
    graph = _broken()
    in_place = _validator("compiled").validate_store(_store(graph))
    copied = _validator("compiled").validate(graph)
    assert _identities(in_place.findings) == _identities(copied.findings)


def test_a_named_graph_is_validated_alone() -> None:
    store = ox.Store()
    name = ox.NamedNode(BASE + "graph/test")
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in _store(_broken()))
    assert _validator("compiled").validate_store(store).findings == []
    named = _validator("compiled").validate_store(store, name)
    assert not named.conforms


def test_the_synthetic_store_is_the_synthetic_graph() -> None:
    store = SYN.store(7, named=False)
    assert len(store) == len(SYN.dataset(7))
    assert _validator("compiled").validate_store(store).findings == []


def test_a_file_is_validated_and_reported_without_an_rdflib_graph(tmp_path: Path) -> None:
    path = tmp_path / "data.nt"
    path.write_bytes(_broken().serialize(format="nt", encoding="utf-8"))
    result, named = _validator("compiled").validate_file(path)
    assert not result.conforms
    text = format_result(result, "text", named, base=BASE)
    assert "Synthetic news item number 3 about migration" in text
    assert "news/synthetic.txt:19" in text  # item 3's source file and line


LEXICAL = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.tuples(st.dates(), st.sampled_from(["Z", "+05:30", "-14:00", ""])).map(
        lambda t: f"{t[0]}{t[1]}"
    ),
    st.floats(allow_nan=True).map(repr),
    st.sampled_from(["true", "false", "1", "0", "TRUE", " 1", "-0", "0010", "1e400"]),
    st.text(alphabet="0123456789-+:.TZeE ", max_size=25),
)


@settings(max_examples=300, deadline=None)
@given(lexical=LEXICAL, datatype=st.sampled_from(sorted(SURELY_WELL_FORMED)))
def test_what_is_surely_well_formed_rdflib_accepts(lexical: str, datatype: str) -> None:
    store = ox.Store()
    lit = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), lit))
    query = f"SELECT ?o WHERE {{ ?s ?p ?o FILTER (COALESCE(({surely_well_formed('?o')}), false)) }}"
    for row in store.query(query):  # type: ignore[union-attr]
        stored = row["o"]
        made = Literal(stored.value, datatype=XSD[stored.datatype.value.rsplit("#", 1)[1]])
        assert not made.ill_typed, (lexical, stored)
