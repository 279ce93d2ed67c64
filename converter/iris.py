"""Mint the project's IRIs: deterministic, readable and stable between runs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

DEFAULT_BASE_IRI = "https://w3id.org/miglod/"
_HASH_LENGTH = 6
SLUG_MAX_LENGTH = 80

# Every byte but a-z and 0-9 becomes a space.
_NOT_A_WORD = bytes(c if 0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A else 0x20 for c in range(256))


def slugify(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    """Return a lower-case ASCII slug of ``text`` (accents folded, words joined by '-').

    A slug longer than ``max_length`` is cut at a word boundary and ends in a
    short hash of the whole slug, so that two long texts sharing their first
    words still get different slugs, and the same text always the same one.
    """
    if text.isascii():
        ascii_bytes = text.encode("ascii").lower()  # NFKD leaves ASCII as it is
    else:
        folded = unicodedata.normalize("NFKD", text)
        ascii_bytes = folded.encode("ascii", "ignore").lower()
    # The words are the runs of a-z and 0-9: every other byte made a space, split on spaces.
    slug = b"-".join(ascii_bytes.translate(_NOT_A_WORD).split()).decode("ascii")
    if len(slug) > max_length:
        digest = hashlib.sha1(slug.encode("ascii")).hexdigest()[:_HASH_LENGTH]
        head = slug[: max_length - _HASH_LENGTH - 1].rsplit("-", 1)[0]
        slug = f"{head}-{digest}"
    return slug or "item"


def normalize_base(base: str) -> str:
    """Return ``base`` with exactly one trailing slash; reject what is not an http(s) IRI."""
    if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", base):
        raise ValueError(f"base IRI must be an absolute http(s) IRI, got {base!r}")
    return base.rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class Iris:
    """Build every IRI the project mints under one base."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalize_base(self.base))

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def news(self, item_id: str) -> URIRef:
        """Return the IRI of a news item."""
        return self._iri(f"id/news/{item_id}")

    def news_graph(self, item_id: str) -> URIRef:
        """Return the IRI of the named graph that holds one news item."""
        return self._iri(f"graph/news/{item_id}")

    def event(self, event_id: str) -> URIRef:
        """Return the IRI of an event."""
        return self._iri(f"id/event/{event_id}")

    def organization(self, slug: str) -> URIRef:
        """Return the IRI of an organisation."""
        return self._iri(f"id/organization/{slug}")

    def country(self, alpha2: str) -> URIRef:
        """Return the IRI of a country from its ISO 3166-1 alpha-2 code."""
        return self._iri(f"id/country/{alpha2.upper()}")

    def place(self, slug: str) -> URIRef:
        """Return the IRI of a place below country level."""
        return self._iri(f"id/place/{slug}")

    def person(self, slug: str) -> URIRef:
        """Return the IRI of a person."""
        return self._iri(f"id/person/{slug}")

    def concept(self, path: str) -> URIRef:
        """Return the IRI of a concept, e.g. ``theme/health`` or ``gcm/objective-10``."""
        return self._iri(f"def/{path}")

    def theme(self, slug: str) -> URIRef:
        """Return the IRI of a theme concept."""
        return self._iri(f"def/theme/{slug}")

    def term(self, name: str) -> URIRef:
        """Return the IRI of a term of the mig: vocabulary."""
        return self._iri(f"def/mig/{name}")

    def graph(self, name: str) -> URIRef:
        """Return the IRI of a reference graph (``ontology``, ``countries``, ...)."""
        return self._iri(f"graph/{name}")

    @property
    def mig(self) -> str:
        """Return the namespace of the mig: vocabulary."""
        return self.base + "def/mig/"

    @property
    def dataset(self) -> URIRef:
        """Return the IRI of the dataset description."""
        return self._iri("dataset")


def item_id(date_iso: str, headline: str) -> str:
    """Return the local id of a news item: its date and the slug of its headline."""
    return f"{date_iso}-{slugify(headline)}"
