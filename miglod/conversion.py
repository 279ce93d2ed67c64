"""Convert input files to one RDF output: the I/O edge around :mod:`converter`."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import Graph

from converter.errors import ConverterError, EmptyInputError
from converter.mapping import MappedItem
from converter.ntriples import LineWriter, quad_line, triple_line
from converter.pipeline import Converter
from converter.readers import read_stream
from miglod.atomic import atomic_writer

OUTPUT_FORMATS = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "nq": "nq"}
SUFFIX_FORMATS = {
    ".ttl": "turtle",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".nt": "nt",
    ".nq": "nq",
}
_WRITE_SIZE = 1 << 20  # bytes gathered before each write (UTF-8, encoded item by item)
JSONLD_CONTEXT = {"schema": "https://schema.org/", "@vocab": "https://schema.org/"}


@dataclass
class ConversionReport:
    """What a conversion did: items converted and items skipped (with why)."""

    items: int = 0
    triples: int = 0
    skipped: list[ConverterError] | None = None


def generation_time(
    paths: Sequence[Path], given: str | None, environ: dict[str, str]
) -> dt.datetime:
    """Return the generation time: ``given``, else SOURCE_DATE_EPOCH, else the newest input's mtime.

    Never the clock, so that converting the same files twice gives the same bytes.
    """
    if given:
        try:
            value = dt.datetime.fromisoformat(given.replace("Z", "+00:00"))
        except ValueError:
            raise ConverterError(f"--generated-at: not an ISO 8601 date-time: {given!r}") from None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except ValueError:
            raise ConverterError(f"SOURCE_DATE_EPOCH is not an integer: {epoch!r}") from None
    newest = max((p.stat().st_mtime for p in paths), default=0.0)
    return dt.datetime.fromtimestamp(int(newest), dt.UTC)


def output_format(fmt: str | None, output: str | None) -> str:
    """Return the output format asked for, else the one the output's suffix implies, else turtle."""
    if fmt:
        if fmt not in OUTPUT_FORMATS:
            raise ConverterError(
                f"unknown output format {fmt!r}; use one of turtle, jsonld, nt, nq"
            )
        return fmt if fmt != "ttl" else "turtle"
    if output and output != "-":
        return SUFFIX_FORMATS.get(Path(output).suffix.lower(), "turtle")
    return "turtle"


def read_input(path: Path) -> bytes:
    """Return the bytes of an input file, as a typed error when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConverterError(f"cannot read input: {exc.strerror}", source=str(path)) from None


def open_input(path: Path) -> BinaryIO:
    """Open an input file for reading as bytes, as a typed error when it cannot be opened."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise ConverterError(f"cannot read input: {exc.strerror}", source=str(path)) from None


def iter_mapped(
    converter: Converter,
    paths: Sequence[Path],
    *,
    input_format: str | None,
    skip_invalid: bool,
    report: ConversionReport,
    on_skip: Callable[[ConverterError], None] | None = None,
    names: Sequence[str] | None = None,
) -> Iterator[MappedItem]:
    """Read every input and yield its mapped items; skipped items go to ``report``."""
    report.skipped = []
    for index, path in enumerate(paths):
        name = names[index] if names else str(path)
        with open_input(path) as stream:
            count = 0
            entries = read_stream(
                stream, name, input_format=input_format, skip_invalid=skip_invalid
            )
            for entry, found in converter.enriched(entries):
                if isinstance(entry, ConverterError):
                    report.skipped.append(entry)
                    if on_skip:
                        on_skip(entry)
                    continue
                assert found is not None
                try:
                    mapped = converter.convert_enriched(entry, found)
                except ConverterError as exc:
                    if not skip_invalid:
                        raise
                    report.skipped.append(exc)
                    if on_skip:
                        on_skip(exc)
                    continue
                count += 1
                report.items += 1
                report.triples += mapped.size
                yield mapped
        if count == 0 and not report.skipped:
            raise EmptyInputError("no news items found", source=name)


def convert_files(
    paths: Sequence[Path],
    output: str | None,
    *,
    fmt: str,
    base: str,
    publisher: str,
    generated_at: dt.datetime,
    input_format: str | None = None,
    skip_invalid: bool = False,
    on_skip: Callable[[ConverterError], None] | None = None,
    stdout: Callable[[str], object] | None = None,
) -> ConversionReport:
    """Convert ``paths`` to one output file (written atomically) or to ``stdout``."""
    with _collector_paused():
        converter = Converter(
            base=base, publisher=publisher, generated_at=generated_at, ntriples=fmt in {"nt", "nq"}
        )
    with _set_aside():
        report = ConversionReport()
        return _convert(
            converter, report, paths, output, fmt, input_format, skip_invalid, on_skip, stdout
        )


def _convert(
    converter: Converter,
    report: ConversionReport,
    paths: Sequence[Path],
    output: str | None,
    fmt: str,
    input_format: str | None,
    skip_invalid: bool,
    on_skip: Callable[[ConverterError], None] | None,
    stdout: Callable[[str], object] | None,
) -> ConversionReport:
    """Convert with a converter built already (see :func:`convert_files`)."""
    mapped = iter_mapped(
        converter,
        paths,
        input_format=input_format,
        skip_invalid=skip_invalid,
        report=report,
        on_skip=on_skip,
    )
    if fmt in {"nt", "nq"}:
        writer = LineWriter()

        def chunks() -> Iterator[bytes]:
            for item in mapped:
                yield writer.encoded(item, quads=fmt == "nq")
            for graph, (s, p, o) in converter.reference_triples():
                line = quad_line(s, p, o, graph) if fmt == "nq" else triple_line(s, p, o)
                yield line.encode()

        _emit(chunks(), output, stdout)
        return report
    graph = Graph()
    graph.bind("schema", "https://schema.org/")
    graph.bind("mig", converter.iris.mig)
    graph.bind("prov", "http://www.w3.org/ns/prov#")
    for item in mapped:
        for triple in item.triples:
            graph.add(triple)
    for _, triple in converter.reference_triples():
        graph.add(triple)
    if fmt == "jsonld":
        text = stable_jsonld(
            graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
        )
    else:
        text = graph.serialize(format="turtle")
    _emit(iter([text.encode()]), output, stdout)
    return report


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Run the block without the cyclic garbage collector.

    The converter's gazetteers are millions of small objects that all live
    on: collecting while they are built only doubles the start-up time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _set_aside() -> Iterator[None]:
    """Keep the objects that exist now out of the collector's scans until the block ends.

    Every full collection would scan the gazetteers again, to free nothing
    (:func:`gc.freeze`). Objects something else froze before are left as they are.
    """
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def stable_jsonld(text: str) -> str:
    """Return JSON-LD with nodes sorted by ``@id`` and unordered values sorted.

    rdflib writes nodes in the order of its hash-based indexes; sorting makes
    the bytes identical across runs. Arrays without ``@list`` are sets in
    JSON-LD, so sorting them changes nothing they mean.
    """

    def order(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v if k == "@list" else order(v)) for k, v in value.items()}
        if isinstance(value, list):
            items = [order(v) for v in value]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    return json.dumps(order(json.loads(text)), indent=2, ensure_ascii=False) + "\n"


def _emit(
    chunks: Iterator[bytes], output: str | None, stdout: Callable[[str], object] | None
) -> None:
    if output and output != "-":
        with atomic_writer(output, "wb") as f:
            buffer: list[bytes] = []
            size = 0
            for chunk in chunks:
                buffer.append(chunk)
                size += len(chunk)
                if size >= _WRITE_SIZE:
                    f.write(b"".join(buffer))
                    buffer.clear()
                    size = 0
            f.write(b"".join(buffer))
        return
    # Standard output cannot be atomic; convert fully first so an error prints nothing.
    text = b"".join(chunks).decode()
    (stdout or print)(text)


def environ() -> dict[str, str]:
    """Return the process environment (read at the edge only)."""
    return dict(os.environ)
