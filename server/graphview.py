"""Look up a description's triples by subject, and pick labels in the reader's language."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.term import Node

from miglod.store import Description
from server.i18n import SCHEMA, SKOS
from server.jsonld import PREFIXES

#: Label properties in order of preference.
LABELS = (
    URIRef(SKOS + "prefLabel"),
    URIRef(SCHEMA + "name"),
    URIRef(SCHEMA + "headline"),
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
)


class GraphView:
    """Look triples up by subject, and pick labels in a preferred language."""

    def __init__(self, description: Description, language: str, base: str) -> None:
        self.language = language
        self.base = base
        self.root = description.iri
        self.ancestors: set[Node] = {URIRef(description.iri)}
        self.out: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o in description.triples:
            self.out[s][p].append(o)
            self.into[o].add(s)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return list(self.out.get(subject, {}).get(predicate, []))

    def predicates(self, subject: Node) -> list[Node]:
        return list(self.out.get(subject, {}))

    def first(self, subject: Node | None, predicate: Node) -> Node | None:
        if subject is None:
            return None
        found = self.objects(subject, predicate)
        return min(found, key=str) if found else None

    def subjects_linking_to(self, node: Node) -> list[Node]:
        return sorted((s for s in self.into.get(node, ()) if s != node), key=str)

    def label(self, node: Node) -> tuple[str, str | None]:
        """Return the best label of ``node`` in the preferred language, and its language."""
        order = [self.language, "en", "es", "", None]
        for predicate in LABELS:
            labels = [o for o in self.objects(node, predicate) if isinstance(o, Literal)]
            if labels:

                def rank(lit: Literal) -> tuple[int, str]:
                    lang = lit.language or ""
                    position = order.index(lang) if lang in order else len(order)
                    return (position, str(lit))

                best = min(labels, key=rank)
                return str(best), best.language
        text = str(node)
        local = text.rsplit("#", 1)[-1] if "#" in text else text.rstrip("/").rsplit("/", 1)[-1]
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}", None
        host = (urlsplit(text).hostname or "").removeprefix("www.")
        if host and not text.startswith(self.base):
            return (host if local in (host, "www." + host) else f"{host} · {local}"), None
        return local, None
