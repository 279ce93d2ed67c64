"""Build the published dataset in one step: convert, validate, load, write dumps.

Nothing reaches the store unless every input converts and the whole dataset
conforms; the store swaps in the new generation only once it is complete.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from converter.errors import ConverterError, EmptyInputError
from converter.ntriples import quad_line, triple_line
from converter.pipeline import Converter
from miglod.conversion import ConversionReport, iter_mapped
from miglod.store import BulkInput, build_store, open_store, write_dumps
from miglod.store.remote import RemoteStore
from miglod.store.remote_load import load_remote
from shapes.loading import load_shapes
from shapes.report import format_result
from shapes.validation import ValidationResult, Validator

INPUT_SUFFIXES = {".txt", ".xml", ".rss", ".atom", ".jsonl", ".ndjson"}


@dataclass
class BuildReport:
    """What a build did."""

    inputs: list[str] = field(default_factory=list)
    items: int = 0
    triples: int = 0
    graphs_changed: int = 0
    dumps: list[str] = field(default_factory=list)
    skipped: list[ConverterError] = field(default_factory=list)
    validation: ValidationResult | None = None
    report_text: str = ""


class NotConformingError(Exception):
    """Raise when the built dataset does not conform to the shapes."""

    def __init__(self, report: BuildReport) -> None:
        super().__init__("the dataset does not conform to the shapes; the store was not changed")
        self.report = report


def find_inputs(data_dir: Path) -> list[Path]:
    """Return the news files under ``data_dir`` in a stable order."""
    if not data_dir.is_dir():
        raise ConverterError("no such data directory", source=str(data_dir))
    found = sorted(
        p for p in data_dir.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
    )
    if not found:
        raise EmptyInputError(
            f"no news files ({', '.join(sorted(INPUT_SUFFIXES))}) found", source=str(data_dir)
        )
    return found


def build(
    data_dir: Path,
    store: Path | Mapping[str, Any],
    dumps: Path,
    *,
    base: str,
    publisher: str,
    generated_at: dt.datetime,
    skip_invalid: bool = False,
    on_skip: Callable[[ConverterError], None] | None = None,
) -> BuildReport:
    """Convert every input under ``data_dir``, validate the whole, load ``store``, write dumps.

    ``store`` is the directory of the embedded store, or settings naming a
    remote one (see :func:`miglod.store.open_store`).
    """
    paths = find_inputs(data_dir)
    names = [p.relative_to(data_dir).as_posix() for p in paths]
    report = BuildReport(inputs=names)
    converter = Converter(base=base, publisher=publisher, generated_at=generated_at)
    with tempfile.TemporaryDirectory(prefix="miglod-build-") as tmp:
        quads = Path(tmp) / "dataset.nq"
        triples = Path(tmp) / "merged.nt"  # the union of the graphs, for validation
        counts = ConversionReport()
        with quads.open("w", encoding="utf-8") as out, triples.open("w", encoding="utf-8") as flat:
            for mapped in iter_mapped(
                converter,
                paths,
                input_format=None,
                skip_invalid=skip_invalid,
                report=counts,
                on_skip=on_skip,
                names=names,
            ):
                for s, p, o in mapped.triples:
                    out.write(quad_line(s, p, o, mapped.graph))
                    flat.write(triple_line(s, p, o))
            for graph_iri, (s, p, o) in converter.reference_triples():
                out.write(quad_line(s, p, o, graph_iri))
                flat.write(triple_line(s, p, o))
        report.items, report.triples = counts.items, counts.triples
        report.skipped = counts.skipped or []

        # Validated in an in-memory Oxigraph store: no rdflib graph of the whole dataset.
        validator = Validator(load_shapes(base), base=base)
        result, named = validator.validate_file(triples)
        report.validation = result
        report.report_text = format_result(result, "text", named, base=base)
        if not result.conforms:
            raise NotConformingError(report)

        if isinstance(store, Mapping):
            with open_store(store) as remote:
                assert isinstance(remote, RemoteStore)
                changes = load_remote(remote, [BulkInput(quads)])
        else:
            changes = build_store(store, [BulkInput(quads)])
        report.graphs_changed = len(changes)
    with open_store(store, read_only=True) as published:
        report.dumps = [d.name for d in write_dumps(published, dumps)]
    return report
