"""Write the SPARQL tests for one value: does it meet a parameter, does it conform to a shape.

:meth:`Conformance.ok` writes the test for one value parameter (sh:class, sh:datatype,
sh:pattern and the like); the compiler's value checks keep the values that fail it.
:meth:`Conformance.conforms` writes the test that a value conforms to a whole shape, its
property shapes and cardinalities included, for sh:node, sh:not, sh:and, sh:or and
sh:xone. Every test is total: true or false, never an error. This module also lists the
SHACL parameters the compiler knows, and reads a shape's parameters, raising
:class:`Unsupported` for any other.
"""

from __future__ import annotations

from rdflib import SH, Graph, Literal, URIRef
from rdflib.term import Node

from shapes import sparqlgen as gen
from shapes.sparqlgen import Names, Unsupported

PER_VALUE: dict[Node, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
}
PER_FOCUS = {SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang}
STRUCTURE = {SH.property, SH.sparql, SH.path, SH.flags, SH.deactivated, SH.severity, SH.message}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
IGNORED = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
KNOWN = set(PER_VALUE) | PER_FOCUS | STRUCTURE | TARGETS | IGNORED
SH_PREFIX = str(SH)


class Conformance:
    """Write the tests of one shapes graph; :class:`shapes.compiler.Compiler` adds the checks."""

    graph: Graph
    names: Names

    def _params(self, shape: Node) -> list[tuple[Node, Node]]:
        found: list[tuple[Node, Node]] = []
        for p, o in self.graph.predicate_objects(shape):
            if isinstance(p, URIRef) and p.startswith(SH_PREFIX):
                if p not in KNOWN:
                    raise Unsupported(f"{p} on {shape}")
                found.append((p, o))
        return found

    def _deactivated(self, shape: Node) -> bool:
        return any(
            isinstance(o, Literal) and o.value is True
            for o in self.graph.objects(shape, SH.deactivated)
        )

    def ok(self, shape: Node, p: Node, o: Node, var: str, stack: set[Node]) -> str:
        """Return the total test that value ``var`` satisfies parameter ``p`` = ``o``."""
        g = self.graph
        if p == SH["class"]:
            return f"EXISTS {{ {var} {gen.TYPE_PATH} {gen.term(o)} }}"
        if p == SH.datatype:
            return gen.datatype_test(var, o, self.names)
        if p == SH.nodeKind:
            if o not in gen.NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {o!r}")
            return gen.NODE_KINDS[o].format(var)
        if p in (SH.minLength, SH.maxLength):
            op = ">=" if p == SH.minLength else "<="
            n = gen.integer(o, str(p))
            return gen.total(f"!isBlank({var}) && STRLEN(STR({var})) {op} {n}")
        if p == SH.pattern:
            return gen.pattern_test(var, o, g.value(shape, SH.flags))
        if p == SH["in"]:
            tests = [f"sameTerm({var}, {gen.term(t)})" for t in gen.items(g, o)]
            return "(" + (" || ".join(tests) or "false") + ")"
        if p == SH.languageIn:
            tags = [f"LANGMATCHES(LANG({var}), {gen.string(str(t))})" for t in gen.items(g, o)]
            return gen.total(f"isLiteral({var}) && ({' || '.join(tags) or 'false'})")
        if p in gen.RANGES:
            return gen.total(f"{var} {gen.RANGES[p]} {gen.term(o)}")
        if p == SH.node:
            return self.conforms(o, var, stack)
        if p == SH["not"]:
            return f"!({self.conforms(o, var, stack)})"
        members = [self.conforms(m, var, stack) for m in gen.items(g, o)]
        if p == SH["or"]:
            return "(" + (" || ".join(members) or "false") + ")"
        if p == SH["and"]:
            return "(" + (" && ".join(members) or "true") + ")"
        return "((" + " + ".join([f"IF({m}, 1, 0)" for m in members] or ["0"]) + ") = 1)"

    def conforms(self, shape: Node, var: str, stack: set[Node]) -> str:
        """Return the total test that node ``var`` conforms to ``shape`` (no results at all)."""
        if self._deactivated(shape):
            return "true"
        if shape in stack:
            raise Unsupported("recursive shapes")
        stack = stack | {shape}
        params = self._params(shape)
        if (shape, SH.sparql, None) in self.graph:
            raise Unsupported("SPARQL constraints inside nested shapes")
        path_node = self.graph.value(shape, SH.path)
        if path_node is not None:
            return self._property_conforms(
                shape, params, var, gen.path(self.graph, path_node), stack
            )
        parts = [self.ok(shape, p, o, var, stack) for p, o in params if p in PER_VALUE]
        parts += [f"sameTerm({var}, {gen.term(o)})" for p, o in params if p == SH.hasValue]
        if any(p in PER_FOCUS - {SH.hasValue} for p, _ in params):
            raise Unsupported("cardinality constraints on a node shape")
        for child in self.graph.objects(shape, SH.property):
            parts.append(self.conforms(child, var, stack))
        return "(" + (" && ".join(parts) or "true") + ")"

    def _property_conforms(
        self, shape: Node, params: list[tuple[Node, Node]], var: str, ptext: str, stack: set[Node]
    ) -> str:
        parts, x = [], self.names.fresh("x")
        oks = [self.ok(shape, p, o, x, stack) for p, o in params if p in PER_VALUE]
        if oks:
            parts.append(f"NOT EXISTS {{ {var} {ptext} {x} FILTER (!({' && '.join(oks)})) }}")
        for p, o in params:
            if p == SH.minCount and gen.integer(o, "sh:minCount") > 0:
                n = gen.integer(o, "sh:minCount")
                if n > 4:
                    raise Unsupported("nested sh:minCount above 4")
                parts.append(
                    "EXISTS { " + " ".join(gen.distinct_values(var, ptext, n, self.names)) + " }"
                )
            elif p == SH.maxCount:
                n = gen.integer(o, "sh:maxCount")
                if n > 3:
                    raise Unsupported("nested sh:maxCount above 3")
                found = " ".join(gen.distinct_values(var, ptext, n + 1, self.names))
                parts.append("NOT EXISTS { " + found + " }")
            elif p == SH.hasValue:
                parts.append(f"EXISTS {{ {var} {ptext} {gen.term(o)} }}")
            elif p == SH.uniqueLang and gen.is_true(o):
                a, b = self.names.fresh("u"), self.names.fresh("u")
                parts.append(
                    f"NOT EXISTS {{ {var} {ptext} {a} . {var} {ptext} {b} ."
                    f" FILTER (!sameTerm({a}, {b})"
                    f' && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
                )
        for child in self.graph.objects(shape, SH.property):
            y = self.names.fresh("y")
            inner = self.conforms(child, y, stack)
            parts.append(f"NOT EXISTS {{ {var} {ptext} {y} FILTER (!({inner})) }}")
        return "(" + (" && ".join(parts) or "true") + ")"
