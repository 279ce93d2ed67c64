"""Do what every request shares: see the store's latest data, send CORS and cache headers.

Whole responses of the resource documents are kept, so a repeated request
costs a lookup: negotiation, description, serialisation and headers are all
done once per change of what the document shows. A write elsewhere in the
data does not discard them: where the store notes which resources each change
named, a kept document outlives changes that named none of those it was made
from.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Request, Response, current_app, request
from flask.blueprints import BlueprintSetupState

from miglod.store import OxigraphStore, Store, layout
from miglod.store.base import Position
from server.cache import KeptResponse
from server.state import state

bp = Blueprint("http", __name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXPOSED = "ETag, Last-Modified, Link, Content-Location, Vary"
#: Seconds between two looks at the store by a serving worker's follower (:func:`follow_store`).
FOLLOW_EVERY = 0.1
#: The app extension holding what :func:`follow_store` calls when a new generation is published.
AFTER_REFRESH = "miglod.after_refresh"
#: Where a served app keeps how to stop the thread that follows its store.
FOLLOWING = "miglod.follow"
#: Endpoints that only read although they accept POST (SPARQL queries in the body).
QUERY_ENDPOINTS = frozenset({"sparql.endpoint"})


#: Endpoints whose 200 answers depend only on the data version and on the request's
#: address, host, ``Accept`` and ``Accept-Language``: they are kept whole, per version.
KEPT_ENDPOINTS = frozenset({"resources.document", "resources.definition", "resources.context"})
#: Where those endpoints live (so other requests skip the lookup at once).
KEPT_PREFIXES = ("/doc/", "/def/", "/context.jsonld")
#: Requests with these headers (as WSGI names them) are conditional, partial or personal:
#: they take the full path, which answers 304 where it should, and are never kept.
UNKEPT_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
)
#: Largest body kept whole.
MAX_KEPT = 256 * 1024
_KEEP = "miglod.keep"
#: Where a document's handler leaves the keys of the resources its description was read from.
_RESOURCES = "miglod.resources"
_DROPPED = frozenset({"date", "set-cookie", "server"})

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class KeptResponses:
    """Answer a repeated request for a document from the whole response kept for it.

    WSGI middleware in front of the app: the first ``GET`` of a document goes
    through the app, and its response (every header, body) is kept under the
    request's address, host, ``Accept`` and ``Accept-Language``, with the data
    version it was made at and the resources its description was read from;
    identical requests are answered from it without routing, negotiating or
    building headers while it is still right (:func:`_still_right`). Answers
    are never stale: the store is refreshed first, and a kept response is used
    only at its own version or when no change since named what it was made from.
    """

    def __init__(self, app: Flask, wsgi: WsgiApp) -> None:
        self.app = app
        self.wsgi = wsgi

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer from a kept response, or let the app answer and keep what it says."""
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD") or not path.startswith(KEPT_PREFIXES):
            return self.wsgi(environ, start_response)
        if any(name in environ for name in UNKEPT_HEADERS):
            return self.wsgi(environ, start_response)
        st = self.app.extensions["miglod"]
        # A kept document never waits for a new generation to be opened: the one at
        # hand with the journal entries since holds the same data (see Store.refresh).
        st.store.refresh(wait=False)
        version, position = st.store.version, st.store.position
        key = (
            "response",
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT"),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
        )
        kept = st.cache.get(key)
        if isinstance(kept, KeptResponse) and _still_right(kept, st.store, version, position):
            start_response("200 OK", list(kept.headers))
            return [kept.body] if method == "GET" else []
        if method != "GET":
            return self.wsgi(environ, start_response)
        sent: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        answer = self.wsgi(environ, capture)
        if not environ.get(_KEEP) or not sent or not sent[-1][0].startswith("200 "):
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        headers = tuple((k, v) for k, v in sent[-1][1] if k.lower() not in _DROPPED)
        resources = environ.get(_RESOURCES)
        kept = KeptResponse(headers, body, version, position, resources)
        st.cache.replace(key, kept, 500 + len(body))
        return [body]


def _still_right(kept: KeptResponse, store: Store, version: str, position: Position | None) -> bool:
    """Return whether a kept response is still what the app would answer now.

    It is when the data has not changed since it was made, or when every change
    since named none of the resources its description was read from; it is then
    marked as right at ``position``, so the next request checks only what follows.
    """
    if kept.version == version:
        return True
    if position is None or kept.position is None or kept.resources is None:
        return False
    if kept.position != position and not store.untouched(kept.position, position, kept.resources):
        return False
    kept.version, kept.position = version, position
    return True


def note_resources(resources: frozenset[int]) -> None:
    """Tell the middleware what the current document was made from (see :class:`KeptResponses`)."""
    request.environ[_RESOURCES] = resources


@bp.record_once
def keep_responses(setup: BlueprintSetupState) -> None:
    """Put :class:`KeptResponses` in front of the app."""
    app = setup.app
    assert isinstance(app, Flask)
    app.wsgi_app = KeptResponses(app, app.wsgi_app)  # type: ignore[method-assign]


@bp.before_app_request
def see_latest_data() -> None:
    """Switch to the newest published data before answering, so answers are never stale.

    A SPARQL query does not wait while this worker opens a new generation: it
    runs on the query service's copy of the newest one (``Store.query_version``),
    and the worker's own generation with the journal is as current meanwhile.
    In a worker whose thread follows the store (``serve``), a query does not
    touch the worker's own view at all: that thread opens the new generation,
    away from the query's path (checking and starting it cost a query 1-1.5 ms
    at once after a change at 100,000 items).
    """
    if request.endpoint in QUERY_ENDPOINTS and FOLLOWING in current_app.extensions:
        return
    state().store.refresh(wait=request.endpoint not in QUERY_ENDPOINTS)


def after_refresh(app: Flask, hook: Callable[[], None]) -> None:
    """Have ``hook`` called each time :func:`follow_store` finds a new generation published."""
    app.extensions.setdefault(AFTER_REFRESH, []).append(hook)


def follow_store(app: Flask, every: float = FOLLOW_EVERY) -> Callable[[], None]:
    """Bring ``app``'s store up to date every ``every`` seconds in a thread; return how to stop it.

    Requests still refresh first (:func:`see_latest_data`), so answers are never
    stale; following makes it rare that a request waits while its worker opens
    a new generation (15-20 ms with 100,000 items) or applies journaled writes.
    When a new generation is published it calls the hooks given to
    :func:`after_refresh` (the query service's runners then catch up with it)
    at once, and opens it for the worker itself at the next look: the runners'
    catching up and the queries that come right after a change have the CPU
    first (opening takes 15-28 ms at 100,000 items, and dropping the old
    generation holds the interpreter). It learns of a new generation as it is
    published where the system tells (:class:`~miglod.store.layout.CurrentWatch`),
    so the runners have caught up by the time a query sent after the write's
    answer comes. Only for a store on this machine: refreshing a remote store
    asks its server.
    """
    stop = threading.Event()
    store = app.extensions["miglod"].store
    assert isinstance(store, OxigraphStore)
    watch = layout.CurrentWatch(store.path)

    def follow() -> None:
        failing, seen, deferred = False, store.query_version, False
        while not stop.is_set():
            watch.wait(every, stop)
            if stop.is_set():
                break
            try:
                moved = store.query_version != seen
                if moved:  # queries first: they name the new generation
                    seen = store.query_version
                    for hook in app.extensions.get(AFTER_REFRESH, ()):
                        hook()
                if moved and not deferred:
                    deferred = True  # this worker opens it at the next look, not twice in a row
                    continue
                deferred = False
                store.refresh()
                failing = False
            except Exception:  # the next request meets it again and answers with the error
                if not failing:
                    app.logger.exception("following the store failed; requests refresh it")
                failing = True
        watch.close()

    thread = threading.Thread(target=follow, name="miglod-follow", daemon=True)
    thread.start()

    def halt() -> None:
        """Stop following, and wait until no refresh is under way (the store may close next)."""
        stop.set()
        thread.join(timeout=10)

    return halt


@bp.after_app_request
def mark_keepable(response: Response) -> Response:
    """Mark a successful document answer as one the middleware may keep whole."""
    if (
        request.endpoint in KEPT_ENDPOINTS
        and request.method == "GET"
        and response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and not response.cache_control.no_store
        and (response.content_length or MAX_KEPT + 1) <= MAX_KEPT
    ):
        request.environ[_KEEP] = True
    return response


@bp.after_app_request
def allow_cross_origin_reads(response: Response) -> Response:
    """Let pages on any site read our data (reads only; writes stay same-origin)."""
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            methods = ["GET", "HEAD", "OPTIONS"]
            headers = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
            if request.endpoint in QUERY_ENDPOINTS:  # queries may come in a POST body
                methods.append("POST")
                headers += ", Content-Type"
            response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
            response.headers["Access-Control-Allow-Headers"] = headers
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


#: Query parameters a page keeps when the reader switches language (pages are cached,
#: so nothing else from the request may be written into them).
KEPT_PARAMETERS = ("country", "organization", "theme", "since", "limit", "page")


@bp.app_context_processor
def language_links() -> dict[str, object]:
    """Give templates ``language_link(code)``: this page in another language."""

    # The query page keeps the reader's query too, so that switching language runs it again.
    kept = KEPT_PARAMETERS + (("query",) if request.endpoint in QUERY_ENDPOINTS else ())

    def language_link(code: str) -> str:
        pairs = [(k, v) for k in kept for v in request.args.getlist(k)]
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
