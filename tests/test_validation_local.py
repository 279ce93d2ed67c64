"""The Python evaluator of small graphs (shapes.local) gives pyshacl's results exactly.

It judges one update's context in the write path; here it judges whole graphs: every
W3C SHACL Core suite entry it supports, and synthetic miglod data with broken items.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.term import Node

from shapes import GraphPublished, Validator, load_shapes
from shapes.findings import Finding, make_findings
from shapes.synthetic import Synthetic
from tests.test_shacl_w3c import ENTRIES, ROOT, _case
from tests.test_validation_update import MUTATIONS

BASE = "https://w3id.org/miglod/"


def _identities(findings: list[Finding]) -> list[tuple[object, ...]]:
    return sorted(map(Finding.identity, findings), key=repr)


def _local(validator: Validator, data: Graph, focus: set[Node] | None = None) -> list[Finding]:
    raw = validator.run_local(set(data), focus)
    if focus is not None:
        raw = [r for r in raw if r.focus in focus]
    return make_findings(raw, validator.book, path_graph=validator.shapes)


@pytest.mark.skipif(not (ROOT / "manifest.ttl").is_file(), reason=f"W3C SHACL suite not at {ROOT}")
@pytest.mark.parametrize(("path", "entry"), [pytest.param(p, e, id=n) for n, p, e in ENTRIES])
def test_local_evaluation_equals_pyshacl_on_the_w3c_suite(path: Path, entry: URIRef) -> None:
    _manifest, data, shapes, _report = _case(path, entry)
    fast = Validator(shapes, engine="auto")
    if fast.local is None:
        pytest.skip("the Python evaluator does not support these shapes")
    reference = Validator(shapes, engine="pyshacl").validate(data).findings
    assert _identities(_local(fast, data)) == _identities(reference)
    # Restricted to some nodes, the results about those nodes are still complete.
    some = set(sorted(set(data.subjects()), key=repr)[::2])
    assert _identities(_local(fast, data, some)) == _identities(
        [f for f in reference if f.focus in some]
    )


@cache
def _validators() -> tuple[Validator, Validator]:
    shapes = load_shapes(BASE)
    return Validator(shapes, base=BASE, engine="compiled"), Validator(shapes, engine="pyshacl")


def _broken_dataset() -> Graph:
    """Return reference data and items, all but a few of them broken in one way each."""
    syn = Synthetic(BASE)
    data = syn.reference()
    for n, mutation in enumerate(sorted(MUTATIONS)):
        item = syn.item(n)
        MUTATIONS[mutation](item)
        data += item
    return data


def test_the_shipped_shapes_are_judged_in_python() -> None:
    fast, _plain = _validators()
    assert fast.local is not None


def test_local_evaluation_equals_pyshacl_on_broken_items() -> None:
    fast, plain = _validators()
    data = _broken_dataset()
    reference = plain.validate(data).findings
    assert {f.source_constraint for f in reference} >= {
        URIRef("http://www.w3.org/ns/shacl#MinCountConstraintComponent"),
        URIRef("http://www.w3.org/ns/shacl#SPARQLConstraintComponent"),
    }
    assert _identities(_local(fast, data)) == _identities(reference)
    assert _identities(_local(fast, data)) == _identities(fast.validate(data).findings)


def test_an_update_without_the_python_evaluator_gives_the_same_findings() -> None:
    fast, _plain = _validators()
    slow = Validator(fast.shapes, base=BASE, engine="compiled")
    slow.local = None  # the SPARQL path: every check a query on the context
    data = _broken_dataset()
    syn = Synthetic(BASE)
    for n, mutation in enumerate(sorted(MUTATIONS)):
        item = syn.item(n)
        MUTATIONS[mutation](item)
        published = GraphPublished(data)
        assert _identities(fast.validate_update(item, published).findings) == _identities(
            slow.validate_update(item, published).findings
        ), mutation
