"""Load the SHACL shapes shipped with miglod (or a user's shapes) for one base IRI."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from rdflib import SH, Graph, Literal
from rdflib.term import Node

from shapes.errors import ShapesError
from shapes.parsing import format_for, parse_rdf

DEFAULT_BASE_IRI = "https://w3id.org/miglod/"
PLACEHOLDER = "{BASE}"
SHAPE_FILES = (
    "news.ttl",
    "event.ttl",
    "reference.ttl",
    "values.ttl",
    "concepts.ttl",
    "dataset.ttl",
)

_BASE_PATTERN = re.compile(r"^https?://[^/\s]+(/\S*)?$")


def normalize_base(base: str) -> str:
    """Return ``base`` with one trailing slash; raise ValueError unless it is an http(s) IRI."""
    if not _BASE_PATTERN.match(base):
        raise ValueError(f"base IRI must be an absolute http(s) IRI, got {base!r}")
    return base.rstrip("/") + "/"


def load_shapes(base: str = DEFAULT_BASE_IRI, *, path: str | Path | None = None) -> Graph:
    """Return the shapes graph for ``base``: the packaged shapes, or the file at ``path``.

    Relative IRIs resolve against ``base``. ``{BASE}`` inside an ``sh:pattern`` is
    replaced by the regex-escaped base, elsewhere by the base itself. Raise
    :class:`ShapesError` naming file and line when a file does not parse.
    """
    base = normalize_base(base)
    graph = Graph()
    if path is None:
        package = files(__name__.rsplit(".", 1)[0])
        for name in SHAPE_FILES:
            text = package.joinpath(name).read_text(encoding="utf-8")
            graph += parse_rdf(
                text, source=f"shapes/{name}", fmt="turtle", base=base, error=ShapesError
            )
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ShapesError(f"cannot read shapes: {exc}", source=source) from exc
        try:
            fmt = format_for(source)
        except Exception as exc:
            raise ShapesError(str(exc), source=source) from exc
        graph = parse_rdf(text, source=source, fmt=fmt, base=base, error=ShapesError)
    substitute_base(graph, base)
    graph.bind("sh", SH)
    graph.bind("shp", base + "def/shapes/")
    graph.bind("mig", base + "def/mig/")
    return graph


def substitute_base(graph: Graph, base: str) -> None:
    """Replace ``{BASE}`` in the graph's literals: regex-escaped in patterns, verbatim elsewhere."""
    changes: list[tuple[tuple[Node, Node, Node], tuple[Node, Node, Node]]] = []
    for s, p, o in graph:
        if isinstance(o, Literal) and PLACEHOLDER in str(o):
            value = re.escape(base) if p == SH.pattern else base
            new = Literal(str(o).replace(PLACEHOLDER, value), lang=o.language, datatype=o.datatype)
            changes.append(((s, p, o), (s, p, new)))
    for old_triple, new_triple in changes:
        graph.remove(old_triple)
        graph.add(new_triple)
