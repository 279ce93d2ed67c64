"""Dumps of the whole dataset."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

from miglod.store import Store, write_dumps
from miglod.store.dumps import read_manifest


def test_dumps_hold_the_whole_dataset(store: Store, tmp_path: Path) -> None:
    dumps = write_dumps(store, tmp_path)
    assert {d.name for d in dumps} == {
        "miglod.ttl",
        "miglod.nt.gz",
        "miglod.nq.gz",
        "miglod.jsonld",
    }
    union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    exact = Graph()
    for triple in union.triples:
        exact.add(triple)
    # Parse what the store holds the way the dumps are parsed (rdflib normalises literals).
    expected = Graph().parse(data=exact.serialize(format="nt"), format="nt")
    turtle = Graph().parse(tmp_path / "miglod.ttl", format="turtle")
    ntriples = Graph().parse(
        data=gzip.decompress((tmp_path / "miglod.nt.gz").read_bytes()), format="nt"
    )
    assert isomorphic(turtle, expected)
    assert isomorphic(ntriples, expected)
    nquads = gzip.decompress((tmp_path / "miglod.nq.gz").read_bytes()).decode()
    graphs = {line.rsplit(" ", 2)[-2] for line in nquads.splitlines() if line}
    assert len(graphs) == 8  # four news items and four reference graphs
    dataset = ox.Store()
    dataset.load(path=str(tmp_path / "miglod.jsonld"), format=ox.RdfFormat.JSON_LD)
    assert len(dataset) == len(nquads.splitlines())


def test_manifest_lists_sizes_and_checksums(store: Store, tmp_path: Path) -> None:
    write_dumps(store, tmp_path)
    manifest = read_manifest(tmp_path)
    assert json.loads((tmp_path / "dumps.json").read_text())[0]["version"] == store.version
    for dump in manifest:
        data = (tmp_path / dump.name).read_bytes()
        assert dump.size == len(data)
        assert dump.sha256 == hashlib.sha256(data).hexdigest()


def test_dumps_of_the_same_data_are_byte_identical(store: Store, tmp_path: Path) -> None:
    first = {d.name: d.sha256 for d in write_dumps(store, tmp_path / "a")}
    second = {d.name: d.sha256 for d in write_dumps(store, tmp_path / "b")}
    assert first == second
