"""Read news items from a listing, a feed or JSON Lines: text in, :class:`NewsItem` out.

The I/O edge reads a file or a request body and passes its bytes (or text)
with a display name; the readers never open anything themselves. Every reader
is a generator, so a large input is converted item by item.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import PurePath

from converter.errors import EmptyInputError, ItemError
from converter.extract.dates import DateParser
from converter.readers.feeds import read_feed
from converter.readers.jsonl import read_jsonl
from converter.readers.listing import read_listing
from converter.records import NewsItem

__all__ = [
    "INPUT_FORMATS",
    "detect_format",
    "read_feed",
    "read_items",
    "read_jsonl",
    "read_listing",
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


def _head(data: bytes | str) -> str:
    """Return the first characters of an input, decoded leniently for format detection."""
    if isinstance(data, str):
        return data[:_HEAD]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data[: _HEAD * 2].decode("utf-16", "replace")
    return data[:_HEAD].decode("utf-8", "replace")
