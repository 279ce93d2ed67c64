"""The embedded store journals writes: read at once, folded into generations later."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SDO, XSD

from miglod.store import OxigraphStore, build_store, open_store
from miglod.store.overlay import Merged, Overlay
from miglod.store.terms import to_rdflib
from tests.conftest import BASE, fixture_inputs

GRAPH = BASE + "graph/news/2030-01-01-journaled"
ITEM = URIRef(BASE + "id/news/2030-01-01-journaled")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://schema.org/headline> ?h }"


def item(headline: str) -> Graph:
    g = Graph()
    g.add((ITEM, RDF.type, SDO.NewsArticle))
    g.add((ITEM, SDO.headline, Literal(headline, lang="en")))
    g.add((ITEM, SDO.about, URIRef(BASE + "id/country/SR")))
    return g


def headlines(store: OxigraphStore) -> int:
    return int(store.query(COUNT).rows[0][0])  # type: ignore[arg-type]


def test_writes_are_read_at_once_and_queried_once_folded(store_path: Path) -> None:
    writer = open_store(store_path)
    reader = open_store(store_path, read_only=True)
    assert isinstance(writer, OxigraphStore) and isinstance(reader, OxigraphStore)
    generation, counted = reader.generation.name, headlines(reader)
    versions = {reader.version}
    for n in range(3):
        writer.replace_graphs({GRAPH: item(f"Version {n}")})
        reader.refresh()
        versions.add(reader.version)
    assert len(versions) == 4  # every write is a new version for caches
    assert reader.generation.name == generation  # but no new generation yet
    assert (ITEM, SDO.headline, Literal("Version 2", lang="en")) in reader.describe(
        str(ITEM)
    ).triples
    sr = reader.describe(BASE + "id/country/SR")
    assert (ITEM, SDO.about, URIRef(BASE + "id/country/SR")) in sr.triples
    assert reader.latest(linked_to=[BASE + "id/country/SR"]).total >= 1
    assert headlines(reader) == counted  # queries read generations only
    assert writer.pending() == 3
    assert writer.compact()
    reader.refresh()
    assert reader.generation.name > generation and writer.pending() == 0
    assert headlines(reader) == counted + 1
    assert [c.after for c in reader.history(GRAPH)][-1] == reader.status(GRAPH).digest  # type: ignore[union-attr]
    assert not writer.compact()  # nothing left to fold


def test_a_restart_serves_journaled_writes(store_path: Path) -> None:
    writer = open_store(store_path)
    writer.replace_graphs({GRAPH: item("Kept")})
    writer.close()
    again = open_store(store_path, read_only=True)
    assert (ITEM, SDO.headline, Literal("Kept", lang="en")) in again.describe(str(ITEM)).triples


def test_a_build_after_journaled_writes_records_their_removal(store_path: Path) -> None:
    open_store(store_path).replace_graphs({GRAPH: item("Written, then rebuilt away")})
    changes = build_store(store_path, fixture_inputs())
    assert [(c.graph, c.deleted) for c in changes] == [(GRAPH, True)]
    reader = open_store(store_path, read_only=True)
    status = reader.status(GRAPH)
    assert status is not None and status.deleted
    assert not reader.describe(str(ITEM))


def _seen(store: OxigraphStore, iris: list[str]) -> tuple[object, ...]:
    """Return what a reader serves: descriptions, quads, listings, changes, records."""
    generation = store.generation
    quads = sorted(str(q) for q in store.quads_view().quads_for_pattern(None, None, None, None))
    described = [sorted(map(str, store.describe(iri).triples)) for iri in iris]
    return (
        generation.name,
        store.version,
        store.modified,
        quads,
        described,
        store.latest(linked_to=[BASE + "id/country/SR"]).items,
        [(c.graph, c.after, c.deleted) for c in store.changes(limit=50)],
        sorted(generation.overlay.records),
        sorted(
            (target, sorted(row for rows in by_graph.values() for row in rows))
            for target, by_graph in generation.overlay.inbound.items()
        ),
    )


def test_a_reader_carries_its_overlay_to_a_new_generation(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = open_store(store_path)
    reader = open_store(store_path, read_only=True)
    assert isinstance(writer, OxigraphStore) and isinstance(reader, OxigraphStore)
    graphs = [f"{BASE}graph/news/2030-01-0{n}-carried" for n in range(1, 5)]

    def news(n: int, headline: str) -> Graph:
        iri = URIRef(f"{BASE}id/news/2030-01-0{n}-carried")
        g = Graph()
        g.add((iri, RDF.type, SDO.NewsArticle))
        g.add((iri, SDO.headline, Literal(headline, lang="en")))
        g.add((iri, SDO.datePublished, Literal(f"2030-01-0{n}", datatype=XSD.date)))
        g.add((iri, SDO.about, URIRef(BASE + "id/country/SR")))
        return g

    # Entries the fold takes, then entries after it: on graphs it folded and on new ones.
    for n in (1, 2, 3):
        writer.replace_graphs({graphs[n - 1]: news(n, f"First {n}")})
    reader.refresh()
    writer.delete_graphs([graphs[2]])
    reader.refresh()
    assert writer.compact()
    writer.replace_graphs({graphs[1]: news(2, "Second 2")})
    writer.replace_graphs({graphs[3]: news(4, "First 4")})
    writer.delete_graphs([graphs[0]])

    rebased = []
    original = Overlay.rebased

    def spy(self: Overlay, folded: int) -> Overlay:
        rebased.append(folded)
        return original(self, folded)

    monkeypatch.setattr(Overlay, "rebased", spy)
    reader.refresh()
    assert rebased, "the reader replayed the journal instead of carrying its overlay"
    fresh = open_store(store_path, read_only=True)
    assert isinstance(fresh, OxigraphStore)
    iris = [g.replace("/graph/", "/id/") for g in graphs] + [BASE + "id/country/SR"]
    assert _seen(reader, iris) == _seen(fresh, iris)
    assert sorted(reader.generation.overlay.records) == sorted([graphs[0], graphs[1], graphs[3]])
    # And it goes on from there: a later write and fold read the same as a fresh reader.
    writer.replace_graphs({graphs[2]: news(3, "Back 3")})
    reader.refresh()
    assert _seen(reader, iris) == _seen(open_store(store_path, read_only=True), iris)  # type: ignore[arg-type]
    assert writer.compact()
    reader.refresh()
    assert _seen(reader, iris) == _seen(open_store(store_path, read_only=True), iris)  # type: ignore[arg-type]


def test_lookups_by_subject_are_kept_only_while_no_change_names_the_subject(
    store_path: Path,
) -> None:
    """The quads view keeps what it found by subject; every change to that subject shows."""
    writer = open_store(store_path)
    reader = open_store(store_path, read_only=True)
    assert isinstance(writer, OxigraphStore) and isinstance(reader, OxigraphStore)
    org = ox.NamedNode(BASE + "id/organization/iom")
    orgs = BASE + "graph/organizations"

    def fresh(store: OxigraphStore, subject: ox.NamedNode) -> set[str]:
        generation = store.generation
        view: ox.Store | Merged = generation.rdf
        if generation.overlay.records:
            view = Merged(generation.rdf, generation.overlay)
        return {str(q) for q in view.quads_for_pattern(subject, None, None, None)}

    def viewed(store: OxigraphStore, subject: ox.NamedNode) -> set[str]:
        return {str(q) for q in store.quads_view().quads_for_pattern(subject, None, None, None)}

    before = viewed(writer, org)
    assert before and before == fresh(writer, org)
    kept = writer._subjects[org.value][1]
    # A write that does not name the organisation as a subject leaves the kept quads in use.
    writer.replace_graphs({GRAPH: item("Unrelated")})
    assert viewed(writer, org) == before
    assert writer._subjects[org.value][1] is kept
    # A write that changes the organisation's own triples is seen at once, by every store.
    renamed = Graph()
    for quad in writer.generation.rdf.quads_for_pattern(None, None, None, ox.NamedNode(orgs)):
        renamed.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    renamed.add((URIRef(org.value), SDO.alternateName, Literal("Renamed", lang="en")))
    for store in (writer, reader):
        assert viewed(store, org) == before
    writer.replace_graphs({orgs: renamed})
    reader.refresh()
    for store in (writer, reader):
        after = viewed(store, org)
        assert after == fresh(store, org) and after != before
        assert any("Renamed" in quad for quad in after)
    # Folding into a new generation changes no answer; removing the graph empties it.
    assert writer.compact()
    assert viewed(writer, org) == fresh(writer, org) == after
    writer.replace_graphs({orgs: Graph()})
    assert viewed(writer, org) == fresh(writer, org) == set()
    # Other patterns are answered by the view itself.
    quads = writer.quads_view().quads_for_pattern(None, None, None, ox.NamedNode(GRAPH))
    assert {str(q.object) for q in quads} >= {'"Unrelated"@en'}


def test_a_reader_that_need_not_wait_reads_on_while_another_thread_opens_a_generation(
    store_path: Path,
) -> None:
    """``refresh(wait=False)`` keeps the generation at hand and its overlay, as current as the new one.

    The new generation is then opened by a thread of its own, never by the caller.
    """
    writer = open_store(store_path)
    reader = open_store(store_path, read_only=True)
    assert isinstance(writer, OxigraphStore) and isinstance(reader, OxigraphStore)
    before = reader.generation.name
    writer.replace_graphs({GRAPH: item("Folded")})
    assert writer.compact()  # a new generation, not yet opened by the reader
    other = BASE + "graph/news/2030-01-02-journaled"
    writer.replace_graphs({other: item("Journaled after the fold")})
    assert reader._opening.acquire()  # as if the follower were opening the new generation
    try:
        reader.refresh(wait=False)
        assert reader.generation.name == before  # it did not wait for the switch
        said = reader.describe(str(ITEM)).triples
        assert (ITEM, SDO.headline, Literal("Folded", lang="en")) in said
        assert (ITEM, SDO.headline, Literal("Journaled after the fold", lang="en")) in said
    finally:
        reader._opening.release()
    reader.refresh(wait=False)  # nobody opening: a thread of its own opens it
    with reader._opening:  # held by that thread until it has switched
        assert reader.generation.name == writer.generation.name != before
    said = reader.describe(str(ITEM)).triples
    assert (ITEM, SDO.headline, Literal("Folded", lang="en")) in said
    assert (ITEM, SDO.headline, Literal("Journaled after the fold", lang="en")) in said
    assert reader.query_version == writer.query_version
    writer.close()
    reader.close()
