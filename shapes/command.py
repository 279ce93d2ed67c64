"""The ``miglod validate`` command's work, for the CLI to call: read, validate, format.

This module is an edge: it reads the files it is given. Exit codes: 0 conforms (warnings
are printed but do not fail), 1 at least one Violation, 2 bad input (unreadable, empty or
unparseable data or shapes, unknown format), reported as one line naming file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from shapes.errors import DataError, ValidationInputError
from shapes.loading import DEFAULT_BASE_IRI, load_shapes, normalize_base
from shapes.parsing import format_for, parse_rdf
from shapes.report import FORMATS, format_result
from shapes.validation import Validator

EXIT_OK, EXIT_INVALID, EXIT_BAD_INPUT = 0, 1, 2


def read_data(paths: Sequence[str | Path], *, base: str, rdf_format: str | None = None) -> Graph:
    """Parse every data file into one graph; raise DataError naming the file and line."""
    if not paths:
        raise DataError("no data files given")
    graph = Graph()
    for path in paths:
        source = str(path)
        fmt = format_for(source, rdf_format)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read: {exc}", source=source) from exc
        graph += parse_rdf(text, source=source, fmt=fmt, base=base)
    return graph


def run_validate_command(
    paths: Sequence[str | Path],
    shapes_path: str | Path | None = None,
    fmt: str = "text",
    base: str = DEFAULT_BASE_IRI,
    *,
    rdf_format: str | None = None,
    extra: Graph | None = None,
) -> tuple[int, str]:
    """Validate data files and return ``(exit code, output text)``.

    ``extra`` is reference data to validate with (e.g. the ontology, for the concepts
    items point at); its own resources are validated too.
    """
    if fmt not in FORMATS:
        return (
            EXIT_BAD_INPUT,
            f"error: unknown report format {fmt!r}; use one of {', '.join(FORMATS)}\n",
        )
    try:
        base = normalize_base(base)
    except ValueError as exc:
        return EXIT_BAD_INPUT, f"error: {exc}\n"
    try:
        shapes = load_shapes(base, path=shapes_path)
        data = read_data(paths, base=base, rdf_format=rdf_format)
    except ValidationInputError as exc:
        return EXIT_BAD_INPUT, f"error: {exc}\n"
    if extra is not None:
        data += extra
    result = Validator(shapes, base=base).validate(data)
    output = format_result(result, fmt, data, base=base)
    return (EXIT_OK if result.conforms else EXIT_INVALID), output
