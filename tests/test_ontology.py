"""Check the vocabulary files: IRIs under the base, complete SKOS concepts, sound links."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from ontology import concept_labels, load_ontology, ontology_files

BASES = ("https://w3id.org/miglod/", "http://data.example.org/lod/v1/")

THEMES = [
    "labour-migration",
    "border-management",
    "protection",
    "capacity-building",
    "communication-media",
    "local-governance",
    "migration-policy",
    "information-services",
    "crisis-displacement",
    "regional-cooperation",
    "counter-trafficking",
    "return-reintegration",
    "health",
    "climate-environment",
    "data-research",
]

FRAMEWORKS = [
    "gcm",
    "gcr",
    "migof",
    "mgi",
    "sdg-10-7",
    "agenda-2030",
    "rcm",
    "cmc",
    "mirps",
    "ocam",
    "quito-process",
    "csm",
    "los-angeles-declaration",
]

MIG_TERMS = [
    "theme",
    "framework",
    "describesEvent",
    "eventCategory",
    "participantCount",
    "converterVersion",
    "sourceLine",
    "sourcePosition",
]

# Vocabularies the files may use without minting IRIs of their own.
EXTERNAL = (
    str(RDF),
    str(RDFS),
    str(OWL),
    "http://www.w3.org/2001/XMLSchema#",
    str(SKOS),
    str(DCTERMS),
    "http://www.w3.org/ns/prov#",
    "https://schema.org/",
    "https://creativecommons.org/licenses/",
)

LINKS = (SKOS.related, SKOS.closeMatch, SKOS.exactMatch, SKOS.broader, SKOS.narrower)


@pytest.fixture(scope="module", params=BASES)
def loaded(request: pytest.FixtureRequest) -> tuple[str, Graph]:
    return request.param, load_ontology(request.param)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_ontology(BASES[0])


def iri(path: str) -> URIRef:
    return URIRef(BASES[0] + path)


def concepts(graph: Graph) -> list[URIRef]:
    return sorted(c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def langs(graph: Graph, subject: Node, prop: URIRef) -> Counter[str | None]:
    return Counter(o.language for o in graph.objects(subject, prop) if isinstance(o, Literal))


def test_every_iri_is_under_the_base_or_external(loaded: tuple[str, Graph]) -> None:
    base, graph = loaded
    sources = {o for o in graph.objects(None, DCTERMS.source)}
    minted: set[str] = set()
    for triple in graph:
        for term in triple:
            if not isinstance(term, URIRef) or term in sources:
                continue
            if str(term).startswith(base):
                minted.add(str(term)[len(base) :])
            else:
                assert str(term).startswith(EXTERNAL), term
    assert all(path.startswith("def/") for path in minted), minted - {"def/"}


def test_the_same_paths_are_minted_under_any_base() -> None:
    first, second = (load_ontology(base) for base in BASES)

    def paths(graph: Graph, base: str) -> set[str]:
        return {str(t)[len(base) :] for t in graph.all_nodes() if str(t).startswith(base)}

    assert paths(first, BASES[0]) == paths(second, BASES[1])
    assert len(first) == len(second)


def test_a_base_without_trailing_slash_gets_one() -> None:
    graph = load_ontology("https://example.org/miglod")
    assert (URIRef("https://example.org/miglod/def/theme/health"), RDF.type, SKOS.Concept) in graph


@pytest.mark.parametrize("base", ["", "ftp://example.org/", "example.org/miglod/", "https://"])
def test_a_bad_base_is_refused(base: str) -> None:
    with pytest.raises(ValueError, match="base IRI"):
        load_ontology(base)


def test_no_blank_nodes(graph: Graph) -> None:
    assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]


def test_each_file_parses_on_its_own() -> None:
    names = [f.name for f in ontology_files()]
    assert "mig.ttl" in names and "themes.ttl" in names
    for entry in ontology_files():
        part = Graph().parse(data=entry.read_text("utf-8"), format="turtle", publicID=BASES[0])
        assert len(part) > 0, entry.name


def test_every_concept_is_complete(graph: Graph) -> None:
    for concept in concepts(graph):
        assert langs(graph, concept, SKOS.prefLabel) == {"en": 1, "es": 1}, concept
        schemes = list(graph.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1, concept
        assert (schemes[0], RDF.type, SKOS.ConceptScheme) in graph
        assert str(concept).startswith(str(schemes[0]) + "/"), concept
        assert len(list(graph.objects(concept, SKOS.notation))) == 1, concept


def test_preferred_and_alternative_labels_are_disjoint(graph: Graph) -> None:
    for concept in concepts(graph):
        preferred = set(graph.objects(concept, SKOS.prefLabel))
        assert not preferred & set(graph.objects(concept, SKOS.altLabel)), concept


def test_every_scheme_has_labels_and_top_concepts(graph: Graph) -> None:
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert {str(s)[len(BASES[0]) :] for s in schemes} == {
        "def/theme",
        "def/gcm",
        "def/migof",
        "def/mgi",
        "def/sdg",
        "def/framework",
    }
    for scheme in schemes:
        assert langs(graph, scheme, SKOS.prefLabel) == {"en": 1, "es": 1}, scheme
        top = set(graph.objects(scheme, SKOS.hasTopConcept))
        assert top == set(graph.subjects(SKOS.topConceptOf, scheme)), scheme
        assert all((c, SKOS.inScheme, scheme) in graph for c in top)


def test_pref_labels_and_notations_are_unique_within_a_scheme(graph: Graph) -> None:
    for scheme in set(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        members = list(graph.subjects(SKOS.inScheme, scheme))
        notations = [str(graph.value(c, SKOS.notation)) for c in members]
        assert len(set(notations)) == len(notations), scheme
        labels = [lab for c in members for lab in graph.objects(c, SKOS.prefLabel)]
        assert len(set(labels)) == len(labels), scheme


def test_twenty_three_gcm_objectives(graph: Graph) -> None:
    members = set(graph.subjects(SKOS.inScheme, iri("def/gcm")))
    assert members == {iri(f"def/gcm/objective-{n}") for n in range(1, 24)}
    assert str(graph.value(iri("def/gcm/objective-11"), SKOS.notation)) == "11"
    assert graph.value(iri("def/gcm/objective-11"), SKOS.prefLabel) == Literal(
        "Manage borders in an integrated, secure and coordinated manner", lang="en"
    )
    assert Literal("Gestión de fronteras", lang="es") in set(
        graph.objects(iri("def/gcm/objective-11"), SKOS.altLabel)
    )


def test_fifteen_themes_with_their_slug_as_notation(graph: Graph) -> None:
    members = set(graph.subjects(SKOS.inScheme, iri("def/theme")))
    assert members == {iri(f"def/theme/{slug}") for slug in THEMES}
    for slug in THEMES:
        assert graph.value(iri(f"def/theme/{slug}"), SKOS.notation) == Literal(slug)
        assert langs(graph, iri(f"def/theme/{slug}"), SKOS.definition) == {"en": 1, "es": 1}


def test_every_theme_links_to_the_governance_schemes(graph: Graph) -> None:
    governance = ("def/gcm/", "def/migof/", "def/mgi/", "def/sdg/")
    for slug in THEMES:
        theme = iri(f"def/theme/{slug}")
        targets = [str(o) for p in (SKOS.related, SKOS.closeMatch) for o in graph.objects(theme, p)]
        assert any(t.startswith(tuple(BASES[0] + g for g in governance)) for t in targets), slug
    border = iri("def/theme/border-management")
    assert (border, SKOS.closeMatch, iri("def/gcm/objective-11")) in graph
    # Asserted in themes.ttl only; the loader adds the reverse link.
    assert (iri("def/gcm/objective-11"), SKOS.closeMatch, border) in graph
    trafficking = set(graph.objects(iri("def/theme/counter-trafficking"), SKOS.related))
    assert {iri("def/gcm/objective-9"), iri("def/gcm/objective-10")} <= trafficking


def test_links_point_at_existing_concepts_and_are_symmetric(graph: Graph) -> None:
    known = set(concepts(graph))
    inverse = {SKOS.broader: SKOS.narrower, SKOS.narrower: SKOS.broader}
    for prop in LINKS:
        for source, target in graph.subject_objects(prop):
            assert target in known, (source, prop, target)
            assert (target, inverse.get(prop, prop), source) in graph, (source, prop, target)
    for source, target in graph.subject_objects(RDFS.seeAlso):
        if str(target).startswith(BASES[0]):
            assert (target, RDF.type, None) in graph, (source, target)


def test_mgi_domains_match_migof(graph: Graph) -> None:
    migof = [f"principle-{n}" for n in (1, 2, 3)] + [f"objective-{n}" for n in (1, 2, 3)]
    for n, target in enumerate(migof, start=1):
        domain = iri(f"def/mgi/domain-{n}")
        assert (domain, SKOS.closeMatch, iri(f"def/migof/{target}")) in graph
        if n >= 4:
            note = str(graph.value(domain, SKOS.editorialNote))
            assert "UNVERIFIED" in note


def test_sdg_target_and_its_indicators(graph: Graph) -> None:
    target = iri("def/sdg/10.7")
    indicators = {iri(f"def/sdg/10.7.{n}") for n in range(1, 5)}
    assert set(graph.objects(target, SKOS.narrower)) == indicators
    assert set(graph.objects(iri("def/sdg"), SKOS.hasTopConcept)) == {target}


def test_frameworks_link_to_their_schemes(graph: Graph) -> None:
    members = set(graph.subjects(SKOS.inScheme, iri("def/framework")))
    assert {iri(f"def/framework/{slug}") for slug in FRAMEWORKS} <= members
    for slug in ("gcm", "migof", "mgi"):
        assert (iri(f"def/framework/{slug}"), RDFS.seeAlso, iri(f"def/{slug}")) in graph
    assert (iri("def/framework/sdg-10-7"), SKOS.exactMatch, iri("def/sdg/10.7")) in graph


def test_framework_acronyms_name_one_concept_each(graph: Graph) -> None:
    labels = concept_labels(graph, iri("def/framework"))
    owners: dict[str, set[URIRef]] = {}
    for concept, found in labels.items():
        for lit in found:
            owners.setdefault(str(lit).casefold(), set()).add(concept)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    expected = {"gcm": "gcm", "pmm": "gcm", "igm": "mgi", "crm": "rcm", "puebla process": "rcm"}
    for label, slug in expected.items():
        assert owners[label] == {iri(f"def/framework/{slug}")}, label


def test_concept_labels_put_the_preferred_label_first(graph: Graph) -> None:
    labels = concept_labels(graph)
    gcm = labels[iri("def/framework/gcm")]
    assert gcm[0] == Literal("Global Compact for Safe, Orderly and Regular Migration", lang="en")
    assert Literal("PMM", lang="es") in gcm
    assert list(labels) == sorted(labels)
    assert len(labels) == len(concepts(graph))


def test_mig_terms_are_described_in_english_and_spanish(graph: Graph) -> None:
    mig = BASES[0] + "def/mig/"
    declared = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class)
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(mig)
    }
    assert {URIRef(mig + term) for term in MIG_TERMS} <= declared
    for term in declared:
        assert langs(graph, term, RDFS.label) == {"en": 1, "es": 1}, term
        assert langs(graph, term, RDFS.comment) == {"en": 1, "es": 1}, term
        assert (term, RDFS.isDefinedBy, iri("def/mig")) in graph


def test_mig_ranges_match_the_published_model(graph: Graph) -> None:
    xsd_integer = URIRef("http://www.w3.org/2001/XMLSchema#integer")
    for term in ("participantCount", "sourceLine", "sourcePosition"):
        assert graph.value(iri(f"def/mig/{term}"), RDFS.range) == xsd_integer
    for term in ("theme", "framework"):
        assert graph.value(iri(f"def/mig/{term}"), RDFS.range) == SKOS.Concept


def test_ontology_version_follows_the_package() -> None:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    graph = load_ontology(BASES[0])
    assert graph.value(iri("def/mig"), OWL.versionInfo) == Literal(version)
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        assert graph.value(scheme, OWL.versionInfo) == Literal(version), scheme
