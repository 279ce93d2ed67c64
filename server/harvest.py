"""Harvesting: ``/changes`` since a time and the sitemap.

- ``/changes?since=…&after=…`` lists the graphs written or removed since a time,
  oldest first, as JSON, for harvesters to follow with ``rel="next"``; a news
  item's graph names its resource.
- ``/sitemap.xml`` lists every news item's page with its ``lastmod`` (an index of
  ``/sitemap-{n}.xml`` parts past 50,000 items).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request

from miglod.store import Change
from server.cache import Rendered
from server.collections import bounded
from server.errors import ProblemError
from server.http import conditional
from server.represent import json_bytes
from server.state import State, state

bp = Blueprint("harvest", __name__)

MAX_CHANGES = 10000
SITEMAP_URLS = 50000


@bp.get("/changes")
def changes() -> Response:
    """Answer the graphs written or removed since a time, oldest first, as JSON."""
    st = state()
    since = _since_time(request.args.get("since"))
    after = request.args.get("after", "")
    limit = bounded(request.args.get("limit"), 1000, MAX_CHANGES, "limit")
    found = st.store.changes(since, after=after, limit=limit)
    document: dict[str, Any] = {
        "since": _time_text(since) if since else None,
        "changes": [_change(st, c) for c in found],
        "next": None,
    }
    response_links = []
    if len(found) == limit:
        last = found[-1]
        next_url = f"{request.script_root}/changes?" + urlencode(
            {"since": _time_text(last.modified), "after": last.graph, "limit": limit}
        )
        document["next"] = next_url
        response_links.append(f'<{next_url}>; rel="next"')
    body = json_bytes(document)
    response = Response(body, content_type="application/json")
    if response_links:
        response.headers["Link"] = ", ".join(response_links)
    return conditional(response, request, Rendered.of(body, "").etag, st.store.modified, 0)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Answer the sitemap of the news pages (an index of sitemaps for large datasets)."""
    return _sitemap(None)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """Answer one part of a large sitemap."""
    return _sitemap(number)


def _sitemap(number: int | None) -> Response:
    st = state()
    root = request.url_root.rstrip("/")
    key = (st.store.version, "sitemap", number, root)

    def make() -> Rendered:
        entries = list(_news_graphs(st))
        parts = max(1, -(-len(entries) // SITEMAP_URLS))
        if number is None and parts > 1:
            body = _sitemap_index(root, parts, st.store.modified)
        elif number is not None and not 1 <= number <= parts:
            return Rendered(b"", "", "")
        else:
            start = 0 if number is None else (number - 1) * SITEMAP_URLS
            body = _urlset(root, entries[start : start + SITEMAP_URLS])
        return Rendered.of(body.encode(), "application/xml")

    rendered = st.cache.get_or_make(key, make, lambda r: 200 + len(r.body))
    if not rendered.body:
        raise ProblemError(404, "not_found", "There is no such part of the sitemap.")
    response = Response(rendered.body, content_type=rendered.media_type)
    return conditional(
        response, request, rendered.etag, st.store.modified, int(st.settings["max_age"])
    )


def _news_graphs(st: State) -> Iterator[tuple[str, dt.datetime]]:
    """Yield (document path, last change) for every live news item, oldest change first."""
    prefix = st.base + "graph/news/"
    since: dt.datetime | None = None
    after = ""
    while True:
        batch = st.store.changes(since, after=after, limit=10000)
        for change in batch:
            if change.graph.startswith(prefix) and not change.deleted:
                yield "/doc/news/" + change.graph[len(prefix) :], change.modified
        if len(batch) < 10000:
            return
        since, after = batch[-1].modified, batch[-1].graph


def _urlset(root: str, entries: list[tuple[str, dt.datetime]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, modified in entries:
        lines.append(
            f"<url><loc>{escape(root + path)}</loc><lastmod>{_time_text(modified, seconds=True)}</lastmod></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _sitemap_index(root: str, parts: int, modified: dt.datetime | None) -> str:
    lastmod = f"<lastmod>{_time_text(modified, seconds=True)}</lastmod>" if modified else ""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for number in range(1, parts + 1):
        lines.append(f"<sitemap><loc>{escape(root)}/sitemap-{number}.xml</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def _change(st: State, change: Change) -> dict[str, Any]:
    prefix = st.base + "graph/news/"
    resource = (
        st.base + "id/news/" + change.graph[len(prefix) :]
        if change.graph.startswith(prefix)
        else None
    )
    return {
        "graph": change.graph,
        "resource": resource,
        "modified": _time_text(change.modified),
        "deleted": change.deleted,
        "agent": change.agent,
        "before": change.before,
        "after": change.after,
    }


def _since_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ProblemError(400, "bad_request", "since must be an ISO 8601 date or time.") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _time_text(value: dt.datetime, *, seconds: bool = False) -> str:
    value = value.astimezone(dt.UTC)
    if seconds:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
