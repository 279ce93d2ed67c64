"""Compile SPARQL graph patterns into SQL subqueries over the ``triples`` table.

:class:`Patterns` is the half of the compiler in :mod:`miglod.query.sqlplan`
that handles what matches rows: basic graph patterns (one ``triples`` alias
per triple, constants as placeholders for their term ids), joins and
``OPTIONAL``, ``UNION``, ``FILTER``, ``BIND`` and the wrapper rdflib puts
around a subquery. For each it also works out what is known of the variables
(which may be unbound, which hold IRIs or blank nodes, which hold literals of
one class) so that the operators above can write cheaper SQL. The solution
modifiers and aggregates are compiled in :mod:`miglod.query.sqlplan`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Literal, URIRef, Variable

from miglod.query import sqlexpr as x
from miglod.query.sqlexpr import Unsupported
from miglod.query.sqlscope import Rel, Scope, Side, opt


class Patterns(Scope):
    """Compile graph patterns; a subclass adds the operators that act on their solutions."""

    def pattern(self, node: CompValue) -> Rel:
        handler: Callable[[CompValue], Rel] | None = getattr(self, "_" + node.name, None)
        if handler is None:
            raise Unsupported(f"{node.name} patterns")
        return handler(node)

    # Patterns

    def _BGP(self, node: CompValue) -> Rel:
        tables: list[str] = []
        where: list[str] = []
        first: dict[str, str] = {}
        nodes: set[str] = set()
        for n, triple in enumerate(node.triples):
            alias = f"t{n}"
            tables.append(f"triples {alias}")
            for position, term in zip("spo", triple, strict=True):
                here = f"{alias}.{position}"
                found = x.term_of(term)
                if not isinstance(found, URIRef | Literal):
                    if position != "o":
                        nodes.add(found)
                    if found in first:
                        where.append(f"{here} = {first[found]}")
                    else:
                        first[found] = here
                else:
                    where.append(f"{here} = {self.term_id(_nt(found))}")
        select = ", ".join(f"{place} AS {self.col(var)}" for var, place in first.items())
        if not tables:
            return Rel("SELECT 1 AS one", {})
        sql = f"SELECT {select or '1 AS one'} FROM {', '.join(tables)}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return Rel(sql, {var: "id" for var in first}, nodes=frozenset(nodes))

    def _Join(self, node: CompValue) -> Rel:
        return self.join(self.pattern(node.p1), self.pattern(node.p2), None, optional=False)

    def _LeftJoin(self, node: CompValue) -> Rel:
        expr = opt(node, "expr")
        if isinstance(expr, CompValue) and expr.name == "TrueFilter":
            expr = None
        return self.join(self.pattern(node.p1), self.pattern(node.p2), expr, optional=True)

    def join(self, left: Rel, right: Rel, expr: object, *, optional: bool) -> Rel:
        shared = left.reps.keys() & right.reps.keys()
        for var in shared:
            if left.reps[var] != right.reps[var]:
                raise Unsupported("a join on a computed value")
        a, b = self.alias(), self.alias()
        conditions = []
        for var in sorted(shared):
            c = self.col(var)
            if var in left.maybe or var in right.maybe:
                conditions.append(f"({a}.{c} IS NULL OR {b}.{c} IS NULL OR {a}.{c} = {b}.{c})")
            else:
                conditions.append(f"{a}.{c} = {b}.{c}")
        sides = [Side(a, left), Side(b, right)]
        if expr is not None:
            conditions.append(self.boolean(expr, sides))
        columns = []
        for var in sorted(left.reps.keys() | right.reps.keys()):
            c = self.col(var)
            if var in shared:
                columns.append(f"coalesce({a}.{c}, {b}.{c}) AS {c}")
            else:
                columns.append(f"{a if var in left.reps else b}.{c} AS {c}")
        kind = "LEFT JOIN" if optional else "JOIN"
        sql = (
            f"SELECT {', '.join(columns) or '1 AS one'} FROM ({self.with_attrs(sides[0], *conditions)}) {a}"
            f" {kind} ({self.with_attrs(sides[1], *conditions)}) {b} ON {' AND '.join(conditions) or 'TRUE'}"
        )
        maybe = left.maybe | right.maybe
        if optional:
            maybe |= right.reps.keys() - left.reps.keys()
        nodes = set((left.nodes | right.nodes) - shared)
        kinds = {v: k for rel in (left, right) for v, k in rel.kinds.items() if v not in shared}
        for var in shared:
            # The left side's value, else the right one's; equal when both are bound.
            lone_left = optional or var in right.maybe  # the left one's alone, when bound
            lone_right = var in left.maybe
            if _told(var in left.nodes, var in right.nodes, lone_left, lone_right):
                nodes.add(var)
            told = (left.kinds.get(var), right.kinds.get(var))
            for kind in {k for k in told if k is not None}:
                if _told(told[0] == kind, told[1] == kind, lone_left, lone_right):
                    kinds[var] = kind
        return Rel(
            sql,
            {**left.reps, **right.reps},
            frozenset(maybe),
            nodes=frozenset(nodes),
            kinds=kinds,
        )

    def _Union(self, node: CompValue) -> Rel:
        left, right = self.pattern(node.p1), self.pattern(node.p2)
        names = sorted(left.reps.keys() | right.reps.keys())
        for var in left.reps.keys() & right.reps.keys():
            if left.reps[var] != right.reps[var]:
                raise Unsupported("a union of computed values")

        def branch(rel: Rel) -> str:
            cols = [f"{self.col(v) if v in rel.reps else 'NULL'} AS {self.col(v)}" for v in names]
            return f"SELECT {', '.join(cols) or '1 AS one'} FROM ({rel.sql}) {self.alias()}"

        maybe = left.maybe | right.maybe | (left.reps.keys() ^ right.reps.keys())
        sql = f"{branch(left)} UNION ALL {branch(right)}"
        nodes = frozenset(
            v for v in names if all(v in rel.nodes for rel in (left, right) if v in rel.reps)
        )
        return Rel(
            sql,
            {**left.reps, **right.reps},
            frozenset(maybe),
            nodes=nodes,
            kinds=_agreed((left, right), names),
        )

    def _Filter(self, node: CompValue) -> Rel:
        inner = self.pattern(node.p)
        side = Side(self.alias(), inner)
        condition = self.boolean(node.expr, [side])
        sql = f"SELECT * FROM ({self.with_attrs(side, condition)}) {side.alias} WHERE {condition}"
        # The attributes joined for the filter stay, for an ORDER BY or filter above.
        attrs = {**inner.attrs, **side.attrs}
        kinds = {**inner.kinds, **self.implied_kinds(node.expr, inner)}
        return Rel(sql, inner.reps, inner.maybe, inner.ordered, attrs, inner.nodes, kinds)

    def implied_kinds(self, expr: object, inner: Rel) -> dict[str, str]:
        """Return the classes a filter's rows must have: ``?v >= "2021-01-01"^^xsd:date`` and such.

        Such a comparison is true only for a date of the constant's own class
        (or a simple literal's, for a simple literal): see :func:`~miglod.query.sqlexpr.compare`.
        Only the comparisons of the filter's top conjunction count.
        """
        found: dict[str, str] = {}
        if not isinstance(expr, CompValue):
            return found
        if expr.name == "ConditionalAndExpression":
            for part in [expr.expr, *(expr.other or [])]:
                found.update(self.implied_kinds(part, inner))
            return found
        if expr.name != "RelationalExpression" or expr.op not in ("<", "<=", ">", ">="):
            return found
        for var, constant in ((expr.expr, expr.other), (expr.other, expr.expr)):
            if (
                isinstance(var, Variable)
                and str(var) in inner.reps
                and isinstance(constant, Literal)
            ):
                known = x.constant_class(constant)
                if known in x.EXACT_CLASSES and inner.reps[str(var)] == "id":
                    found[str(var)] = known
        return found

    def _Extend(self, node: CompValue) -> Rel:
        inner = self.pattern(node.p)
        var = str(node.var)
        if var in inner.reps:
            raise Unsupported("BIND to a variable in scope")
        side = Side(self.alias(), inner)
        value = self.value(node.expr, [side])
        if isinstance(value, str) or value.store is None:
            raise Unsupported("BIND of this kind of value")
        rep, sql = value.store
        body = (
            f"SELECT *, {sql} AS {self.col(var)} FROM ({self.with_attrs(side, sql)}) {side.alias}"
        )
        source = str(node.expr) if isinstance(node.expr, Variable) else None
        # A copy of a variable always bound is bound (rdflib binds aggregates' results so).
        bound = source is not None and source in inner.reps and source not in inner.maybe
        maybe = inner.maybe if bound else inner.maybe | {var}
        nodes = inner.nodes | {var} if source in inner.nodes else inner.nodes
        kinds = inner.kinds
        if source is not None and source in inner.kinds:
            kinds = {**kinds, var: inner.kinds[source]}
        return Rel(
            self.strip(body, inner, extra=[var]),
            {**inner.reps, var: rep},
            maybe,
            inner.ordered,
            nodes=nodes,
            kinds=kinds,
        )

    def _ToMultiSet(self, node: CompValue) -> Rel:
        return self.pattern(node.p)


def _told(left: bool, right: bool, lone_left: bool, lone_right: bool) -> bool:
    """Return whether a joined variable has a property its sides tell of (``left``, ``right``).

    It takes the left side's value when that is bound, else the right one's;
    when both are bound they are equal, so either side's word holds. Where
    the left one may be bound alone (``lone_left``: an OPTIONAL's right side
    not met, or the right one unbound) the left side must tell; where the
    right one may (``lone_right``), the right side must.
    """
    return (left or right) and (left or not lone_left) and (right or not lone_right)


def _agreed(rels: tuple[Rel, ...], names: Iterable[str]) -> dict[str, str]:
    """Return the classes of ``names`` that every relation binding them agrees on."""
    found: dict[str, str] = {}
    for var in names:
        kinds = {rel.kinds.get(var) for rel in rels if var in rel.reps}
        if len(kinds) == 1 and (kind := kinds.pop()) is not None:
            found[var] = kind
    return found


def _nt(term: URIRef | Literal) -> str:
    """Return a constant of a pattern as pyoxigraph writes it in N-Triples (or refuse it)."""
    value = x.constant(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    text = str(term)
    if any(c in text for c in '"\\') or any(ord(c) < 32 for c in text):
        raise Unsupported("a literal with escapes in a pattern")
    if value.cls == "'L'":
        return f'"{text}"@{term.language.lower() if term.language else ""}'
    if value.cls == "'S'":
        return f'"{text}"'
    if value.cls in ("'Ni'", "'Dn'", "'O'"):
        return f'"{text}"^^<{term.datatype}>'
    raise Unsupported("a literal of this datatype in a pattern")
