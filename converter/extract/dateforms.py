"""Hold the shapes dates take in English and Spanish text, and turn their parts into dates.

:class:`~converter.extract.dates.DateParser` compiles these forms once; the
helpers here settle a stated day, month and year (or a range of them) into
:class:`datetime.date` values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from converter.errors import ItemError

MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "enero"),
    ("february", "febrero"),
    ("march", "marzo"),
    ("april", "abril"),
    ("may", "mayo"),
    ("june", "junio"),
    ("july", "julio"),
    ("august", "agosto"),
    ("september", "septiembre", "setiembre"),
    ("october", "octubre"),
    ("november", "noviembre"),
    ("december", "diciembre"),
)
EN_SHORT = ("jan", "feb", "mar", "apr", "", "jun", "jul", "aug", "sep sept", "oct", "nov", "dec")
ES_SHORT = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep set", "oct", "nov", "dic")
# A space and what follows it: a pattern that opens with a character class lets the
# engine skip to the candidates, where "(?<!\S)\S" would be tried at every position.
# A space and what follows it, with the word characters there (a word runs on past where
# the search stops). A pattern that opens with a character class lets the engine skip to
# the candidates, where "(?<!\S)\S" would be tried at every position.
_WORD_START = re.compile(r"\s(?=\S)(\w*)")
_WORD_CHARACTERS = re.compile(r"\w*")
_WORDS_BACK = 5
_NUMBER = re.compile(r"\d\d*")  # not "\d+": see Tokenizer in tokens.py
# Latin-1 bytes: the digits (the only decimal digits there) made "0", all else a space.
_DIGIT_OR_SPACE = bytes(0x30 if 0x30 <= c <= 0x39 else 0x20 for c in range(256))
_LOOK_BACK = 40
_FUTURE_SLACK = dt.timedelta(days=92)

# Running-text forms, tried in this order at each position: ranges before single dates.
_FROM_EN = r"(?:(?<!\w)(?:from|between)\s+)?"
_TO_EN = r"(?:\s*[-–—]\s*|\s+(?:to|until|till|through|thru|and)\s+)"
_FROM_ES = r"(?:(?<!\w)(?:del?|desde\s+el|entre\s+el|los\s+d[ií]as)\s+)?"
_TO_ES = r"(?:\s*[-–—]\s*|\s+(?:al?|hasta(?:\s+el)?|y(?:\s+el)?)\s+)"
_OF_YEAR_ES = r"(?:,?\s+(?:de\s+|del\s+)?{y})"
TEXT_FORMS: tuple[tuple[str, str], ...] = (
    ("mdyr", _FROM_EN + r"{m1}\s+{d1}(?:,?\s+{y1})?" + _TO_EN + r"{m2}\s+{d2}(?:,?\s+{y2})?"),
    ("dmyr", _FROM_EN + r"{d1}\s+{m1}(?:,?\s+{y1})?" + _TO_EN + r"{d2}\s+{m2}(?:,?\s+{y2})?"),
    (
        "esr",
        _FROM_ES
        + r"{d1}\s+de\s+{m1}"
        + _OF_YEAR_ES.replace("{y}", "{y1}")
        + "?"
        + _TO_ES
        + r"{d2}\s+de\s+{m2}"
        + _OF_YEAR_ES.replace("{y}", "{y2}")
        + "?",
    ),
    ("mddr", _FROM_EN + r"{m1}\s+{d1}" + _TO_EN + r"{d2}(?:,?\s+{y1})?"),
    ("ddmr", _FROM_EN + r"{d1}" + _TO_EN + r"{d2}\s+{m1}(?:,?\s+{y1})?"),
    (
        "esddr",
        _FROM_ES
        + r"{d1}"
        + _TO_ES
        + r"{d2}\s+de\s+{m1}"
        + _OF_YEAR_ES.replace("{y}", "{y1}")
        + "?",
    ),
    ("mdy", r"{m1}\s+{d1}(?:,?\s+{y1})?"),
    ("dmy", r"{d1}\s+(?:de\s+|of\s+)?{m1}" + _OF_YEAR_ES.replace("{y}", "{y1}") + "?"),
    ("iso", r"(?<![\d-])(?P<iso_y1>\d{4})-(?P<iso_m1>[01]\d)-(?P<iso_d1>[0-3]\d)(?!\d)"),
)


def group_patterns(form: str, months: str) -> dict[str, str]:
    """Return the sub-patterns of one text form, with group names unique to the form."""
    day = r"(?<!\w)(?P<{}>[0-3]?\d)(?:st|nd|rd|th|º|°)?(?!\w)"
    month = r"(?<!\w)(?P<{}>" + months + r")(?!\w)\.?"
    year = r"(?P<{}>(?:1[89]|2[01])\d\d)(?!\d)"
    patterns = {}
    for n in ("1", "2"):
        patterns["{d" + n + "}"] = day.format(f"{form}_d{n}")
        patterns["{m" + n + "}"] = month.format(f"{form}_m{n}")
        patterns["{y" + n + "}"] = year.format(f"{form}_y{n}")
    return patterns


def resolve_span(
    first: tuple[int, int, int | None],
    second: tuple[int, int, int | None] | None,
    reference: dt.date | None,
) -> tuple[dt.date, dt.date | None] | None:
    """Return the start and end of a date or range given as (day, month, year or None)."""
    d1, m1, y1 = first
    if second is None:
        year = y1 if y1 is not None else infer_year(m1, d1, reference)
        start = valid_date(year, m1, d1) if year else None
        return (start, None) if start else None
    d2, m2, y2 = second
    if y2 is None and m1 == m2:
        y2 = y1  # "15-17 March 2022", "May 3-5": one month, one year
    wraps = (m1, d1) > (m2, d2)  # "from 28 December to 3 January"
    if y1 is not None:
        y2 = y2 if y2 is not None else y1 + wraps
    elif y2 is not None:
        y1 = y2 - wraps
    else:
        y1 = infer_year(m1, d1, reference)
        if y1 is None:
            return None
        y2 = y1 + wraps
    start, end = valid_date(y1, m1, d1), valid_date(y2, m2, d2)
    if start is None or end is None or end < start:
        return None
    return start, end


def word_starts(text: str, position: int, floor: int) -> list[tuple[int, str]]:
    """Return where the (up to five) words before ``position`` start, with their words.

    A date that holds the number at ``position`` starts at one of them, or at
    ``position``: "from July 26", "between 3 and 5 May", "del 26 de julio".
    A start is a character after a space; its word is the word characters
    from there on (none when it is punctuation).
    """
    low = max(floor, position - _LOOK_BACK)
    starts: list[tuple[int, str]] = []
    for match in _WORD_START.finditer(text, max(low - 1, 0)):
        start = match.start() + 1
        if start >= position:
            break
        starts.append((start, match.group(1)))
    if low == 0 < position and not text[0].isspace():
        first = _WORD_CHARACTERS.match(text)  # the text's first word: no space before it
        starts.insert(0, (0, first.group() if first else ""))
    return starts[-_WORDS_BACK:]


def number_spans(text: str) -> list[tuple[int, int]]:
    """Return where the runs of decimal digits of ``text`` start and end, in order.

    What ``re.finditer(r"\\d+", text)`` spans. A text in Latin-1 has no decimal
    digits but 0-9: its bytes, digits made "0" and the rest spaces, are searched
    in C, which is several times faster than the pattern.
    """
    try:
        data = text.encode("latin-1").translate(_DIGIT_OR_SPACE)
    except UnicodeEncodeError:
        return [number.span() for number in _NUMBER.finditer(text)]
    spans = []
    find = data.find
    start = find(b"0")
    while start >= 0:
        end = find(b" ", start)
        if end < 0:
            spans.append((start, len(data)))
            break
        spans.append((start, end))
        start = find(b"0", end)
    return spans


def word_before(text: str, low: int, high: int) -> str | None:
    """Return the letters that end ``text[low:high]`` before an optional "." and spaces.

    What ``re.search(r"([^\\W\\d_]+)\\.?\\s+$", text[low:high]).group(1)`` finds, or
    None: read backwards, without the pattern's tries at every position.
    """
    window = text[low:high]
    words = window.rstrip()
    if len(words) == len(window):
        return None  # no space before ``high``
    if words.endswith("."):
        words = words[:-1]
    end = start = len(words)
    while start and words[start - 1].isalnum() and not words[start - 1].isdecimal():
        start -= 1  # a letter: [^\W\d_] is a word character that is no digit nor "_"
    return words[start:end] if start < end else None


def trie_pattern(words: Iterable[str]) -> str:
    """Return a regular expression matching any of ``words``, factored by common prefixes.

    A flat alternation makes the engine try every word at every position; a
    factored one tries one branch per letter.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        optional = "" in node
        if len(branches) == 1 and not optional:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")

    return pattern(trie)


def valid_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when the day does not exist."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def make_date(year: int, month: int, day: int, line: str) -> dt.date:
    """Return the date of a date line, raising :class:`ItemError` when it does not exist."""
    if not 1900 <= year <= 2100:
        raise ItemError(f"implausible year in date line {line!r}", field="date")
    found = valid_date(year, month, day)
    if found is None:
        raise ItemError(f"no such day: {line!r}", field="date")
    return found


def infer_year(month: int, day: int, reference: dt.date | None) -> int | None:
    """Return the year of a day and month stated without one, judged from ``reference``."""
    if reference is None:
        return None
    year = reference.year
    candidate = valid_date(year, month, day) or valid_date(year, month, 28)
    if candidate is not None and candidate > reference + _FUTURE_SLACK:
        year -= 1
    return year
