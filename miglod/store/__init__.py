"""The dataset's store: an interface and its embedded on-disk implementation.

Open a store with :func:`open_store`; load everything at once with
:func:`build_store`; write the downloadable dumps with :func:`write_dumps`.
"""

from __future__ import annotations

import os
from pathlib import Path

from miglod.store import layout
from miglod.store.base import (
    INBOUND_LIMIT,
    Change,
    Description,
    Listing,
    QueryError,
    QueryResult,
    QueryTimeoutError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    StoreNotFoundError,
    Triple,
)
from miglod.store.bulk import BulkInput, build_store, create_empty
from miglod.store.dumps import Dump, write_dumps
from miglod.store.oxigraph import OxigraphStore

__all__ = [
    "INBOUND_LIMIT",
    "BulkInput",
    "Change",
    "Description",
    "Dump",
    "Listing",
    "OxigraphStore",
    "QueryError",
    "QueryResult",
    "QueryTimeoutError",
    "ReadOnlyStoreError",
    "Store",
    "StoreError",
    "StoreNotFoundError",
    "Triple",
    "build_store",
    "open_store",
    "write_dumps",
]


def open_store(path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """Open the on-disk store at ``path``.

    A store opened for writing is created (empty) when ``path`` holds none yet;
    a read-only opener needs one to exist. Any number of processes may open the
    same store, readers and writers alike: writers take turns, and readers see
    each write once it is complete (after :meth:`Store.refresh`).
    """
    root = Path(path)
    if not layout.is_store(root):
        if read_only:
            raise StoreNotFoundError(f"no store at {root}: build one first (`miglod build`)")
        create_empty(root)
    return OxigraphStore(root, read_only=read_only)
