"""Parse RDF text into graphs, turning every parser's failure into a typed error with a line."""

from __future__ import annotations

import json
import re
from xml.sax import SAXParseException

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from shapes.errors import DataError, ValidationInputError

# Suffix → rdflib parser name. Quad formats are read into one merged graph.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".trig": "trig",
    ".nq": "nquads",
}

_PARSER_NAMES = frozenset(FORMATS.values())
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")


def format_for(name: str, fmt: str | None = None) -> str:
    """Return the rdflib parser for ``fmt`` or, when it is None, for the suffix of ``name``.

    Raise :class:`DataError` for a format or suffix that is not RDF we can read.
    """
    if fmt is not None:
        wanted = fmt.lower()
        if wanted in _PARSER_NAMES:
            return wanted
        by_suffix = FORMATS.get("." + wanted.lstrip("."))
        if by_suffix is not None:
            return by_suffix
        raise DataError(f"unknown RDF format {fmt!r}", source=name)
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot >= 0 else ""
    found = FORMATS.get(suffix)
    if found is None:
        known = ", ".join(sorted(FORMATS))
        raise DataError(
            f"unknown RDF format for suffix {suffix or '(none)'!r}; use {known}", source=name
        )
    return found


def parse_rdf(
    text: str,
    *,
    source: str,
    fmt: str,
    base: str,
    error: type[ValidationInputError] = DataError,
) -> Graph:
    """Parse ``text`` in rdflib format ``fmt`` against ``base`` and return the graph.

    Raise ``error`` naming ``source`` and the line for empty input or bad syntax.
    """
    if not text.strip():
        raise error("file is empty", source=source)
    graph = Graph()
    try:
        if fmt in ("trig", "nquads"):
            from rdflib import Dataset

            dataset = Dataset()
            dataset.parse(data=text, format=fmt, publicID=base)
            for s, p, o, _g in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(data=text, format=fmt, publicID=base)
    except BadSyntax as exc:
        raise error(f"bad {fmt} syntax: {exc._why}", source=source, line=exc.lines + 1) from exc
    except json.JSONDecodeError as exc:
        raise error(f"bad JSON: {exc.msg}", source=source, line=exc.lineno) from exc
    except SAXParseException as exc:
        raise error(
            f"bad XML: {exc.getMessage()}", source=source, line=exc.getLineNumber()
        ) from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise error(
            f"cannot parse as {fmt}: {exc}", source=source, line=_guess_line(text, exc)
        ) from exc
    if len(graph) == 0:
        raise error("no triples in file", source=source)
    return graph


def _guess_line(text: str, exc: Exception) -> int | None:
    """Return the line an error message names, or the line holding the text it quotes."""
    message = str(exc)
    found = _LINE_IN_MESSAGE.search(message)
    if found:
        return int(found.group(1))
    if ": " in message:
        quoted = message.split(": ", 1)[1].strip()
        if quoted:
            for number, line in enumerate(text.splitlines(), start=1):
                if quoted in line:
                    return number
    return None
