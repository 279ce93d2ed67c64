"""Reading from an open stream gives what reading the whole input gives, in constant memory."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import ConverterError
from converter.readers import read_items, read_stream
from converter.readers.stream import check_stream, stream_lines
from converter.readers.text import decode, iter_lines, prepare

LISTING = (
    "20 September, 2021\n\nIOM and Suriname launch a report\n\n"
    "The International Organization for Migration (IOM) held a workshop.\n\n"
    "21 September, 2021\n\nOther headline\n\nBody text about Panama.\n"
)


def outcome(entries: Iterable[object]) -> list[tuple[str, str]]:
    """Return what reading yields, or the error it raises, in comparable form."""
    found: list[tuple[str, str]] = []
    try:
        for entry in entries:
            found.append((type(entry).__name__, repr(entry)))
    except ConverterError as exc:
        found.append(("raised " + type(exc).__name__, str(exc)))
    return found


def both(data: bytes, *, skip_invalid: bool = False) -> tuple[list[tuple[str, str]], ...]:
    whole = outcome(read_items(data, "in.txt", skip_invalid=skip_invalid))
    streamed = outcome(read_stream(io.BytesIO(data), "in.txt", skip_invalid=skip_invalid))
    return whole, streamed


@pytest.mark.parametrize(
    "data",
    [
        LISTING.encode(),
        LISTING.replace("\n", "\r\n").encode(),
        LISTING.replace("\n", "\r").encode(),
        codecs.BOM_UTF8 + LISTING.encode(),
        LISTING.encode("utf-16"),
        LISTING.replace(" ", "\u00a0", 4).replace("IOM", "I\u200bOM").encode(),
        LISTING.rstrip("\n").encode(),
        (LISTING + "\nCaf\xe9 in Latin-1\n").encode("latin-1"),
        codecs.BOM_UTF8 + (LISTING + "\nCaf\xe9\n").encode("latin-1"),
        (LISTING + "\nBody\x00with NUL\n").encode(),
        ("20 September, 2021\n\nA\x01\n\n" + LISTING).encode() + b"Caf\xe9\n",
        b"",
        b"   \n\n\t\n",
        codecs.BOM_UTF8 + b"\n",
        "\u200b\n\u00a0\n".encode(),
        b"No dates here\n\nat all\n",
        ("Stray text\n\n" + LISTING).encode(),
        (LISTING + "\n32 September, 2021\n\nBad\n").encode(),
        b'{"date": "2021-09-20", "headline": "IOM in Panama", "body": "A workshop."}\n\n'
        b'{"date": "2021-09-21", "headline": "Two", "body": ["x", "y"]}\n',
        b'{"date": "2021-09-20", "headline": "One", "body": "x"}\nnot json\n{"headline": "x"}\n',
        b"\n\n",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        b"<title>IOM in Panama</title><pubDate>Mon, 20 Sep 2021 10:00:00 GMT</pubDate>"
        b"<description>A workshop in Panama.</description></item></channel></rss>",
    ],
)
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_stream_reads_what_a_whole_read_reads(data: bytes, skip_invalid: bool) -> None:
    whole, streamed = both(data, skip_invalid=skip_invalid)
    assert streamed == whole


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["20 September, 2021", "Headline", "Body.", "", " ", "\r", "\x00", "é", "\ufeff"]
        ),
        max_size=30,
    ),
    st.integers(min_value=1, max_value=64),
)
def test_blocks_of_any_size_give_the_lines_of_the_whole_text(lines: list[str], size: int) -> None:
    data = "\n".join(lines).encode()
    try:
        expected = list(iter_lines(prepare(decode(data, "x"), "x")))
    except ConverterError as exc:
        with pytest.raises(type(exc)) as caught:
            check_stream(io.BytesIO(data), "x", "empty", size=size)
        assert (caught.value.line, caught.value.message) == (exc.line, exc.message)
        return
    stream = io.BytesIO(data)
    if data.strip() and "".join(expected).strip():
        check_stream(stream, "x", "empty", size=size)
    assert list(stream_lines(stream, "x", size=size)) == expected


def test_errors_keep_their_precedence_across_blocks() -> None:
    # A control character in the first block, a bad byte in a later one: the bad byte wins.
    data = b"20 September, 2021\n\nA\x01\n\n" + b"x\n" * 100 + b"Caf\xe9\n"
    with pytest.raises(ConverterError) as caught:
        check_stream(io.BytesIO(data), "in.txt", "empty", size=16)
    assert "not UTF-8" in caught.value.message
    assert caught.value.line == 105


def test_a_stream_is_read_lazily() -> None:
    stream = io.BytesIO((LISTING * 3).encode())
    reader = read_stream(stream, "in.txt")
    first = next(reader)
    assert getattr(first, "headline", None) == "IOM and Suriname launch a report"
