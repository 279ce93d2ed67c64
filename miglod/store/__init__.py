"""The dataset's store: an interface and its embedded on-disk implementation.

Open a store with :func:`open_store`; load everything at once with
:func:`build_store`; write the downloadable dumps with :func:`write_dumps`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from miglod.store import layout
from miglod.store.base import (
    INBOUND_LIMIT,
    Change,
    ConflictError,
    Description,
    GraphStatus,
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
from miglod.store.remote_http import Endpoints

__all__ = [
    "INBOUND_LIMIT",
    "BulkInput",
    "Change",
    "ConflictError",
    "Description",
    "Dump",
    "GraphStatus",
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
    "open_remote",
    "open_store",
    "remote_endpoints",
    "write_dumps",
]


def open_store(
    where: str | os.PathLike[str] | Mapping[str, Any], *, read_only: bool = False
) -> Store:
    """Open the store the settings name, or the on-disk store at a path.

    ``where`` is a path or a mapping of settings (see :mod:`miglod.settings`):
    with ``sparql_query_url`` set, the store is the remote SPARQL 1.1 server it
    names (with ``sparql_update_url``, ``gsp_url``, ``store_user``,
    ``store_password``, ``store_timeout`` and ``base_iri``); otherwise the
    on-disk store in the directory ``store``.

    An on-disk store opened for writing is created (empty) when the directory
    holds none yet; a read-only opener needs one to exist. Any number of
    processes may open the same store, readers and writers alike: writers take
    turns, and readers see each write once it is complete (after
    :meth:`Store.refresh`).
    """
    if isinstance(where, Mapping):
        if where.get("sparql_query_url"):
            return open_remote(where, read_only=read_only)
        where = str(where["store"])
    root = Path(where)
    if not layout.is_store(root):
        if read_only:
            raise StoreNotFoundError(f"no store at {root}: build one first (`miglod build`)")
        create_empty(root)
    return OxigraphStore(root, read_only=read_only)


def open_remote(settings: Mapping[str, Any], *, read_only: bool = False) -> Store:
    """Open the remote store the settings name."""
    from miglod.store.remote import RemoteStore

    return RemoteStore(remote_endpoints(settings), str(settings["base_iri"]), read_only=read_only)


def remote_endpoints(settings: Mapping[str, Any]) -> Endpoints:
    """Return the endpoints and credentials of the remote store the settings name."""
    return Endpoints(
        query_url=str(settings["sparql_query_url"]),
        update_url=str(settings.get("sparql_update_url") or ""),
        gsp_url=str(settings.get("gsp_url") or ""),
        user=str(settings.get("store_user") or ""),
        password=str(settings.get("store_password") or ""),
        timeout=float(settings.get("store_timeout") or 60.0),
    )
