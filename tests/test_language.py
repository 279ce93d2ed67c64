"""The language of an item is detected from its words; a plausible declaration wins."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest

from converter.extract.language import STOP_WORDS, LanguageDetector, primary_tag

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "news" / "iom-news-2021.txt"


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


def test_sample_items_are_english(detector: LanguageDetector) -> None:
    chunks = re.split(r"^\d{1,2} [A-Z][a-z]+, \d{4}$", SAMPLE.read_text("utf-8"), flags=re.M)
    items = [chunk.strip() for chunk in chunks[1:]]
    assert len(items) == 10
    assert {detector.detect(item) for item in items} == {"en"}
    # Headlines alone are short, and still English.
    assert {detector.detect(item.split("\n")[0]) for item in items} == {"en"}


SENTENCES = [
    (
        "es",
        "La Organización Internacional para las Migraciones capacitó a funcionarios de siete "
        "países sobre la protección de las personas migrantes en situación de vulnerabilidad.",
    ),
    ("es", "Los gobiernos locales fortalecen sus capacidades con el apoyo de la OIM."),
    (
        "fr",
        "L'Organisation internationale pour les migrations a organisé un atelier sur la "
        "protection des migrants dans la région des Caraïbes.",
    ),
    ("fr", "Le gouvernement haïtien et l'OIM ont lancé une campagne contre la traite."),
    (
        "pt",
        "A Organização Internacional para as Migrações realizou uma oficina sobre a proteção "
        "de migrantes em situação de vulnerabilidade no Brasil.",
    ),
    ("pt", "O governo brasileiro e a OIM lançaram um curso sobre governança migratória."),
    ("en", "Migrants receive assistance after the hurricane hit the coast."),
]


@pytest.mark.parametrize(("language", "text"), SENTENCES)
def test_sentences_in_four_languages(detector: LanguageDetector, language: str, text: str) -> None:
    assert detector.detect(text) == language


def test_short_headline_without_function_words_uses_the_model(detector: LanguageDetector) -> None:
    headline = "Capacitan a funcionarios municipales en gobernanza migratoria"
    assert detector.counts(headline) == {"en": 0, "es": 0, "fr": 0, "pt": 0}
    assert detector.detect(headline) == "es"


def test_declared_language_wins_when_plausible(detector: LanguageDetector) -> None:
    assert detector.detect("OIM Panamá", "es") == "es"
    assert detector.detect("IOM trains border officials", "es-419") == "es"
    assert detector.detect("", "en-GB") == "en"
    assert detector.detect("2021", "pt_BR") == "pt"
    # A language we do not model is kept when the text does not contradict it.
    assert detector.detect("Migration und Entwicklung", "de") == "de"


def test_declared_language_is_overruled_by_clear_evidence(detector: LanguageDetector) -> None:
    english = (
        "The International Organization for Migration held the closing ceremony of the online "
        "course, which was aimed at key actors who provide services to migrants in the region."
    )
    assert detector.detect(english, "es") == "en"
    assert detector.detect(english, "de") == "en"
    # A sample item is long enough to show that a declared Portuguese is wrong...
    first_item = SAMPLE.read_text("utf-8").split("\n\n", 1)[1][:500]
    assert detector.detect(first_item, "pt") == "en"
    # ...but an English quotation does not overrule a Spanish declaration.
    quoted = (
        "La directora dijo que “the time to act is now” durante la reunión con las "
        "autoridades de migración de Panamá y Costa Rica."
    )
    assert detector.detect(quoted, "es") == "es"


def test_at_least_one_language() -> None:
    with pytest.raises(ValueError):
        LanguageDetector(languages=())


def test_text_without_letters_is_undetermined(detector: LanguageDetector) -> None:
    assert detector.detect("") == "und"
    assert detector.detect("2021 — 10.7 / 23") == "und"


@pytest.mark.parametrize(
    ("tag", "primary"),
    [
        ("es-419", "es"),
        ("EN_us", "en"),
        ("spa", "es"),
        ("fre", "fr"),
        (" pt-BR ", "pt"),
        ("", None),
        (None, None),
        ("x1", None),
        ("english", None),
    ],
)
def test_primary_tag(tag: str | None, primary: str | None) -> None:
    assert primary_tag(tag) == primary


def test_function_word_lists_do_not_overlap() -> None:
    languages = list(STOP_WORDS)
    for i, first in enumerate(languages):
        for second in languages[i + 1 :]:
            assert not STOP_WORDS[first] & STOP_WORDS[second], (first, second)


def test_fallback_is_restricted_to_the_configured_languages() -> None:
    detector = LanguageDetector(languages=("en", "es"))
    french = "Nouvelles formations pour les fonctionnaires haïtiens"
    assert detector.detect(french) in {"en", "es"}


def test_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    detector = LanguageDetector()
    assert detector.detect("Nuevas oportunidades laborales") == "es"
