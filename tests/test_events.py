"""Events: what an item describes, in English and Spanish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from converter.extract.dates import DateParser
from converter.extract.events import EventFinder
from converter.readers import read_items
from converter.records import Dateline, Event, NewsItem, Organization, Place, Source

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "news" / "iom-news-2021.txt"
ALLOWED_CATEGORIES = {
    "training", "course", "workshop", "forum", "meeting", "signing", "launch", "conference",
}  # fmt: skip
D = dt.date


@pytest.fixture(scope="module")
def finder() -> EventFinder:
    return EventFinder(DateParser())


@pytest.fixture(scope="module")
def sample() -> list[NewsItem]:
    return [i for i in read_items(SAMPLE.read_bytes(), "sample.txt") if isinstance(i, NewsItem)]


def news(
    headline: str, *paragraphs: str, date: dt.date | None = None, language: str | None = None
) -> NewsItem:
    """Return a news item made of ``headline`` and ``paragraphs``."""
    day = date or D(2021, 9, 20)
    return NewsItem(day, headline, paragraphs, Source("t.txt", 1, 1), language=language)


def event(item: NewsItem, finder: EventFinder, **found: object) -> Event:
    """Return the event found in ``item``, failing when there is none."""
    result = finder.find(item, **found)  # type: ignore[arg-type]
    assert result is not None, item.headline
    assert result.category in ALLOWED_CATEGORIES
    return result


def test_sample_launch_at_a_virtual_event(sample: list[NewsItem], finder: EventFinder) -> None:
    found = event(sample[0], finder, organizations=["iom"], countries=["SR"])
    assert (found.category, found.kind, found.attendance) == (
        "launch",
        "PublicationEvent",
        "online",
    )
    assert (found.location, found.location_country, found.organizers) == (None, "SR", ("iom",))
    assert (found.start, found.end) == (None, None)
    assert found.name.startswith("Launch: IOM and Suriname Government launch")


def test_sample_dialogue_and_forum_names(sample: list[NewsItem], finder: EventFinder) -> None:
    dialogue = event(sample[1], finder, countries=["PA"])
    assert dialogue.category == "forum"
    assert dialogue.name == (
        "Intersectoral Dialogue on the Knowledge Economy in the New International Context"
    )
    forum = event(sample[4], finder, organizations=["iom", "ilo"])
    assert (forum.category, forum.kind) == ("forum", "Event")
    assert forum.name == "International Forum on Digitalization, Migration and Development"
    assert forum.organizers == ("iom", "ilo")
    # "by virtual means" is about work permits, in another sentence: no attendance mode.
    assert forum.attendance is None


def test_sample_items_without_events(sample: list[NewsItem], finder: EventFinder) -> None:
    assert finder.find(sample[2], countries=["DO"]) is None
    assert finder.find(sample[7], organizations=["inm"], countries=["MX", "PA"]) is None


def test_sample_workshop_named_in_the_body(sample: list[NewsItem], finder: EventFinder) -> None:
    found = event(sample[3], finder, organizations=["iom"], countries=["HN", "MX"])
    assert (found.category, found.kind) == ("workshop", "EducationEvent")
    assert found.name == (
        "Workshop on Analysis and Validation of the Information Hubs Model in the Municipal"
        " Management Model for Social Development"
    )


def test_sample_online_course_with_dates(sample: list[NewsItem], finder: EventFinder) -> None:
    found = event(sample[5], finder, organizations=["iom"], countries=["PA"])
    assert (found.category, found.kind, found.attendance) == ("course", "EducationEvent", "online")
    assert (found.start, found.end) == (D(2021, 7, 26), D(2021, 8, 25))
    assert found.name == "Protection of migrants in vulnerable conditions in Panama"
    assert (found.location_country, found.organizers) == ("PA", ("iom",))


def test_sample_mou_signing_at_a_virtual_ceremony(
    sample: list[NewsItem], finder: EventFinder
) -> None:
    dateline = Dateline("Georgetown, Guyana 23 August 2021", "georgetown-gy", "GY", D(2021, 8, 23))
    found = event(
        sample[6],
        finder,
        organizations=["iom", "caricom", "caricom-impacs"],
        places=[("georgetown-gy", "GY")],
        countries=["GY"],
        dateline=dateline,
    )
    assert (found.category, found.attendance) == ("signing", "online")
    assert (found.location, found.location_country) == ("georgetown-gy", "GY")
    # "CARICOM" in the headline is part of "CARICOM IMPACS", which organises.
    assert found.organizers == ("iom", "caricom-impacs")
    # The dateline's date is when the story was written, not the signing.
    assert found.start is None


def test_sample_course_participants(sample: list[NewsItem], finder: EventFinder) -> None:
    found = event(sample[8], finder, organizations=["iom", "flacso-costa-rica"])
    assert (found.category, found.participants) == ("course", 50)
    assert found.name == "Specialized Course on Communication and Migration"
    assert found.organizers == ("iom", "flacso-costa-rica")


def test_sample_training_programme(sample: list[NewsItem], finder: EventFinder) -> None:
    found = event(sample[9], finder, organizations=["iom", "rcm"])
    assert (found.category, found.attendance) == ("training", "online")
    assert found.name.startswith("Training Program on Migration Policy and Governance")


def test_spanish_workshop(finder: EventFinder) -> None:
    item = news(
        "Honduras fortalece la lucha contra la trata",
        "La OIM realizó un taller sobre trata de personas del 3 al 5 de mayo de 2022 en"
        " modalidad presencial. Participaron 45 funcionarios públicos.",
        date=D(2022, 5, 9),
    )
    found = event(item, finder, organizations=["iom"], countries=["HN"])
    assert (found.category, found.kind, found.attendance) == (
        "workshop",
        "EducationEvent",
        "offline",
    )
    assert (found.start, found.end, found.participants) == (D(2022, 5, 3), D(2022, 5, 5), 45)
    assert found.name == "Taller: Honduras fortalece la lucha contra la trata"
    assert found.location_country == "HN"


SPANISH_EVENTS = [
    ("Curso virtual sobre migración laboral", "El curso se impartió en línea.", "course", "online"),
    ("Foro regional sobre movilidad", "El foro híbrido se realizó en Quito.", "forum", "mixed"),
    ("Capacitación en Quito", "La capacitación fue presencial y virtual.", "training", "mixed"),
    ("La OIM y el Ministerio cooperan", "Firmaron un convenio de cooperación.", "signing", None),
    ("Lanzamiento de la guía de retorno", "La guía se presentó ayer.", "launch", None),
    ("Seminario web sobre datos", "Se celebró por videoconferencia.", "conference", "online"),
    (
        "Diálogo nacional sobre migración",
        "Se llevó a cabo de manera presencial.",
        "forum",
        "offline",
    ),
]


@pytest.mark.parametrize(("headline", "body", "category", "attendance"), SPANISH_EVENTS)
def test_spanish_kinds_and_modes(
    finder: EventFinder, headline: str, body: str, category: str, attendance: str | None
) -> None:
    found = event(news(headline, body, language="es"), finder)
    assert (found.category, found.attendance) == (category, attendance)


def test_dialogue_and_seminar_are_published_in_the_allowed_categories(finder: EventFinder) -> None:
    webinar = event(
        news("IOM hosts the “Pathways to Inclusion” webinar", "It was held online."), finder
    )
    assert (webinar.category, webinar.kind, webinar.attendance) == (
        "conference",
        "EducationEvent",
        "online",
    )
    assert webinar.name == "Pathways to Inclusion"


def test_organisation_names_are_not_events(finder: EventFinder) -> None:
    item = news(
        "IOM supports the Regional Conference on Migration",
        "The Regional Conference on Migration (RCM) adopted a statement on labour migration.",
    )
    assert finder.find(item, organizations=["iom", "rcm"]) is None


def test_a_passing_mention_is_not_an_event(finder: EventFinder) -> None:
    item = news("Migrants find jobs in Panama", "Many migrants need training to find work.")
    assert finder.find(item) is None


def test_today_and_stated_places(finder: EventFinder) -> None:
    dateline = Dateline("Panama City, 12 May 2022", "panama-city-pa", "PA", D(2022, 5, 12))
    item = news(
        "Border officials trained",
        "Panama City, 12 May 2022 – IOM opened a workshop today in Tegucigalpa for 30 officials.",
        date=D(2022, 5, 13),
    )
    tegucigalpa = Place("tegucigalpa-hn", "Tegucigalpa", "HN")
    found = event(item, finder, places=[tegucigalpa], dateline=dateline)
    assert (found.start, found.end) == (D(2022, 5, 12), None)
    assert (found.location, found.location_country) == ("tegucigalpa-hn", "HN")
    assert found.participants == 30
    without_place = event(item, finder, dateline=dateline)
    assert (without_place.location, without_place.location_country) == ("panama-city-pa", "PA")


def test_organisers_named_after_by(finder: EventFinder) -> None:
    unhcr = Organization("unhcr", "United Nations High Commissioner for Refugees", acronym="UNHCR")
    iom = Organization("iom", "International Organization for Migration", acronym="IOM")
    item = news(
        "Regional workshop on protection",
        "The workshop, organized by UNHCR and the International Organization for Migration,"
        " gathered over 100 participants between 3 and 5 May 2022.",
    )
    found = event(item, finder, organizations=[iom, unhcr])
    assert found.organizers == ("unhcr", "iom")
    assert (found.participants, found.start, found.end) == (100, D(2022, 5, 3), D(2022, 5, 5))


def test_every_term_gives_an_allowed_category(finder: EventFinder) -> None:
    terms = [
        "course", "training", "workshop", "seminar", "webinar", "forum", "dialogue", "meeting",
        "conference", "summit", "ceremony", "taller", "curso", "capacitación", "foro", "reunión",
        "conferencia", "seminario", "diálogo", "ceremonia", "lanzamiento",
    ]  # fmt: skip
    for term in terms:
        found = event(news(f"A {term} on migration", "It was held in May."), finder)
        assert found.kind in {"Event", "EducationEvent", "PublicationEvent"}
