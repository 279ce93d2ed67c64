"""Read news items from a listing, a feed or JSON Lines: text in, :class:`NewsItem` out.

The I/O edge reads a file or a request body and passes its bytes (or text)
with a display name, or opens a file and passes the binary stream to
:func:`read_stream`; the readers never open anything themselves. Every reader
is a generator, so a large input is converted item by item, and a listing or
JSON Lines stream is read in constant memory.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

from converter.errors import EmptyInputError, ItemError
from converter.extract.dates import DateParser
from converter.readers import jsonl, listing
from converter.readers.feeds import read_feed
from converter.readers.jsonl import read_jsonl, read_jsonl_lines
from converter.readers.listing import read_listing, read_listing_lines
from converter.readers.stream import check_stream, stream_lines
from converter.records import NewsItem

__all__ = [
    "INPUT_FORMATS",
    "detect_format",
    "read_feed",
    "read_items",
    "read_jsonl",
    "read_listing",
    "read_stream",
]

INPUT_FORMATS = ("listing", "feed", "jsonl")
_SUFFIXES = {
    ".txt": "listing",
    ".text": "listing",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_HEAD = 4096


def detect_format(name: str, head: str, *, dates: DateParser | None = None) -> str:
    """Return the format of an input from its first characters, else from its name's suffix.

    Markup means a feed, a JSON object (or array) JSON Lines, a date on the
    first non-blank line a listing. When the content does not tell, the suffix
    does (``.txt``, ``.xml``/``.rss``/``.atom``, ``.jsonl``/``.ndjson``); plain
    text with neither is taken for a listing, whose reader then says precisely
    what is wrong with it.
    """
    start = head.lstrip("\ufeff \t\r\n")
    if start.startswith("<"):
        return "feed"
    if start.startswith(("{", "[")):
        return "jsonl"
    first_line = start.split("\n", 1)[0]
    try:
        if (dates or DateParser()).parse_listing_date(first_line) is not None:
            return "listing"
    except ItemError:
        return "listing"
    return _SUFFIXES.get(PurePath(name).suffix.lower(), "listing")


def read_items(
    data: bytes | str,
    name: str,
    *,
    input_format: str | None = None,
    skip_invalid: bool = False,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of one input, detecting its format unless ``input_format`` names it.

    Errors are typed (:class:`~converter.errors.ConverterError` subclasses
    naming ``name``, the line and the field) and raised while iterating. With
    ``skip_invalid``, a malformed item is yielded as its :class:`ItemError` and
    reading goes on; errors about the whole input are still raised.

    Raise :class:`ValueError` for an ``input_format`` not in :data:`INPUT_FORMATS`.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {input_format!r}; use one of {INPUT_FORMATS}")
    if not data.strip():
        raise EmptyInputError("the input is empty", source=name)
    dates = DateParser()
    fmt = input_format or detect_format(name, _head(data), dates=dates)
    if fmt == "feed":
        yield from read_feed(data, name, skip_invalid=skip_invalid, dates=dates)
    elif fmt == "jsonl":
        yield from read_jsonl(data, name, skip_invalid=skip_invalid, dates=dates)
    else:
        yield from read_listing(data, name, skip_invalid=skip_invalid, dates=dates)


def read_stream(
    stream: BinaryIO,
    name: str,
    *,
    input_format: str | None = None,
    skip_invalid: bool = False,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of an open, seekable binary stream, as :func:`read_items` does.

    A listing or JSON Lines in UTF-8 is read block by block, so memory does not
    grow with the input; it is read twice, once to raise the errors a whole
    read raises first (undecodable bytes, control characters, no content).
    Feeds and UTF-16 text are read whole and handed to :func:`read_items`.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {input_format!r}; use one of {INPUT_FORMATS}")
    stream.seek(0)
    head = stream.read(_HEAD)
    dates = DateParser()
    fmt = input_format or detect_format(name, _head(head), dates=dates)
    if fmt == "feed" or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        stream.seek(0)
        data = stream.read()
        yield from read_items(data, name, input_format=input_format, skip_invalid=skip_invalid)
        return
    check_stream(stream, name, jsonl.EMPTY if fmt == "jsonl" else listing.EMPTY)
    lines = stream_lines(stream, name)
    reader = read_jsonl_lines if fmt == "jsonl" else read_listing_lines
    yield from reader(lines, name, skip_invalid=skip_invalid, dates=dates)


def _head(data: bytes | str) -> str:
    """Return the first characters of an input, decoded leniently for format detection."""
    if isinstance(data, str):
        return data[:_HEAD]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data[: _HEAD * 2].decode("utf-16", "replace")
    return data[:_HEAD].decode("utf-8", "replace")
