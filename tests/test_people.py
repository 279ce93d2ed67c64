"""Tests for finding people and their roles in text."""

from __future__ import annotations

import pytest

from converter.extract.organizations import OrganizationIndex, distinct
from converter.extract.people import PersonFinder, find_people
from converter.iris import slugify
from converter.records import Person


@pytest.fixture(scope="module")
def index() -> OrganizationIndex:
    return OrganizationIndex()


@pytest.fixture(scope="module")
def finder() -> PersonFinder:
    return PersonFinder()


def _people(
    index: OrganizationIndex, finder: PersonFinder, text: str, countries: tuple[str, ...] = ()
) -> list[Person]:
    organizations = distinct(index.find(text, countries))
    return finder.find(text, organizations, countries)


def test_minister_of_the_sample(index: OrganizationIndex, finder: PersonFinder) -> None:
    text = (
        "The International Organization for Migration (IOM) in collaboration with the Government "
        "of the Republic of Suriname released the Suriname Needs Assessment on Migration "
        "Governance. The launch was done at a virtual event with presentations from IOM "
        "representatives and the Minister of the Foreign Affairs, International Business and "
        "International Cooperation, H. E. Albert Ramdin."
    )
    assert _people(index, finder, text, ("SR",)) == [
        Person(
            slug="albert-ramdin",
            name="Albert Ramdin",
            job_title=(
                "Minister of the Foreign Affairs, International Business and "
                "International Cooperation"
            ),
            honorific="H. E.",
            affiliation="government-sr",
            country="SR",
        )
    ]


@pytest.mark.parametrize(
    ("text", "name", "job_title"),
    [
        ("IOM Chief of Mission, Jane Doe, opened the event.", "Jane Doe", "IOM Chief of Mission"),
        (
            "Jane Doe, IOM Chief of Mission in Panama, said that the course ends today.",
            "Jane Doe",
            "IOM Chief of Mission in Panama",
        ),
        (
            '"We are ready," said John Smith, Regional Director of IOM for Central America.',
            "John Smith",
            "Regional Director of IOM for Central America",
        ),
        (
            "IOM Director General António Vitorino said the Compact matters.",
            "António Vitorino",
            "IOM Director General",
        ),
    ],
)
def test_roles_naming_an_organisation(
    index: OrganizationIndex, finder: PersonFinder, text: str, name: str, job_title: str
) -> None:
    [person] = _people(index, finder, text, ("PA",))
    assert (person.name, person.job_title, person.affiliation, person.slug) == (
        name,
        job_title,
        "iom",
        slugify(name),
    )


def test_spanish_roles_serve_the_government_in_context(
    index: OrganizationIndex, finder: PersonFinder
) -> None:
    text = (
        "Participó el Director General de Migración, Juan Pérez, y la ministra de Relaciones "
        "Exteriores, María López."
    )
    people = _people(index, finder, text, ("GT",))
    assert [(p.name, p.job_title, p.affiliation, p.country) for p in people] == [
        ("Juan Pérez", "Director General de Migración", "government-gt", "GT"),
        ("María López", "ministra de Relaciones Exteriores", "government-gt", "GT"),
    ]


def test_a_country_named_in_the_role_wins(index: OrganizationIndex, finder: PersonFinder) -> None:
    text = "La canciller de Honduras, Enrique Reina, dijo que el trabajo sigue."
    [person] = _people(index, finder, text, ("GT", "HN"))
    assert (person.affiliation, person.country) == ("government-hn", "HN")


def test_national_body_in_the_role(index: OrganizationIndex, finder: PersonFinder) -> None:
    text = "Oriel Ortega Benítez, director general of SENAFRONT, noted the role of the unit."
    [person] = _people(index, finder, text, ("PA",))
    assert (person.job_title, person.affiliation, person.country) == (
        "director general of SENAFRONT",
        "senafront-pa",
        "PA",
    )


def test_the_role_word_nearest_the_name_wins(
    index: OrganizationIndex, finder: PersonFinder
) -> None:
    text = "Ambassador John Smith and the Minister of Security, Juan Manuel Pino, visited Darién."
    people = {p.name: p for p in _people(index, finder, text, ("PA",))}
    assert people["Juan Manuel Pino"].job_title == "Minister of Security"
    assert people["Juan Manuel Pino"].affiliation == "government-pa"
    assert people["John Smith"].job_title == "Ambassador"
    assert people["John Smith"].affiliation is None  # whose ambassador? the text does not say


def test_an_ambassador_of_a_named_country(index: OrganizationIndex, finder: PersonFinder) -> None:
    text = "The Ambassador of Japan, Takeshi Yamada, handed over the equipment."
    [person] = _people(index, finder, text, ("PA",))
    assert (person.name, person.affiliation, person.country) == (
        "Takeshi Yamada",
        "government-jp",
        "JP",
    )


def test_one_person_named_twice_is_one_person(
    index: OrganizationIndex, finder: PersonFinder
) -> None:
    text = (
        "IOM Chief of Mission, Jane Doe, opened the event. Later, Ms. Jane Doe, IOM Chief of "
        "Mission, closed it."
    )
    [person] = _people(index, finder, text)
    assert (person.name, person.honorific) == ("Jane Doe", "Ms.")


@pytest.mark.parametrize(
    "text",
    [
        "The Training Program on Migration Policy and Governance with a Focus on Local Levels.",
        "According to the Director of the National Migration Service, Costa Rica, figures rose.",
        "IOM Chief of Mission Visits Darién Gap\n\nThe visit took place.",
        "Representatives of the Ministry of Labour, Federation of Local Governments, attended.",
        "The IOM representatives and the officials met in Panama City.",
        "",
    ],
)
def test_no_person_is_invented(index: OrganizationIndex, finder: PersonFinder, text: str) -> None:
    assert _people(index, finder, text, ("CR",)) == []


def test_find_people_is_the_finder(index: OrganizationIndex) -> None:
    text = "la ministra de Relaciones Exteriores, María López."
    organizations = distinct(index.find(text, ("GT",)))
    assert find_people(text, organizations, ["GT"]) == PersonFinder().find(
        text, organizations, ["GT"]
    )
    assert find_people(text, organizations, ["GT"])[0].slug == "maria-lopez"
