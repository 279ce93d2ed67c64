"""Compile a SPARQL SELECT query into SQL over the columnar copy, for a subset of SPARQL.

The query is parsed by rdflib into its algebra, and each operator becomes a
SQL subquery whose columns are the variables in scope, holding term ids
(``NULL`` when unbound), or, for values a query computes, xsd:integer values
(``YEAR``, ``COUNT``) or simple literals (``STR``, ``LANG``). The subset:

- basic graph patterns (constants, variables, blank nodes, repeated variables),
  joins, ``OPTIONAL`` (with its filter), ``UNION``, ``FILTER``, ``BIND``,
  subqueries;
- ``GROUP BY`` variables with ``COUNT`` (``*``, ``DISTINCT``) and ``SAMPLE``;
- ``DISTINCT``, ``ORDER BY`` variables (``ASC``/``DESC``), ``LIMIT``/``OFFSET``
  below an ``ORDER BY``, the projection (``SELECT *`` in pyoxigraph's order of
  the variables);
- expressions (:mod:`miglod.query.sqlexpr`): variables, IRIs, literals, ``=``,
  ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``&&``, ``||``, ``!``, ``LANG``,
  ``STR``, ``LCASE``, ``CONTAINS``, ``STRSTARTS``, ``YEAR``, ``BOUND``.

Anything else raises :class:`Unsupported`, and pyoxigraph answers: other
forms, ``GRAPH``, ``FROM``, property paths, ``VALUES``, ``MINUS``, other
functions and aggregates, ``LIMIT`` without ``ORDER BY`` (which rows pyoxigraph
keeps is its own affair), ``REDUCED``, arithmetic. So does a query at run time
when its data needs comparisons the columns do not hold exactly (see
:mod:`miglod.query.sqlexpr`). ``SAMPLE`` picks the smallest term id of its
group: a member, as SPARQL allows, not necessarily pyoxigraph's pick. Rows an
``ORDER BY`` leaves tied may come in another order than pyoxigraph's.

The graph patterns are compiled by :class:`~miglod.query.sqlpattern.Patterns`;
this module adds the projection, ``DISTINCT``, ``ORDER BY``, ``LIMIT``/``OFFSET``,
the groups and aggregates, and the output of the rows as SPARQL TSV.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from miglod.query import sqlexpr as x
from miglod.query.sqlexpr import FALLBACK, Unsupported, Val
from miglod.query.sqlpattern import Patterns
from miglod.query.sqlscope import ORDER, Rel, Side, opt

__all__ = ["FALLBACK", "Plan", "Unsupported", "compile_select"]

_PLACEHOLDER = re.compile("\x01([0-9]+)\x01")


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled query: SQL with a placeholder per constant term, and the result's variables."""

    variables: tuple[str, ...]
    constants: tuple[str, ...]
    template: str
    #: Whether it groups or counts (such queries read many rows, which columns read fast).
    aggregate: bool = False

    def sql(self, ids: Sequence[int | None], cap: int | None) -> str:
        """Return the SQL with the constants' ids (``None``: absent) and an optional row cap."""
        text = _PLACEHOLDER.sub(
            lambda m: "NULL" if ids[int(m.group(1))] is None else str(ids[int(m.group(1))]),
            self.template,
        )
        return text if cap is None else f"{text}\nLIMIT {int(cap)}"


def compile_select(sparql: str, variables: Sequence[str] | None = None) -> Plan:
    """Compile a SELECT query; raise :class:`Unsupported` when it is outside the subset.

    ``variables`` are the result's variables in pyoxigraph's order, which
    ``SELECT *`` needs (it is refused without them).
    """
    try:
        parsed = parseQuery(sparql)
        query = translateQuery(parsed)
    except Exception as exc:  # rdflib's parser raises many kinds; pyoxigraph reports the error
        raise Unsupported(f"rdflib cannot read the query: {exc}") from None
    if any(getattr(declared, "name", None) == "Base" for declared in parsed[0]):
        # rdflib and pyoxigraph might resolve the query's relative IRIs differently.
        raise Unsupported("a query with a BASE of its own")
    algebra = query.algebra
    if algebra.name != "SelectQuery" or opt(algebra, "datasetClause"):
        raise Unsupported("only SELECT over the default graph")
    names = [str(v) for v in algebra.PV]
    if "projection" not in parsed[1]:
        if variables is None or sorted(variables) != sorted(names):
            raise Unsupported("SELECT * without pyoxigraph's order of the variables")
        names = list(variables)
    elif variables is not None and list(variables) != names:
        raise Unsupported("rdflib and pyoxigraph read the projection differently")
    compiler = _Compiler()
    rel = compiler.pattern(algebra.p)
    template = compiler.output(rel, names)
    return Plan(tuple(names), tuple(compiler.constants), template, compiler.aggregate)


class _Compiler(Patterns):
    """The whole compiler: the graph patterns, and the operators over their solutions."""

    # Solution modifiers and aggregates

    def _Project(self, node: CompValue) -> Rel:
        inner = self.pattern(node.p)
        names = [str(v) for v in node.PV]
        cols = [f"{self.col(v) if v in inner.reps else 'NULL'} AS {self.col(v)}" for v in names] + (
            [ORDER] if inner.ordered else []
        )
        reps = {v: inner.reps.get(v, "id") for v in names}
        maybe = frozenset(v for v in names if v in inner.maybe or v not in inner.reps)
        sql = f"SELECT {', '.join(cols) or '1 AS one'} FROM ({inner.sql}) {self.alias()}"
        kinds = {v: k for v, k in inner.kinds.items() if v in names}
        return Rel(
            sql, reps, maybe, inner.ordered, nodes=inner.nodes & frozenset(names), kinds=kinds
        )

    def _Distinct(self, node: CompValue) -> Rel:
        inner = self.pattern(node.p)
        cols = [self.col(v) for v in inner.reps]
        if not inner.ordered:
            sql = (
                f"SELECT DISTINCT {', '.join(cols) or '1 AS one'} FROM ({inner.sql}) {self.alias()}"
            )
        else:
            keys = ", ".join(cols)
            sql = (
                f"SELECT {keys + ', ' if keys else ''}min({ORDER}) AS {ORDER}"
                f" FROM ({inner.sql}) {self.alias()}" + (f" GROUP BY {keys}" if keys else "")
            )
        return Rel(
            sql, inner.reps, inner.maybe, inner.ordered, nodes=inner.nodes, kinds=inner.kinds
        )

    def _Slice(self, node: CompValue) -> Rel:
        child = node.p.p if node.p.name == "Project" else node.p
        if child.name == "OrderBy" and opt(node, "length") is not None:
            self.top = int(node.length) + int(opt(node, "start") or 0)
        inner = self.pattern(node.p)
        self.top = None
        if not inner.ordered:
            raise Unsupported("LIMIT or OFFSET without ORDER BY (pyoxigraph's pick)")
        sql = f"SELECT * FROM ({inner.sql}) {self.alias()} ORDER BY {ORDER}"
        if opt(node, "length") is not None:
            sql += f" LIMIT {int(node.length)}"
        if opt(node, "start"):
            sql += f" OFFSET {int(node.start)}"
        return Rel(sql, inner.reps, inner.maybe, True, nodes=inner.nodes, kinds=inner.kinds)

    def _OrderBy(self, node: CompValue) -> Rel:
        top, self.top = self.top, None
        inner = self.pattern(node.p)
        side = Side(self.alias(), inner)
        keys: list[str] = []
        checks: list[str] = []
        for condition in node.expr:
            expr = condition.expr if isinstance(condition, CompValue) else condition
            if not isinstance(expr, Variable):
                raise Unsupported("ORDER BY an expression")
            descending = isinstance(condition, CompValue) and opt(condition, "order") == "DESC"
            value = self.value(expr, [side])
            assert isinstance(value, Val)
            is_node = str(expr) in inner.nodes
            kind = inner.kinds.get(str(expr))
            found = x.order_keys(value, node=is_node, kind=kind)
            for key in found.keys:
                keys.append(f"{key} {'DESC' if descending else 'ASC'} NULLS FIRST")
            if not is_node and not kind and (value.store is None or value.store[0] == "id"):
                checks.append(
                    f"min({found.family}) OVER () IS DISTINCT FROM max({found.family}) OVER ()"
                )
        cols = ", ".join(f"{side.alias}.{self.col(v)}" for v in inner.reps) or "1 AS one"
        order = ", ".join(keys)
        source = f"FROM ({self.with_attrs(side, order, *checks)}) {side.alias}"
        if checks:
            source += f" QUALIFY CASE WHEN {' OR '.join(checks)} THEN {x.ERROR} ELSE TRUE END"
        if top is None:
            sql = f"SELECT {cols}, row_number() OVER (ORDER BY {order}) AS {ORDER} {source}"
        else:  # a LIMIT right above: sort the first rows only, then number them
            named = ", ".join(f"{key.rsplit(' ', 3)[0]} AS k{n}" for n, key in enumerate(keys))
            again = ", ".join(
                f"k{n} {key.rsplit(' ', 3)[1]} NULLS FIRST" for n, key in enumerate(keys)
            )
            sql = (
                f"SELECT *, row_number() OVER (ORDER BY {again}) AS {ORDER} FROM"
                f" (SELECT {cols}, {named} {source} ORDER BY {order} LIMIT {top}) {self.alias()}"
            )
            sql = f"SELECT {', '.join([self.col(v) for v in inner.reps] or ['one'])}, {ORDER} FROM ({sql}) {self.alias()}"
        return Rel(sql, inner.reps, inner.maybe, True, nodes=inner.nodes, kinds=inner.kinds)

    def _AggregateJoin(self, node: CompValue) -> Rel:
        group = node.p
        if group.name != "Group":
            raise Unsupported("aggregates without a group")
        self.aggregate = True
        inner = self.pattern(group.p)
        keys: list[str] = []
        for expr in opt(group, "expr") or []:
            if not isinstance(expr, Variable) or str(expr) not in inner.reps:
                raise Unsupported("GROUP BY an expression or a variable out of scope")
            keys.append(str(expr))
        alias = self.alias()
        cols: list[str] = []  # the keys come out through SAMPLE, as rdflib writes them
        reps: dict[str, str] = {}
        maybe: set[str] = set()
        nodes: set[str] = set()
        kinds: dict[str, str] = {}
        for aggregate in node.A:
            res = str(aggregate.res)
            if aggregate.name == "Aggregate_Count":
                if aggregate.vars == "*":
                    if opt(aggregate, "distinct"):
                        raise Unsupported("COUNT(DISTINCT *)")
                    sql = "count(*)"
                else:
                    var = self._agg_var(aggregate, inner)
                    distinct = "DISTINCT " if opt(aggregate, "distinct") else ""
                    sql = f"count({distinct}{self.col(var)})" if var in inner.reps else "0"
                cols.append(f"{sql} AS {self.col(res)}")
                reps[res] = "int"
            elif aggregate.name == "Aggregate_Sample":
                var = self._agg_var(aggregate, inner)
                sql = f"min({self.col(var)})" if var in inner.reps else "NULL"
                cols.append(f"{sql} AS {self.col(res)}")
                reps[res] = inner.reps.get(var, "id")
                if var in inner.nodes:
                    nodes.add(res)
                if var in inner.kinds:
                    kinds[res] = inner.kinds[var]
                if not keys or var not in inner.reps or var in inner.maybe:
                    # A group is never empty, so a sample of a variable always bound in
                    # it is bound; an equi-join on it can then be a hash join.
                    maybe.add(res)
            else:
                raise Unsupported(f"aggregate {aggregate.name}")
        sql = f"SELECT {', '.join(cols) or '1 AS one'} FROM ({inner.sql}) {alias}"
        if keys:
            sql += " GROUP BY " + ", ".join(self.col(k) for k in keys)
        return Rel(sql, reps, frozenset(maybe), nodes=frozenset(nodes), kinds=kinds)

    def _agg_var(self, aggregate: CompValue, inner: Rel) -> str:
        if not isinstance(aggregate.vars, Variable):
            raise Unsupported("an aggregate of an expression")
        return str(aggregate.vars)

    # Output

    def output(self, rel: Rel, names: list[str]) -> str:
        """Return SQL writing each row as a line of SPARQL TSV, in order."""
        alias = self.alias()
        joins, cells = [], []
        for n, var in enumerate(names):
            c = f"{alias}.{self.col(var)}"
            rep = rel.reps.get(var)
            if rep is None:
                cells.append("''")
            elif rep == "id":
                joins.append(f"LEFT JOIN terms o{n} ON o{n}.id = {c}")
                cells.append(f"coalesce(o{n}.nt, '')")
            elif rep == "int":
                cells.append(f"coalesce(CAST({c} AS VARCHAR), '')")
            else:
                escaped = (
                    f"replace(replace(replace(replace(replace({c}, '\\', '\\\\'), '\"', '\\\"'),"
                    " chr(10), '\\n'), chr(13), '\\r'), chr(9), '\\t')"
                )
                cells.append(f"coalesce('\"' || {escaped} || '\"', '')")
        line = " || chr(9) || ".join(cells) if cells else "''"
        sql = f"SELECT {line} AS line FROM ({rel.sql}) {alias} {' '.join(joins)}"
        if rel.ordered:
            sql += f" ORDER BY {alias}.{ORDER}"
        return sql
