"""Format validation results for people (text, HTML) and for programs (JSON, Turtle).

The text and HTML reports group findings by item: each group names the resource by its
IRI and, when the data has them, its headline, date and the source file and line it was
converted from (``prov:wasDerivedFrom`` → ``schema:name`` and ``mig:sourceLine``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from rdflib import PROV, Graph, Literal, URIRef
from rdflib.namespace import SDO
from rdflib.term import Node

from shapes.findings import Finding
from shapes.loading import DEFAULT_BASE_IRI, normalize_base
from shapes.validation import ValidationResult

FORMATS = ("text", "json", "turtle", "html")


@dataclass(frozen=True, slots=True)
class Label:
    """What a report says about one focus node besides its IRI."""

    headline: str | None = None
    date: str | None = None
    source: str | None = None


def describe_focus(data: Graph | None, focus: Node, base: str = DEFAULT_BASE_IRI) -> Label:
    """Return the headline, date and source location of ``focus`` (or of the item it belongs to)."""
    if data is None or not isinstance(focus, URIRef):
        return Label()
    subject: Node = URIRef(str(focus).split("#", 1)[0])
    for article in data.objects(subject, SDO.subjectOf):
        subject = article
        break
    headline = data.value(subject, SDO.headline)
    date = data.value(subject, SDO.datePublished)
    source = data.value(subject, PROV.wasDerivedFrom)
    where = None
    if source is not None:
        name = data.value(source, SDO.name)
        line = data.value(source, URIRef(normalize_base(base) + "def/mig/sourceLine"))
        if name is not None:
            where = f"{name}:{line}" if line is not None else str(name)
    return Label(
        str(headline) if headline is not None else None,
        str(date) if date is not None else None,
        where,
    )


def _term(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        text = str(node)
        return text if len(text) <= 120 else text[:117] + "..."
    return f"<{node}>"


def _field(finding: Finding) -> str:
    return str(finding.path) if finding.path is not None else "(the resource itself)"


def format_text(
    result: ValidationResult, data: Graph | None = None, *, base: str = DEFAULT_BASE_IRI
) -> str:
    """Return a steward's report: one block per resource, one line per problem."""
    lines = [_summary(result)]
    for focus, findings in result.by_focus().items():
        label = describe_focus(data, focus, base)
        lines.append("")
        lines.append(f"{_term(focus)}")
        details = [
            f'"{label.headline}"' if label.headline else None,
            label.date,
            f"from {label.source}" if label.source else None,
        ]
        if any(details):
            lines.append("  " + ", ".join(d for d in details if d))
        for f in findings:
            value = f" = {_term(f.value)}" if f.value is not None else ""
            lines.append(f"  {f.severity}: {_field(f)}{value}")
            lines.append(f"    {f.message}")
    return "\n".join(lines) + "\n"


def _summary(result: ValidationResult) -> str:
    if not result.findings:
        return "Conforms: no problems found."
    verdict = "Conforms" if result.conforms else "Does not conform"
    return (
        f"{verdict}: {len(result.violations)} violation(s), {len(result.warnings)} warning(s)"
        f" on {len(result.by_focus())} resource(s)."
    )


def format_json(
    result: ValidationResult, data: Graph | None = None, *, base: str = DEFAULT_BASE_IRI
) -> str:
    """Return the results as JSON: a verdict and one object per finding."""
    items = []
    for f in result.findings:
        label = describe_focus(data, f.focus, base)
        items.append(
            {
                "focus": str(f.focus),
                "headline": label.headline,
                "date": label.date,
                "source": label.source,
                "path": str(f.path) if f.path is not None else None,
                "value": str(f.value) if f.value is not None else None,
                "severity": f.severity,
                "message": f.message,
                "messages": {m.language or "": str(m) for m in f.messages},
                "shape": str(f.shape),
                "component": str(f.source_constraint),
            }
        )
    body = {
        "conforms": result.conforms,
        "violations": len(result.violations),
        "warnings": len(result.warnings),
        "results": items,
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def format_turtle(result: ValidationResult) -> str:
    """Return the SHACL validation report graph as Turtle."""
    return result.report.serialize(format="turtle")


def format_html(
    result: ValidationResult, data: Graph | None = None, *, base: str = DEFAULT_BASE_IRI
) -> str:
    """Return a standalone HTML page; every value from the data is escaped."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Validation report</title></head><body>',
        f"<h1>Validation report</h1><p>{escape(_summary(result))}</p>",
    ]
    for focus, findings in result.by_focus().items():
        label = describe_focus(data, focus, base)
        parts.append(f'<section><h2><a href="{escape(str(focus))}">{escape(str(focus))}</a></h2>')
        if label.headline or label.date or label.source:
            bits = [escape(b) for b in (label.headline, label.date, label.source) if b]
            parts.append("<p>" + " · ".join(bits) + "</p>")
        parts.append(
            "<table><tr><th>Severity</th><th>Field</th><th>Value</th><th>Problem</th></tr>"
        )
        for f in findings:
            parts.append(
                f"<tr><td>{escape(f.severity)}</td><td>{escape(_field(f))}</td>"
                f"<td>{escape(_term(f.value))}</td><td>{escape(f.message)}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def format_result(
    result: ValidationResult, fmt: str, data: Graph | None = None, *, base: str = DEFAULT_BASE_IRI
) -> str:
    """Return the report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        return format_text(result, data, base=base)
    if fmt == "json":
        return format_json(result, data, base=base)
    if fmt == "turtle":
        return format_turtle(result)
    if fmt == "html":
        return format_html(result, data, base=base)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
