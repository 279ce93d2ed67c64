"""Collect who links to whom, and the dates of dated resources, while data is loaded.

The store's index keeps, for every triple whose object is an IRI (types aside),
the link from subject to object with the subject's ``schema:datePublished``.
That lets a description list the newest resources linking to a country among
a hundred thousand, and the ``/news`` collection page through items by date,
with index lookups instead of sorting the whole store on every request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DATE_PUBLISHED = "https://schema.org/datePublished"
_TYPE_TOKEN = b"<" + RDF_TYPE.encode() + b">"
_DATE_TOKEN = b"<" + DATE_PUBLISHED.encode() + b">"

#: One link: (graph, source, predicate, target).
Link = tuple[str, str, str, str]


class LinkCollector:
    """Gather links and dates from N-Triples lines or pyoxigraph triples."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.dates: dict[tuple[str, str], str] = {}
        self._strings: dict[bytes, str] = {}

    def _text(self, term: bytes) -> str:
        found = self._strings.get(term)
        if found is None:
            found = self._strings[term] = term.decode("utf-8")
        return found

    def add_line(self, triple: bytes, graph_name: bytes) -> None:
        """Record one triple written as N-Triples (``<s> <p> <o>``, no final dot) in a graph."""
        if triple[-1:] != b">" or triple[:1] != b"<":
            return  # a plain or language-tagged literal, or a blank-node subject
        end_subject = triple.find(b"> <")
        if end_subject < 0:
            return
        end_predicate = triple.find(b"> ", end_subject + 3)
        if end_predicate < 0:
            return
        predicate = triple[end_subject + 2 : end_predicate + 1]
        obj = triple[end_predicate + 2 :]
        if predicate == _TYPE_TOKEN:
            return
        subject = self._text(triple[1:end_subject])
        graph = self._text(graph_name)
        if obj.startswith(b"<") and obj.endswith(b">"):
            target = obj[1:-1]
            if not target.startswith(triple[1:end_subject] + b"#"):  # a part of itself
                self.links.append((graph, subject, self._text(predicate[1:-1]), self._text(target)))
        elif predicate == _DATE_TOKEN and obj.startswith(b'"'):
            self.dates[(graph, subject)] = obj[1 : obj.index(b'"', 1)].decode("ascii", "replace")

    def add_triple(self, triple: ox.Triple, graph: str) -> None:
        """Record one pyoxigraph triple."""
        subject, predicate, obj = triple.subject, triple.predicate, triple.object
        if not isinstance(subject, ox.NamedNode) or predicate.value == RDF_TYPE:
            return
        if isinstance(obj, ox.NamedNode):
            if not obj.value.startswith(subject.value + "#"):  # a part of itself
                self.links.append((graph, subject.value, predicate.value, obj.value))
        elif predicate.value == DATE_PUBLISHED and isinstance(obj, ox.Literal):
            self.dates[(graph, subject.value)] = obj.value

    def rows(self) -> Iterator[tuple[str, str, str, str, str | None]]:
        """Yield (graph, source, predicate, target, date of the source) for every link."""
        for graph, source, predicate, target in self.links:
            yield graph, source, predicate, target, self.dates.get((graph, source))

    def dated(self) -> Iterator[tuple[str, str, str]]:
        """Yield (graph, resource, date) for every dated resource."""
        for (graph, source), date in self.dates.items():
            yield graph, source, date
