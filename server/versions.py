"""What a news item's document says about its versions: tags, history, old versions, 410.

A news item's entity tag starts with the digest of its named graph
(``"{digest}-{representation}"``), so a client's ``If-Match`` names the version
it read whatever the format, and a write can check it atomically. Its history
is at ``/doc/news/{id}?history``, an old version at ``/doc/news/{id}?version=DIGEST``;
a retracted item answers ``410 Gone`` with a link to its history.
"""

from __future__ import annotations

from flask import Response, request

from miglod.store import Description, GraphStatus
from server import negotiation as neg
from server.errors import ProblemError, problem
from server.represent import json_bytes, render
from server.state import State


def news_graph(st: State, iri: str) -> str | None:
    """Return the named graph of a news item IRI (``None`` for other resources)."""
    prefix = st.base + "id/news/"
    if not iri.startswith(prefix) or len(iri) == len(prefix):
        return None
    return st.base + "graph/news/" + iri[len(prefix) :]


def status(st: State, iri: str) -> GraphStatus | None:
    """Return the status of a news item's graph, once per store version."""
    graph = news_graph(st, iri)
    if graph is None:
        return None
    found: tuple[GraphStatus | None] = st.cache.get_or_make(
        (st.store.version, "status", graph), lambda: (st.store.status(graph),), lambda _: 200
    )
    return found[0]


def tag(st: State, iri: str, etag: str) -> str:
    """Return the entity tag of a representation, prefixed by its item's digest."""
    found = status(st, iri)
    if found is None or found.deleted:
        return etag
    return f"{found.digest}-{etag}"


def digest_of_tag(value: str) -> str:
    """Return the graph digest an entity tag made by :func:`tag` starts with."""
    return value.split("-", 1)[0]


def history_link(doc: str) -> str:
    """Return the ``Link`` value pointing at a document's history."""
    return f'<{doc}?history>; rel="version-history"'


def gone(st: State, iri: str, doc: str, fmt: neg.Format | None) -> Response | None:
    """Return ``410 Gone`` when ``iri`` is a retracted news item, else ``None``."""
    found = status(st, iri)
    if found is None or not found.deleted:
        return None
    when = found.modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    response = problem(
        410,
        "gone",
        f"<{iri}> was retracted at {when}; its history is at {doc}?history.",
        fmt=fmt,
        extra={"retracted": when, "history": f"{doc}?history"},
    )
    response.headers["Link"] = history_link(doc)
    return response


def versions(st: State, iri: str, doc: str, explicit: neg.Format | None) -> Response | None:
    """Answer ``?history`` or ``?version=`` on a news item's document (``None``: neither)."""
    graph = news_graph(st, iri)
    if graph is None or ("history" not in request.args and "version" not in request.args):
        return None
    if "history" in request.args:
        changes = st.store.history(graph)
        if not changes:
            raise ProblemError(404, "not_found", f"Nothing is known about <{iri}>.")
        document = {
            "resource": iri,
            "graph": graph,
            "versions": [
                {
                    "modified": c.modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "agent": c.agent,
                    "deleted": c.deleted,
                    "before": c.before,
                    "after": c.after,
                    "version": f"{doc}?version={c.after}" if c.after else None,
                }
                for c in changes
            ],
        }
        response = Response(json_bytes(document), content_type="application/json")
        response.headers["Cache-Control"] = "no-cache"
        return response
    digest = request.args.get("version", "")
    triples = st.store.version_of(graph, digest)
    fmt = explicit or neg.negotiate(request.headers.get("Accept"))
    if triples is None or fmt is None:
        raise ProblemError(404, "not_found", f"No version {digest!r} of <{iri}> is kept.")
    language = neg.LANGUAGES[0]
    rendered = render(st, Description(iri, triples), fmt, language, doc, request.script_root)
    response = Response(rendered.body, content_type=rendered.media_type)
    response.set_etag(rendered.etag)
    response.headers["Link"] = history_link(doc)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
