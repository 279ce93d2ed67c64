"""Run the whole conversion: items in, triples out, references described once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar

from rdflib import Graph, URIRef

from converter.enrich import Enricher
from converter.errors import ConverterError, ItemError
from converter.iris import Iris
from converter.mapping import MappedItem, MappingContext, Triple, map_item
from converter.readers import read_items
from converter.records import Enrichment, NewsItem, Organization
from converter.references import References
from ontology import load_ontology

BATCH_SIZE = 256  # items enriched together (see Enricher.enrich_many)
_LINE_BITS = 40
_LINE_MASK = (1 << _LINE_BITS) - 1
E = TypeVar("E")


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
    With ``ntriples``, the items come mapped to N-Triples text (for a writer of
    N-Triples or N-Quads: see :meth:`~converter.ntriples.LineWriter.item`).
    """

    base: str
    publisher: str
    generated_at: dt.datetime
    version: str = field(default_factory=converter_version)
    enricher: Enricher = field(default_factory=Enricher)
    ntriples: bool = False  # map items to N-Triples text (MappedItem.lines), not rdflib terms

    def __post_init__(self) -> None:
        self.iris = Iris(self.base)
        self.context = MappingContext(
            self.iris, self.publisher, self.generated_at, self.version, self.ntriples
        )
        publisher = self.enricher.organization(self.publisher)
        if publisher is None:
            raise ConverterError(
                f"unknown publisher organisation {self.publisher!r}", field="publisher"
            )
        self.ontology = load_ontology(self.iris.base)
        self.references = References(
            self.iris, self.enricher.countries, self.ontology, self.enricher.organization
        )
        self._seen = SeenItems()

    def convert_item(self, item: NewsItem) -> MappedItem:
        """Enrich and map one item, remembering what it links to."""
        return self.convert_enriched(item, self.enricher.enrich(item))

    def enriched(self, entries: Iterable[E]) -> Iterator[tuple[E, Enrichment | None]]:
        """Yield each entry with its enrichment (None for an entry that is not an item).

        The items are enriched in batches of :data:`BATCH_SIZE` (see
        :meth:`~converter.enrich.Enricher.enrich_many`), in constant memory.
        Whatever reading ``entries`` raises is raised after the entries read
        before it have been yielded, as if they had been enriched one by one.
        """
        pending = iter(entries)
        while True:
            batch: list[E] = []
            try:
                for entry in pending:
                    batch.append(entry)
                    if len(batch) >= BATCH_SIZE:
                        break
            except Exception:
                yield from self._enrich_batch(batch)
                raise
            if not batch:
                return
            yield from self._enrich_batch(batch)

    def _enrich_batch(self, batch: list[E]) -> Iterator[tuple[E, Enrichment | None]]:
        items = [entry for entry in batch if isinstance(entry, NewsItem)]
        try:
            found = iter(self.enricher.enrich_many(items))
        except Exception:
            # Fail where enriching the items one by one fails, after the items before.
            for entry in batch:
                yield entry, self.enricher.enrich(entry) if isinstance(entry, NewsItem) else None
            return
        for entry in batch:
            yield entry, next(found) if isinstance(entry, NewsItem) else None

    def convert_enriched(self, item: NewsItem, found: Enrichment) -> MappedItem:
        """Map one item enriched already, remembering what it links to."""
        mapped = map_item(item, found, self.context)
        previous = self._seen.add(mapped.id, item.source.name, item.source.line)
        if previous is not None:
            raise ItemError(
                f"duplicate item {mapped.id!r}: same date and headline as {previous[0]}:{previous[1]}",
                source=item.source.name,
                line=item.source.line,
                field="headline",
            )
        known = {o.slug: o for o in found.organizations}
        orgs: list[Organization] = []
        missing: list[str] = []
        for slug in mapped.organizations:
            org = known.get(slug) or self.enricher.organization(slug)
            if org is None:
                missing.append(slug)
            else:
                orgs.append(org)
        if missing:
            raise ItemError(
                f"links to organisations nobody describes: {', '.join(missing)}",
                source=item.source.name,
                line=item.source.line,
            )
        self.references.add(mapped, orgs, found.places)
        return mapped

    def convert(self, items: Iterable[NewsItem]) -> Iterator[MappedItem]:
        """Convert each item in turn (enriching them in batches)."""
        for item, found in self.enriched(items):
            assert found is not None
            yield self.convert_enriched(item, found)

    def reference_triples(self) -> Iterator[tuple[URIRef, Triple]]:
        """Yield ``(graph IRI, triple)`` describing everything converted items link to."""
        for name, triple in self.references.triples():
            yield self.iris.graph(name), triple


class SeenItems:
    """Remember where each item id was first seen, in about a hundred bytes an item.

    An id is kept as a 128-bit digest (two different ids share one with a
    chance of about 10**-29 in a million items) and its place as one integer,
    so that memory grows as little as it can with the number of items.
    """

    __slots__ = ("_names", "_sources", "_where")

    def __init__(self) -> None:
        self._where: dict[int, int] = {}  # digest -> source number << 40 | line
        self._sources: dict[str, int] = {}
        self._names: list[str] = []

    def __len__(self) -> int:
        return len(self._where)

    def add(self, item_id: str, source: str, line: int) -> tuple[str, int] | None:
        """Remember ``item_id`` at ``source:line``; return where it was seen before, if it was."""
        digest = hashlib.blake2b(item_id.encode("utf-8"), digest_size=16).digest()
        key = int.from_bytes(digest, "big")
        previous = self._where.get(key)
        if previous is not None:
            return self._names[previous >> _LINE_BITS], previous & _LINE_MASK
        number = self._sources.get(source)
        if number is None:
            number = self._sources[source] = len(self._names)
            self._names.append(source)
        self._where[key] = number << _LINE_BITS | line
        return None


def convert_text(
    text: str | bytes,
    name: str,
    *,
    base: str,
    generated_at: dt.datetime,
    publisher: str = "iom",
    input_format: str | None = None,
    enricher: Enricher | None = None,
) -> Graph:
    """Convert one input's text to a single rdflib graph (items plus references).

    Convenient for tests and small inputs; large inputs should stream through
    :class:`Converter` instead. Pass an ``enricher`` built once to reuse its indexes.
    """
    converter = Converter(
        base=base,
        publisher=publisher,
        generated_at=generated_at,
        enricher=enricher if enricher is not None else Enricher(),
    )
    graph = Graph()
    for entry, found in converter.enriched(read_items(text, name, input_format=input_format)):
        if isinstance(entry, ConverterError):
            raise entry
        assert found is not None
        for triple in converter.convert_enriched(entry, found).triples:
            graph.add(triple)
    for _, triple in converter.reference_triples():
        graph.add(triple)
    return graph
