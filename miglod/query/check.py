"""Inspect a SPARQL query before anything evaluates it: its form, the clauses it uses, what is refused.

The endpoint is read-only and makes no outbound requests, and pyoxigraph
evaluates ``SERVICE`` by making the HTTP request, so a query is refused here,
before evaluation, when it is an update (``INSERT``, ``LOAD``, …) or calls a
``SERVICE``. A small tokenizer skips strings, IRIs and comments and looks at
the keywords. Tokenizing ``<`` is ambiguous in SPARQL (an IRI or "less
than"), so the tokenizer can be misled by a crafted query; as a safety net any
query in which the letters ``service`` appear outside an IRI, without the
tokenizer having found the keyword, is parsed by rdflib's full SPARQL parser,
and refused unless that parser proves it has no ``SERVICE`` clause. (Text inside
an IRI cannot start a ``SERVICE`` clause: an IRI holds no spaces or braces.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from miglod.query.errors import QueryRefusedError

#: Characters a query may have; longer ones are refused before they are read further.
MAX_QUERY_CHARS = 64 * 1024

QueryForm = Literal["SELECT", "CONSTRUCT", "DESCRIBE", "ASK"]
FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
#: Keywords that mean the query names graphs, so it needs the named graphs themselves.
DATASET_KEYWORDS = frozenset({"GRAPH", "FROM", "NAMED"})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[\w.\-\u00B7]*)
  | (?P<pname>(?:[^\W\d][\w.\-\u00B7]*)?:(?:[\w.\-:%\u00B7]|\\.)*)
  | (?P<word>[^\W\d_]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True, slots=True)
class QueryInfo:
    """What a query is, as far as can be told without parsing it fully.

    ``form`` is ``None`` when the text does not start like any query; the engine
    then reports the syntax error. ``names_graphs`` is true when the query uses
    ``GRAPH``, ``FROM`` or ``FROM NAMED``.
    """

    form: QueryForm | None
    keywords: frozenset[str]

    @property
    def names_graphs(self) -> bool:
        """Return whether the query refers to named graphs or sets its own dataset."""
        return bool(self.keywords & DATASET_KEYWORDS)

    @property
    def sets_dataset(self) -> bool:
        """Return whether the query has its own ``FROM`` or ``FROM NAMED`` clauses."""
        return "FROM" in self.keywords


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (a group name of the tokenizer) and its text."""

    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """Return the significant tokens of a query (no spaces, no comments)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group()))
    return found


def inspect_query(text: str, *, max_chars: int = MAX_QUERY_CHARS) -> QueryInfo:
    """Return what a query is, or raise :class:`QueryRefusedError` when it is refused.

    Refused: queries longer than ``max_chars``, updates of any kind (``LOAD``
    included) and ``SERVICE``. Malformed queries are not refused here: the
    engine reports their syntax error with its position.
    """
    if len(text) > max_chars:
        raise QueryRefusedError(
            413,
            "query_too_long",
            f"The query has {len(text)} characters; the limit is {max_chars}.",
        )
    found = tokens(text)
    keywords = frozenset(t.text.upper() for t in found if t.kind == "word")
    form = _form(found)
    if form is None and _first_keyword(found) in UPDATE_KEYWORDS:
        raise QueryRefusedError(
            403,
            "update_refused",
            "This endpoint is read-only: SPARQL Update operations (INSERT, DELETE, LOAD, "
            "CLEAR, DROP, …) are refused.",
        )
    service = "yes" if "SERVICE" in keywords else _mentions_service(text, found)
    if service == "yes":
        raise QueryRefusedError(
            403,
            "service_refused",
            "This endpoint makes no outbound requests: queries with SERVICE are refused.",
        )
    if service == "unknown":
        raise QueryRefusedError(
            403,
            "service_unverified",
            "The query mentions 'service' in a way that could not be proven not to be a "
            "SERVICE call, which this endpoint refuses; rename the variable or prefix, or "
            "check the query's syntax.",
        )
    return QueryInfo(form, keywords)


def unescape_codepoints(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes by the characters they stand for."""

    def replace(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF else match.group()

    return _CODEPOINT.sub(replace, text)


def _prologue_end(found: list[Token]) -> int:
    """Return the index of the first token after the ``BASE`` and ``PREFIX`` declarations."""
    index = 0
    while index < len(found):
        word = found[index].text.upper() if found[index].kind == "word" else ""
        if word == "BASE":
            index += 2
        elif word == "PREFIX":
            index += 3
        else:
            break
    return index


def _first_keyword(found: list[Token]) -> str | None:
    index = _prologue_end(found)
    if index < len(found) and found[index].kind == "word":
        return found[index].text.upper()
    return None


def _form(found: list[Token]) -> QueryForm | None:
    word = _first_keyword(found)
    if word in FORMS:
        return word  # type: ignore[return-value]
    return None


def _mentions_service(text: str, found: list[Token]) -> Literal["yes", "no", "unknown"]:
    """Tell whether ``service`` outside IRIs is a SERVICE clause, asking rdflib's full parser."""
    outside_iris = (t.text for t in found if t.kind != "iri")
    suspicious = any("service" in part.lower() for part in outside_iris)
    if not suspicious:
        decoded = unescape_codepoints(text)
        suspicious = decoded != text and "service" in decoded.lower()
    if not suspicious:
        return "no"
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except (ParseException, ValueError, TypeError, KeyError):
        return "unknown"
    return "yes" if _has_service(parsed) else "no"


def _has_service(node: object) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_has_service(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_has_service(v) for v in node)
    children = getattr(node, "asList", None)
    if callable(children):
        return any(_has_service(v) for v in children())
    return False
