"""Compile the scope of SPARQL expressions: variables' columns and the term attributes they need.

:class:`Scope` is the part of the compiler in :mod:`miglod.query.sqlplan`
that turns expressions over the variables of relations (``Rel``) into SQL,
joining the ``terms`` attributes of the variables an expression reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Literal, URIRef, Variable

from miglod.query import sqlexpr as x
from miglod.query.sqlexpr import Unsupported, Val

ORDER = "__o"


@dataclass(slots=True)
class Rel:
    """A compiled pattern: SQL, how each variable is held (``id``, ``int``, ``str``), which may be unbound."""

    sql: str
    reps: dict[str, str]
    maybe: frozenset[str] = frozenset()
    ordered: bool = False
    #: Variables whose attributes the SQL already has, as ``{prefix}_cls`` and so on.
    attrs: dict[str, str] = field(default_factory=dict)
    #: Variables that, when bound, hold an IRI or a blank node (a subject or a predicate).
    nodes: frozenset[str] = frozenset()
    #: Variables that, when bound, hold literals of one class (see ``CLASSES`` in
    #: :mod:`miglod.query.columnar_terms`), as a filter comparing them with a constant tells.
    kinds: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Side:
    """A relation in the scope of an expression, with the variables whose attributes it needs."""

    alias: str
    rel: Rel
    attrs: dict[str, str] = field(default_factory=dict)


class Scope:
    """Name columns, aliases and constants, and compile expressions over relations."""

    def __init__(self) -> None:
        self.columns: dict[str, str] = {}
        self.constants: list[str] = []
        self.count = 0
        self.top: int | None = None  # the rows a LIMIT right above an ORDER BY keeps
        self.aggregate = False  # whether a GROUP BY or an aggregate was compiled

    def col(self, var: str) -> str:
        found = self.columns.get(var)
        if found is None:
            found = self.columns[var] = f"v{len(self.columns)}"
        return found

    def alias(self) -> str:
        self.count += 1
        return f"r{self.count}"

    def term_id(self, nt: str) -> str:
        if nt not in self.constants:
            self.constants.append(nt)
        return f"\x01{self.constants.index(nt)}\x01"

    # Expressions

    def with_attrs(self, side: Side, *uses: str) -> str:
        """Return the side's SQL with the attribute columns that ``uses`` (its expressions' SQL) read.

        An expression may ask for a variable's attributes and then need only its
        id (``?org != <iri>`` compares ids): the join with ``terms`` is made only
        for the attributes the SQL names, as the optimiser cannot drop it.
        """
        side.attrs = {
            v: a
            for v, a in side.attrs.items()
            if side.rel.attrs.get(v) == a or any(f"{side.alias}.{a}_" in use for use in uses)
        }
        needed = {v: a for v, a in side.attrs.items() if side.rel.attrs.get(v) != a}
        if not needed:
            return side.rel.sql
        inner = self.alias()
        joins = []
        cols = [f"{inner}.*"]
        for var, alias in needed.items():
            joins.append(f"LEFT JOIN terms {alias} ON {alias}.id = {inner}.{self.col(var)}")
            for name in ("cls", "lex", "lang", "dt", "num", "tv", "year"):
                cols.append(f"{alias}.{name} AS {alias}_{name}")
        return f"SELECT {', '.join(cols)} FROM ({side.rel.sql}) {inner} {' '.join(joins)}"

    def strip(self, sql: str, rel: Rel, extra: Sequence[str] = ()) -> str:
        """Return SQL keeping only the variables' columns (dropping joined attributes)."""
        cols = [self.col(v) for v in [*rel.reps, *extra]] + ([ORDER] if rel.ordered else [])
        return f"SELECT {', '.join(cols) or '1 AS one'} FROM ({sql}) {self.alias()}"

    def variable(self, var: str, sides: list[Side]) -> Val:
        found = [s for s in sides if var in s.rel.reps]
        if not found:
            return Val("NULL")
        reps = {s.rel.reps[var] for s in found}
        rep = reps.pop()
        c = self.col(var)
        if rep == "int":
            return x.int_val(self._merged([f"{s.alias}.{c}" for s in found]))
        if rep == "str":
            return x.str_val(self._merged([f"{s.alias}.{c}" for s in found]))
        for s in found:
            if var not in s.attrs:
                s.attrs[var] = s.rel.attrs.get(var) or f"a{self.alias()[1:]}"

        def merged(name: str) -> str:
            return self._merged([f"{s.alias}.{s.attrs[var]}_{name}" for s in found])

        value = Val(
            merged("cls"),
            merged("lex"),
            merged("lang"),
            merged("dt"),
            merged("num"),
            merged("tv"),
            merged("year"),
        )
        ident = self._merged([f"{s.alias}.{c}" for s in found])
        return Val(
            value.cls,
            value.lex,
            value.lang,
            value.dt,
            value.num,
            value.tv,
            value.year,
            ("id", ident),
            ident=ident,
        )

    @staticmethod
    def _merged(columns: list[str]) -> str:
        return columns[0] if len(columns) == 1 else f"coalesce({', '.join(columns)})"

    def value(self, expr: object, sides: list[Side]) -> Val | str:
        """Return the value (or, for a boolean expression, SQL) of ``expr``."""
        if isinstance(expr, Variable):
            return self.variable(str(expr), sides)
        if isinstance(expr, URIRef | Literal):
            if (
                isinstance(expr, Literal)
                and expr.datatype
                and str(expr.datatype).endswith("#boolean")
            ):
                raise Unsupported("boolean constants")
            return x.constant(expr)
        if not isinstance(expr, CompValue):
            raise Unsupported(f"expression {expr!r}")
        name = expr.name
        if name == "RelationalExpression":
            a = self.value(expr.expr, sides)
            b = self.value(expr.other, sides)
            if isinstance(a, str) or isinstance(b, str):
                raise Unsupported("comparing booleans")
            op = expr.op
            if op == "=":
                return x.equals(a, b, self.term_id)
            if op == "!=":
                return f"(NOT {x.equals(a, b, self.term_id)})"
            if op in ("<", "<=", ">", ">="):
                return x.compare(a, b, op)
            raise Unsupported(f"operator {op}")
        if name in ("ConditionalAndExpression", "ConditionalOrExpression"):
            parts = [self.boolean(e, sides) for e in [expr.expr, *(expr.other or [])]]
            joiner = " AND " if name == "ConditionalAndExpression" else " OR "
            return "(" + joiner.join(parts) + ")"
        if name == "UnaryNot":
            return f"(NOT {self.boolean(expr.expr, sides)})"
        if name == "Builtin_BOUND":
            var = str(expr.arg)
            if not any(var in s.rel.reps for s in sides):
                return "FALSE"
            return (
                "("
                + self._merged([f"{s.alias}.{self.col(var)}" for s in sides if var in s.rel.reps])
                + " IS NOT NULL)"
            )
        if name.startswith("Builtin_"):
            args = [expr[k] for k in ("arg", "arg1", "arg2") if k in expr]
            values = [self.value(a, sides) for a in args]
            if any(isinstance(v, str) for v in values):
                raise Unsupported("a boolean argument")
            return x.builtin(name[len("Builtin_") :], [v for v in values if isinstance(v, Val)])
        raise Unsupported(f"expression {name}")

    def boolean(self, expr: object, sides: list[Side]) -> str:
        found = self.value(expr, sides)
        if not isinstance(found, str):
            raise Unsupported("the effective boolean value of a term")
        return found


def opt(node: CompValue, key: str) -> Any:
    """Return a part of an algebra node, or ``None`` (rdflib's ``get`` gives the key back)."""
    return node[key] if key in node else None  # noqa: SIM401 - its get() differs
