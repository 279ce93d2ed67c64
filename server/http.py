"""Do what every request shares: see the store's latest data, send CORS and cache headers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, Request, Response, request

from server.state import state

bp = Blueprint("http", __name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXPOSED = "ETag, Last-Modified, Link, Content-Location, Vary"


@bp.before_app_request
def see_latest_data() -> None:
    """Switch to the newest published data before answering, so answers are never stale."""
    state().store.refresh()


@bp.after_app_request
def allow_cross_origin_reads(response: Response) -> Response:
    """Let pages on any site read our data (reads only; writes stay same-origin)."""
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Accept-Language, If-None-Match, If-Modified-Since"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


#: Query parameters a page keeps when the reader switches language (pages are cached,
#: so nothing else from the request may be written into them).
KEPT_PARAMETERS = ("country", "organization", "theme", "since", "limit", "page")


@bp.app_context_processor
def language_links() -> dict[str, object]:
    """Give templates ``language_link(code)``: this page in another language."""

    def language_link(code: str) -> str:
        pairs = [(k, v) for k in KEPT_PARAMETERS for v in request.args.getlist(k)]
        return f"{request.script_root}{request.path}?" + urlencode([*pairs, ("lang", code)])

    return {"language_link": language_link}


def conditional(
    response: Response, req: Request, etag: str, modified: dt.datetime | None, max_age: int
) -> Response:
    """Add validators and caching rules, and answer 304 when the client's copy is current."""
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(req)
    return response
