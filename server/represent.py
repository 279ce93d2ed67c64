"""Serialise a resource's description in each format, once per store version.

RDF syntaxes are written by pyoxigraph, JSON-LD by :mod:`server.jsonld`, HTML by
the templates. Every result is cached under the store's version, the resource,
the format and (for HTML) the language, so a representation is serialised once
per change, never once per request.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import render_template
from markupsafe import Markup

from miglod.store import Description
from miglod.store.terms import ox_triple
from server import negotiation as neg
from server.cache import Rendered
from server.i18n import message
from server.state import State
from server.views import PageBuilder

_RDF = {
    neg.TURTLE.name: ox.RdfFormat.TURTLE,
    neg.NTRIPLES.name: ox.RdfFormat.N_TRIPLES,
    neg.RDFXML.name: ox.RdfFormat.RDF_XML,
}


def content_type(fmt: neg.Format) -> str:
    """Return the ``Content-Type`` of a format, with the charset where text needs one."""
    if fmt.media_type.startswith("text/"):
        return fmt.media_type + "; charset=utf-8"
    return fmt.media_type


def representation(
    st: State,
    iri: str,
    fmt: neg.Format,
    language: str | None,
    doc: str,
    root: str,
    make: Callable[[], Description] | None = None,
) -> Rendered | None:
    """Return the representation of ``iri`` in ``fmt``, or ``None`` when it is unknown."""
    description = st.describe(iri, make)
    if not description:
        return None
    found = st.cache.get_or_make(
        (st.store.version, "render", iri, fmt.name, language, doc, root),
        lambda: render(st, description, fmt, language or neg.LANGUAGES[0], doc, root),
        lambda r: 200 + len(r.body),
    )
    return found


def render(
    st: State, description: Description, fmt: neg.Format, language: str, doc: str, root: str
) -> Rendered:
    """Serialise a description in one format."""
    if fmt.name in _RDF:
        triples = [ox_triple(t) for t in description.triples]
        body = ox.serialize(triples, format=_RDF[fmt.name], prefixes=st.jsonld.prefixes) or b""
    elif fmt is neg.JSONLD:
        body = json_bytes(st.jsonld.document(description))
    else:
        body = html_page(st, description, language, doc, root).encode("utf-8")
    return Rendered.of(body, content_type(fmt))


def json_bytes(document: Any) -> bytes:
    """Return a JSON document as readable UTF-8 bytes."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def script_json(document: Any) -> Markup:
    """Return JSON safe to place inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no ``</script>`` or
    ``<!--`` in the data can end or change the element.
    """
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def alternates(doc: str) -> list[tuple[neg.Format, str]]:
    """Return every format of a document with its address."""
    return [(fmt, f"{doc}.{fmt.suffix}") for fmt in neg.FORMATS]


def html_page(st: State, description: Description, language: str, doc: str, root: str) -> str:
    """Return the HTML page of a description."""
    page = PageBuilder(st.base, root).build(description, language)
    template = "article.html" if page.kind == "news" else "resource.html"
    return render_template(
        template,
        page=page,
        lang=language,
        t=functools.partial(message, language),
        jsonld=script_json(st.jsonld.document(description, inline_context=True)),
        formats=alternates(doc),
        doc=doc,
    )
