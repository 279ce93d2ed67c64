"""Write triples and quads as N-Triples / N-Quads lines, fast and byte-stable."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:
    from converter.mapping import MappedItem

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CACHE_LIMIT = 8192  # IRIs a formatter remembers before it starts afresh


def escape(text: str) -> str:
    """Return ``text`` escaped for a quoted N-Triples literal.

    One ``str.replace`` per character that actually occurs: most texts hold
    none of them, and a test for each is cheaper than a translation table.
    """
    if "\\" in text:
        text = text.replace("\\", "\\\\")  # first, so that the escapes below stay single
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def literal(node: Literal) -> str:
    """Return a literal in N-Triples syntax."""
    lexical = f'"{escape(node)}"'
    language = node.language
    if language:
        return f"{lexical}@{language}"
    datatype = node.datatype
    if datatype is not None and str(datatype) != _XSD_STRING:
        return f"{lexical}^^<{datatype}>"
    return lexical


def term(node: Node) -> str:
    """Return ``node`` in N-Triples syntax (IRIs and literals only: we mint no blank nodes)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return literal(node)
    raise TypeError(f"cannot write {node!r} as N-Triples: blank nodes are not minted")


def triple_line(s: Node, p: Node, o: Node) -> str:
    """Return one N-Triples line, newline included."""
    return f"{term(s)} {term(p)} {term(o)} .\n"


def quad_line(s: Node, p: Node, o: Node, g: Node) -> str:
    """Return one N-Quads line, newline included."""
    return f"{term(s)} {term(p)} {term(o)} {term(g)} .\n"


class LineWriter:
    """Format many triples or quads, writing each IRI's N-Triples form once.

    Subjects, predicates and most objects recur from line to line; their
    formatted forms are remembered (up to :data:`CACHE_LIMIT` of them).
    """

    def __init__(self) -> None:
        self._known: dict[Node, str] = {}

    def term(self, node: Node) -> str:
        """Return ``node`` in N-Triples syntax."""
        if type(node) is URIRef:
            known = self._known.get(node)
            if known is None:
                if len(self._known) >= CACHE_LIMIT:
                    self._known.clear()
                known = self._known[node] = f"<{node}>"
            return known
        return term(node)

    def triples(self, triples: Iterable[tuple[Node, Node, Node]]) -> str:
        """Return N-Triples lines for ``triples``, newlines included."""
        return self._lines(triples, " .\n")

    def quads(self, triples: Iterable[tuple[Node, Node, Node]], graph: Node) -> str:
        """Return N-Quads lines putting ``triples`` in ``graph``, newlines included."""
        return self._lines(triples, f" {self.term(graph)} .\n")

    def item(self, mapped: MappedItem, *, quads: bool = False) -> str:
        """Return the lines of a mapped item: triples, or quads in the item's graph."""
        end = f" {self.term(mapped.graph)} .\n" if quads else " .\n"
        if mapped.lines is not None:
            # Mapped in N-Triples syntax already (see MappingContext.ntriples): join in C.
            return end.join(map(" ".join, mapped.lines)) + end if mapped.lines else ""
        return self._lines(mapped.triples, end)

    def encoded(self, mapped: MappedItem, *, quads: bool = False) -> bytes:
        """Return :meth:`item`'s lines encoded in UTF-8.

        Encoding an ASCII string is a copy, but one non-ASCII character makes
        the encoder go character by character: the ASCII lines are encoded in
        runs, and only the few others one by one.
        """
        lines = mapped.lines
        if lines is None:
            return self.item(mapped, quads=quads).encode()
        end = f" {self.term(mapped.graph)} .\n" if quads else " .\n"
        joined = list(map(" ".join, lines))
        if all(map(str.isascii, joined)):
            return (end.join(joined) + end).encode() if joined else b""
        parts, at = [], 0
        for k in itertools.compress(
            itertools.count(), map(operator.not_, map(str.isascii, joined))
        ):
            if k > at:
                parts.append((end.join(joined[at:k]) + end).encode())
            parts.append((joined[k] + end).encode())
            at = k + 1
        if at < len(joined):
            parts.append((end.join(joined[at:]) + end).encode())
        return b"".join(parts)

    def _lines(self, triples: Iterable[tuple[Node, Node, Node]], end: str) -> str:
        """Return one line per triple, each ending in ``end``."""
        known, term = self._known.get, self.term
        lines = []
        subject: Node | None = None
        head = ""
        for s, p, o in triples:
            if s is not subject:
                # Runs of triples share a subject; most subjects occur in one run only.
                subject, head = s, (f"<{s}> " if type(s) is URIRef else f"{term(s)} ")
            # Literals hash slowly and seldom repeat: only IRIs are looked up.
            if type(o) is URIRef:
                obj = known(o) or term(o)
            elif type(o) is Literal:
                obj = literal(o)
            else:
                obj = term(o)
            lines.append(f"{head}{known(p) or term(p)} {obj}{end}")
        return "".join(lines)
