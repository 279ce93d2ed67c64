"""The converter's output for the sample listing conforms to the shapes (no violations)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shapes import Validator, load_shapes
from shapes.findings import Finding

BASE = "https://w3id.org/miglod/"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "news" / "iom-news-2021.txt"


def test_converted_sample_has_no_violations() -> None:
    try:
        from converter.pipeline import convert_text
        from ontology import load_ontology
    except ImportError as exc:
        pytest.skip(f"converter.pipeline.convert_text is not importable yet: {exc}")
    graph = convert_text(
        SAMPLE.read_text(encoding="utf-8"),
        "news/iom-news-2021.txt",
        base=BASE,
        generated_at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
        publisher="iom",
    )
    data = graph + load_ontology(BASE)
    shapes = load_shapes(BASE)
    fast = Validator(shapes, engine="compiled").validate(data)
    assert [f for f in fast.findings if f.severity == "Violation"] == []
    reference = Validator(shapes, engine="pyshacl").validate(data)
    assert sorted(map(Finding.identity, fast.findings), key=repr) == sorted(
        map(Finding.identity, reference.findings), key=repr
    )
