"""Dates in listing date lines and in running text, English and Spanish."""

from __future__ import annotations

import datetime as dt

import pytest

from converter.errors import ItemError
from converter.extract.dates import DateParser

D = dt.date


@pytest.fixture(scope="module")
def parser() -> DateParser:
    return DateParser()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("20 September, 2021", D(2021, 9, 20)),
        ("2 September 2021", D(2021, 9, 2)),
        ("September 20, 2021", D(2021, 9, 20)),
        ("22 Enero, 2021", D(2021, 1, 22)),
        ("22 de enero de 2021", D(2021, 1, 22)),
        ("Sept. 3, 2021", D(2021, 9, 3)),
        ("2021-09-20", D(2021, 9, 20)),
        ("3 Setiembre, 2021", D(2021, 9, 3)),
        ("1º de SEPTIEMBRE del 2021", D(2021, 9, 1)),
        ("Miércoles 3 de marzo de 2021", D(2021, 3, 3)),
        ("Monday, 20 September 2021", D(2021, 9, 20)),
        ("  20\u00a0September, 2021  ", D(2021, 9, 20)),
        ("dic. 9, 2020", D(2020, 12, 9)),
        ("20/09/2021", D(2021, 9, 20)),
    ],
)
def test_listing_date_lines(parser: DateParser, line: str, expected: dt.date) -> None:
    assert parser.parse_listing_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "IOM and Suriname Government launch innovative report",
        "Top 10, 2021",
        "3 Lessons from 2021",
        "COP 26, 2021",
        "Georgetown, Guyana 23 August 2021:",
        "Agenda 2030",
        "The International Organization for Migration (IOM) held 2 meetings in 2021",
    ],
)
def test_lines_that_are_not_dates(parser: DateParser, line: str) -> None:
    assert parser.parse_listing_date(line) is None


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("32 September, 2021", "no such day"),
        ("31 June 2021", "no such day"),
        ("29 February 2021", "no such day"),
        ("20 Septembre, 2021", "unknown month"),
        ("Janvier 3, 2021", "unknown month"),
        ("September 2021", "without a day"),
        ("03/04/2021", "ambiguous"),
        ("20 September, 1066", "implausible year"),
    ],
)
def test_bad_date_lines_raise(parser: DateParser, line: str, fragment: str) -> None:
    with pytest.raises(ItemError, match=fragment) as caught:
        parser.parse_listing_date(line)
    assert caught.value.field == "date"


REFERENCE = D(2021, 9, 2)


@pytest.mark.parametrize(
    ("text", "start", "end", "matched"),
    [
        (
            "was held from July 26 to August 25, 2021.",
            D(2021, 7, 26),
            D(2021, 8, 25),
            "from July 26 to August 25, 2021",
        ),
        ("Georgetown, Guyana 23 August 2021:", D(2021, 8, 23), None, "23 August 2021"),
        ("el 24 de abril de 2023", D(2023, 4, 24), None, "24 de abril de 2023"),
        (
            "del 26 de julio al 25 de agosto de 2021",
            D(2021, 7, 26),
            D(2021, 8, 25),
            "del 26 de julio al 25 de agosto de 2021",
        ),
        ("between 3 and 5 May 2022", D(2022, 5, 3), D(2022, 5, 5), "between 3 and 5 May 2022"),
        ("on 12 May", D(2021, 5, 12), None, "12 May"),
        ("15-17 March 2022", D(2022, 3, 15), D(2022, 3, 17), "15-17 March 2022"),
        ("from 2 to 4 December", D(2021, 12, 2), D(2021, 12, 4), "from 2 to 4 December"),
        ("May 3-5, 2022", D(2022, 5, 3), D(2022, 5, 5), "May 3-5, 2022"),
        ("del 3 al 5 de mayo de 2022", D(2022, 5, 3), D(2022, 5, 5), "del 3 al 5 de mayo de 2022"),
        ("entre el 3 y el 5 de mayo", D(2021, 5, 3), D(2021, 5, 5), "entre el 3 y el 5 de mayo"),
        ("los días 3 y 4 de mayo", D(2021, 5, 3), D(2021, 5, 4), "los días 3 y 4 de mayo"),
        ("26th July to 3rd August 2021", D(2021, 7, 26), D(2021, 8, 3), None),
        ("on Sept. 3, 2021", D(2021, 9, 3), None, "Sept. 3, 2021"),
        ("on the 1st of May", D(2021, 5, 1), None, "1st of May"),
        ("a report dated 2021-09-20", D(2021, 9, 20), None, "2021-09-20"),
        ("3 Setiembre 2021", D(2021, 9, 3), None, None),
        ("SEPTEMBER 3, 2021", D(2021, 9, 3), None, None),
    ],
)
def test_dates_in_running_text(
    parser: DateParser, text: str, start: dt.date, end: dt.date | None, matched: str | None
) -> None:
    mentions = parser.find_dates(text, REFERENCE)
    assert len(mentions) == 1
    mention = mentions[0]
    assert (mention.start, mention.end) == (start, end)
    assert text[mention.begin : mention.stop] == mention.text
    if matched is not None:
        assert mention.text == matched


@pytest.mark.parametrize(
    "text",
    [
        "it may 5 times",
        "In August, Honduras and Mexico",
        "March 2021 was busy",
        "on 31 June 2021",
        "5-3 May 2021 is no range",
        "more than 50 journalists from 6 countries",
        "COVID-19 and 2021",
    ],
)
def test_no_date_where_there_is_none(parser: DateParser, text: str) -> None:
    mentions = parser.find_dates(text, REFERENCE)
    assert all(m.end is None for m in mentions)
    assert [m.text for m in mentions] in ([], ["3 May 2021"])


def test_year_from_reference_and_previous_year(parser: DateParser) -> None:
    find_date_range = parser.find_date_range
    reference = D(2022, 1, 10)
    # December is far after a January reference: it was last December.
    assert find_date_range("on 20 December", reference) == (D(2021, 12, 20), None)
    # An early date in the same year stays in it.
    assert find_date_range("on 5 January", reference) == (D(2022, 1, 5), None)
    # A date a few weeks ahead is an announcement: same year.
    assert find_date_range("will be held on 14 February", reference) == (D(2022, 2, 14), None)
    # A range over the new year: the end takes the next year.
    assert find_date_range("from December 28 to January 3", reference) == (
        D(2021, 12, 28),
        D(2022, 1, 3),
    )


def test_year_less_dates_need_a_reference(parser: DateParser) -> None:
    find_dates = parser.find_dates
    assert find_dates("on 12 May") == []
    assert [m.start for m in find_dates("on 12 May 2020")] == [D(2020, 5, 12)]


def test_find_date_range_prefers_a_range(parser: DateParser) -> None:
    find_date_range = parser.find_date_range
    text = "Georgetown, 23 August 2021: the course ran from 2 to 6 August 2021."
    assert find_date_range(text, REFERENCE) == (D(2021, 8, 2), D(2021, 8, 6))
    assert find_date_range("nothing here", REFERENCE) == (None, None)


def test_several_mentions_in_order(parser: DateParser) -> None:
    text = "Signed on 3 May 2021, in force from 1 June 2021 to 31 May 2022, reviewed 2022-06-01."
    mentions = parser.find_dates(text)
    assert [(m.start, m.end) for m in mentions] == [
        (D(2021, 5, 3), None),
        (D(2021, 6, 1), D(2022, 5, 31)),
        (D(2022, 6, 1), None),
    ]
