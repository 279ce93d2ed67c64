"""Write the downloadable dumps of the whole dataset and a manifest describing them.

The dumps are Turtle and gzipped N-Triples of the union of all graphs (what most
users want), gzipped N-Quads keeping the named graphs, and JSON-LD. Each file is
written under a temporary name and renamed into place, and ``dumps.json`` lists
every file with its size, SHA-256 checksum and the store version it came from.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from miglod.store.base import Store, StoreError
from miglod.store.oxigraph import OxigraphStore
from miglod.store.remote import RemoteStore
from miglod.store.remote_load import dump_remote

MANIFEST = "dumps.json"
#: Fast compression: dumps are rewritten on every build, and level 3 is within a few
#: per cent of level 6 on N-Triples at a third of the time.
GZIP_LEVEL = 3
PREFIXES = {
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


@dataclass(frozen=True, slots=True)
class Dump:
    """One dump file."""

    name: str
    media_type: str
    encoding: str | None
    size: int
    sha256: str
    version: str


def write_dumps(store: Store, directory: str | os.PathLike[str]) -> list[Dump]:
    """Write every dump of ``store`` into ``directory`` and return what was written.

    The store is read once, into N-Quads (reading an on-disk store is the slow
    part); the other dumps are made by re-reading that file.
    """
    if not isinstance(store, OxigraphStore | RemoteStore):
        raise StoreError("dumps are written from the embedded or a remote store")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    version = store.version
    quads = target / ".dataset.nq.tmp"
    if isinstance(store, RemoteStore):
        dump_remote(store, quads)
    else:
        store.generation.rdf.dump(output=str(quads), format=ox.RdfFormat.N_QUADS)

    def parsed() -> Iterator[ox.Quad]:
        return ox.parse(path=str(quads), format=ox.RdfFormat.N_QUADS)

    def copy(out: IO[bytes]) -> None:
        with open(quads, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)

    def union(fmt: ox.RdfFormat) -> Callable[[IO[bytes]], None]:
        def write(out: IO[bytes]) -> None:
            ox.serialize((q.triple for q in parsed()), output=out, format=fmt, prefixes=PREFIXES)

        return write

    def dataset(out: IO[bytes]) -> None:
        ox.serialize(parsed(), output=out, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES)

    plan: list[tuple[str, str, str | None, Callable[[IO[bytes]], None]]] = [
        ("miglod.ttl", "text/turtle", None, union(ox.RdfFormat.TURTLE)),
        ("miglod.nt.gz", "application/n-triples", "gzip", union(ox.RdfFormat.N_TRIPLES)),
        ("miglod.nq.gz", "application/n-quads", "gzip", copy),
        ("miglod.jsonld", "application/ld+json", None, dataset),
    ]
    try:
        dumps = [
            _write(target, name, media, enc, writer, version) for name, media, enc, writer in plan
        ]
    finally:
        quads.unlink(missing_ok=True)
    manifest = target / MANIFEST
    tmp = manifest.with_suffix(".json.tmp")
    tmp.write_text(json.dumps([asdict(d) for d in dumps], indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, manifest)
    return dumps


def read_manifest(directory: str | os.PathLike[str]) -> list[Dump]:
    """Return the dumps listed in a directory's manifest (none when it has none)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return []
    return [Dump(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


def _write(
    target: Path,
    name: str,
    media_type: str,
    encoding: str | None,
    writer: Callable[[IO[bytes]], None],
    version: str,
) -> Dump:
    final = target / name
    tmp = target / (name + ".tmp")
    with open(tmp, "wb") as raw:
        if encoding == "gzip":
            # mtime=0 keeps the bytes (and so the checksum) the same for the same data.
            with gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL
            ) as gz:
                writer(gz)  # type: ignore[arg-type]
        else:
            writer(raw)
    digest = hashlib.sha256()
    with open(tmp, "rb") as done:
        for block in iter(lambda: done.read(1 << 20), b""):
            digest.update(block)
    os.replace(tmp, final)
    return Dump(name, media_type, encoding, final.stat().st_size, digest.hexdigest(), version)
