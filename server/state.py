"""What the app keeps for its lifetime, stored in ``app.extensions["miglod"]``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from miglod.store import Description, Store
from server.cache import LruCache
from server.jsonld import JsonLdWriter

#: Bytes a cached description is assumed to take per triple.
TRIPLE_COST = 300


@dataclass(slots=True)
class State:
    """The settings, the store opened once, and the caches of one app."""

    settings: dict[str, Any]
    store: Store
    base: str
    jsonld: JsonLdWriter
    cache: LruCache

    @classmethod
    def create(cls, settings: dict[str, Any], store: Store) -> State:
        """Return the state for ``settings`` reading from ``store``."""
        base = str(settings["base_iri"])
        cache = LruCache(int(settings["cache_mb"]) * 1024 * 1024)
        return cls(settings, store, base, JsonLdWriter(base), cache)

    def describe(self, iri: str, make: Callable[[], Description] | None = None) -> Description:
        """Return the description of ``iri``, computed once per store version.

        ``make`` computes it when the store does not hold it (the dataset's own
        description, say).
        """
        found = self.cache.get_or_make(
            (self.store.version, "describe", iri),
            make or (lambda: self.store.describe(iri)),
            lambda d: 200 + TRIPLE_COST * len(d.triples),
        )
        return found


def state() -> State:
    """Return the state of the app handling the current request."""
    found = current_app.extensions["miglod"]
    assert isinstance(found, State)
    return found
