"""Write triples and quads as N-Triples / N-Quads lines, fast and byte-stable."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term(node: Node) -> str:
    """Return ``node`` in N-Triples syntax (IRIs and literals only: we mint no blank nodes)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        lexical = f'"{str(node).translate(_ESCAPES)}"'
        if node.language:
            return f"{lexical}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{lexical}^^<{node.datatype}>"
        return lexical
    raise TypeError(f"cannot write {node!r} as N-Triples: blank nodes are not minted")


def triple_line(s: Node, p: Node, o: Node) -> str:
    """Return one N-Triples line, newline included."""
    return f"{term(s)} {term(p)} {term(o)} .\n"


def quad_line(s: Node, p: Node, o: Node, g: Node) -> str:
    """Return one N-Quads line, newline included."""
    return f"{term(s)} {term(p)} {term(o)} {term(g)} .\n"
