"""Framework mentions are found by name or acronym, with guards for ambiguous ones."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS

from converter.extract.frameworks import FrameworkIndex, strip_accents

ROOT = Path(__file__).resolve().parents[1]


def sample_items() -> list[tuple[str, str]]:
    """Return (headline, body) for each item of the sample listing."""
    text = (ROOT / "data" / "news" / "iom-news-2021.txt").read_text("utf-8")
    chunks = re.split(r"^\d{1,2} [A-Z][a-z]+, \d{4}$", text, flags=re.M)[1:]
    items = []
    for chunk in chunks:
        blocks = [b.strip() for b in re.split(r"\n\s*\n", chunk) if b.strip()]
        items.append((blocks[0], "\n\n".join(blocks[1:])))
    return items


@pytest.fixture(scope="module")
def index() -> FrameworkIndex:
    return FrameworkIndex()


MENTIONS = [
    ("adopted the Global Compact for Safe, Orderly and Regular Migration", "gcm"),
    ("el Pacto Mundial para una Migración Segura, Ordenada y Regular", "gcm"),
    ("los compromisos del PMM", "gcm"),
    ("under the GCM", "gcm"),
    ("the Global Compact on Refugees", "gcr"),
    ("el Pacto Mundial sobre los Refugiados", "gcr"),
    ("the Migration Governance Framework (MiGOF)", "migof"),
    ("el Marco de Gobernanza de la Migración", "migof"),
    ("a profile of the Migration Governance Indicators", "mgi"),
    ("los Indicadores de Gobernanza de la Migración", "mgi"),
    ("an MGI assessment", "mgi"),
    ("progress on SDG 10.7", "sdg-10-7"),
    ("la meta 10.7 de los ODS", "sdg-10-7"),
    ("SDG indicator 10.7.2", "sdg-10-7"),
    ("the 2030 Agenda", "agenda-2030"),
    ("los Objetivos de Desarrollo Sostenible", "agenda-2030"),
    ("the Regional Conference on Migration", "rcm"),
    ("el Proceso Puebla", "rcm"),
    ("la Conferencia Regional sobre Migración (CRM)", "rcm"),
    ("the Caribbean Migration Consultations", "cmc"),
    ("the MIRPS countries", "mirps"),
    ("la Comisión Centroamericana de Directores de Migración (OCAM)", "ocam"),
    ("the Quito Process", "quito-process"),
    ("el Proceso de Quito", "quito-process"),
    ("la Conferencia Suramericana sobre Migraciones", "csm"),
    ("the Los Angeles Declaration on Migration and Protection", "los-angeles-declaration"),
    ("la Declaración de Los Ángeles sobre Migración y Protección", "los-angeles-declaration"),
    ("the Cartagena Declaration on Refugees", "cartagena-declaration"),
    ("el Plan de Acción de Brasil", "brazil-plan-of-action"),
    ("the New York Declaration for Refugees and Migrants", "new-york-declaration"),
    ("el Protocolo de Palermo", "trafficking-protocol"),
    (
        "the Protocol to Prevent, Suppress and Punish Trafficking in Persons",
        "trafficking-protocol",
    ),
    ("el Protocolo contra el Tráfico Ilícito de Migrantes", "smuggling-protocol"),
    ("the 1951 Refugee Convention", "refugee-convention"),
    ("the Global Forum on Migration and Development", "gfmd"),
    ("the International Migration Review Forum", "imrf"),
    ("el Marco de Sendai", "sendai-framework"),
    ("the R4V platform", "r4v"),
    ("el Convenio núm. 189 de la OIT", "ilo-c189"),
    ("the ILO Fair Recruitment Initiative", "fair-recruitment-initiative"),
]


@pytest.mark.parametrize(("text", "slug"), MENTIONS)
def test_names_and_acronyms_in_english_and_spanish(
    index: FrameworkIndex, text: str, slug: str
) -> None:
    assert index.find(text) == [f"framework/{slug}"]


def test_refugee_compact_is_not_the_migration_compact(index: FrameworkIndex) -> None:
    text = "The Global Compact on Refugees and the Global Compact for Migration were adopted."
    assert index.find(text) == ["framework/gcr", "framework/gcm"]


def test_bare_global_compact_needs_a_migration_context(index: FrameworkIndex) -> None:
    assert index.find("In line with the Global Compact, migrants must be protected.") == [
        "framework/gcm"
    ]
    assert index.find("Companies joined the UN Global Compact network on migration.") == []
    assert index.find("The Global Compact was signed by 40 companies.") == []


def test_igm_is_the_mgi_only_with_governance_words(index: FrameworkIndex) -> None:
    mgi = "Los IGM permiten evaluar las políticas y la gobernanza migratoria del municipio."
    assert index.find(mgi) == ["framework/mgi"]
    guatemala = "El Instituto Guatemalteco de Migración (IGM) recibió a 300 personas."
    assert index.find(guatemala) == []
    both = "El IGM presentó su plan de gobernanza. El Instituto Guatemalteco de Migración..."
    assert index.find(both) == []


def test_acronyms_match_only_as_written(index: FrameworkIndex) -> None:
    assert index.find("the gcm and the rcm") == []
    assert index.find("IOM and RCM Strengthen Local Government Capacities") == ["framework/rcm"]
    assert index.find("The CRM software was updated.") == []


def test_generic_governance_words_link_nothing(index: FrameworkIndex) -> None:
    headline, body = sample_items()[0]
    assert "Needs Assessment on Migration Governance" in body
    assert index.find(headline + "\n\n" + body) == []
    assert index.find("safe, orderly and regular labour migration") == []
    assert index.find("10.75 per cent of the budget") == []


def test_sample_listing(index: FrameworkIndex) -> None:
    found = [index.find(h + "\n\n" + b) for h, b in sample_items()]
    assert found[9] == ["framework/rcm"]
    assert sum(map(len, found)) == 1


def test_gcm_objectives_next_to_the_compact(index: FrameworkIndex) -> None:
    text = "Costa Rica reported on objectives 10 and 11 of the GCM, and on objective 23."
    assert index.find(text) == [
        "framework/gcm",
        "gcm/objective-10",
        "gcm/objective-11",
        "gcm/objective-23",
    ]
    spanish = "el objetivo 21 del Pacto Mundial para la Migración"
    assert index.find(spanish) == ["framework/gcm", "gcm/objective-21"]
    sdg = "El PMM y el Objetivo de Desarrollo Sostenible 10 guían el plan."
    assert "gcm/objective-10" not in index.find(sdg)
    assert index.find("Objective 40 of the GCM") == ["framework/gcm"]
    assert index.find("objective 10 of the project") == []


def test_order_of_first_mention_without_repeats(index: FrameworkIndex) -> None:
    text = "MIRPS, then the RCM, then MIRPS again and the Regional Conference on Migration."
    assert index.find(text) == ["framework/mirps", "framework/rcm"]


def test_custom_data_and_bad_entries() -> None:
    data = {"frameworks": {"x": {"names": ["xeno (plan)"], "acronyms": ["XP"]}}}
    index = FrameworkIndex(data)
    assert index.find("the Xeno Plan and XP") == ["framework/x"]
    assert index.find("xp") == []
    with pytest.raises(ValueError):
        FrameworkIndex({"frameworks": {"x": {"acronyms": ["X-P"]}}})
    with pytest.raises(ValueError):
        FrameworkIndex({"frameworks": {"x": {"names": ["(only optional)"]}}})


def test_strip_accents_keeps_case() -> None:
    assert strip_accents("Declaración de Los Ángeles") == "Declaracion de Los Angeles"


def test_every_framework_is_a_concept_of_the_ontology() -> None:
    source = resources.files("converter.data").joinpath("frameworks.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    for slug, spec in data["frameworks"].items():
        assert {"en", "es"} <= set(spec["labels"]), slug
    turtle = ROOT / "ontology" / "frameworks.ttl"
    graph = Graph().parse(turtle, format="turtle", publicID="https://w3id.org/miglod/")
    notations = {str(n) for n in graph.objects(None, SKOS.notation)}
    assert set(data["frameworks"]) == notations
