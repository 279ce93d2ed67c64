"""Answer errors as JSON or HTML (or a comment in the RDF syntax asked for), never a trace.

Every error body carries a stable code and a message:
``{"error": "not_found", "message": "…", "status": 404}``. HTTP errors keep
their status; anything unexpected is logged with its traceback and answered
with a plain 500.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from server import negotiation as neg
from server.i18n import message as _message

bp = Blueprint("errors", __name__)

JSON = neg.Format(
    "json", "json", "application/json", "JSON", ("application/ld+json", "application/problem+json")
)
#: What an error can be written as; JSON when the client accepts none of them.
ERROR_FORMATS = (neg.HTML, JSON, neg.TURTLE, neg.NTRIPLES, neg.RDFXML)


class ProblemError(Exception):
    """Raise to answer with an error status, a code and a message.

    ``fmt`` is the format the client asked for (from a suffix, say), used for
    the body when it can carry one; ``extra`` adds fields to the JSON body.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fmt: neg.Format | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fmt = fmt
        self.extra = extra or {}


@bp.app_errorhandler(ProblemError)
def handle_problem(error: ProblemError) -> Response:
    """Answer a problem raised by a view."""
    return problem(error.status, error.code, error.message, fmt=error.fmt, extra=error.extra)


@bp.app_errorhandler(HTTPException)
def handle_http(error: HTTPException) -> Response:
    """Answer an HTTP error (unknown path, wrong method, …) in the same shape."""
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
    response = problem(status, code, error.description or error.name or "")
    for name, value in error.get_headers():
        if name in ("Allow", "WWW-Authenticate", "Retry-After"):
            response.headers[name] = value
    return response


@bp.app_errorhandler(Exception)
def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected exception and answer 500 without details."""
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "The server failed to answer this request.")


def problem(
    status: int,
    code: str,
    message: str,
    *,
    fmt: neg.Format | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Return an error response in the format asked for (JSON by default)."""
    chosen = fmt if fmt in ERROR_FORMATS and status != 406 else None
    chosen = (
        chosen
        or neg.negotiate(request.headers.get("Accept"), formats=ERROR_FORMATS, default=JSON)
        or JSON
    )
    if chosen is neg.HTML:
        language = neg.choose_language(request.headers.get("Accept-Language"))
        body = render_template(
            "error.html",
            status=status,
            code=code,
            message=message,
            lang=language,
            t=functools.partial(_message, language),
        )
        response = Response(body, status, content_type="text/html; charset=utf-8")
    elif chosen is JSON:
        document = {"error": code, "message": message, "status": status, **(extra or {})}
        response = Response(
            json.dumps(document, ensure_ascii=False, indent=2) + "\n",
            status,
            content_type="application/json",
        )
    elif chosen is neg.RDFXML:
        text = _one_line(message).replace("--", "- -")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<!-- {status} {code}: {text} -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        )
        response = Response(body, status, content_type=chosen.media_type)
    else:
        body = f"# {status} {code}: {_one_line(message)}\n"
        content_type = chosen.media_type + (
            "; charset=utf-8" if chosen.media_type.startswith("text/") else ""
        )
        response = Response(body, status, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    if fmt is None or status == 406:
        response.vary.add("Accept")
    return response


def _one_line(text: str) -> str:
    return " ".join(text.split())
