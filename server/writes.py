"""Let stewards write: ``POST /news``, ``PUT`` and ``DELETE`` on ``/id/news/{id}``.

Each write needs ``Authorization: Bearer <token>`` (see :mod:`server.auth`); the
item is validated against the published data and stored only if it conforms
(``422`` with the SHACL report otherwise, in the format asked for). ``If-Match``
takes the entity tag of any representation of the item (see
:mod:`server.versions`) and is checked in the same atomic step as the write;
``If-None-Match: *`` makes a ``POST`` refuse to overwrite.

Under ``miglod serve`` the web workers forward writes to the server's write
service (:mod:`server.write_client`), whose processes run these same views;
an app without one (tests, say) writes itself.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from rdflib import Graph
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from converter.enrich import Enricher
from converter.errors import ConverterError
from miglod import publishing as pub
from miglod.store import ConflictError, GraphStatus, Store, open_store
from server import versions
from server.auth import Tokens, bearer
from server.errors import ProblemError
from server.represent import json_bytes
from server.state import State, state
from server.write_client import forward, write_target
from shapes.loading import load_shapes
from shapes.report import format_result
from shapes.validation import Validator

bp = Blueprint("writes", __name__)

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})

#: While writes keep coming, a fold is followed by this many times its duration without one.
FOLD_SPACING = 20.0
#: Largest request body accepted, in bytes.
MAX_BODY = 2 * 1024 * 1024
KEY = "miglod.writes"
REPORT_TYPES = {
    "application/json": "json",
    "text/turtle": "turtle",
    "text/html": "html",
    "text/plain": "text",
}
REPORT_MEDIA = {"json": "application/json", "turtle": "text/turtle; charset=utf-8"}
REPORT_MEDIA |= {"html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8"}


@dataclass(slots=True)
class Writes:
    """The tokens, and what each worker builds on its first write and keeps."""

    tokens: Tokens
    lock: threading.Lock = field(default_factory=threading.Lock)
    validator: Validator | None = None
    enricher: Enricher | None = None
    writer: Store | None = None
    folder: threading.Thread | None = None


@bp.record_once
def _setup(setup: BlueprintSetupState) -> None:
    app = setup.app
    app.extensions[KEY] = Writes(
        Tokens.parse(str(app.extensions["miglod"].settings["write_tokens"]))
    )


def prepare(app: Flask) -> None:
    """Build the validator now rather than on the first write."""
    writes = _writes(app)
    base = str(app.extensions["miglod"].base)
    with writes.lock:
        if writes.validator is None:
            writes.validator = Validator(load_shapes(base), base=base)


@bp.before_request
def _forward() -> Response | None:
    """Have the server's write service do the write, when the app has one."""
    target = write_target(current_app)
    if target is None or request.method not in WRITE_METHODS:
        return None
    _agent()  # refuse at once what the write service would refuse (it checks again)
    request.max_content_length = MAX_BODY
    return forward(target, request.environ, request.get_data(cache=False))


def _writes(app: Flask) -> Writes:
    found = app.extensions[KEY]
    assert isinstance(found, Writes)
    return found


@bp.post("/news")
def create() -> Response:
    """Add a new news item; answer ``201`` with its IRI in ``Location``."""
    st, agent = state(), _agent()
    item = _one_item(st, _body())
    found = st.store.status(item.graph_iri)
    if found is not None:
        if request.headers.get("If-None-Match", "").strip() == "*":
            raise ProblemError(412, "precondition_failed", f"<{item.iri}> exists already.")
        if found.deleted:
            raise ProblemError(
                409, "conflict", f"<{item.iri}> was retracted; a retracted IRI is never reused."
            )
        raise ProblemError(
            409, "conflict", f"<{item.iri}> exists already: replace it with PUT {_doc(st, item)}."
        )
    return _store(st, item, agent, expect=None, status=201)


@bp.put("/id/news/<path:rest>")
def replace(rest: str) -> Response:
    """Replace a news item with the one in the body, which must describe exactly it."""
    st, agent = state(), _agent()
    iri = st.base + "id/news/" + rest
    item = _one_item(st, _body())
    if item.iri != iri:
        raise ProblemError(
            400, "wrong_item", f"The body describes <{item.iri}>, not <{iri}> that it replaces."
        )
    expect = _expectation(iri, _existing(st, iri))
    pub.mark_modified(item, dt.datetime.now(dt.UTC))
    return _store(st, item, agent, expect=expect, status=200, replacing=True)


@bp.delete("/id/news/<path:rest>")
def retract(rest: str) -> Response:
    """Retract a news item: its IRI then answers ``410 Gone`` and is never reused."""
    st, agent = state(), _agent()
    iri = st.base + "id/news/" + rest
    item = pub.Item.of(iri, st.base)
    expect = _expectation(iri, _existing(st, iri))
    wanted = None if expect is False else {item.graph_iri: expect}
    try:
        with _writes(current_app).lock:
            _writer(st).delete_graphs([item.graph_iri], agent=agent, expect=wanted)  # type: ignore[arg-type]
    except ConflictError:
        raise _lost_update(iri) from None
    st.store.refresh()
    _fold_soon(current_app._get_current_object())  # type: ignore[attr-defined]
    current_app.logger.info("%s retracted %s", agent, iri)
    return Response(status=204)


def _agent() -> str:
    """Return the name of the token's holder; raise 401 or 403 otherwise."""
    tokens = _writes(current_app).tokens
    if not tokens:
        raise ProblemError(
            403, "writes_disabled", "This server accepts no writes: no write tokens are configured."
        )
    token = bearer(request.headers.get("Authorization"))
    if token is None:
        raise Unauthorized(
            "Writing needs an Authorization: Bearer <token> header.",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "miglod"}),
        )
    holder = tokens.holder(token)
    if holder is None:
        raise ProblemError(403, "forbidden", "The token given is not allowed to write.")
    return holder


def _body() -> Graph:
    request.max_content_length = MAX_BODY
    body = request.get_data(cache=False)
    media = (request.mimetype or "").lower()
    st = state()
    try:
        return pub.read_body(
            body,
            media,
            base=st.base,
            context=st.jsonld.context,
            convert=lambda data: _convert(st, data),
        )
    except pub.PublishingError as exc:
        status = 415 if media not in pub.MEDIA_TYPES else 400
        raise ProblemError(status, "bad_input", str(exc)) from None
    except ConverterError as exc:
        raise ProblemError(400, "bad_input", str(exc)) from None


def _convert(st: State, data: bytes) -> Graph:
    writes = _writes(current_app)
    with writes.lock:
        if writes.enricher is None:
            writes.enricher = Enricher()
        enricher = writes.enricher
    return pub.convert_listing(
        data,
        enricher,
        base=st.base,
        publisher=str(st.settings["publisher"]),
        at=dt.datetime.now(dt.UTC),
        name="request body",
    )


def _one_item(st: State, graph: Graph) -> pub.Item:
    try:
        items = pub.items_in(st.store, graph, st.base)
    except pub.PublishingError as exc:
        raise ProblemError(400, "bad_input", str(exc)) from None
    if len(items) != 1:
        raise ProblemError(
            400, "bad_input", f"Send one news item per request; the body holds {len(items)}."
        )
    return items[0]


def _existing(st: State, iri: str) -> GraphStatus:
    found = st.store.status(pub.Item.of(iri, st.base).graph_iri)
    if found is None:
        raise ProblemError(404, "not_found", f"Nothing is known about <{iri}>: POST it to /news.")
    if found.deleted:
        raise ProblemError(410, "gone", f"<{iri}> was retracted; a retracted IRI is never reused.")
    return found


def _expectation(iri: str, found: GraphStatus) -> str | bool:
    """Return the digest ``If-Match`` asks for (``False``: the request sets no condition)."""
    if not request.if_match:
        return False
    if request.if_match.star_tag:
        return found.digest
    for value in request.if_match.as_set(include_weak=True):
        if versions.digest_of_tag(value) == found.digest:
            return found.digest
    raise _lost_update(iri)


def _lost_update(iri: str) -> ProblemError:
    return ProblemError(
        412,
        "precondition_failed",
        f"<{iri}> changed since the version If-Match names; fetch it again and redo the change.",
    )


def _store(
    st: State,
    item: pub.Item,
    agent: str,
    *,
    expect: str | bool | None,
    status: int,
    replacing: bool = False,
) -> Response:
    writes = _writes(current_app)
    with writes.lock:
        if writes.validator is None:
            writes.validator = Validator(load_shapes(st.base), base=st.base)
        validator = writes.validator
    try:
        pub.check(validator, st.store, item, replacing=replacing)
    except pub.NotConformingError as exc:
        return _report(st, exc)
    try:
        with writes.lock:
            changes = pub.write(_writer(st), item, agent=agent, expect=expect)
    except ConflictError:
        if status == 201:
            raise ProblemError(409, "conflict", f"<{item.iri}> was created meanwhile.") from None
        raise _lost_update(item.iri) from None
    st.store.refresh()
    _fold_soon(current_app._get_current_object())  # type: ignore[attr-defined]
    current_app.logger.info("%s wrote %s", agent, item.iri)
    found = st.store.status(item.graph_iri)
    document: dict[str, Any] = {
        "resource": item.iri,
        "document": _doc(st, item),
        "digest": found.digest if found else None,
        "changed": bool(changes),
    }
    response = Response(json_bytes(document), status, content_type="application/json")
    response.headers["Content-Location"] = _doc(st, item)
    if status == 201:
        response.headers["Location"] = item.iri
    response.headers["Cache-Control"] = "no-store"
    return response


def _report(st: State, error: pub.NotConformingError) -> Response:
    chosen = request.accept_mimetypes.best_match(list(REPORT_TYPES), default="application/json")
    fmt = REPORT_TYPES.get(chosen or "", "json")
    body = format_result(error.result, fmt, error.item.graph, base=st.base)
    response = Response(body, 422, content_type=REPORT_MEDIA[fmt])
    response.headers["Cache-Control"] = "no-store"
    return response


def _writer(st: State) -> Store:
    """Return a store this worker may write to (opened on the first write)."""
    if not getattr(st.store, "read_only", False):
        return st.store
    writes = _writes(current_app)
    if writes.writer is None:
        writes.writer = open_store(st.settings["store"])
    return writes.writer


def _fold_soon(app: Flask) -> None:
    """Fold the journaled writes into a new generation shortly, in the background.

    One folding thread per worker at a time; it retries while another process
    folds, until nothing this worker sees is left unfolded. A web worker that
    forwards its writes never folds: the write service does.
    """
    writes = _writes(app)
    writer = writes.writer
    if writer is None or not hasattr(writer, "compact") or write_target(app) is not None:
        return
    with writes.lock:
        if writes.folder is not None and writes.folder.is_alive():
            return
        delay = float(app.extensions["miglod"].settings["fold_delay"])
        writes.folder = threading.Thread(target=_fold, args=(app, writer, delay), daemon=True)
        writes.folder.start()


def _fold(
    app: Flask,
    writer: Any,
    delay: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Fold the journal ``delay`` seconds after a write, and again while writes keep coming.

    A fold copies the store's index and makes every reader reopen the data, so
    while writes keep coming each fold is followed by a rest of at least
    :data:`FOLD_SPACING` times its own duration: folding then takes at most a
    twentieth of the time, whatever the size of the data (at 100,000 items, one
    fold about every 20 s), and writes in between are served from the journal.
    """
    rest, misses = delay, 0
    while misses < 30:
        sleep(rest)
        try:
            writer.refresh()
            if writer.pending() == 0:
                return
            started = clock()
            made = writer.compact(wait=False)
        except Exception:
            app.logger.exception("folding the journal into a new generation failed")
            return
        if made:
            rest, misses = max(delay, FOLD_SPACING * (clock() - started)), 0
        else:  # another process is folding: look again soon
            rest, misses = delay, misses + 1


def _doc(st: State, item: pub.Item) -> str:
    return f"{request.script_root}/doc/news/{item.iri[len(st.base + 'id/news/') :]}"
