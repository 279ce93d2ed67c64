"""Compile SPARQL expressions to SQL over the columnar copy's term attributes, as pyoxigraph evaluates them.

A value is a :class:`Val`: SQL for the term's class (``NULL`` when the value is
an error or unbound), lexical form, language, datatype and typed values, the
columns of :data:`miglod.query.columnar_terms.CLASSES`. A boolean is SQL whose
``NULL`` is SPARQL's error, so SQL's three-valued ``AND``, ``OR`` and ``NOT``
are SPARQL's. Comparisons follow pyoxigraph's results (``=`` is false between
terms of different kinds, an error between a literal of an unknown datatype
and another literal; ``<`` an error between kinds); where matching them
exactly would need more than the columns hold (a decimal against a double, a
date with a time zone against one without, a literal of class ``W``) the SQL
raises :data:`FALLBACK` and the query goes to pyoxigraph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib.term import BNode, Literal, URIRef, Variable

FALLBACK = "columnar-fallback"
ERROR = f"error('{FALLBACK}')"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATES = "('Dn', 'Dz', 'Tn', 'Tz')"
_CLASS = re.compile("'([A-Za-z]+)'")
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,14})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]*[1-9]|-?(0|[1-9][0-9]*)\.0")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(Z?)")
_EPOCH = dt.datetime(1970, 1, 1)


class Unsupported(Exception):
    """Raise for a query (or a part of one) the columnar engine does not answer."""


@dataclass(frozen=True, slots=True)
class Val:
    """A SPARQL value as SQL expressions; ``store`` is how to keep it in a column, if it can be."""

    cls: str
    lex: str = "NULL"
    lang: str = "''"
    dt: str = "NULL"
    num: str = "NULL"
    tv: str = "NULL"
    year: str = "NULL"
    store: tuple[str, str] | None = None
    iri: str | None = None  # the IRI of a constant
    ident: str | None = None  # the term id column of a variable
    #: Known to be a simple literal when bound (``cls`` is ``'S'`` or ``NULL``).
    simple: bool = False


def quote(text: str) -> str:
    """Return an SQL string literal."""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise Unsupported("control characters in a string")
    return "'" + text.replace("'", "''") + "'"


def term_val(ident: str, alias: str) -> Val:
    """Return the value of a term id column whose attributes are joined as ``alias``."""
    return Val(
        f"{alias}.cls",
        f"{alias}.lex",
        f"{alias}.lang",
        f"{alias}.dt",
        f"{alias}.num",
        f"{alias}.tv",
        f"{alias}.year",
        ("id", ident),
        ident=ident,
    )


def int_val(column: str) -> Val:
    """Return the value of a column of xsd:integer values."""
    return Val(
        f"(CASE WHEN {column} IS NULL THEN NULL ELSE 'Ni' END)",
        f"CAST({column} AS VARCHAR)",
        num=f"CAST({column} AS DOUBLE)",
        store=("int", column),
    )


def str_val(column: str) -> Val:
    """Return the value of a column of simple literals (their lexical forms)."""
    return Val(
        f"(CASE WHEN {column} IS NULL THEN NULL ELSE 'S' END)",
        column,
        store=("str", column),
        simple=True,
    )


def constant(term: URIRef | Literal) -> Val:
    """Return the value of a constant of the query."""
    if isinstance(term, URIRef):
        if ":" not in term:
            raise Unsupported("relative IRI")
        return Val("'I'", quote(str(term)), iri=str(term))
    if not isinstance(term, Literal):
        raise Unsupported(f"constant {term!r}")
    text = str(term)
    if term.language:
        return Val("'L'", quote(text), quote(term.language.lower()))
    datatype = str(term.datatype) if term.datatype else XSD + "string"
    if datatype == XSD + "string":
        return Val("'S'", quote(text), store=("str", quote(text)), simple=True)
    if datatype == XSD + "integer" and _INTEGER.fullmatch(text):
        return Val("'Ni'", quote(text), num=text, store=("int", text))
    if datatype == XSD + "decimal" and _DECIMAL.fullmatch(text) and len(text) <= 16:
        return Val("'Nd'", quote(text), num=text)
    if datatype == XSD + "date" and _DATE.fullmatch(text):
        try:
            day = dt.datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            raise Unsupported("invalid date") from None
        micros = (day - _EPOCH) // dt.timedelta(microseconds=1)
        return Val("'Dn'", quote(text), num="NULL", tv=str(micros), year=text[:4])
    found = _DATETIME.fullmatch(text) if datatype == XSD + "dateTime" else None
    if found:
        try:
            moment = dt.datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise Unsupported("invalid dateTime") from None
        micros = (moment - _EPOCH) // dt.timedelta(microseconds=1)
        cls = "'Tz'" if found.group(2) else "'Tn'"
        return Val(cls, quote(text), tv=str(micros), year=text[:4])
    if any(datatype.startswith(ns) for ns in (XSD, "http://www.w3.org/1999/02/22-rdf-syntax-ns#")):
        raise Unsupported(f"literal of datatype {datatype}")
    if "opengis" in datatype:
        raise Unsupported(f"literal of datatype {datatype}")
    return Val("'O'", quote(text), dt=quote(datatype))


def _inexact(a: Val, b: Val) -> str:
    return f"({a.cls} || {b.cls}) IN ('NdND', 'NDNd', 'NdNf', 'NfNd', 'NiNf', 'NfNi')"


def equals(a: Val, b: Val, term_id: Callable[[str], str]) -> str:
    """Return SQL for SPARQL's ``a = b``; ``term_id`` gives SQL for the id of a constant IRI."""
    for one, other in ((a, b), (b, a)):
        if one.iri is not None and other.ident is not None:
            ident = term_id("<" + one.iri + ">")
            return (
                f"(CASE WHEN {other.ident} IS NULL THEN NULL"
                f" ELSE coalesce({other.ident} = {ident}, FALSE) END)"
            )
    if a.simple and b.simple:  # e.g. LANG(?label) = "en": two simple literals or an error
        return (
            f"(CASE WHEN {a.cls} IS NULL OR {b.cls} IS NULL THEN NULL ELSE {a.lex} = {b.lex} END)"
        )
    return f"""(CASE
 WHEN {a.cls} IS NULL OR {b.cls} IS NULL THEN NULL
 WHEN {a.cls} IN ('I', 'B') OR {b.cls} IN ('I', 'B') THEN ({a.cls} = {b.cls} AND {a.lex} = {b.lex})
 WHEN {a.cls} = 'L' OR {b.cls} = 'L' THEN
    ({a.cls} = {b.cls} AND {a.lex} = {b.lex} AND {a.lang} = {b.lang})
 WHEN {a.cls} = 'W' OR {b.cls} = 'W' THEN {ERROR}
 WHEN {a.cls} = 'O' OR {b.cls} = 'O' THEN
    (CASE WHEN {a.cls} = {b.cls} AND {a.lex} = {b.lex} AND {a.dt} = {b.dt} THEN TRUE END)
 WHEN {a.cls} = 'S' OR {b.cls} = 'S' THEN ({a.cls} = {b.cls} AND {a.lex} = {b.lex})
 WHEN {a.cls}[1] = 'N' AND {b.cls}[1] = 'N' THEN
    (CASE WHEN {_inexact(a, b)} THEN {ERROR} ELSE {a.num} = {b.num} END)
 WHEN {a.cls}[1] = 'N' OR {b.cls}[1] = 'N' OR {a.cls}[1] <> {b.cls}[1] THEN FALSE
 WHEN {a.cls} <> {b.cls} THEN {ERROR}
 ELSE {a.tv} = {b.tv}
END)"""


#: Classes a comparison with a constant of the class is true for only (see :func:`compare`).
EXACT_CLASSES = ("Dn", "Dz", "Tn", "Tz", "S")


def constant_class(term: Literal) -> str | None:
    """Return the class of a literal constant, or ``None`` when it has none here."""
    try:
        return _known(constant(term).cls)
    except Unsupported:
        return None


def _known(cls: str) -> str | None:
    """Return the class of a constant (``cls`` written as an SQL string), or ``None``."""
    found = _CLASS.fullmatch(cls)
    return found.group(1) if found else None


def compare(a: Val, b: Val, op: str) -> str:
    """Return SQL for SPARQL's ``a op b`` with ``op`` one of ``<``, ``<=``, ``>``, ``>=``."""
    same = "TRUE" if "=" in op else "FALSE"
    for one, other in ((a, b), (b, a)):
        known = _known(one.cls)
        if known is None or _known(other.cls) is not None:
            continue
        # Against a constant, only the branches of its class can be taken
        # (the general form is kept below, this one written for it).
        if known in ("Dn", "Dz", "Tn", "Tz"):
            return f"""(CASE
 WHEN {other.cls} IS NULL THEN NULL
 WHEN {other.cls} = 'W' THEN {ERROR}
 WHEN {other.cls} IN {DATES} AND {other.cls}[1] = '{known[0]}' THEN
    (CASE WHEN {other.cls} <> '{known}' THEN {ERROR} ELSE {a.tv} {op} {b.tv} END)
END)"""
        if known in ("Ni", "Nd"):
            return f"""(CASE
 WHEN {other.cls} IS NULL THEN NULL
 WHEN {other.cls} = 'W' THEN {ERROR}
 WHEN {other.cls}[1] = 'N' THEN
    (CASE WHEN {_inexact(a, b)} THEN {ERROR} ELSE {a.num} {op} {b.num} END)
END)"""
        if known == "S":
            return f"""(CASE
 WHEN {other.cls} IS NULL THEN NULL
 WHEN {other.cls} = 'W' THEN {ERROR}
 WHEN {other.cls} = 'S' THEN {a.lex} {op} {b.lex}
END)"""
    return f"""(CASE
 WHEN {a.cls} IS NULL OR {b.cls} IS NULL THEN NULL
 WHEN {a.cls} = 'W' OR {b.cls} = 'W' THEN {ERROR}
 WHEN {a.cls} = 'S' AND {b.cls} = 'S' THEN {a.lex} {op} {b.lex}
 WHEN {a.cls} = 'L' AND {b.cls} = 'L' THEN (CASE WHEN {a.lang} = {b.lang} THEN {a.lex} {op} {b.lex} END)
 WHEN {a.cls}[1] = 'N' AND {b.cls}[1] = 'N' THEN
    (CASE WHEN {_inexact(a, b)} THEN {ERROR} ELSE {a.num} {op} {b.num} END)
 WHEN {a.cls} IN {DATES} AND {b.cls} IN {DATES} AND {a.cls}[1] = {b.cls}[1] THEN
    (CASE WHEN {a.cls} <> {b.cls} THEN {ERROR} ELSE {a.tv} {op} {b.tv} END)
 WHEN {a.cls} = {b.cls} AND {a.cls} IN ('I', 'B', 'O') AND {a.lex} = {b.lex}
    AND coalesce({a.dt}, '') = coalesce({b.dt}, '') THEN {same}
END)"""


def _string_args(a: Val, b: Val, test: Callable[[str, str], str]) -> str:
    return (
        f"(CASE WHEN {a.cls} IN ('S', 'L') AND ({b.cls} = 'S' OR ({b.cls} = 'L' AND {a.cls} = 'L'"
        f" AND {a.lang} = {b.lang})) THEN {test(a.lex, b.lex)} END)"
    )


def builtin(name: str, args: list[Val]) -> Val | str:
    """Return the value (or SQL boolean) of a supported built-in function call."""
    if name == "STR":
        (x,) = args
        cls = f"(CASE WHEN {x.cls} IS NULL OR {x.cls} = 'B' THEN NULL ELSE 'S' END)"
        return Val(
            cls,
            x.lex,
            store=("str", f"(CASE WHEN {cls} IS NOT NULL THEN {x.lex} END)"),
            simple=True,
        )
    if name == "LANG":
        (x,) = args
        cls = f"(CASE WHEN {x.cls} IS NULL OR {x.cls} IN ('I', 'B') THEN NULL ELSE 'S' END)"
        return Val(
            cls,
            x.lang,
            store=("str", f"(CASE WHEN {cls} IS NOT NULL THEN {x.lang} END)"),
            simple=True,
        )
    if name == "LCASE":
        (x,) = args
        lower = (
            f"(CASE WHEN contains({x.lex}, 'İ') OR contains({x.lex}, 'Σ') THEN {ERROR}"
            f" ELSE lower({x.lex}) END)"
        )
        return Val(f"(CASE WHEN {x.cls} IN ('S', 'L') THEN {x.cls} END)", lower, x.lang)
    if name == "YEAR":
        (x,) = args
        cls = f"(CASE WHEN {x.cls} IN {DATES} THEN 'Ni' WHEN {x.cls} = 'W' THEN {ERROR} END)"
        year = f"(CASE WHEN {cls} IS NOT NULL THEN {x.year} END)"
        return Val(
            cls, f"CAST({year} AS VARCHAR)", num=f"CAST({year} AS DOUBLE)", store=("int", year)
        )
    if name == "CONTAINS":
        return _string_args(args[0], args[1], lambda h, n: f"contains({h}, {n})")
    if name == "STRSTARTS":
        return _string_args(args[0], args[1], lambda h, n: f"starts_with({h}, {n})")
    raise Unsupported(f"function {name}")


@dataclass(frozen=True, slots=True)
class OrderKeys:
    """The SQL sort keys of a value, and its family: rows may be sorted when one family is met.

    Within a family pyoxigraph orders by value (IRIs and strings by code
    point, language strings by text then tag, numbers and dates by value);
    across families of literals its order depends on how rows came, so such
    a sort goes to pyoxigraph. Integers and decimals form one family, floats
    and doubles each another, an unknown datatype's every literal another.
    """

    keys: tuple[str, ...]
    family: str


def order_keys(v: Val, *, node: bool = False, kind: str | None = None) -> OrderKeys:
    """Return the sort keys of ``v`` in pyoxigraph's order within one family of literals.

    With ``node`` the value is known to be an IRI or a blank node when bound (a
    subject's or a predicate's): unbound first, then blank nodes, then IRIs by
    code point, the keys of literals left out. With ``kind`` it is known to be
    a literal of that class when bound (one of :data:`EXACT_CLASSES`): unbound
    first, then by value.
    """
    family = (
        f"(CASE WHEN {v.cls} IS NULL OR {v.cls} IN ('I', 'B') THEN NULL"
        f" WHEN {v.cls} IN ('Ni', 'Nd') THEN 'N'"
        f" WHEN {v.cls} IN ('O', 'W') THEN 'O' || {v.lex} || '^' || coalesce({v.dt}, '')"
        f" ELSE {v.cls} END)"
    )
    if v.store is not None and v.store[0] in ("int", "str"):
        # Unbound, or an integer (or a simple literal) held as is: the other keys are NULL.
        column = v.store[1]
        return OrderKeys((f"(CASE WHEN {column} IS NULL THEN 0 ELSE 3 END)", column), family)
    if kind in EXACT_CLASSES:
        column = v.lex if kind == "S" else v.tv
        return OrderKeys((f"(CASE WHEN {v.cls} IS NULL THEN 0 ELSE 3 END)", column), family)
    if node:
        rank = f"(CASE WHEN {v.cls} IS NULL THEN 0 WHEN {v.cls} = 'B' THEN 1 ELSE 2 END)"
        return OrderKeys((rank, f"(CASE WHEN {v.cls} = 'I' THEN {v.lex} END)"), family)
    rank = (
        f"(CASE WHEN {v.cls} IS NULL THEN 0 WHEN {v.cls} = 'B' THEN 1"
        f" WHEN {v.cls} = 'I' THEN 2 ELSE 3 END)"
    )
    keys = (
        rank,
        f"(CASE WHEN {v.cls}[1] = 'N' THEN {v.num} END)",
        f"(CASE WHEN {v.cls} IN {DATES} THEN {v.tv} END)",
        f"(CASE WHEN {v.cls} IN ('I', 'S', 'L') THEN {v.lex} END)",
        f"(CASE WHEN {v.cls} = 'L' THEN {v.lang} END)",
    )
    return OrderKeys(keys, family)


def term_of(node: object) -> str | URIRef | Literal:
    """Return a variable's name, or the constant, of a pattern position."""
    if isinstance(node, Variable):
        return str(node)
    if isinstance(node, BNode):
        return "_:" + str(node)
    if isinstance(node, URIRef | Literal):
        return node
    raise Unsupported(f"pattern term {node!r}")
