"""Each shape with a conforming and a violating example, checked with both engines.

The conforming example is ``tests/shapes/valid.ttl``; each violating example is that file
changed by one SPARQL Update, listed below with the result it must produce (a change
may break more than one constraint, e.g. a literal URL is neither an IRI nor http(s)).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph, URIRef

from shapes import Validator, load_shapes
from shapes.findings import Finding

BASE = "https://w3id.org/miglod/"
HERE = Path(__file__).parent / "shapes"
ITEM = "<id/news/2021-09-20-iom-and-suriname-government-launch-innovative-report>"
ITEM2 = (
    "<id/news/2021-09-17-panama-initiates-intersectoral-dialogue-on-the-knowledge-economy-in-the-new-"
    "international-context-of-human-mobility>"
)
SOURCE = "<id/news/2021-09-20-iom-and-suriname-government-launch-innovative-report#source>"
EVENT = "<id/event/2021-09-20-launch-of-the-suriname-needs-assessment>"
PREFIXES = f"""
BASE <{BASE}>
PREFIX schema: <https://schema.org/>
PREFIX mig: <def/mig/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
"""


def _replace(subject: str, prop: str, new: str) -> str:
    return (
        f"DELETE {{ {subject} {prop} ?o }} INSERT {{ {subject} {prop} {new} }}"
        f" WHERE {{ {subject} {prop} ?o }}"
    )


def _drop(subject: str, prop: str) -> str:
    return f"DELETE WHERE {{ {subject} {prop} ?o }}"


def _add(subject: str, prop: str, value: str) -> str:
    return f"INSERT DATA {{ {subject} {prop} {value} }}"


# (update, shape local name, constraint component, severity)
VIOLATIONS = [
    (_replace(ITEM, "a", "schema:NewsArticle"), "", "", ""),  # a no-op: stays conforming
    (
        "DELETE { ?s ?p ?o } INSERT { <id/news/not-an-id> ?p ?o } WHERE { "
        f"VALUES ?s {{ {ITEM2} }} ?s ?p ?o }}",
        "NewsArticle",
        "Pattern",
        "Violation",
    ),
    (
        _replace(ITEM, "schema:identifier", '"Not An Id"'),
        "NewsArticle-identifier",
        "Pattern",
        "Violation",
    ),
    (
        _replace(ITEM, "schema:headline", '"No language"'),
        "NewsArticle-headline",
        "Datatype",
        "Violation",
    ),
    (_add(ITEM, "schema:headline", '"Second"@en'), "NewsArticle-headline", "MaxCount", "Violation"),
    (_add(ITEM, "schema:abstract", '"Second"@en'), "NewsArticle-abstract", "MaxCount", "Violation"),
    (_drop(ITEM, "schema:articleBody"), "NewsArticle-articleBody", "MinCount", "Warning"),
    (
        _replace(ITEM, "schema:datePublished", '"2021-09-20T10:00:00"^^xsd:dateTime'),
        "NewsArticle-datePublished",
        "Datatype",
        "Violation",
    ),
    (
        _replace(ITEM, "schema:inLanguage", '"English"'),
        "NewsArticle-inLanguage",
        "Pattern",
        "Violation",
    ),
    (
        _replace(ITEM, "schema:publisher", "<id/country/SR>"),
        "NewsArticle-publisher",
        "Node",
        "Violation",
    ),
    (_replace(ITEM, "schema:url", '"www.iom.int"'), "NewsArticle-url", "NodeKind", "Violation"),
    (
        _add(ITEM, "schema:mentions", "<id/unknown/thing>"),
        "NewsArticle-mentions",
        "Node",
        "Violation",
    ),
    (
        _replace(ITEM, "schema:about", "<id/organization/iom>"),
        "NewsArticle-about",
        "Class",
        "Violation",
    ),
    (
        _replace(ITEM, "mig:theme", "<def/framework/migof>"),
        "NewsArticle-theme",
        "Node",
        "Violation",
    ),
    (
        _replace(ITEM, "mig:framework", "<def/theme/migration-policy>"),
        "NewsArticle-framework",
        "Node",
        "Violation",
    ),
    (_add(ITEM, "schema:dateline", '"Second"@en'), "NewsArticle-dateline", "Datatype", "Violation"),
    (
        _replace(ITEM, "schema:locationCreated", "<id/organization/iom>"),
        "NewsArticle-locationCreated",
        "Node",
        "Violation",
    ),
    (
        _replace(ITEM, "mig:describesEvent", "<id/country/SR>"),
        "NewsArticle-describesEvent",
        "Node",
        "Violation",
    ),
    (_drop(ITEM, "prov:wasDerivedFrom"), "NewsArticle-wasDerivedFrom", "MinCount", "Violation"),
    (
        _replace(ITEM, "prov:generatedAtTime", '"2026-11-28"^^xsd:date'),
        "NewsArticle-generatedAtTime",
        "Datatype",
        "Violation",
    ),
    (_drop(ITEM, "mig:converterVersion"), "NewsArticle-converterVersion", "MinCount", "Violation"),
    (
        _add(ITEM, "schema:dateModified", '"2021-09-01"^^xsd:date'),
        "NewsArticle-dateModified",
        "Datatype",
        "Violation",
    ),
    (
        _replace(ITEM, "prov:generatedAtTime", '"2021-09-01T00:00:00Z"^^xsd:dateTime'),
        "NewsArticle",
        "SPARQL",
        "Violation",
    ),
    (_replace(SOURCE, "schema:name", '""'), "Source-name", "MinLength", "Violation"),
    (_replace(SOURCE, "mig:sourceLine", "0"), "Source-line", "MinInclusive", "Violation"),
    (_replace(SOURCE, "mig:sourcePosition", '"1"'), "Source-position", "Datatype", "Violation"),
    (
        _add(
            "<id/news/x#origin>",
            "a",
            "prov:Entity ; schema:name 'x' ; mig:sourceLine 1 ; mig:sourcePosition 1",
        ),
        "Source",
        "Pattern",
        "Violation",
    ),
    (_replace(EVENT, "schema:name", '""@en'), "Event-name", "MinLength", "Violation"),
    (_replace(EVENT, "mig:eventCategory", '"party"'), "Event-category", "In", "Violation"),
    (
        _add(EVENT, "schema:startDate", '"2021-09-21"^^xsd:date'),
        "Event-startDate",
        "MaxCount",
        "Violation",
    ),
    (_replace(EVENT, "schema:endDate", '"2021-09-19"^^xsd:date'), "Event", "SPARQL", "Violation"),
    (_add(EVENT, "schema:endDate", '"2021"'), "Event-endDate", "Datatype", "Violation"),
    (
        _replace(EVENT, "schema:eventAttendanceMode", '"online"'),
        "Event-attendanceMode",
        "In",
        "Violation",
    ),
    (
        _replace(EVENT, "schema:location", "<id/organization/iom>"),
        "Event-location",
        "Node",
        "Violation",
    ),
    (_add(EVENT, "schema:organizer", "<id/country/SR>"), "Event-organizer", "Node", "Violation"),
    (
        _replace(EVENT, "mig:participantCount", "-3"),
        "Event-participantCount",
        "MinInclusive",
        "Violation",
    ),
    (_drop(EVENT, "schema:subjectOf"), "Event-subjectOf", "MinCount", "Violation"),
    (
        _add(
            "<id/event/launch>",
            "a",
            "schema:EducationEvent ; schema:name 'x' ; mig:eventCategory 'launch' ; "
            f"schema:subjectOf {ITEM}",
        ),
        "Event",
        "Pattern",
        "Violation",
    ),
    (
        _add("<id/organization/iom>", "schema:name", '"IOM again"@en'),
        "Organization-name",
        "UniqueLang",
        "Violation",
    ),
    (_drop("<id/organization/un>", "rdfs:label"), "Organization-label", "MinCount", "Violation"),
    (
        _add("<id/organization/un>", "schema:alternateName", '"UN"@en'),
        "Organization-alternateName",
        "Datatype",
        "Violation",
    ),
    (
        _add("<id/organization/un>", "schema:parentOrganization", "<id/person/albert-ramdin>"),
        "Organization-parent",
        "Node",
        "Violation",
    ),
    (
        _replace(
            "<id/organization/government-of-suriname>",
            "schema:areaServed",
            "<id/place/georgetown-gy>",
        ),
        "Organization-areaServed",
        "Class",
        "Violation",
    ),
    (
        _add("<id/organization/un>", "owl:sameAs", '"Q1065"'),
        "Organization-sameAs",
        "NodeKind",
        "Violation",
    ),
    (
        _add("<id/organization/UN_2>", "a", "schema:NGO ; schema:name 'x' ; rdfs:label 'x'"),
        "Organization",
        "Pattern",
        "Violation",
    ),
    (_replace("<id/country/SR>", "schema:identifier", '"PA"'), "Country", "SPARQL", "Violation"),
    (
        _replace("<id/country/PA>", "schema:identifier", '"pa"'),
        "Country-identifier",
        "Pattern",
        "Violation",
    ),
    (_add("<id/country/PA>", "schema:name", '"Panamá"'), "Country-name", "Datatype", "Violation"),
    (_drop("<id/country/GY>", "rdfs:label"), "Country-label", "MinCount", "Violation"),
    (_add("<id/country/GY>", "owl:sameAs", '"Q734"'), "Country-sameAs", "NodeKind", "Violation"),
    (
        _add(
            "<id/country/gy>",
            "a",
            "schema:Country ; schema:identifier 'GY' ; schema:name 'x'@en ; rdfs:label 'x'@en",
        ),
        "Country",
        "Pattern",
        "Violation",
    ),
    (_drop("<id/place/georgetown-gy>", "schema:name"), "Place-name", "MinCount", "Violation"),
    (
        _replace("<id/place/georgetown-gy>", "schema:containedInPlace", "<id/place/georgetown-gy>"),
        "Place-containedIn",
        "Class",
        "Violation",
    ),
    (
        _replace("<id/place/georgetown-gy>", "schema:latitude", '"96.0"^^xsd:double'),
        "Place-latitude",
        "MaxInclusive",
        "Violation",
    ),
    (
        _replace("<id/place/georgetown-gy>", "schema:longitude", '"-58.1"'),
        "Place-longitude",
        "Datatype",
        "Violation",
    ),
    (_add("<id/places/x>", "a", "schema:Place ; schema:name 'x'"), "Place", "Pattern", "Violation"),
    (_drop("<id/person/albert-ramdin>", "schema:name"), "Person-name", "MinCount", "Violation"),
    (
        _replace("<id/person/albert-ramdin>", "schema:honorificPrefix", '"H. E."@en'),
        "Person-honorific",
        "Datatype",
        "Violation",
    ),
    (
        _replace("<id/person/albert-ramdin>", "schema:jobTitle", "<def/theme/migration-policy>"),
        "Person-jobTitle",
        "NodeKind",
        "Violation",
    ),
    (
        _replace("<id/person/albert-ramdin>", "schema:affiliation", "<id/country/SR>"),
        "Person-affiliation",
        "Node",
        "Violation",
    ),
    (
        _add("<id/person/Albert_Ramdin>", "a", "schema:Person ; schema:name 'x'"),
        "Person",
        "Pattern",
        "Violation",
    ),
    (
        _add("<def/theme/migration-policy>", "skos:prefLabel", '"Policy"@en'),
        "Concept-prefLabel",
        "UniqueLang",
        "Violation",
    ),
    (
        _replace("<def/theme/migration-policy>", "skos:inScheme", "<def/nowhere>"),
        "Concept-inScheme",
        "Class",
        "Violation",
    ),
    (
        _add("<def/theme/migration-policy>", "skos:notation", '"mp"'),
        "Concept-notation",
        "MaxCount",
        "Violation",
    ),
    (
        _add(
            "<concepts/x>",
            "a",
            "skos:Concept ; skos:inScheme <def/theme> ; skos:notation 'x' ; "
            "skos:prefLabel 'x'@en, 'x'@es",
        ),
        "Concept",
        "Pattern",
        "Violation",
    ),
    (
        "DELETE { <def/framework/migof> skos:prefLabel ?l }"
        " WHERE { <def/framework/migof> skos:prefLabel ?l "
        "FILTER (LANG(?l) = 'es') }",
        "ConceptLabels",
        "SPARQL",
        "Warning",
    ),
    (
        _replace("<def/theme>", "skos:prefLabel", '"Themes"'),
        "ConceptScheme-prefLabel",
        "Datatype",
        "Violation",
    ),
    (
        _add("<def/Themes>", "a", "skos:ConceptScheme ; skos:prefLabel 'x'@en"),
        "ConceptScheme",
        "Pattern",
        "Violation",
    ),
    (_replace("<dataset>", "dcterms:title", '"miglod"'), "Dataset-title", "Datatype", "Violation"),
    (_drop("<dataset>", "dcterms:description"), "Dataset-description", "MinCount", "Violation"),
    (
        _replace("<dataset>", "dcterms:license", '"CC BY 4.0"'),
        "Dataset-license",
        "NodeKind",
        "Violation",
    ),
    (_drop("<dataset>", "dcterms:publisher"), "Dataset-publisher", "MinCount", "Violation"),
    (_replace("<dataset>", "dcterms:issued", '"2026"'), "Dataset-issued", "Or", "Violation"),
    (
        _add("<dataset>", "dcterms:modified", '"2026-11-29"^^xsd:date'),
        "Dataset-modified",
        "MaxCount",
        "Violation",
    ),
    (_replace("<dataset>", "void:triples", '"many"'), "Dataset-triples", "Datatype", "Violation"),
    (_drop("<dataset>", "void:sparqlEndpoint"), "Dataset-sparqlEndpoint", "MinCount", "Violation"),
    (
        _replace("<dataset>", "dcat:distribution", "<dumps/none.ttl>"),
        "Dataset-distribution",
        "Class",
        "Violation",
    ),
    (_add("<datasets/other>", "a", "void:Dataset"), "Dataset", "Pattern", "Violation"),
    (
        _drop("<dumps/miglod.ttl>", "dcat:downloadURL"),
        "Distribution-downloadURL",
        "MinCount",
        "Violation",
    ),
    (
        _replace("<dumps/miglod.ttl>", "dcat:mediaType", '"text/turtle"'),
        "Distribution-mediaType",
        "NodeKind",
        "Violation",
    ),
    (
        _replace("<dumps/miglod.ttl>", "dcat:byteSize", "20480"),
        "Distribution-byteSize",
        "Datatype",
        "Violation",
    ),
    (
        _drop("<dumps/miglod.ttl>", "spdx:checksum"),
        "Distribution-checksum",
        "MinCount",
        "Violation",
    ),
    ("INSERT DATA { [] a dcat:Distribution }", "Distribution", "NodeKind", "Violation"),
    (
        _replace("<dumps/miglod.ttl#checksum>", "spdx:algorithm", "spdx:checksumAlgorithm_md5"),
        "Checksum-algorithm",
        "In",
        "Violation",
    ),
    (
        _replace("<dumps/miglod.ttl#checksum>", "spdx:checksumValue", '"9f86"'),
        "Checksum-value",
        "Datatype",
        "Violation",
    ),
    (
        "INSERT DATA { [] a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha1 ; "
        "spdx:checksumValue 'ab'^^xsd:hexBinary }",
        "Checksum",
        "NodeKind",
        "Violation",
    ),
]

# The two warnings valid.ttl carries on purpose: a long headline and an item without a theme.
BASELINE = {"NewsArticle-headlineLength", "NewsArticle-themePresent"}


@pytest.fixture(scope="module")
def validators() -> dict[str, Validator]:
    shapes = load_shapes(BASE)
    return {engine: Validator(shapes, engine=engine) for engine in ("pyshacl", "compiled")}


def _valid() -> Graph:
    return Graph().parse(HERE / "valid.ttl", format="turtle", publicID=BASE)


def _new(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [
        (str(f.shape).rsplit("/", 1)[-1], str(f.source_constraint).rsplit("#", 1)[-1], f.severity)
        for f in findings
        if str(f.shape).rsplit("/", 1)[-1] not in BASELINE
    ]


@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_the_conforming_example_conforms(validators: dict[str, Validator], engine: str) -> None:
    result = validators[engine].validate(_valid())
    assert result.conforms
    assert sorted(_new(result.findings)) == []
    assert {str(f.shape).rsplit("/", 1)[-1] for f in result.findings} == BASELINE


@pytest.mark.parametrize(
    ("update", "shape", "component", "severity"),
    VIOLATIONS,
    ids=[f"{i}-{v[1] or 'noop'}" for i, v in enumerate(VIOLATIONS)],
)
def test_each_violating_example_gives_its_result(
    validators: dict[str, Validator], update: str, shape: str, component: str, severity: str
) -> None:
    data = _valid()
    data.update(PREFIXES + update)
    results = {engine: v.validate(data) for engine, v in validators.items()}
    expected = (shape, component + "ConstraintComponent", severity)
    for result in results.values():
        found = _new(result.findings)
        if not shape:
            assert found == []
        else:
            assert expected in found
        assert result.conforms is (severity != "Violation")
    assert sorted(f.identity() for f in results["compiled"].findings) == sorted(
        f.identity() for f in results["pyshacl"].findings
    )


def test_every_shape_with_a_path_or_target_has_a_violating_example() -> None:
    graph = load_shapes(BASE)
    checked = set(graph.subjects(SH.path, None))
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        checked |= set(graph.subjects(target, None))
    names = {str(s).rsplit("/", 1)[-1] for s in checked if isinstance(s, URIRef)}
    names -= {"ThemeConcept-inScheme", "FrameworkConcept-inScheme"}  # only reached via sh:node
    covered = {v[1] for v in VIOLATIONS} | BASELINE
    assert names - covered == set()
    assert all((URIRef(BASE + "def/shapes/" + n), RDF.type, None) in graph for n in names)
