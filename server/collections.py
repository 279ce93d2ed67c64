"""The ``/news`` collection: the news items, newest first, a page at a time.

It is filtered by ``country`` (ISO code), ``organization`` and ``theme`` (slugs)
and ``since`` (a date), answers in HTML and JSON-LD (``/news.html``,
``/news.jsonld``, or by ``Accept``), and links its pages with
``Link: rel="next"`` (and prev, first, last). Page size is bounded.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from miglod.store import Listing
from server import negotiation as neg
from server.cache import Rendered
from server.errors import ProblemError
from server.http import conditional
from server.i18n import message
from server.listing import headlines, listed
from server.represent import content_type, json_bytes
from server.state import State, state
from server.views import PageBuilder, Value

bp = Blueprint("collections", __name__)

MAX_LIMIT = 200
_FILTERS = {
    "country": ("id/country/", re.compile(r"^[A-Za-z]{2}$")),
    "organization": ("id/organization/", re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")),
    "theme": ("def/theme/", re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")),
}
COLLECTION_FORMATS = (neg.HTML, neg.JSONLD)


@bp.get("/news", defaults={"suffix": None})
@bp.get("/news.<any(html, jsonld):suffix>")
def news(suffix: str | None) -> Response:
    """Answer one page of the news items, newest first, in HTML or JSON-LD."""
    st = state()
    fmt = neg.negotiate(
        request.headers.get("Accept"), suffix, formats=COLLECTION_FORMATS, default=neg.JSONLD
    )
    if fmt is None:
        raise _not_acceptable(COLLECTION_FORMATS)
    filters, since, page, limit = _news_query(st)
    language = _language() if fmt is neg.HTML else None
    query = [*sorted((name, value) for name, values in filters.items() for value in values)]
    if since:
        query.append(("since", since))
    if limit != int(st.settings["page_size"]):
        query.append(("limit", str(limit)))
    key = (st.store.version, "news", tuple(query), page, fmt.name, language, request.script_root)

    def make() -> tuple[Rendered, int]:
        linked_to = [
            st.base + _FILTERS[name][0] + v for name, values in filters.items() for v in values
        ]
        listing = st.store.latest(
            linked_to=linked_to, since=since, offset=(page - 1) * limit, limit=limit
        )
        pages = PageBuilder(st.base, request.script_root)
        if fmt is neg.HTML:
            items = listed(st, listing, language or neg.LANGUAGES[0], pages)
            body = _news_html(st, items, listing, query, page, limit, language or "en").encode()
        else:
            body = json_bytes(_news_jsonld(st, listing, query, page))
        return Rendered.of(body, content_type(fmt)), listing.total

    found = st.cache.get_or_make(key, make, lambda r: 200 + len(r[0].body))
    rendered, total = found
    last = max(1, -(-total // limit))
    if page > last:
        raise ProblemError(
            404,
            "not_found",
            f"There are {last} pages of news; page {page} is past the end.",
            fmt=fmt,
        )
    response = Response(rendered.body, content_type=rendered.media_type)
    links = [f'<{_page_url(query, p)}>; rel="{rel}"' for rel, p in _neighbours(page, last)]
    links += [
        f'<{_page_url(query, page, f.suffix)}>; rel="alternate"; type="{f.media_type}"'
        for f in COLLECTION_FORMATS
    ]
    response.headers["Link"] = ", ".join(links)
    if suffix is None:
        response.vary.add("Accept")
    if fmt is neg.HTML and "lang" not in request.args:
        response.vary.add("Accept-Language")
    return conditional(
        response, request, rendered.etag, st.store.modified, int(st.settings["max_age"])
    )


def _news_query(st: State) -> tuple[dict[str, list[str]], str | None, int, int]:
    filters: dict[str, list[str]] = {}
    for name, (_, pattern) in _FILTERS.items():
        values = request.args.getlist(name)
        for value in values:
            if not pattern.match(value):
                raise ProblemError(400, "bad_request", f"{name}={value!r} is not a valid {name}.")
        if values:
            filters[name] = sorted({v.upper() if name == "country" else v for v in values})
    since = request.args.get("since")
    if since is not None:
        try:
            since = dt.date.fromisoformat(since).isoformat()
        except ValueError:
            raise ProblemError(400, "bad_request", "since must be a date: YYYY-MM-DD.") from None
    page = bounded(request.args.get("page"), 1, 10**6, "page")
    limit = bounded(request.args.get("limit"), int(st.settings["page_size"]), MAX_LIMIT, "limit")
    return filters, since, page, limit


def bounded(text: str | None, default: int, most: int, name: str) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise ProblemError(400, "bad_request", f"{name} must be a whole number from 1 to {most}.")
    return int(text)


def _page_url(query: list[tuple[str, str]], page: int, suffix: str | None = None) -> str:
    pairs = [*query, *([("page", str(page))] if page > 1 else [])]
    path = f"{request.script_root}/news" + (f".{suffix}" if suffix else "")
    return path + (("?" + urlencode(pairs)) if pairs else "")


def _neighbours(page: int, last: int) -> list[tuple[str, int]]:
    found = [("first", 1), ("last", last)]
    if page > 1:
        found.append(("prev", page - 1))
    if page < last:
        found.append(("next", page + 1))
    return found


def _language() -> str:
    asked = request.args.get("lang", "")
    return (
        asked
        if asked in neg.LANGUAGES
        else neg.choose_language(request.headers.get("Accept-Language"))
    )


def _not_acceptable(formats: tuple[neg.Format, ...]) -> ProblemError:
    offered = [f.media_type for f in formats]
    return ProblemError(
        406, "not_acceptable", "Offered: " + ", ".join(offered) + ".", extra={"offered": offered}
    )


def _news_jsonld(
    st: State, listing: Listing, query: list[tuple[str, str]], page: int
) -> dict[str, Any]:
    pairs = [*query, *([("page", str(page))] if page > 1 else [])]
    page_iri = st.base + "news" + (("?" + urlencode(pairs)) if pairs else "")
    found = headlines(st, [iri for iri, _ in listing.items], neg.LANGUAGES[0])
    elements = []
    for iri, date in listing.items:
        element: dict[str, Any] = {"@id": iri, "@type": "NewsArticle", "datePublished": date}
        headline = found.get(iri)
        if headline is not None:
            element["headline"] = (
                {"@value": str(headline), "@language": headline.language}
                if headline.language
                else str(headline)
            )
        elements.append(element)
    return {
        "@context": st.jsonld.context_url,
        "@id": page_iri,
        "@type": "ItemList",
        "itemListOrder": "https://schema.org/ItemListOrderDescending",
        "numberOfItems": listing.total,
        "itemListElement": elements,
    }


def _news_html(
    st: State,
    items: list[Value],
    listing: Listing,
    query: list[tuple[str, str]],
    page: int,
    limit: int,
    language: str,
) -> str:
    last = max(1, -(-listing.total // limit))
    pages = PageBuilder(st.base, request.script_root)
    filters = []
    for name, value in query:
        if name in _FILTERS:
            iri = st.base + _FILTERS[name][0] + value
            filters.append(Value(_label(st, iri, language, pages), pages.href(iri)))
    return render_template(
        "news.html",
        lang=language,
        t=functools.partial(message, language),
        items=items,
        total=listing.total,
        page=page,
        last=last,
        filters=filters,
        since=dict(query).get("since"),
        previous_url=_page_url(query, page - 1) if page > 1 else None,
        next_url=_page_url(query, page + 1) if page < last else None,
        formats=[(f, _page_url(query, page, f.suffix)) for f in COLLECTION_FORMATS],
        jsonld=None,
    )


def _label(st: State, iri: str, language: str, pages: PageBuilder) -> str:
    description = st.describe(iri)
    if not description:
        return iri.rsplit("/", 1)[-1]
    return pages.build(description, language).title
