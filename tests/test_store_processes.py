"""Readers and writers in different processes share one store safely."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from miglod.store import open_store
from tests.conftest import BASE

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import sys
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, SDO
    from miglod.store import open_store

    store = open_store(sys.argv[1])
    for n in range(int(sys.argv[2])):
        g = Graph()
        s = URIRef("%(base)sid/news/written-" + str(n))
        g.add((s, RDF.type, SDO.NewsArticle))
        g.add((s, SDO.headline, Literal("Written " + str(n))))
        store.replace_graphs({"%(base)sgraph/news/written-" + str(n): g})
    """
) % {"base": BASE}


def run_writers(store_path: Path, count: int, writers: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen([sys.executable, "-c", WRITER, str(store_path), str(count)], env=env)
        for _ in range(writers)
    ]


def test_readers_keep_answering_while_other_processes_write(store_path: Path) -> None:
    reader = open_store(store_path, read_only=True)
    processes = run_writers(store_path, 6, 2)
    seen_versions = [reader.version]
    seen_generations = [reader.generation.name]
    deadline = time.monotonic() + 60
    while any(p.poll() is None for p in processes) and time.monotonic() < deadline:
        reader.refresh()
        if reader.version != seen_versions[-1]:
            seen_versions.append(reader.version)
        if reader.generation.name != seen_generations[-1]:
            seen_generations.append(reader.generation.name)
        assert reader.query("ASK { ?s a <https://schema.org/Country> }").boolean is True
        assert reader.describe(BASE + "id/country/SR")
    assert [p.wait(timeout=60) for p in processes] == [0, 0]
    assert seen_generations == sorted(seen_generations)  # generations only move forward
    assert len(set(seen_versions)) == len(seen_versions)  # and no version comes back
    reader.refresh()
    assert reader.describe(BASE + "id/news/written-5")  # journaled writes are read at once
    open_store(store_path).compact()  # queries see them once folded into a generation
    reader.refresh()
    written = reader.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/NewsArticle> ; "
        "<https://schema.org/headline> ?h FILTER(STRSTARTS(?h, 'Written')) }"
    )
    assert int(written.rows[0][0]) == 6  # both writers wrote the same six graphs
    changes = [c for c in reader.changes() if "written-" in c.graph]
    assert len(changes) == 6
