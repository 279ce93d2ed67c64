"""Read the plain-text listing: date line, headline, paragraphs, then the next date line.

The listing looks like this (blank lines separate blocks; runs of blank lines,
CRLF line ends, a byte order mark and odd spaces are all tolerated)::

    20 September, 2021

    IOM and Suriname Government launch innovative report

    The International Organization for Migration (IOM) ...

A block is one or more consecutive non-blank lines, joined with spaces. The
first block after a date line is the headline, the others are paragraphs. Any
line that is a date on its own starts a new item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from converter.errors import FormatError, ItemError
from converter.extract.dates import DateParser
from converter.readers.text import input_lines
from converter.records import NewsItem, Source

EMPTY = "the listing is empty"
# Date lines are short and end in a digit: the cheap test run on every line.
_LONGEST_DATE_LINE = 60
# A first block longer than this is a paragraph, not a headline.
LONGEST_HEADLINE = 400


class _Draft:
    """The parts of one item gathered so far."""

    __slots__ = ("blocks", "current", "date", "error", "line")

    def __init__(self, line: int, date: dt.date | None, error: ItemError | None) -> None:
        self.line = line
        self.date = date
        self.error = error
        self.blocks: list[str] = []
        self.current: list[str] = []

    def end_block(self) -> None:
        """Close the block being read, if any."""
        if self.current:
            block = " ".join(self.current)
            # prepare() left plain spaces only: runs of them are all that is left to fix.
            self.blocks.append(" ".join(block.split()) if "  " in block else block)
            self.current = []


def read_listing(
    text: str | bytes,
    name: str,
    *,
    skip_invalid: bool = False,
    dates: DateParser | None = None,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of a plain-text listing, in order.

    Raise :class:`ItemError` for the first malformed item (no headline, an
    unparsable date line, text before the first date line), or, when
    ``skip_invalid`` is true, yield the error in the item's place and go on.
    Raise :class:`FormatError` for binary data and for text with no date line
    at all, and :class:`EmptyInputError` for an input with nothing in it.
    """
    lines = input_lines(text, name, EMPTY)
    yield from read_listing_lines(lines, name, skip_invalid=skip_invalid, dates=dates)


def read_listing_lines(
    lines: Iterable[str],
    name: str,
    *,
    skip_invalid: bool = False,
    dates: DateParser | None = None,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of a listing given as lines already tidied (see :func:`read_listing`).

    The lines are those of :func:`~converter.readers.text.prepare`'s text, as
    :func:`~converter.readers.stream.stream_lines` yields them from a file.
    """
    parser = dates or DateParser()
    parse_date = parser.parse_listing_date
    draft: _Draft | None = None
    leading: int | None = None  # first line of text before the first date line
    position = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if draft is not None:
                draft.end_block()
            continue
        if len(line) <= _LONGEST_DATE_LINE and line[-1].isdigit():
            error: ItemError | None = None
            try:
                date = parse_date(line)
            except ItemError as exc:
                date, error = None, exc
            if date is not None or error is not None:
                if draft is not None:
                    yield from _finish(draft, name, position, skip_invalid)
                elif leading is not None:
                    yield _undated(leading, name, skip_invalid)
                position += 1
                draft = _Draft(number, date, error)
                continue
        if draft is not None:
            draft.current.append(line)
        elif leading is None:
            leading = number
    if draft is None:
        raise FormatError("no date line found: not a news listing", source=name, line=leading or 1)
    yield from _finish(draft, name, position, skip_invalid)


def _finish(
    draft: _Draft, name: str, position: int, skip_invalid: bool
) -> Iterator[NewsItem | ItemError]:
    """Yield the finished item, or its error."""
    draft.end_block()
    error = draft.error
    if error is None and draft.date is not None:
        if draft.blocks and len(draft.blocks[0]) <= LONGEST_HEADLINE:
            yield NewsItem(
                date=draft.date,
                headline=draft.blocks[0],
                paragraphs=tuple(draft.blocks[1:]),
                source=Source(name=name, line=draft.line, position=position),
            )
            return
        if draft.blocks:
            error = ItemError(
                f"item has no headline: its first block is a paragraph of"
                f" {len(draft.blocks[0])} characters",
                field="headline",
            )
        else:
            error = ItemError("item has no headline", field="headline")
    if error is None:  # pragma: no cover - a draft has a date or an error
        error = ItemError("item has no date", field="date")
    error.source, error.line = name, draft.line
    if not skip_invalid:
        raise error
    yield error


def _undated(line: int, name: str, skip_invalid: bool) -> ItemError:
    """Return (or raise) the error for text that comes before the first date line."""
    error = ItemError(
        "text before the first date line: an item without a date",
        source=name,
        line=line,
        field="date",
    )
    if not skip_invalid:
        raise error
    return error
