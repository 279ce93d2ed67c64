"""Themes are assigned from weighted multilingual rules, measured against hand labels."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from converter.extract.themes import (
    PhraseMatcher,
    ThemeClassifier,
    expand_pattern,
    fold,
    parse_pattern,
    tokenize,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "news" / "iom-news-2021.txt"
THEMES = {
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
}

# What a human annotator would assign to the ten sample items, in file order.
SAMPLE_EXPECTED = [
    {"migration-policy", "data-research"},  # Suriname needs assessment on migration governance
    {"migration-policy"},  # Panama intersectoral dialogue, human mobility
    {"crisis-displacement", "capacity-building"},  # manual for collective centres, shelters
    {"information-services", "local-governance"},  # information hubs, municipal model
    {"labour-migration"},  # IOM-ILO forum on labour migration and digitalisation
    {"protection", "capacity-building"},  # online course on protection of vulnerable migrants
    {"regional-cooperation"},  # MoU with CARICOM IMPACS
    {"border-management", "protection"},  # Beta Group and border security unit
    {"communication-media", "capacity-building"},  # course for journalists
    {"local-governance", "migration-policy", "capacity-building"},  # RCM local governance training
]

_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]+, \d{4}$")


def sample_items() -> list[tuple[str, str]]:
    """Return (headline, body) for each item of the sample listing."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", SAMPLE.read_text("utf-8")) if b.strip()]
    items: list[tuple[str, str]] = []
    for i, block in enumerate(blocks):
        if _DATE.match(block):
            body = []
            for following in blocks[i + 2 :]:
                if _DATE.match(following):
                    break
                body.append(following)
            items.append((blocks[i + 1], "\n\n".join(body)))
    return items


def f1(expected: list[set[str]], found: list[set[str]]) -> float:
    tp = sum(len(e & f) for e, f in zip(expected, found, strict=True))
    fp = sum(len(f - e) for e, f in zip(expected, found, strict=True))
    fn = sum(len(e - f) for e, f in zip(expected, found, strict=True))
    return 2 * tp / (2 * tp + fp + fn)


@pytest.fixture(scope="module")
def classifier() -> ThemeClassifier:
    return ThemeClassifier()


def test_sample_items_match_the_hand_labels(classifier: ThemeClassifier) -> None:
    items = sample_items()
    assert len(items) == len(SAMPLE_EXPECTED)
    found = [set(classifier.classify(h, b, "en")) for h, b in items]
    assert f1(SAMPLE_EXPECTED, found) >= 0.8
    # The leading theme of every item is one the annotator chose.
    for (headline, body), expected in zip(items, SAMPLE_EXPECTED, strict=True):
        assert classifier.classify(headline, body, "en")[0] in expected, headline


SPANISH = [
    (
        "La OIM capacita a funcionarios de migración en la detección de víctimas de trata",
        "Más de 40 funcionarios participaron en un taller sobre la identificación de víctimas "
        "de trata de personas y tráfico ilícito de migrantes en los puestos fronterizos.",
        {"counter-trafficking", "capacity-building"},
    ),
    (
        "Honduras inaugura un centro de atención para personas migrantes retornadas",
        "El centro brindará asistencia para la reintegración de las personas retornadas desde "
        "México y Estados Unidos, con apoyo psicosocial y orientación laboral.",
        {"return-reintegration"},
    ),
    (
        "Gobiernos locales de Guatemala fortalecen la gobernanza migratoria",
        "Alcaldes y alcaldesas de doce municipios participaron en el diseño de políticas "
        "públicas migratorias a nivel local.",
        {"local-governance", "migration-policy"},
    ),
    (
        "Familias afectadas por el huracán reciben asistencia humanitaria en albergues",
        "Tras el paso del huracán, la OIM apoyó la gestión de albergues temporales y la "
        "distribución de kits de higiene a las familias desplazadas.",
        {"crisis-displacement"},
    ),
    (
        "Lanzan encuesta sobre el perfil de las personas trabajadoras migrantes en Costa Rica",
        "El estudio recoge datos sobre las condiciones de empleo, el trabajo decente y los "
        "permisos de trabajo de la población migrante.",
        {"labour-migration", "data-research"},
    ),
    (
        "Jornada de vacunación contra la COVID-19 para migrantes en tránsito",
        "Personal de salud del ministerio aplicó más de 500 vacunas en la estación de "
        "recepción migratoria.",
        {"health"},
    ),
]


@pytest.mark.parametrize(("headline", "body", "expected"), SPANISH)
def test_spanish_items_get_their_themes(
    classifier: ThemeClassifier, headline: str, body: str, expected: set[str]
) -> None:
    found = classifier.classify(headline, body, "es")
    assert expected <= set(found)
    assert found[0] in expected


def test_english_climate_and_information_items(classifier: ThemeClassifier) -> None:
    found = classifier.classify(
        "Drought and climate change push families to migrate from the Dry Corridor",
        "Environmental degradation and extreme weather events are eroding livelihoods.",
        "en",
    )
    assert found[0] == "climate-environment"
    found = classifier.classify(
        "New information centre for migrants opens in Tapachula",
        "Migrants can receive reliable information on regular pathways and services.",
        "en",
    )
    assert found[0] == "information-services"


def test_nothing_convincing_gives_no_theme(classifier: ThemeClassifier) -> None:
    assert classifier.classify("", "", "en") == []
    assert (
        classifier.classify("Message from the Director", "Thank you all for a good year.", "en")
        == []
    )
    assert classifier.classify("Mensaje del director", "Gracias a todos por su apoyo.", "es") == []


def test_negative_cues_cancel_false_friends(classifier: ThemeClassifier) -> None:
    drugs = classifier.classify(
        "Police seize cocaine", "The operation targeted drug trafficking networks.", "en"
    )
    assert "counter-trafficking" not in drugs
    it_is_about = classifier.classify(
        "Llegan familias a la frontera",
        "Se trata de personas que huyen de la violencia en sus comunidades.",
        "es",
    )
    assert "counter-trafficking" not in it_is_about


def test_rules_follow_the_item_language(classifier: ThemeClassifier) -> None:
    # "media" means average in Spanish: only the English rules count it.
    body = "La media de edad de las personas encuestadas es de 30 años."
    assert "communication-media" not in classifier.scores("Resultados", body, "es")
    english = classifier.scores("Results", "Journalists and media attended.", "en")
    assert english["communication-media"] > 0
    # Another language is scored with every rule.
    assert classifier.scores("", "trata de personas", "fr")["counter-trafficking"] > 0


def test_headline_weighs_more_than_body(classifier: ThemeClassifier) -> None:
    in_headline = classifier.scores("Workshop on border management", "The event ended.", "en")
    in_body = classifier.scores("The event ended", "Workshop on border management.", "en")
    assert in_headline["border-management"] == 2 * in_body["border-management"]


def test_passing_mentions_in_a_long_body_do_not_make_a_theme(classifier: ThemeClassifier) -> None:
    short = "The hotline helps migrants."
    padding = " ".join(["The team met partners in the capital to plan the next year."] * 40)
    assert "information-services" in classifier.classify("", short, "en")
    assert "information-services" not in classifier.classify("", short + " " + padding, "en")


def test_themes_are_ordered_by_score(classifier: ThemeClassifier) -> None:
    headline, body = sample_items()[9]
    found = classifier.classify(headline, body, "en")
    scores = classifier.scores(headline, body, "en")
    assert [scores[t] for t in found] == sorted((scores[t] for t in found), reverse=True)


def _tiny(**scoring: Any) -> ThemeClassifier:
    rules = {
        "a": {"rules": {"any": [["alpha", 3], ["alpha beta", 1]]}},
        "b": {"rules": {"en": [["bravo*", 2]], "es": [["bravisimo", 2]]}},
        "c": {"rules": {"any": [["charlie", 3], ["not charlie", -3]]}},
    }
    return ThemeClassifier({"scoring": scoring, "themes": rules})


def test_scoring_threshold_relative_share_and_cap() -> None:
    tiny = _tiny(threshold=3, relative=0.5, max_themes=2, headline_weight=2)
    assert tiny.scores("", "alpha beta", "en") == {"a": 4.0}
    # Repeats add half a weight each, at most twice.
    assert tiny.scores("", "bravo bravos bravo bravo", "en") == {"b": 4.0}
    assert tiny.classify("", "bravo", "en") == []  # 2 < threshold
    # Three themes tie at 3: ties go by slug, and only two are kept.
    assert tiny.classify("", "alpha charlie bravo bravo", "en") == ["a", "b"]
    assert tiny.classify("alpha alpha", "charlie", "en") == ["a"]  # 9 vs 3: below half the best
    assert tiny.classify("", "not charlie", "en") == []


def test_language_specific_rules_in_a_custom_table() -> None:
    tiny = _tiny(threshold=1)
    assert tiny.classify("", "bravisimo", "es") == ["b"]
    assert tiny.classify("", "bravisimo", "en") == []
    assert tiny.classify("", "bravisimo", "es-419") == ["b"]


def test_patterns_expand_alternatives_stems_and_optional_segments() -> None:
    assert expand_pattern("labour|labor migration") == [
        ("labor", "migration"),
        ("labour", "migration"),
    ]
    assert expand_pattern("strengthen* (the|their) capacit*") == [
        ("strengthen*", "capacit*"),
        ("strengthen*", "the", "capacit*"),
        ("strengthen*", "their", "capacit*"),
    ]
    assert expand_pattern("Migración (segura ordenada y regular)") == [
        ("migracion",),
        ("migracion", "segura", "ordenada", "y", "regular"),
    ]
    assert parse_pattern("a (b c) d")[1] == (True, (("b",), ("c",)))


@pytest.mark.parametrize("bad", ["", "(optional)", "a (b", "a b)", "semi;colon", "a ((b))", "a*b"])
def test_malformed_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        expand_pattern(bad)


def test_matcher_reports_spans_and_stems() -> None:
    matcher = PhraseMatcher([("migrant worker*", 1), ("worker*", 2), ("de (la) migracion", 3)])
    tokens = tokenize("Migrant workers; gobernanza de la migración")
    assert sorted(matcher.matches(tokens)) == [(1, 0, 2), (2, 1, 2), (3, 3, 6)]


def test_folding_removes_accents_and_case() -> None:
    assert fold("Protección y Reintegración") == "proteccion y reintegracion"
    assert tokenize("capacity-building, Niñez (10.7)") == [
        "capacity",
        "building",
        "ninez",
        "10",
        "7",
    ]


def test_packaged_rules_cover_every_theme_in_both_languages() -> None:
    source = resources.files("converter.data").joinpath("themes.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    assert set(data["themes"]) == THEMES
    for slug, spec in data["themes"].items():
        assert {"en", "es"} <= set(spec["labels"]), slug
        assert spec["rules"].get("en") and spec["rules"].get("es"), slug
        for pairs in spec["rules"].values():
            for pattern, weight in pairs:
                assert expand_pattern(pattern), pattern
                assert isinstance(weight, int | float) and -5 <= weight <= 5, pattern
    assert set(ThemeClassifier().themes) == THEMES
