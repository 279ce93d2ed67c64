"""Turn a description into what an HTML page shows, in the reader's language.

Nothing here knows about Flask: :class:`PageBuilder` takes the description, the
base IRI, the path the site is mounted at and a language, and returns plain
records that the templates lay out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from miglod.store import Description
from server.graphview import GraphView
from server.i18n import SCHEMA, format_date, group_name, property_name, type_name

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
S = {
    name: URIRef(SCHEMA + name)
    for name in (
        "headline",
        "datePublished",
        "dateline",
        "inLanguage",
        "abstract",
        "articleBody",
        "url",
        "about",
        "mentions",
        "publisher",
        "locationCreated",
    )
}
MIG_LINKS = ("theme", "framework", "describesEvent")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
PROV_TIME = URIRef("http://www.w3.org/ns/prov#generatedAtTime")
#: The /news filter that lists the news linking to a resource of each kind.
_FILTER_OF = {"country": "country", "organization": "organization", "theme": "theme"}
GROUP_ORDER = (
    "country",
    "organization",
    "place",
    "person",
    "event",
    "theme",
    "framework",
    "news",
    "other",
)
_KINDS = {
    "id/news/": "news",
    "id/country/": "country",
    "id/organization/": "organization",
    "id/place/": "place",
    "id/person/": "person",
    "id/event/": "event",
    "def/theme/": "theme",
    "def/framework/": "framework",
}


@dataclass(frozen=True, slots=True)
class Value:
    """One value shown on a page: text, and a link when it names a resource."""

    text: str
    href: str | None = None
    lang: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """A property and its values."""

    predicate: str
    name: str
    values: list[Value]


@dataclass(frozen=True, slots=True)
class Group:
    """Linked resources of one kind."""

    key: str
    name: str
    values: list[Value]


@dataclass(slots=True)
class Page:
    """Everything a resource page shows."""

    iri: str
    kind: str
    title: str
    title_lang: str | None
    types: list[str]
    linked: list[Group] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    inbound_news: list[Value] = field(default_factory=list)
    inbound: list[Group] = field(default_factory=list)
    inbound_total: int = 0
    article: dict[str, object] = field(default_factory=dict)
    news_href: str | None = None


class PageBuilder:
    """Build pages under one base IRI for a site mounted at ``root`` (e.g. ``''``)."""

    def __init__(self, base: str, root: str = "") -> None:
        self.base = base
        self.root = root

    def kind(self, iri: str) -> str:
        """Return the kind of resource an IRI names, from its path."""
        path = iri[len(self.base) :] if iri.startswith(self.base) else ""
        return next((k for prefix, k in _KINDS.items() if path.startswith(prefix)), "other")

    def href(self, iri: str) -> str | None:
        """Return where a page links for ``iri``: our documents locally, other web IRIs as they are.

        IRIs of other schemes (``javascript:``, ``urn:``) get no link at all.
        """
        if not iri.startswith(self.base):
            return iri if iri.startswith(("http://", "https://")) else None
        path = iri[len(self.base) :]
        if path.startswith("id/"):
            return f"{self.root}/doc/{path[3:]}"
        return f"{self.root}/{path}"

    def build(self, description: Description, language: str) -> Page:
        """Return the page of a (non-empty) description in ``language``."""
        view = GraphView(description, language, self.base)
        root = URIRef(description.iri)
        title, title_lang = view.label(root)
        page = Page(
            iri=description.iri,
            kind=self.kind(description.iri),
            title=title,
            title_lang=title_lang,
            types=[
                type_name(str(t), language) for t in sorted(map(str, view.objects(root, RDF_TYPE)))
            ],
            inbound_total=description.inbound_total,
        )
        if page.kind == "news":
            page.article = self._article(view, root, language)
            page.linked = self._linked(view, root, language)
        page.rows = self._rows(view, root, language)
        self._inbound(view, root, page, language)
        if page.inbound_news and page.kind in _FILTER_OF:
            key = description.iri.rstrip("/").rsplit("/", 1)[-1]
            page.news_href = f"{self.root}/news?{_FILTER_OF[page.kind]}={quote(key)}"
        return page

    def value(self, view: GraphView, node: Node, language: str) -> Value:
        """Return how one object of a triple is shown."""
        if isinstance(node, Literal):
            if node.datatype is not None and str(node.datatype).endswith(("#date", "#dateTime")):
                return Value(format_date(str(node), language))
            return Value(str(node), lang=node.language)
        if isinstance(node, BNode) or (
            str(node).startswith(view.root + "#") and view.predicates(node)
        ):
            return Value(self._summary(view, node, language))
        text, lang = view.label(node)
        return Value(text, href=self.href(str(node)), lang=lang)

    def _summary(self, view: GraphView, node: Node, language: str) -> str:
        """Return a part of the resource (``…#source``, a blank node) as one line of text."""
        parts = []
        for predicate in sorted(view.predicates(node), key=str):
            if predicate == RDF_TYPE:
                continue
            shown = ", ".join(
                self.value(view, o, language).text
                for o in view.objects(node, predicate)
                if not (isinstance(o, URIRef | BNode) and o in view.ancestors)
            )
            if shown:
                parts.append(f"{property_name(str(predicate), language)}: {shown}")
        return " · ".join(parts)

    def _article(self, view: GraphView, root: URIRef, language: str) -> dict[str, object]:
        body = view.first(root, S["articleBody"])
        source = view.first(root, PROV_DERIVED)
        line = None
        name = None
        if isinstance(source, URIRef | BNode):
            name = view.first(source, URIRef(SCHEMA + "name"))
            line = view.first(source, URIRef(self.base + "def/mig/sourceLine"))
        date = view.first(root, S["datePublished"])
        generated = view.first(root, PROV_TIME)
        return {
            "date": format_date(str(date), language) if date is not None else "",
            "date_iso": str(date or ""),
            "dateline": str(view.first(root, S["dateline"]) or ""),
            "language": str(view.first(root, S["inLanguage"]) or ""),
            "abstract": str(view.first(root, S["abstract"]) or ""),
            "paragraphs": [p.strip() for p in str(body or "").split("\n\n") if p.strip()],
            "url": self.href(str(view.first(root, S["url"]) or "")) or "",
            "source": str(name or ""),
            "line": str(line or ""),
            "generated": format_date(str(generated), language) if generated is not None else "",
        }

    def _linked(self, view: GraphView, root: URIRef, language: str) -> list[Group]:
        main = set(view.objects(root, S["about"]))
        predicates = [S["about"], S["mentions"], S["publisher"], S["locationCreated"]]
        predicates += [URIRef(self.base + "def/mig/" + name) for name in MIG_LINKS]
        found: dict[str, dict[str, Value]] = defaultdict(dict)
        for predicate in predicates:
            for obj in view.objects(root, predicate):
                if isinstance(obj, URIRef) and str(obj) not in found[self.kind(str(obj))]:
                    shown = self.value(view, obj, language)
                    if obj in main:
                        shown = Value(shown.text, shown.href, shown.lang, note="main")
                    found[self.kind(str(obj))][str(obj)] = shown
        return [
            Group(
                key, group_name(key, language), sorted(found[key].values(), key=_by_main_then_text)
            )
            for key in GROUP_ORDER
            if found.get(key)
        ]

    def _rows(self, view: GraphView, root: URIRef, language: str) -> list[Row]:
        rows = []
        for predicate in sorted(view.predicates(root), key=str):
            if predicate == RDF_TYPE:
                continue
            values = sorted(
                (self.value(view, o, language) for o in view.objects(root, predicate)),
                key=lambda v: (v.lang or "", v.text),
            )
            rows.append(Row(str(predicate), property_name(str(predicate), language), values))
        rows.sort(key=lambda r: r.name.lower())
        return rows

    def _inbound(self, view: GraphView, root: URIRef, page: Page, language: str) -> None:
        groups: dict[str, dict[str, Value]] = defaultdict(dict)
        linked = {o for p in view.predicates(root) for o in view.objects(root, p)}
        for subject in view.subjects_linking_to(root):
            if not isinstance(subject, URIRef) or subject in linked:
                continue
            kind = self.kind(str(subject))
            shown = self.value(view, subject, language)
            date = view.first(subject, S["datePublished"])
            if kind == "news":
                page.inbound_news.append(
                    Value(shown.text, shown.href, shown.lang, note=str(date or ""))
                )
            else:
                groups[kind][str(subject)] = shown
        page.inbound_news.sort(key=lambda v: (v.note, v.text), reverse=True)
        page.inbound_news = [
            Value(v.text, v.href, v.lang, note=format_date(v.note, language) if v.note else "")
            for v in page.inbound_news
        ]
        page.inbound = [
            Group(
                key, group_name(key, language), sorted(groups[key].values(), key=lambda v: v.text)
            )
            for key in GROUP_ORDER
            if groups.get(key)
        ]


def _by_main_then_text(value: Value) -> tuple[bool, str]:
    return (value.note != "main", value.text.lower())
