"""Read a SPARQL 1.1 Protocol query request: where the query is, its dataset, the format asked for.

Three ways to send a query (SPARQL 1.1 Protocol §2.1): ``GET ?query=``, a
form-encoded ``POST`` and a ``POST`` of ``application/sparql-query``. The
protocol's dataset comes from ``default-graph-uri`` and ``named-graph-uri``
(repeatable). ``format``, ``output`` and ``results`` (common client
extensions) choose the result format when they name one and are ignored
otherwise. Updates are refused, whichever way they come.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from server.errors import ProblemError

#: Bytes a request body may have (form encoding can triple a query's length).
MAX_BODY_BYTES = 256 * 1024
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
FORMAT_PARAMETERS = ("format", "output", "results")
READ_ONLY = (
    "This endpoint is read-only: SPARQL Update operations are refused. "
    "Download the data from /dumps/ to change it locally."
)


@dataclass(frozen=True, slots=True)
class ProtocolRequest:
    """What a request asks for; ``query`` is ``None`` when it asks for no query at all."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def read_request(request: Request) -> ProtocolRequest:
    """Return the query request, or raise :class:`ProblemError` when it breaks the protocol."""
    params = _post_parameters(request) if request.method == "POST" else MultiDict(request.args)
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProblemError(403, "update_refused", READ_ONLY)
    queries = params.getlist("query")
    if len(queries) > 1:
        raise ProblemError(
            400, "multiple_queries", "The request has more than one query; send one."
        )
    chosen = next((params[name] for name in FORMAT_PARAMETERS if params.get(name)), None)
    return ProtocolRequest(
        queries[0] if queries else None,
        tuple(params.getlist("default-graph-uri")),
        tuple(params.getlist("named-graph-uri")),
        chosen,
    )


def _post_parameters(request: Request) -> MultiDict[str, str]:
    media_type = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if media_type == UPDATE:
        raise ProblemError(403, "update_refused", READ_ONLY)
    if media_type not in (FORM, QUERY):
        given = f"'{media_type}'" if media_type else "no Content-Type"
        raise ProblemError(
            415,
            "unsupported_media_type",
            f"A query sent with POST needs the Content-Type {FORM} or {QUERY}; the request has "
            f"{given}.",
        )
    if charset not in ("utf-8", "utf8"):
        raise ProblemError(
            415, "unsupported_charset", f"Queries must be encoded in UTF-8, not {charset!r}."
        )
    body = _body(request)
    params = MultiDict(request.args)
    if media_type == QUERY:
        if "query" in params:
            raise ProblemError(
                400, "multiple_queries", "The query is both in the body and in the URL; send one."
            )
        params.add("query", body)
        return params
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise ProblemError(400, "bad_encoding", "The form is not valid UTF-8.") from None
    for name, value in pairs:
        params.add(name, value)
    return params


def _body(request: Request) -> str:
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise ProblemError(
            413,
            "request_too_large",
            f"The request body has {length} bytes; the limit is {MAX_BODY_BYTES}.",
        )
    data = request.stream.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise ProblemError(
            413, "request_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(400, "bad_encoding", "The request body is not valid UTF-8.") from None
