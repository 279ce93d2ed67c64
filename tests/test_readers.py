"""Readers: the plain-text listing, RSS and Atom feeds, JSON Lines, and format detection."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import ConverterError, EmptyInputError, FormatError, ItemError
from converter.readers import INPUT_FORMATS, detect_format, read_items
from converter.readers.feeds import read_feed
from converter.readers.jsonl import read_jsonl
from converter.readers.listing import read_listing
from converter.records import NewsItem

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "news" / "iom-news-2021.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readers"


def items(data: str | bytes, name: str = "test.txt", **options: object) -> list[NewsItem]:
    """Return the news items read from ``data``, failing on anything else."""
    found = list(read_items(data, name, **options))  # type: ignore[arg-type]
    assert all(isinstance(item, NewsItem) for item in found)
    return found  # type: ignore[return-value]


# The plain-text listing ------------------------------------------------------------


def test_sample_listing() -> None:
    found = items(SAMPLE.read_bytes(), "news/iom-news-2021.txt")
    assert [(i.date.isoformat(), i.source.line, i.source.position) for i in found] == [
        ("2021-09-20", 1, 1),
        ("2021-09-17", 7, 2),
        ("2021-09-17", 13, 3),
        ("2021-09-17", 19, 4),
        ("2021-09-14", 25, 5),
        ("2021-09-02", 31, 6),
        ("2021-08-26", 39, 7),
        ("2021-08-26", 48, 8),
        ("2021-08-24", 54, 9),
        ("2021-08-20", 60, 10),
    ]
    assert found[0].headline == (
        "IOM and Suriname Government launch innovative report on national migration governance"
    )
    assert found[5].headline == (
        'Online course "Protection of migrants in vulnerable conditions in Panama" is concluded'
    )
    assert found[7].headline == (
        "Mexico’s Beta Group Works with Panama’s Humanitarian Border Security Unit"
    )
    assert found[6].paragraphs[0] == "Georgetown, Guyana 23 August 2021:"
    assert len(found[6].paragraphs) == 2
    assert all(i.source.name == "news/iom-news-2021.txt" for i in found)
    for item in found:
        for text in (item.headline, *item.paragraphs):
            assert "\u00a0" not in text and "  " not in text and text == text.strip()
    assert "appropriate space for promoting dialogue" in found[1].paragraphs[0]


def test_crlf_bom_and_odd_whitespace_read_like_plain_text() -> None:
    plain = "20 September, 2021\n\nA headline\n\nFirst paragraph.\n\nSecond one.\n"
    messy = (
        "\ufeff20 September, 2021 \r\n\r\n\r\n\r\nA\u00a0headline\t \r\n \r\n"
        "First\u2009 paragraph.\u200b\r\n\r\n\r\nSecond one.   \r\n\r\n\r\n"
    )
    expected = items(plain)
    assert [(i.headline, i.paragraphs) for i in items(messy.encode())] == [
        (i.headline, i.paragraphs) for i in expected
    ]
    assert [(i.headline, i.paragraphs) for i in items(messy.encode("utf-16"))] == [
        (i.headline, i.paragraphs) for i in expected
    ]


def test_curly_quotes_multi_paragraph_standfirst_and_wrapped_lines() -> None:
    text = (
        "2 September, 2021\n\n"
        "“Safe migration” campaign reaches 10,000 people\n\n"
        "A standfirst that sums the story up.\n\n"
        "The first paragraph is hard-wrapped\nacross two lines.\n\n"
        "The ‘second’ paragraph.\n"
    )
    (item,) = items(text)
    assert item.headline == "“Safe migration” campaign reaches 10,000 people"
    assert item.paragraphs == (
        "A standfirst that sums the story up.",
        "The first paragraph is hard-wrapped across two lines.",
        "The ‘second’ paragraph.",
    )


def test_spanish_listing_and_headline_only_item() -> None:
    text = (
        "22 de enero de 2021\n\nLa OIM y Panamá realizan un taller\n\n"
        "El taller se realizó en línea.\n\n"
        "3 Setiembre, 2021\n\nTitular sin cuerpo\n"
    )
    first, second = items(text)
    assert (first.date, second.date) == (dt.date(2021, 1, 22), dt.date(2021, 9, 3))
    assert first.paragraphs == ("El taller se realizó en línea.",)
    assert (second.headline, second.paragraphs) == ("Titular sin cuerpo", ())
    assert second.source.line == 7


@pytest.mark.parametrize(
    ("text", "error", "line", "field"),
    [
        ("20 September, 2021\n\n19 September, 2021\n\nHeadline\n", ItemError, 1, "headline"),
        ("20 September, 2021\n\nA\n\n19 September, 2021\n\n", ItemError, 5, "headline"),
        ("Stray text\n\n20 September, 2021\n\nHeadline\n", ItemError, 1, "date"),
        ("No dates here\n\nat all\n", FormatError, 1, None),
        ("20 September, 2021\n\nA\n\n32 September, 2021\n\nB\n", ItemError, 5, "date"),
        ("20 September, 2021\n\nA\n\n\n20 Septembre, 2021\n\nB\n", ItemError, 6, "date"),
        ("20 September, 2021\n\nA\n\nBody\x00with NUL\n", FormatError, 5, None),
        ("20 September, 2021\n\n" + "x" * 500 + "\n", ItemError, 1, "headline"),
    ],
)
def test_listing_errors(
    text: str, error: type[ConverterError], line: int, field: str | None
) -> None:
    with pytest.raises(error) as caught:
        list(read_listing(text, "bad.txt"))
    assert type(caught.value) is error
    assert (caught.value.source, caught.value.line, caught.value.field) == ("bad.txt", line, field)
    assert str(caught.value).startswith(f"bad.txt:{line}:")


def test_undecodable_bytes_name_their_line() -> None:
    data = b"20 September, 2021\n\nHeadline\n\nCaf\xe9 in Latin-1\n"
    with pytest.raises(FormatError) as caught:
        list(read_items(data, "latin.txt"))
    assert caught.value.line == 5
    assert "not UTF-8" in caught.value.message


@pytest.mark.parametrize("data", ["", "   \n\n\t\n", b"", b"\xef\xbb\xbf\n"])
def test_empty_input(data: str | bytes) -> None:
    with pytest.raises(EmptyInputError):
        list(read_items(data, "empty.txt"))


def test_skip_invalid_yields_errors_in_place_and_goes_on() -> None:
    text = (
        "Stray text\n\n"
        "20 September, 2021\n\nGood one\n\nBody.\n\n"
        "32 September, 2021\n\nBad date\n\nBody.\n\n"
        "18 September, 2021\n\n"
        "17 September, 2021\n\nGood two\n"
    )
    found = list(read_listing(text, "mixed.txt", skip_invalid=True))
    kinds = [
        ("ItemError", x.line) if isinstance(x, ItemError) else ("NewsItem", x.headline)
        for x in found
    ]
    assert kinds == [
        ("ItemError", 1),
        ("NewsItem", "Good one"),
        ("ItemError", 9),
        ("ItemError", 15),
        ("NewsItem", "Good two"),
    ]
    assert [x.field for x in found if isinstance(x, ItemError)] == ["date", "date", "headline"]
    assert [x.source.position for x in found if isinstance(x, NewsItem)] == [1, 4]


def test_listing_streams_items_before_a_later_error() -> None:
    text = "20 September, 2021\n\nFirst\n\n" * 3 + "31 June 2021\n\nBroken\n"
    reader = read_listing(text, "stream.txt")
    assert inspect.isgenerator(reader)
    first = [next(reader) for _ in range(3)]
    assert [x.headline for x in first if isinstance(x, NewsItem)] == ["First"] * 3
    with pytest.raises(ItemError):
        next(reader)


# Feeds ----------------------------------------------------------------------------


def test_rss_fixture() -> None:
    first, second, third = items((FIXTURES / "rss.xml").read_bytes(), "rss.xml")
    # The date as the feed states it, not moved to the next day by conversion to UTC.
    assert first.date == dt.date(2021, 9, 20)
    assert first.paragraphs == (
        "The International Organization for Migration (IOM) released the Suriname Needs"
        " Assessment.",
        "The launch was done at a virtual event.",
    )
    assert (first.url, first.language) == ("https://example.org/news/suriname-report", "en-US")
    assert second.headline == "Online course “Protection of migrants” is concluded"
    assert second.url == "https://example.org/news/online-course"
    assert second.paragraphs == (
        "With the aim of training and updating the concepts of protection, IOM held the"
        " closing ceremony.",
        "The course was held from July 26 to August 25, 2021. It was online.",
    )
    assert (third.headline, third.paragraphs, third.url) == ("Headline without body", (), None)
    assert [i.source.line for i in (first, second, third)] == [8, 14, 21]
    assert [i.source.position for i in (first, second, third)] == [1, 2, 3]


def test_atom_fixture() -> None:
    first, second = items((FIXTURES / "atom.xml").read_text("utf-8"), "atom.xml")
    assert first.headline == "Taller sobre gobernanza migratoria en Panamá"
    assert first.date == dt.date(2021, 9, 21)  # published, as written, beats updated
    assert first.paragraphs == (
        "La OIM realizó un taller del 3 al 5 de mayo de 2021.",
        "Participaron 45 funcionarios.",
    )
    assert (first.language, second.language) == ("es", "en")
    assert second.paragraphs == ("First paragraph.", "Second paragraph.")
    assert second.date == dt.date(2021, 9, 20)


RSS_ITEM = "<item><title>{title}</title>{date}<description>{body}</description></item>"


def rss(*entries: str, head: str = "") -> str:
    """Return an RSS 2.0 document with ``entries``."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{head}<rss version="2.0"><channel>'
        f"<title>T</title><link>https://example.org/</link>\n" + "\n".join(entries) + "\n"
        "</channel></rss>\n"
    )


def entry(title: str = "A title", date: str | None = "Mon, 20 Sep 2021 10:00:00 GMT") -> str:
    """Return one RSS item."""
    stamp = f"<pubDate>{date}</pubDate>" if date else ""
    return RSS_ITEM.format(title=title, date=stamp, body="Body.")


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n", "utf-8")
    doctype = (
        f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{secret}">\n'
        f'<!ENTITY % remote SYSTEM "file://{secret}">\n]>\n'
    )
    document = rss(entry(title="Leak &xxe; here"), head=doctype)
    with pytest.raises(FormatError) as caught:
        list(read_feed(document, "xxe.xml"))
    assert "TOP-SECRET" not in str(caught.value)
    with pytest.raises(FormatError) as caught:
        list(read_items(document, "xxe.xml", skip_invalid=True, input_format="feed"))
    assert "TOP-SECRET" not in str(caught.value)


def test_an_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET-CONTENT">', "utf-8")
    document = rss(entry(title="Safe"), head=f'<!DOCTYPE rss SYSTEM "file://{secret}">\n')
    (item,) = items(document, "dtd.xml")
    assert item.headline == "Safe"
    assert "TOP-SECRET" not in repr(item)


def test_feeds_never_touch_the_network_or_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the reader opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(rss(entry()), "utf-8")
    for text in ("https://example.org/feed.xml", str(feed_file)):
        with pytest.raises(FormatError):
            list(read_feed(text, "given-as-text"))


@pytest.mark.parametrize(
    ("document", "line"),
    [
        (rss(entry(), entry())[:-60], 4),
        (rss(entry(), "<item><title>Broken</item>"), 4),
        ("\n\n<rss version='2.0'><channel>\n<item><title>T</title>\n<b></item></channel></rss>", 5),
    ],
)
def test_malformed_feeds_name_the_line(document: str, line: int) -> None:
    with pytest.raises(FormatError, match="malformed feed") as caught:
        list(read_items(document, "broken.xml"))
    assert caught.value.line == line


def test_html_entities_in_a_feed_are_tolerated() -> None:
    (item,) = items(rss(entry(title="Caf&eacute;&nbsp;and&nbsp;more")), "html.xml")
    assert item.headline == "Café and more"


def test_a_feed_that_is_no_feed() -> None:
    with pytest.raises(FormatError):
        list(read_feed("<html><body><p>Hello</p></body></html>", "page.html"))
    with pytest.raises(EmptyInputError):
        list(read_feed(rss(), "empty.xml"))


def test_feed_entry_errors_name_the_entry() -> None:
    document = rss(entry(title=""), entry(date=None), entry(date="sometime"), entry("Fine"))
    with pytest.raises(ItemError) as caught:
        list(read_feed(document, "feed.xml"))
    assert (caught.value.line, caught.value.field) == (3, "headline")
    found = list(read_feed(document, "feed.xml", skip_invalid=True))
    assert [(x.field, x.line) for x in found if isinstance(x, ItemError)] == [
        ("headline", 3),
        ("date", 4),
        ("date", 5),
    ]
    assert [x.headline for x in found if isinstance(x, NewsItem)] == ["Fine"]


def test_a_string_feed_declaring_another_encoding() -> None:
    document = rss(entry("Migración")).replace('encoding="utf-8"', 'encoding="ISO-8859-1"')
    assert items(document, "latin.xml")[0].headline == "Migración"
    assert items(document.encode("iso-8859-1"), "latin.xml")[0].headline == "Migración"


# JSON Lines ------------------------------------------------------------------------


def test_jsonl() -> None:
    lines = [
        json.dumps({"date": "2021-09-20", "headline": "One", "body": "P1.\n\nP2."}),
        "",
        json.dumps(
            {
                "date": "2021-09-17T10:00:00Z",
                "headline": " Two\u00a0 ",
                "body": ["A.", "", "B."],
                "url": "https://example.org/two",
                "language": "es-mx",
            }
        ),
        json.dumps({"date": "17 September, 2021", "headline": "Three"}),
    ]
    one, two, three = items("\n".join(lines), "items.jsonl")
    assert (one.paragraphs, one.source.line, one.source.position) == (("P1.", "P2."), 1, 1)
    assert (two.headline, two.paragraphs, two.url, two.language) == (
        "Two",
        ("A.", "B."),
        "https://example.org/two",
        "es-MX",
    )
    assert (two.source.line, two.source.position) == (3, 2)
    assert (three.date, three.paragraphs) == (dt.date(2021, 9, 17), ())


GOOD = json.dumps({"date": "2021-09-20", "headline": "Good"})


@pytest.mark.parametrize(
    ("line", "error", "field"),
    [
        ('{"date": "2021-09-20", "headline": ', FormatError, None),
        ('{"date": "2021-09-20"}', ItemError, "headline"),
        ('{"headline": "No date"}', ItemError, "date"),
        ('{"date": "2021-02-30", "headline": "H"}', ItemError, "date"),
        ('{"date": "yesterday", "headline": "H"}', ItemError, "date"),
        ('{"date": "2021-09-20", "headline": "H", "body": 3}', ItemError, "body"),
        ('{"date": "2021-09-20", "headline": "H", "url": "javascript:x"}', ItemError, "url"),
        ('{"date": "2021-09-20", "headline": "H", "language": "english!"}', ItemError, "language"),
        ("[1, 2]", ItemError, None),
    ],
)
def test_jsonl_errors(line: str, error: type[ConverterError], field: str | None) -> None:
    text = f"{GOOD}\n\n{line}\n{GOOD}\n"
    with pytest.raises(error) as caught:
        list(read_jsonl(text, "bad.jsonl"))
    assert type(caught.value) is error
    assert (caught.value.line, caught.value.field) == (3, field)
    skipped = list(read_jsonl(text, "bad.jsonl", skip_invalid=True))
    assert [type(x).__name__ for x in skipped] == ["NewsItem", "ItemError", "NewsItem"]


def test_jsonl_that_is_no_jsonl_fails_even_when_skipping() -> None:
    with pytest.raises(FormatError) as caught:
        list(read_jsonl("{not json\n" + GOOD, "bad.jsonl", skip_invalid=True))
    assert caught.value.line == 1


# Format detection and dispatch -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("x.txt", '<?xml version="1.0"?><rss>', "feed"),
        ("x.txt", "\ufeff\n  <feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("x.xml", '{"date": "2021-09-20"}', "jsonl"),
        ("x.jsonl", "20 September, 2021\n\nHeadline", "listing"),
        ("x.rss", "plain words", "feed"),
        ("x.ndjson", "plain words", "jsonl"),
        ("x.TXT", "plain words", "listing"),
        ("noname", "plain words", "listing"),
        ("x.json", "32 September, 2021", "listing"),
    ],
)
def test_detect_format(name: str, head: str, expected: str) -> None:
    assert detect_format(name, head) == expected


def test_read_items_honours_the_given_format() -> None:
    assert INPUT_FORMATS == ("listing", "feed", "jsonl")
    with pytest.raises(FormatError):
        list(read_items("20 September, 2021\n\nHeadline\n", "x.txt", input_format="jsonl"))
    with pytest.raises(ValueError, match="unknown input format"):
        list(read_items("x", "x.txt", input_format="csv"))


# Properties ------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "20 September, 2021",
        "32 September, 2021",
        "22 de enero de 2021",
        "Headline",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\u00a0",
        "\ufeff",
        "\x00",
        "<",
        "<?xml version='1.0'?>",
        "<rss version='2.0'><channel>",
        "<item><title>T</title>",
        "<pubDate>Mon, 20 Sep 2021</pubDate>",
        "</item>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "<entry>",
        "<!DOCTYPE x [<!ENTITY e 'v'>]>",
        "&e;",
        "&nbsp;",
        "{",
        '{"date": "2021-09-20", "headline": "H"}',
        '"body": [1]',
        "}",
    ]
)
INPUTS = st.one_of(
    st.text(),
    st.binary(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join),
    st.lists(FRAGMENTS, max_size=30).map(lambda parts: "".join(parts).encode("utf-8")),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=INPUTS,
    input_format=st.sampled_from([None, *INPUT_FORMATS]),
    skip_invalid=st.booleans(),
)
def test_read_items_yields_items_or_raises_typed_errors(
    data: str | bytes, input_format: str | None, skip_invalid: bool
) -> None:
    try:
        for entry in read_items(data, "fuzz", input_format=input_format, skip_invalid=skip_invalid):
            assert isinstance(entry, NewsItem) or (skip_invalid and isinstance(entry, ItemError))
            if isinstance(entry, NewsItem):
                assert entry.headline and entry.headline == entry.headline.strip()
    except ConverterError as error:
        assert error.source == "fuzz"


LINE_TEXT = st.text(
    alphabet=st.characters(
        whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po", "Pi", "Pf"), max_codepoint=0x2FFF
    ),
    min_size=1,
    max_size=60,
).map(lambda s: " ".join(s.split()))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
            LINE_TEXT.filter(lambda s: s and not s[-1].isdigit()),
            st.lists(LINE_TEXT.filter(lambda s: bool(s) and not s[-1].isdigit()), max_size=3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_listing_round_trip(
    records: list[tuple[dt.date, str, list[str]]],
) -> None:
    months = "January February March April May June July August September October November"
    names = [*months.split(), "December"]
    text = "".join(
        f"{day.day} {names[day.month - 1]}, {day.year}\n\n{headline}\n\n"
        + "".join(f"{p}\n\n" for p in body)
        for day, headline, body in records
    )
    found = items(text)
    assert [(i.date, i.headline, list(i.paragraphs)) for i in found] == [
        (day, headline, body) for day, headline, body in records
    ]
