"""Publish news items into a live store: read them, validate them, write them.

The web app's write endpoints and ``miglod load`` share this library. An input
(Turtle, JSON-LD or the plain-text listing shape) is split into one graph per
news item; each item is validated with the incremental validation against the
published data (its own published version left out when it replaces one) and
written only if it conforms, as one atomic replacement of its named graph.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, SDO, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from converter.enrich import Enricher
from converter.pipeline import convert_text
from miglod.store import Change, Store
from miglod.store.terms import to_rdflib
from shapes.published import StorePublished as QuadsPublished
from shapes.validation import ValidationResult, Validator

TURTLE = "text/turtle"
JSONLD = "application/ld+json"
LISTING = "text/plain"
MEDIA_TYPES = {
    TURTLE: "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    JSONLD: "json-ld",
    "application/json": "json-ld",
    LISTING: "listing",
}
_BATCH = 200
FILE_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


class PublishingError(ValueError):
    """Raise when an input cannot be read as news items (bad syntax, no item, …)."""


class NotConformingError(Exception):
    """Raise when an item does not conform to the shapes; carries the validation result."""

    def __init__(self, item: Item, result: ValidationResult) -> None:
        super().__init__(f"<{item.iri}> does not conform to the shapes")
        self.item = item
        self.result = result


@dataclass(slots=True)
class Item:
    """One news item to write: its IRI, its named graph and the triples that graph holds."""

    iri: str
    graph_iri: str
    graph: Graph = field(default_factory=Graph)

    @classmethod
    def of(cls, iri: str, base: str) -> Item:
        """Return an empty item for ``iri`` (which must be a news item IRI under ``base``)."""
        prefix = base + "id/news/"
        if not iri.startswith(prefix) or len(iri) == len(prefix) or "#" in iri:
            raise PublishingError(f"<{iri}> is not a news item IRI (expected {prefix}…)")
        return cls(iri, base + "graph/news/" + iri[len(prefix) :])


class StorePublished:
    """Answer the validation's questions from any :class:`Store`.

    The named graph ``replacing`` is left out, so an item's old version does not
    count when it is replaced. A store that offers a view of its quads (the
    embedded one: :meth:`~miglod.store.oxigraph.OxigraphStore.quads_view`,
    journaled writes included) is read through it by subject; any other is
    asked by SPARQL.
    """

    def __init__(self, store: Store, *, replacing: str | None = None) -> None:
        self.store = store
        self.replacing = replacing
        view = getattr(store, "quads_view", None)
        self._quads = (
            None
            if view is None
            else QuadsPublished(view(), replacing=URIRef(replacing) if replacing else None)
        )

    def describe(self, iris: Collection[URIRef]) -> Graph:
        """Return every published triple whose subject is one of ``iris``."""
        if self._quads is not None:
            return self._quads.describe(iris)
        out = Graph()
        ordered = sorted(str(i) for i in iris)
        skip = f"FILTER (?g != <{self.replacing}>)" if self.replacing else ""
        for start in range(0, len(ordered), _BATCH):
            values = " ".join(f"<{iri}>" for iri in ordered[start : start + _BATCH])
            found = self.store.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {skip} }}",
                timeout=30,
            )
            for s, p, o in found.rows:
                if s is not None and p is not None and o is not None:
                    out.add((s, p, o))
        return out

    def describe_triples(
        self, iris: Collection[URIRef], to_rdf: Callable[[Any], Node] | None = None
    ) -> Collection[tuple[Node, Node, Node]]:
        """Return the triples :meth:`describe` gives, converting terms with ``to_rdf`` (a cache)."""
        if self._quads is not None:
            return self._quads.describe_triples(iris, to_rdf)
        return set(self.describe(iris))


def parse_rdf(body: bytes, syntax: str, *, base: str, context: Mapping[str, Any]) -> Graph:
    """Return the graph a Turtle, N-Triples or JSON-LD body holds.

    JSON-LD may only refer to the dataset's own context (``BASE context.jsonld``),
    which is used from ``context`` and never fetched; any other remote context is refused.
    """
    graph = Graph()
    try:
        if syntax == "json-ld":
            document = _local_contexts(json.loads(body), base + "context.jsonld", context)
            graph.parse(data=json.dumps(document), format="json-ld", publicID=base)
        else:
            # pyoxigraph parses these strictly and several times faster than rdflib.
            fmt = ox.RdfFormat.TURTLE if syntax == "turtle" else ox.RdfFormat.N_TRIPLES
            for triple in ox.parse(body, format=fmt, base_iri=base):
                graph.add(
                    (
                        to_rdflib(triple.subject),
                        to_rdflib(triple.predicate),
                        to_rdflib(triple.object),
                    )
                )
    except PublishingError:
        raise
    except (ValueError, SyntaxError, UnicodeDecodeError) as exc:
        raise PublishingError(f"cannot read the {syntax} body: {_one_line(exc)}") from None
    except Exception as exc:  # rdflib's parsers raise assorted types on bad input
        raise PublishingError(f"cannot read the {syntax} body: {_one_line(exc)}") from None
    return graph


def convert_listing(
    body: bytes, enricher: Enricher, *, base: str, publisher: str, at: dt.datetime, name: str
) -> Graph:
    """Return the graph of news items in the plain-text listing shape (as ``miglod convert``)."""
    return convert_text(
        body,
        name,
        base=base,
        generated_at=at,
        publisher=publisher,
        input_format="listing",
        enricher=enricher,
    )


def split_items(graph: Graph, base: str, known: Collection[str] = ()) -> list[Item]:
    """Split a graph into one :class:`Item` per news item, in IRI order.

    An item takes the triples of its IRI, of its hash IRIs, and of the blank
    nodes and other resources only it links to (its event, say). Triples about
    resources the store already describes (``known``: countries, organisations…)
    are left out: those are maintained by the build.
    """
    prefix = base + "id/news/"
    iris = sorted(
        str(s)
        for s in graph.subjects(RDF.type, SDO.NewsArticle)
        if isinstance(s, URIRef) and str(s).startswith(prefix)
    )
    if not iris:
        raise PublishingError(f"no news item (a schema:NewsArticle under {prefix}) found")
    items = {iri: Item.of(iri, base) for iri in iris}
    owner: dict[Node, str] = {}
    for iri in iris:
        pending: list[Node] = [URIRef(iri)]
        while pending:
            node = pending.pop()
            if node in owner:
                continue
            owner[node] = iri
            for _, _, obj in graph.triples((node, None, None)):
                if obj in owner or str(obj) in known or str(obj) in items:
                    continue
                private = isinstance(obj, BNode) or str(obj).startswith(iri + "#")
                if private or (isinstance(obj, URIRef) and _only_linked_by(graph, obj, iri, owner)):
                    pending.append(obj)
    for s, p, o in graph:
        found = owner.get(s)
        if found is not None:
            items[found].graph.add((s, p, o))
    return [items[iri] for iri in iris]


def _only_linked_by(graph: Graph, node: URIRef, iri: str, owner: Mapping[Node, str]) -> bool:
    """Return whether ``node`` is described here and linked only from ``iri``'s nodes."""
    if (node, None, None) not in graph:
        return False
    return all(owner.get(s) == iri for s in graph.subjects(None, node))


def mark_modified(item: Item, at: dt.datetime) -> None:
    """Set the item's ``schema:dateModified`` to ``at``."""
    subject = URIRef(item.iri)
    item.graph.remove((subject, SDO.dateModified, None))
    stamp = at.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    item.graph.add((subject, SDO.dateModified, Literal(stamp, datatype=XSD.dateTime)))


def check(validator: Validator, store: Store, item: Item, *, replacing: bool) -> ValidationResult:
    """Validate ``item`` against the published data; raise :class:`NotConformingError` if bad."""
    published = StorePublished(store, replacing=item.graph_iri if replacing else None)
    result = validator.validate_update(item.graph, published)
    if not result.conforms:
        raise NotConformingError(item, result)
    return result


def write(
    store: Store,
    item: Item,
    *,
    agent: str,
    expect: str | bool | None = False,
    at: dt.datetime | None = None,
) -> list[Change]:
    """Replace the item's named graph with its triples (``expect``: the digest it must hold).

    ``expect=False`` writes whatever the graph holds; ``None`` requires it to hold nothing.
    """
    wanted = None if expect is False else {item.graph_iri: expect}
    return store.replace_graphs(
        {item.graph_iri: list(item.graph)},
        at=at,
        agent=agent,
        expect=wanted,  # type: ignore[arg-type]
    )


def known_subjects(store: Store, graph: Graph, base: str) -> set[str]:
    """Return the IRIs, among the objects in ``graph``, the store describes outside news items."""
    candidates = sorted(
        {str(o) for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(base)}
        - {str(s) for s in graph.subjects(RDF.type, SDO.NewsArticle)}
    )
    found: set[str] = set()
    news = base + "graph/news/"
    view = getattr(store, "quads_view", None)
    if view is not None:
        quads = view()
        for iri in candidates:
            for quad in quads.quads_for_pattern(ox.NamedNode(iri), None, None, None):
                name = quad.graph_name
                if not (isinstance(name, ox.NamedNode) and name.value.startswith(news)):
                    found.add(iri)
                    break
        return found
    for start in range(0, len(candidates), _BATCH):
        values = " ".join(f"<{iri}>" for iri in candidates[start : start + _BATCH])
        rows = store.query(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER (!STRSTARTS(STR(?g), "{news}")) }}',
            timeout=30,
        ).rows
        found.update(str(row[0]) for row in rows)
    return found


def _local_contexts(value: Any, own: str, context: Mapping[str, Any]) -> Any:
    """Replace references to our own context by its content; refuse any other remote one."""
    if isinstance(value, list):
        return [_local_contexts(v, own, context) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@context":
            out[key] = _context_value(item, own, context)
        else:
            out[key] = _local_contexts(item, own, context)
    return out


def _context_value(value: Any, own: str, context: Mapping[str, Any]) -> Any:
    if isinstance(value, list):
        return [_context_value(v, own, context) for v in value]
    if isinstance(value, str):
        if value in (own, "/context.jsonld"):
            return context["@context"]
        raise PublishingError(
            f"JSON-LD context {value!r} is not fetched: use {own} or an inline context"
        )
    return value


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def read_body(
    body: bytes,
    media_type: str,
    *,
    base: str,
    context: Mapping[str, Any],
    convert: Callable[[bytes], Graph],
) -> Graph:
    """Return the graph of a body: Turtle, N-Triples, JSON-LD, or a listing ``convert`` maps."""
    syntax = MEDIA_TYPES.get(media_type)
    if syntax is None:
        raise PublishingError(
            f"cannot read {media_type or 'a body without a type'}; send one of "
            + ", ".join(sorted(MEDIA_TYPES))
        )
    if syntax == "listing":
        return convert(body)
    return parse_rdf(body, syntax, base=base, context=context)


def items_in(store: Store, graph: Graph, base: str) -> list[Item]:
    """Return the news items of ``graph``, leaving out what the store describes already."""
    return split_items(graph, base, known_subjects(store, graph, base))


def read_file(
    path: Path, *, base: str, publisher: str, context: Mapping[str, Any], at: dt.datetime
) -> Graph:
    """Return the graph of a file of news items: RDF by its suffix, else a listing."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise PublishingError(f"{path}: cannot read: {exc.strerror}") from None
    syntax = FILE_SUFFIXES.get(path.suffix.lower())
    if syntax is None:
        return convert_listing(
            body, Enricher(), base=base, publisher=publisher, at=at, name=str(path)
        )
    try:
        return parse_rdf(body, syntax, base=base, context=context)
    except PublishingError as exc:
        raise PublishingError(f"{path}: {exc}") from None


def load(
    store: Store, items: list[Item], validator: Validator, *, agent: str, at: dt.datetime
) -> list[Change]:
    """Validate every item against the store, then write them all in one step.

    Items whose graph exists are replaced (and get ``schema:dateModified``).
    Nothing is written unless every item conforms.
    """
    for item in items:
        found = store.status(item.graph_iri)
        replacing = found is not None and not found.deleted
        if found is not None and found.deleted:
            raise PublishingError(f"<{item.iri}> was retracted; a retracted IRI is never reused")
        if replacing:
            mark_modified(item, at)
        check(validator, store, item, replacing=replacing)
    changes = store.replace_graphs(
        {item.graph_iri: list(item.graph) for item in items}, at=at, agent=agent
    )
    fold = getattr(store, "compact", None)
    if fold is not None:
        fold()  # the embedded store journals writes; fold them for queries and dumps
    return changes
