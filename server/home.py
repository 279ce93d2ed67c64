"""The home page: what the dataset is, how to use it, and where to start reading."""

from __future__ import annotations

import functools

from flask import Blueprint, Response, render_template, request
from rdflib import Literal

from server import negotiation as neg
from server.cache import Rendered
from server.http import conditional
from server.i18n import message
from server.listing import listed
from server.represent import content_type
from server.state import State, state
from server.views import PageBuilder, Value

bp = Blueprint("home", __name__)

LATEST = 10
_CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?c ?label WHERE { ?c skos:inScheme <%s> ; skos:prefLabel ?label }
"""


@bp.get("/")
def index() -> Response:
    """Answer the home page in the reader's language."""
    st = state()
    asked = request.args.get("lang", "")
    language = (
        asked
        if asked in neg.LANGUAGES
        else neg.choose_language(request.headers.get("Accept-Language"))
    )
    root = request.script_root
    rendered = st.cache.get_or_make(
        (st.store.version, "home", language, root),
        lambda: Rendered.of(_page(st, language, root).encode("utf-8"), content_type(neg.HTML)),
        lambda r: len(r.body),
    )
    response = Response(rendered.body, content_type=rendered.media_type)
    if not asked:
        response.vary.add("Accept-Language")
    return conditional(
        response, request, rendered.etag, st.store.modified, int(st.settings["max_age"])
    )


def _page(st: State, language: str, root: str) -> str:
    pages = PageBuilder(st.base, root)
    latest = listed(st, st.store.latest(limit=LATEST), language, pages)
    themes = _labelled(st, st.base + "def/theme", language, pages)
    return render_template(
        "home.html",
        lang=language,
        t=functools.partial(message, language),
        latest=latest,
        themes=themes,
        base=st.base,
    )


def _labelled(st: State, scheme: str, language: str, pages: PageBuilder) -> list[Value]:
    labels: dict[str, dict[str, str]] = {}
    for concept, label in st.store.query(_CONCEPTS % scheme, timeout=10).rows:
        if isinstance(label, Literal):
            labels.setdefault(str(concept), {})[label.language or ""] = str(label)
    values = []
    for iri, by_language in labels.items():
        text = (
            by_language.get(language) or by_language.get("en") or next(iter(by_language.values()))
        )
        values.append(Value(text, pages.href(iri)))
    return sorted(values, key=lambda v: v.text.lower())
