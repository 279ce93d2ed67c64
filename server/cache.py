"""Keep rendered representations in a bounded least-recently-used cache.

Keys start with the store's version, so a write makes every older entry
unreachable (they age out) and nothing is ever served stale; whole responses
(:class:`KeptResponse`) carry their version and what they were made from
instead, and are checked before use (see :mod:`server.http`). The cache is
bounded in bytes, which keeps a worker's memory independent of the dataset's
size.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from miglod.store.base import Position

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One representation, serialised once: its bytes, media type and entity tag."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Rendered:
        """Return a representation whose entity tag is a digest of its bytes."""
        return cls(body, media_type, hashlib.blake2b(body, digest_size=12).hexdigest())


class LruCache:
    """Map keys to values, dropping the least recently used past a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T], size: Callable[[T], int]) -> T:
        """Return the value cached under ``key``, making and keeping it when missing."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]  # type: ignore[return-value]
        value = make()
        cost = size(value)
        if cost > self.max_bytes:
            return value
        with self._lock:
            if key not in self._items:
                self._keep(key, value, cost)
        return value

    def get(self, key: Hashable) -> object | None:
        """Return the value cached under ``key`` (``None`` when missing)."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: object, cost: int) -> None:
        """Keep ``value`` under ``key``, unless it alone is larger than the budget."""
        if cost <= self.max_bytes:
            self.get_or_make(key, lambda: value, lambda _: cost)

    def replace(self, key: Hashable, value: object, cost: int) -> None:
        """Keep ``value`` under ``key`` in place of what is there (unless larger than the budget)."""
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._keep(key, value, cost)

    def _keep(self, key: Hashable, value: object, cost: int) -> None:
        """Add an entry, dropping the least recently used past the budget (lock held)."""
        self._items[key] = (value, cost)
        self._size += cost
        while self._size > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self._size -= dropped

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Return the bytes (as estimated) the cache holds."""
        return self._size


@dataclass(slots=True)
class KeptResponse:
    """A whole 200 response as it was sent: headers and body, and the data it was made from.

    ``version`` is the store's version it was made at; ``position`` (where the
    store tracks one) and ``resources`` (the keys of what the description was
    read from) let it outlive later changes that name none of those resources.
    ``position`` moves forward as the response is found still right.
    """

    headers: tuple[tuple[str, str], ...]
    body: bytes
    version: str
    position: Position | None = None
    resources: frozenset[int] | None = None
