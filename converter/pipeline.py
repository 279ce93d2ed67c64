"""Run the whole conversion: items in, triples out, references described once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from rdflib import Graph, URIRef

from converter.enrich import Enricher
from converter.errors import ConverterError, ItemError
from converter.iris import Iris
from converter.mapping import MappedItem, MappingContext, Triple, map_item
from converter.readers import read_items
from converter.records import NewsItem
from converter.references import References
from ontology import load_ontology


def converter_version() -> str:
    """Return the installed version of miglod, the converter's version."""
    try:
        return version("miglod")
    except PackageNotFoundError:
        return "0.0.0"


@dataclass
class Converter:
    """Convert news items to RDF under one base IRI, publisher and generation time.

    Build it once: it loads the gazetteers and the vocabulary. Then feed it
    items with :meth:`convert` and, at the end, take :meth:`reference_triples`.
    """

    base: str
    publisher: str
    generated_at: dt.datetime
    version: str = field(default_factory=converter_version)
    enricher: Enricher = field(default_factory=Enricher)

    def __post_init__(self) -> None:
        self.iris = Iris(self.base)
        self.context = MappingContext(self.iris, self.publisher, self.generated_at, self.version)
        publisher = self.enricher.organization(self.publisher)
        if publisher is None:
            raise ConverterError(
                f"unknown publisher organisation {self.publisher!r}", field="publisher"
            )
        self.ontology = load_ontology(self.iris.base)
        self.references = References(
            self.iris, self.enricher.countries, self.ontology, self.enricher.organization
        )
        self._seen: dict[str, tuple[str, int]] = {}

    def convert_item(self, item: NewsItem) -> MappedItem:
        """Enrich and map one item, remembering what it links to."""
        found = self.enricher.enrich(item)
        mapped = map_item(item, found, self.context)
        previous = self._seen.get(mapped.id)
        if previous is not None:
            raise ItemError(
                f"duplicate item {mapped.id!r}: same date and headline as {previous[0]}:{previous[1]}",
                source=item.source.name,
                line=item.source.line,
                field="headline",
            )
        self._seen[mapped.id] = (item.source.name, item.source.line)
        known = {o.slug: o for o in found.organizations}
        orgs = [
            known.get(slug) or self.enricher.organization(slug) for slug in mapped.organizations
        ]
        missing = [
            slug for slug, org in zip(mapped.organizations, orgs, strict=True) if org is None
        ]
        if missing:
            raise ItemError(
                f"links to organisations nobody describes: {', '.join(missing)}",
                source=item.source.name,
                line=item.source.line,
            )
        self.references.add(mapped, [o for o in orgs if o is not None], found.places)
        return mapped

    def convert(self, items: Iterable[NewsItem]) -> Iterator[MappedItem]:
        """Convert each item in turn."""
        for item in items:
            yield self.convert_item(item)

    def reference_triples(self) -> Iterator[tuple[URIRef, Triple]]:
        """Yield ``(graph IRI, triple)`` describing everything converted items link to."""
        for name, triple in self.references.triples():
            yield self.iris.graph(name), triple


def convert_text(
    text: str | bytes,
    name: str,
    *,
    base: str,
    generated_at: dt.datetime,
    publisher: str = "iom",
    input_format: str | None = None,
) -> Graph:
    """Convert one input's text to a single rdflib graph (items plus references).

    Convenient for tests and small inputs; large inputs should stream through
    :class:`Converter` instead.
    """
    converter = Converter(base=base, publisher=publisher, generated_at=generated_at)
    graph = Graph()
    for entry in read_items(text, name, input_format=input_format):
        if isinstance(entry, ConverterError):
            raise entry
        for triple in converter.convert_item(entry).triples:
            graph.add(triple)
    for _, triple in converter.reference_triples():
        graph.add(triple)
    return graph
