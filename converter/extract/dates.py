"""Read dates: the date lines of a listing and the dates in running text.

English and Spanish month names are understood, in full and abbreviated, with
or without accents (``setiembre`` too). Build one :class:`DateParser` and reuse
it: its constructor compiles the patterns once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from converter.errors import ItemError


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text``."""
    return frozenset(text.split())


_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
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
_EN_SHORT = ("jan", "feb", "mar", "apr", "", "jun", "jul", "aug", "sep sept", "oct", "nov", "dec")
_ES_SHORT = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep set", "oct", "nov", "dic")
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs"
    " fri sat sun lunes martes miercoles jueves viernes sabado domingo"
)
# The first three letters of month names in the languages news is written in: a
# date line whose month word starts so is a misspelt date, not a headline.
_MONTHISH = _words(
    "jan feb fev mar apr avr abr may mai mag jun jui giu jul lug aug ago aou sep set oct out"
    " ott okt nov dec dez dic ene gen ian noi"
)
_LONGEST_DATE_LINE = 48
_NUMBER = re.compile(r"\d+")
_WORD_START = re.compile(r"(?<!\S)\S")
_WORDS_BACK = 5
_LOOK_BACK = 40
_FUTURE_SLACK = dt.timedelta(days=92)

# Running-text forms, tried in this order at each position: ranges before single dates.
_FROM_EN = r"(?:(?<!\w)(?:from|between)\s+)?"
_TO_EN = r"(?:\s*[-–—]\s*|\s+(?:to|until|till|through|thru|and)\s+)"
_FROM_ES = r"(?:(?<!\w)(?:del?|desde\s+el|entre\s+el|los\s+d[ií]as)\s+)?"
_TO_ES = r"(?:\s*[-–—]\s*|\s+(?:al?|hasta(?:\s+el)?|y(?:\s+el)?)\s+)"
_OF_YEAR_ES = r"(?:,?\s+(?:de\s+|del\s+)?{y})"
_TEXT_FORMS: tuple[tuple[str, str], ...] = (
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


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date or a date range found in running text, with where it was found."""

    start: dt.date
    end: dt.date | None
    begin: int
    stop: int
    text: str


def _fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents and with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def _group_patterns(form: str, months: str) -> dict[str, str]:
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


class DateParser:
    """Parse listing date lines and find dates in running text."""

    def __init__(self) -> None:
        listing: dict[str, int] = {}
        running: dict[str, int] = {}
        for number, names in enumerate(_MONTH_NAMES, 1):
            english = _EN_SHORT[number - 1].split()
            for name in (*names, *english):
                listing[name] = running[name] = number
            for name in _ES_SHORT[number - 1].split():
                listing[name] = number
        self._listing_months = listing
        self._running_months = running
        # English abbreviations and "May" count as months in running text only
        # when capitalised, so that "may 5" (a verb) is not a date.
        self._capitalised = frozenset([*" ".join(_EN_SHORT).split(), "may"])
        weekdays = "|".join(_WEEKDAYS.split())
        self._weekday = re.compile(rf"^(?:{weekdays})\.?,?\s+")
        self._iso = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
        self._numeric = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
        self._dmy = re.compile(
            r"(\d{1,2})(?:st|nd|rd|th|o|a)?\.?\s+(?:de\s+)?([a-z]+)\.?,?\s+(?:del?\s+)?(\d{4})"
        )
        self._mdy = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
        self._my = re.compile(r"([a-z]+)\.?,?\s+(?:del?\s+)?(\d{4})")
        alternation = trie_pattern(running)
        forms = []
        for form, template in _TEXT_FORMS:
            for placeholder, pattern in _group_patterns(form, alternation).items():
                template = template.replace(placeholder, pattern)
            forms.append(f"(?P<{form}>{template})")
        # Matched only at the few word starts before a number next to a month
        # (see find_dates): scanning all the text with it would be far slower.
        self._text = re.compile("|".join(forms), re.IGNORECASE)
        self._groups = {
            form: tuple(
                f"{form}_{key}" if "{" + key + "}" in template else ""
                for key in ("d1", "d2", "m1", "m2", "y1", "y2")
            )
            for form, template in _TEXT_FORMS
        }
        # The words a running-text date can start with (see _may_start).
        self._first_words = frozenset(["from", "between", "de", "del", "desde", "entre", "los"])
        self._first_words |= frozenset(running)
        self._first_word = re.compile(r"\w+")
        self._iso_tail = re.compile(r"-[01]\d-[0-3]\d(?!\d)")
        self._word_after = re.compile(r"(?:st|nd|rd|th|º|°)?\.?,?\s+(?:de\s+|of\s+)?([^\W\d_]+)")
        self._word_before = re.compile(r"([^\W\d_]+)\.?\s+$")

    def parse_listing_date(self, line: str) -> dt.date | None:
        """Return the date a listing's date line states, or None when ``line`` is no date line.

        A line shaped like a date (a day, a month-like word and a year, or a
        numeric date) that does not give a real date raises :class:`ItemError`:
        "32 September, 2021", "20 Septembre, 2021", "31 June 2021".
        """
        line = line.strip()
        if not line or len(line) > _LONGEST_DATE_LINE or not line[-1].isdigit():
            return None
        folded = _fold(line)
        if found := self._iso.fullmatch(folded):
            year, month, day = (int(g) for g in found.groups())
            return _make_date(year, month, day, line)
        if found := self._numeric.fullmatch(folded):
            return self._numeric_date(found, line)
        folded = self._weekday.sub("", folded, count=1)
        if found := self._dmy.fullmatch(folded):
            day_text, word, year_text = found.groups()
        elif found := self._mdy.fullmatch(folded):
            word, day_text, year_text = found.groups()
        elif found := self._my.fullmatch(folded):
            if found.group(1) in self._listing_months:
                raise ItemError(f"date line without a day: {line!r}", field="date")
            return None
        else:
            return None
        month_number = self._listing_months.get(word)
        if month_number is None:
            if word[:3] in _MONTHISH:
                raise ItemError(f"unknown month {word!r} in date line {line!r}", field="date")
            return None
        return _make_date(int(year_text), month_number, int(day_text), line)

    def _numeric_date(self, found: re.Match[str], line: str) -> dt.date:
        """Return the date of a numeric d/m/y or m/d/y line when only one reading is valid."""
        first, second, year = (int(g) for g in found.groups())
        if first > 12 >= second or first == second:
            return _make_date(year, second, first, line)
        if second > 12 >= first:
            return _make_date(year, first, second, line)
        if first > 12 and second > 12:
            raise ItemError(f"invalid date {line!r}", field="date")
        raise ItemError(f"ambiguous numeric date {line!r} (day/month or month/day?)", field="date")

    def find_dates(self, text: str, reference: dt.date | None = None) -> list[DateMention]:
        """Return the dates and date ranges in ``text``, in order.

        A date without a year takes the year of ``reference`` (an item's
        publication date), or the year before when that would put it more than
        three months after the reference; without a reference it is skipped.
        """
        mentions: list[DateMention] = []
        floor = 0  # where the last mention ended: dates do not overlap
        for number in _NUMBER.finditer(text):
            if number.start() < floor or not self._near_month(text, number):
                continue
            for start in _word_starts(text, number.start(), floor):
                if not self._may_start(text, start):
                    continue
                found = self._text.match(text, start)
                if found is None or found.end() <= number.start():
                    continue
                mention = self._mention(found, reference)
                if mention is not None:
                    mentions.append(mention)
                    floor = found.end()
                    break
        return mentions

    def _may_start(self, text: str, start: int) -> bool:
        """Tell whether a date may start at ``start``: a cheap test before the running-text pattern.

        Every form starts with a digit, a month or one of "from", "between",
        "de", "del", "desde", "entre", "los", written in any case, so a plain
        ASCII word that is none of these starts no date (nor does a character
        that is not a word character). Other words are left to the pattern.
        """
        word = self._first_word.match(text, start)
        if word is None:
            return False
        found = word.group()
        return not found.isascii() or found[0].isdigit() or found.lower() in self._first_words

    def _near_month(self, text: str, number: re.Match[str]) -> bool:
        """Tell whether a number can belong to a date: a month word is next to it, or it is ISO."""
        start, end = number.span()
        if end - start == 4:
            return text[end : end + 1] == "-" and self._iso_tail.match(text, end) is not None
        if end - start > 2:
            return False
        after = self._word_after.match(text, end)
        if after is not None and after.group(1).lower() in self._running_months:
            return True
        before = self._word_before.search(text, max(0, start - 16), start)
        return before is not None and before.group(1).lower() in self._running_months

    def _mention(self, found: re.Match[str], reference: dt.date | None) -> DateMention | None:
        """Return the mention one match of the running-text pattern makes, if it is a date."""
        form = found.lastgroup or ""
        if form == "iso":
            start = _valid_date(int(found["iso_y1"]), int(found["iso_m1"]), int(found["iso_d1"]))
            return DateMention(start, None, *found.span(), found.group()) if start else None
        d1, d2, m1, m2, y1, y2 = [found[name] if name else None for name in self._groups[form]]
        month1, month2 = self._month(m1), self._month(m2)
        if month1 is None or d1 is None or (m2 is not None and month2 is None):
            return None
        span = _resolve(
            (int(d1), month1, int(y1) if y1 else None),
            (int(d2), month2 or month1, int(y2) if y2 else None) if d2 else None,
            reference,
        )
        if span is None:
            return None
        return DateMention(span[0], span[1], *found.span(), found.group())

    def _month(self, word: str | None) -> int | None:
        """Return the number of a month word found in running text, or None."""
        if word is None:
            return None
        if word.lower() in self._capitalised and word[0].islower():
            return None  # "may 5" is a verb and a number, "May 5" a date
        key = word.lower().rstrip(".")
        return self._running_months.get(key) or self._running_months.get(_fold(key))

    def find_date_range(
        self, text: str, reference: dt.date
    ) -> tuple[dt.date | None, dt.date | None]:
        """Return the first date range in ``text``, else the first date (with no end)."""
        mentions = self.find_dates(text, reference)
        for mention in mentions:
            if mention.end is not None:
                return mention.start, mention.end
        if mentions:
            return mentions[0].start, None
        return None, None


def _resolve(
    first: tuple[int, int, int | None],
    second: tuple[int, int, int | None] | None,
    reference: dt.date | None,
) -> tuple[dt.date, dt.date | None] | None:
    """Return the start and end of a date or range given as (day, month, year or None)."""
    d1, m1, y1 = first
    if second is None:
        year = y1 if y1 is not None else _infer_year(m1, d1, reference)
        start = _valid_date(year, m1, d1) if year else None
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
        y1 = _infer_year(m1, d1, reference)
        if y1 is None:
            return None
        y2 = y1 + wraps
    start, end = _valid_date(y1, m1, d1), _valid_date(y2, m2, d2)
    if start is None or end is None or end < start:
        return None
    return start, end


def _word_starts(text: str, position: int, floor: int) -> list[int]:
    """Return where the (up to four) words before ``position`` start, then ``position``.

    A date that holds the number at ``position`` starts at one of them: "from
    July 26", "between 3 and 5 May", "del 26 de julio".
    """
    low = max(floor, position - _LOOK_BACK)
    starts = [m.start() for m in _WORD_START.finditer(text, low, position)]
    return [*starts[-_WORDS_BACK:], position]


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


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when the day does not exist."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _make_date(year: int, month: int, day: int, line: str) -> dt.date:
    """Return the date of a date line, raising :class:`ItemError` when it does not exist."""
    if not 1900 <= year <= 2100:
        raise ItemError(f"implausible year in date line {line!r}", field="date")
    found = _valid_date(year, month, day)
    if found is None:
        raise ItemError(f"no such day: {line!r}", field="date")
    return found


def _infer_year(month: int, day: int, reference: dt.date | None) -> int | None:
    """Return the year of a day and month stated without one, judged from ``reference``."""
    if reference is None:
        return None
    year = reference.year
    candidate = _valid_date(year, month, day) or _valid_date(year, month, 28)
    if candidate is not None and candidate > reference + _FUTURE_SLACK:
        year -= 1
    return year


@functools.cache
def default_parser() -> DateParser:
    """Return a parser built on first use and shared after; it holds compiled patterns only."""
    return DateParser()


def parse_listing_date(line: str, parser: DateParser | None = None) -> dt.date | None:
    """Return the date of a listing date line (see :meth:`DateParser.parse_listing_date`)."""
    return (parser or default_parser()).parse_listing_date(line)


def find_dates(
    text: str, reference: dt.date | None = None, parser: DateParser | None = None
) -> list[DateMention]:
    """Return the dates in ``text`` (see :meth:`DateParser.find_dates`)."""
    return (parser or default_parser()).find_dates(text, reference)


def find_date_range(
    text: str, reference: dt.date, parser: DateParser | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """Return the first date range in ``text`` (see :meth:`DateParser.find_date_range`)."""
    return (parser or default_parser()).find_date_range(text, reference)
