"""Answer SPARQL 1.1 Protocol requests at ``/sparql``: results, the service description, the query page.

Queries run in the processes of :class:`miglod.query.QueryService`: the
server's shared query helper under ``miglod serve``, otherwise a zygote of
the app's own started on first use; under the ``query_timeout`` and
``result_limit`` settings. Results are cached by data version, so a query
asked again before the data changes is answered without evaluating it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState

from miglod.query import QueryError, QueryRequest, QueryService, inspect_query
from miglod.query.evaluate import Outcome
from miglod.query.examples import Example, example_item_query, examples
from miglod.query.helper import HelperPaths
from miglod.query.remote import RemoteQueryService
from miglod.store import remote_endpoints
from server import negotiation as neg
from server import sparql_description as sd
from server import sparql_page as page
from server.cache import LruCache, Rendered
from server.errors import ProblemError, problem
from server.http import after_refresh, conditional
from server.sparql_protocol import read_request
from server.sparql_results import choose, result_response
from server.state import State, state

bp = Blueprint("sparql", __name__)
EXTENSION = "miglod.sparql"
#: Results above this size are streamed from their file and never cached.
MAX_CACHED = 2 * 1024 * 1024


def query_warm(settings: Mapping[str, Any]) -> tuple[str, tuple[int, ...]]:
    """Return the base IRI and row caps the example queries are precomputed for."""
    limit = int(settings["result_limit"])
    return str(settings["base_iri"]), (limit, min(limit, page.PAGE_ROWS))


def query_slots(settings: Mapping[str, Any]) -> int:
    """Return how many queries may run at once across the server's workers.

    A running query takes a core, so there are as many slots as cores, and
    always fewer than the web threads (``THREADS`` per worker), so pages are
    answered while every slot is busy.
    """
    from server.serve import THREADS

    threads = int(settings["workers"]) * THREADS
    return max(1, min(os.cpu_count() or 1, threads - 1))


@dataclass(slots=True)
class SparqlState:
    """The query service of one app (started on first use) and its caches.

    ``helper`` names the server's shared query helper; without it the app
    starts a zygote of its own on first use (tests, ``miglod query``, an app
    served some other way).
    """

    cache: LruCache
    service: QueryService | RemoteQueryService | None = None
    helper: HelperPaths | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self, st: State) -> QueryService | RemoteQueryService:
        """Return the query service, starting it on first use."""
        with self.lock:
            if self.service is None and st.settings["sparql_query_url"]:
                self.service = RemoteQueryService(remote_endpoints(st.settings))
            if self.service is None:
                self.service = QueryService(
                    st.settings["store"],
                    slots=query_slots(st.settings),
                    columnar=bool(st.settings["sparql_columnar"]),
                    warm=query_warm(st.settings),
                    helper=self.helper,
                )
            return self.service


@bp.record_once
def _catch_up_on_changes(setup: BlueprintSetupState) -> None:
    app = setup.app
    assert isinstance(app, Flask)
    after_refresh(app, lambda: catch_up(app))


def catch_up(app: Flask) -> None:
    """Bring the idle query runners up to the newest generation, ahead of the next query."""
    service = sparql_state(app).service
    if isinstance(service, QueryService):
        service.catch_up(app.extensions["miglod"].store.query_version)


def use_query_helper(app: Flask, helper: HelperPaths) -> None:
    """Have ``app`` send its queries to a server's shared query helper."""
    sp = sparql_state(app)
    with sp.lock:
        if sp.service is not None:
            sp.service.close()
            sp.service = None
        sp.helper = helper


def sparql_state(app: Flask | None = None) -> SparqlState:
    """Return the SPARQL state of ``app`` (the current app by default)."""
    target = app or current_app
    found = target.extensions.get(EXTENSION)
    if found is None:
        budget = int(target.extensions["miglod"].settings["cache_mb"]) * 1024 * 1024 // 2
        found = target.extensions.setdefault(EXTENSION, SparqlState(LruCache(budget)))
    assert isinstance(found, SparqlState)
    return found


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query, or describe the service when there is none."""
    st = state()
    asked = read_request(request)
    if asked.query is None:
        if request.method == "POST":
            raise ProblemError(400, "missing_query", "The request has no query parameter.")
        return _without_query(st)
    refused: QueryError | None = None
    form = None
    try:
        form = inspect_query(asked.query).form
    except QueryError as exc:
        refused = exc
    fmt = choose(request.headers.get("Accept"), asked.format, form)
    if refused is not None:
        return _failure(st, refused, asked.query, html=fmt is None)
    limit = int(st.settings["result_limit"])
    wanted = fmt or page.page_format(form)
    query = QueryRequest(
        asked.query,
        wanted.name,
        min(limit, page.PAGE_ROWS) if fmt is None else limit,
        asked.default_graphs,
        asked.named_graphs,
        base_iri=st.base,
    )
    try:
        outcome, cached = _evaluate(st, query)
    except QueryError as exc:
        return _failure(st, exc, asked.query, html=fmt is None)
    if fmt is None:
        table = page.table_of(outcome, page.PageBuilder(st.base, request.script_root))
        body = _page(st, asked.query, form=form, table=table)
        response = Response(body, content_type="text/html; charset=utf-8")
        response.vary.update(("Accept", "Accept-Language"))
        return response
    response = result_response(outcome, limit, negotiated=asked.format is None)
    if cached or outcome.precomputed:
        response.headers["Server-Timing"] = "cache;dur=0"
    if request.method == "GET":
        tag = _etag(st, query)
        return conditional(response, request, tag, st.store.modified, int(st.settings["max_age"]))
    return response


@bp.before_app_request
def start_query_service() -> None:
    """Start the worker's own query service at its first request (not with a shared helper).

    Loading the data takes a while for a large store, so it starts with the
    first request of any kind rather than the first query (not under tests).
    """
    if current_app.testing:
        return
    sp = sparql_state()
    if sp.service is None and sp.helper is None:
        sp.running(state()).start()


@bp.after_request
def allow_cross_origin_queries(response: Response) -> Response:
    """Let pages on any site send queries with POST too (reads only, nothing is written)."""
    if request.method == "POST":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "X-Result-Limit, X-Result-Rows, X-Result-Truncated, X-SPARQL-MaxRows, Warning, "
            "Retry-After, Server-Timing"
        )
    return response


def _evaluate(st: State, query: QueryRequest) -> tuple[Outcome, bool]:
    """Return the outcome of a query and whether it came from the cache."""
    sp = sparql_state()
    version = st.store.query_version
    computed = []

    def make() -> Outcome:
        computed.append(True)
        service = sp.running(st)
        return service.run(query, timeout=float(st.settings["query_timeout"]), version=version)

    def size(outcome: object) -> int:
        assert isinstance(outcome, Outcome)
        small = outcome.body is not None and outcome.size <= MAX_CACHED
        return 500 + outcome.size if small else sp.cache.max_bytes + 1

    found = sp.cache.get_or_make(("result", version, query), make, size)
    assert isinstance(found, Outcome)
    return found, not computed


def _etag(st: State, query: QueryRequest) -> str:
    key = repr((st.store.query_version, query)).encode()
    return hashlib.blake2b(key, digest_size=12).hexdigest()


def _failure(st: State, error: QueryError, query: str, *, html: bool) -> Response:
    if error.status >= 500 and error.code != "query_timeout" and error.retry_after is None:
        current_app.logger.error("query failed: %s: %s", error.code, error.message)
    elif error.code == "query_timeout":
        current_app.logger.warning("query stopped after the time limit: %.200r", query)
    if html:
        body = _page(st, query, error=f"{error.message} ({error.code})")
        response = Response(body, error.status, content_type="text/html; charset=utf-8")
        response.vary.update(("Accept", "Accept-Language"))
    else:
        response = problem(error.status, error.code, error.message)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def _without_query(st: State) -> Response:
    formats = (neg.HTML, *sd.FORMATS)
    fmt = neg.negotiate(request.headers.get("Accept"), formats=formats, default=neg.TURTLE)
    if fmt is None:
        offered = [f.media_type for f in formats]
        raise ProblemError(
            406,
            "not_acceptable",
            "None of the formats offered is acceptable: " + ", ".join(offered) + ".",
            extra={"offered": offered},
        )
    if fmt is neg.HTML:
        listed = _examples(st)
        response = Response(
            _page(st, listed[0].query, listed=listed), content_type="text/html; charset=utf-8"
        )
        response.vary.update(("Accept", "Accept-Language"))
        return response
    endpoint_url = request.base_url
    timeout, limit = float(st.settings["query_timeout"]), int(st.settings["result_limit"])
    rendered = sparql_state().cache.get_or_make(
        ("description", endpoint_url, fmt.name, timeout, limit),
        lambda: Rendered.of(
            sd.serialize(sd.description(st.base, endpoint_url, timeout, limit), fmt, st.base),
            fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else ""),
        ),
        lambda r: len(r.body),
    )
    assert isinstance(rendered, Rendered)
    response = Response(rendered.body, content_type=rendered.media_type)
    response.vary.add("Accept")
    return conditional(response, request, rendered.etag, None, int(st.settings["max_age"]))


def _examples(st: State) -> list[Example]:
    """Return the examples, the item description one about the newest item (found once per version)."""
    query = QueryRequest(example_item_query(st.base), "json", 1)
    try:
        outcome, _ = _evaluate(st, query)
        table = page.table_of(outcome, page.PageBuilder(st.base, ""))
        item = table.rows[0][0].text if table.rows and table.rows[0][0] else None
    except QueryError:
        item = None
    return examples(st.base, item)


def _page(
    st: State,
    query: str,
    *,
    listed: list[Example] | None = None,
    form: str | None = None,
    table: page.Table | None = None,
    error: str | None = None,
) -> str:
    return page.render(
        base=st.base,
        query=query,
        examples=listed if listed is not None else _examples(st),
        form=form,
        table=table,
        error=error,
        timeout=float(st.settings["query_timeout"]),
        limit=int(st.settings["result_limit"]),
    )
