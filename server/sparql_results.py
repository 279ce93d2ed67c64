"""Choose a result format for a query and send a result, streamed, with what the client must know.

The format is chosen by a ``format=`` parameter when it names one, else by
``Accept`` (q-values, most specific range first) over the formats the query's
form can be written in; ``*/*`` or no ``Accept`` gives SPARQL JSON for SELECT
and ASK and Turtle for CONSTRUCT and DESCRIBE. Browsers asking for HTML get
the query page with a table.

A capped result says so: ``X-SPARQL-MaxRows`` (as Virtuoso sends it),
``X-Result-Truncated: true`` and a ``Warning`` header; every result carries
``X-Result-Limit`` and, when counted, ``X-Result-Rows``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from flask import Response

from miglod.query import formats as qf
from miglod.query.evaluate import Outcome
from server import negotiation as neg
from server.errors import ProblemError

CHUNK = 64 * 1024


def web_format(fmt: qf.ResultFormat) -> neg.Format:
    """Return the negotiation entry of a result format."""
    return neg.Format(fmt.name, fmt.suffix, fmt.media_type, fmt.label, fmt.aliases)


def choose(accept: str | None, parameter: str | None, form: str | None) -> qf.ResultFormat | None:
    """Return the format to answer with: ``None`` means the HTML page.

    Raise a 406 problem when the client accepts nothing offered.
    """
    if parameter:
        if parameter.strip().lower() in ("html", "text/html"):
            return None
        named = qf.by_parameter(parameter, form)
        if named is not None:
            return named
    offered = qf.formats_for(form)
    table = [web_format(f) for f in offered]
    chosen = neg.negotiate(accept, formats=[*table, neg.HTML], default=table[0])
    if chosen is None:
        media = [f.media_type for f in offered] + [neg.HTML.media_type]
        raise ProblemError(
            406,
            "not_acceptable",
            "None of the result formats offered for this query is acceptable: "
            + ", ".join(media)
            + ".",
            extra={"offered": media},
        )
    if chosen is neg.HTML:
        return None
    return qf.BY_NAME[chosen.name]


def content_type(media_type: str) -> str:
    """Return the ``Content-Type`` of a media type, with a charset where text needs one."""
    if media_type.startswith("text/"):
        return media_type + "; charset=utf-8"
    return media_type


def result_headers(outcome: Outcome, limit: int | None) -> dict[str, str]:
    """Return the headers that tell the client about the result's size, cap and cost."""
    headers = {"Server-Timing": f"query;dur={outcome.seconds * 1000:.1f}"}
    if limit is not None:
        headers["X-Result-Limit"] = str(limit)
    if outcome.rows is not None:
        headers["X-Result-Rows"] = str(outcome.rows)
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
        headers["X-SPARQL-MaxRows"] = str(limit)
        what = "triples" if outcome.kind == "triples" else "rows"
        headers["Warning"] = (
            f'199 miglod "Result truncated to the first {limit} {what} (the result limit); '
            'add LIMIT and OFFSET to page through it"'
        )
    return headers


def body_of(outcome: Outcome) -> bytes | Iterator[bytes]:
    """Return the result's bytes, or an iterator streaming them from its file (then removed)."""
    if outcome.body is not None:
        return outcome.body
    assert outcome.path is not None
    handle = open(outcome.path, "rb")  # noqa: SIM115 - closed by the generator
    os.unlink(outcome.path)  # the open handle keeps the data until it is closed

    def stream() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    return stream()


def result_response(outcome: Outcome, limit: int | None, *, negotiated: bool) -> Response:
    """Return the response carrying a query result."""
    response = Response(body_of(outcome), content_type=content_type(outcome.media_type))
    if outcome.body is not None:
        response.content_length = len(outcome.body)
    else:
        response.content_length = outcome.size
    for name, value in result_headers(outcome, limit).items():
        response.headers[name] = value
    if negotiated:
        response.vary.add("Accept")
    return response
