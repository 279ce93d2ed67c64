"""Dereference the dataset's IRIs: ``/id/…`` things, ``/doc/…`` documents, ``/def/…`` terms.

The server answers for the paths under the base IRI whatever host it is
reached on: the request path ``/doc/news/x`` is about ``BASE + id/news/x``.

- ``/id/{path}`` answers ``303 See Other`` to ``/doc/{path}`` (the document about the thing).
- ``/doc/{path}`` and ``/def/{path}`` negotiate the format on the suffix, else on ``Accept``.
  Terms and concepts under ``/def/`` are answered directly (like most vocabularies),
  with ``Content-Location`` naming the format's own address.
- ``/context.jsonld`` is the JSON-LD context every JSON-LD document refers to.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, redirect, request

from miglod.store import Description
from server import negotiation as neg
from server import versions
from server.cache import Rendered
from server.errors import ProblemError
from server.http import conditional, note_resources
from server.represent import content_type, json_bytes, representation
from server.state import state

bp = Blueprint("resources", __name__)


@bp.get("/id/<path:rest>")
def thing(rest: str) -> Response:
    """Send the client from a thing's IRI to the document describing it."""
    st = state()
    stem, suffix = neg.split_suffix(rest)
    iri = st.base + "id/" + stem
    if not st.describe(iri):
        fmt = suffix or neg.negotiate(request.headers.get("Accept"))
        retracted = versions.gone(st, iri, f"{request.script_root}/doc/{stem}", fmt)
        if retracted is not None:
            return retracted
        raise _not_found(iri, suffix or neg.negotiate(request.headers.get("Accept")))
    response = redirect(f"{request.script_root}/doc/{rest}", 303)
    response.cache_control.public = True
    response.cache_control.max_age = int(st.settings["max_age"])
    return response  # type: ignore[return-value]


@bp.get("/doc/<path:rest>")
def document(rest: str) -> Response:
    """Answer the document about ``BASE/id/{rest}`` in the format negotiated."""
    return _represent("id/", "doc/", rest)


@bp.get("/def/<path:rest>")
def definition(rest: str) -> Response:
    """Answer a vocabulary term, concept, scheme or shape in the format negotiated."""
    return _represent("def/", "def/", rest)


@bp.get("/context.jsonld")
def context() -> Response:
    """Answer the JSON-LD context of the dataset."""
    st = state()
    key = ("context", st.base)
    rendered = st.cache.get_or_make(
        key,
        lambda: Rendered.of(json_bytes(st.jsonld.context), content_type(neg.JSONLD)),
        lambda r: len(r.body),
    )
    response = Response(rendered.body, content_type=rendered.media_type)
    return conditional(response, request, rendered.etag, None, int(st.settings["max_age"]))


def _represent(kind: str, doc_prefix: str, rest: str) -> Response:
    st = state()
    stem, explicit = neg.split_suffix(rest)
    return respond(st.base + kind + stem, f"{request.script_root}/{doc_prefix}{stem}", explicit)


def respond(
    iri: str,
    doc: str,
    explicit: neg.Format | None,
    make: Callable[[], Description] | None = None,
) -> Response:
    """Answer the description of ``iri`` from its document ``doc``, negotiating the format.

    ``make`` computes a description the store does not hold.
    """
    st = state()
    fmt = explicit or neg.negotiate(request.headers.get("Accept"))
    if fmt is None:
        offered = [f.media_type for f in neg.FORMATS]
        raise ProblemError(
            406,
            "not_acceptable",
            "None of the formats offered is acceptable: " + ", ".join(offered) + ".",
            extra={"offered": offered},
        )
    answered = versions.versions(st, iri, doc, explicit)
    if answered is not None:
        return answered
    language = _language() if fmt is neg.HTML else None
    rendered = representation(st, iri, fmt, language, doc, request.script_root, make)
    if rendered is None:
        retracted = versions.gone(st, iri, doc, fmt)
        if retracted is not None:
            return retracted
        raise _not_found(iri, fmt)
    response = Response(rendered.body, content_type=rendered.media_type)
    response.headers["Content-Location"] = f"{doc}.{fmt.suffix}"
    links = [f'<{doc}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in neg.FORMATS]
    if versions.news_graph(st, iri) is not None:
        links.append(versions.history_link(doc))
    response.headers["Link"] = ", ".join(links)
    if explicit is None:
        response.vary.add("Accept")
    if fmt is neg.HTML and "lang" not in request.args:
        response.vary.add("Accept-Language")
    if make is None:
        note_resources(st.describe(iri).resources())
    etag = versions.tag(st, iri, rendered.etag)
    return conditional(response, request, etag, st.store.modified, int(st.settings["max_age"]))


def _language() -> str:
    asked = request.args.get("lang", "")
    if asked in neg.LANGUAGES:
        return asked
    return neg.choose_language(request.headers.get("Accept-Language"))


def _not_found(iri: str, fmt: neg.Format | None) -> ProblemError:
    return ProblemError(404, "not_found", f"Nothing is known about <{iri}>.", fmt=fmt)
