"""Shared helpers of the write tests: items to send and a dump to compare stores by."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from miglod.store import layout
from tests.conftest import BASE, FIXTURES

LABOUR = "2021-09-14-iom-and-ilo-lead-global-conversation-on-labour-migration-in-the-age"
TOKENS = "alice=s3cret-alice,bob=s3cret-bob"


def item_turtle(new_id: str, *, headline: str = "Nueva noticia", date: str = "2021-09-14") -> bytes:
    """Return a valid news item, made from a fixture, under ``new_id``."""
    text = (FIXTURES / "news-labour.ttl").read_text(encoding="utf-8")
    text = text.replace(LABOUR, new_id).replace('"2021-09-14"', f'"{date}"')
    start = text.index("schema:headline")
    end = text.index(";", start)
    text = text[:start] + f'schema:headline "{headline}"@es ' + text[end:]
    return text.encode("utf-8")


def invalid_turtle(new_id: str) -> bytes:
    """Return a news item whose publication date is not a date."""
    return item_turtle(new_id).replace(b'"2021-09-14"^^xsd:date', b'"someday"')


def nquads(store: Path) -> bytes:
    """Return every quad of the store's current generation, sorted, as N-Quads."""
    directory = layout.generation_dir(store, layout.current_name(store)) / layout.RDF_DIR
    reader = ox.Store.read_only(str(directory))
    lines = (ox.serialize(reader, format=ox.RdfFormat.N_QUADS) or b"").splitlines()
    return b"\n".join(sorted(lines))


def news_iri(item_id: str) -> str:
    """Return the IRI of a news item."""
    return BASE + "id/news/" + item_id
