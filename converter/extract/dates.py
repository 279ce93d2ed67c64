"""Read dates: the date lines of a listing and the dates in running text.

English and Spanish month names are understood, in full and abbreviated, with
or without accents (``setiembre`` too). Build one :class:`DateParser` and reuse
it: its constructor compiles the patterns once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from converter.errors import ItemError
from converter.extract.dateforms import (
    EN_SHORT,
    ES_SHORT,
    MONTH_NAMES,
    TEXT_FORMS,
    group_patterns,
    make_date,
    number_spans,
    resolve_span,
    trie_pattern,
    valid_date,
    word_before,
    word_starts,
)


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text``."""
    return frozenset(text.split())


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


class DateMention(NamedTuple):
    """A date or a date range found in running text, with where it was found."""

    start: dt.date
    end: dt.date | None
    begin: int
    stop: int
    text: str


def _fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents and with single spaces."""
    if text.isascii():  # nothing to decompose
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


class DateParser:
    """Parse listing date lines and find dates in running text."""

    def __init__(self) -> None:
        listing: dict[str, int] = {}
        running: dict[str, int] = {}
        for number, names in enumerate(MONTH_NAMES, 1):
            english = EN_SHORT[number - 1].split()
            for name in (*names, *english):
                listing[name] = running[name] = number
            for name in ES_SHORT[number - 1].split():
                listing[name] = number
        self._listing_months = listing
        self._running_months = running
        # English abbreviations and "May" count as months in running text only
        # when capitalised, so that "may 5" (a verb) is not a date.
        self._capitalised = frozenset([*" ".join(EN_SHORT).split(), "may"])
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
        for form, template in TEXT_FORMS:
            for placeholder, pattern in group_patterns(form, alternation).items():
                template = template.replace(placeholder, pattern)
            forms.append(f"(?P<{form}>{template})")
        # Matched only at the few word starts before a number next to a month
        # (see find_dates): scanning all the text with it would be far slower.
        self._text = re.compile("|".join(forms), re.IGNORECASE)
        # Each form's groups for day, month and year of start and end. A part the form
        # lacks reads a group of "iso", the last form, which is never tried, so None,
        # when an earlier form matched: one call to group() reads all six.
        self._groups = {
            form: tuple(
                f"{form}_{key}" if "{" + key + "}" in template else "iso_d1"
                for key in ("d1", "d2", "m1", "m2", "y1", "y2")
            )
            for form, template in TEXT_FORMS
        }
        # The words a running-text date can start with (see find_dates).
        self._first_words = frozenset(["from", "between", "de", "del", "desde", "entre", "los"])
        self._first_words |= frozenset(running)
        self._iso_tail = re.compile(r"-[01]\d-[0-3]\d(?!\d)")
        self._word_after = re.compile(r"(?:st|nd|rd|th|º|°)?\.?,?\s+(?:de\s+|of\s+)?([^\W\d_]+)")
        # How month words start: in a text without one, only an ISO date's year needs a look
        # with the patterns above.
        self._months = tuple(sorted({name[:3] for name in running}))

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
            return make_date(year, month, day, line)
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
        return make_date(int(year_text), month_number, int(day_text), line)

    def _numeric_date(self, found: re.Match[str], line: str) -> dt.date:
        """Return the date of a numeric d/m/y or m/d/y line when only one reading is valid."""
        first, second, year = (int(g) for g in found.groups())
        if first > 12 >= second or first == second:
            return make_date(year, second, first, line)
        if second > 12 >= first:
            return make_date(year, first, second, line)
        if first > 12 and second > 12:
            raise ItemError(f"invalid date {line!r}", field="date")
        raise ItemError(f"ambiguous numeric date {line!r} (day/month or month/day?)", field="date")

    def find_dates(
        self, text: str, reference: dt.date | None = None, *, lowered: str | None = None
    ) -> list[DateMention]:
        """Return the dates and date ranges in ``text``, in order.

        A date without a year takes the year of ``reference`` (an item's
        publication date), or the year before when that would put it more than
        three months after the reference; without a reference it is skipped.
        ``lowered`` is ``text.lower()``, when the caller has it already.
        """
        mentions: list[DateMention] = []
        floor = 0  # where the last mention ended: dates do not overlap
        months: bool | None = None  # whether the text may name a month
        running, first_words = self._running_months, self._first_words
        word_after, match_text = self._word_after.match, self._text.match
        for begin, end in number_spans(text):
            if begin < floor:
                continue
            # Only a number next to a month word, or an ISO date's year, can be part of a date.
            if end - begin == 4:
                if text[end : end + 1] != "-" or self._iso_tail.match(text, end) is None:
                    continue
            elif end - begin > 2:
                continue
            else:
                if months is None:
                    low = text.lower() if lowered is None else lowered
                    # "İ" lowers to two characters; any other month word holds a start.
                    months = len(low) != len(text) or any(map(low.__contains__, self._months))
                if not months:
                    continue
                after = word_after(text, end)
                if after is None or after.group(1).lower() not in running:
                    before = word_before(text, max(0, begin - 16), begin)
                    if before is None or before.lower() not in running:
                        continue
            # The words before the number, then the number itself (a digit: it may start one).
            for start, word in [*word_starts(text, begin, floor), (begin, text[begin])]:
                # Every form starts with a digit, a month or one of "from", "between", "de",
                # "del", "desde", "entre", "los", in any case: a plain ASCII word that is none
                # of these starts no date, nor does a character that is not a word character.
                # Other words are left to the pattern.
                if not word or (
                    word.isascii() and not word[0].isdigit() and word.lower() not in first_words
                ):
                    continue
                found = match_text(text, start)
                if found is None or found.end() <= begin:
                    continue
                mention = self._mention(found, reference)
                if mention is not None:
                    mentions.append(mention)
                    floor = found.end()
                    break
        return mentions

    def _mention(self, found: re.Match[str], reference: dt.date | None) -> DateMention | None:
        """Return the mention one match of the running-text pattern makes, if it is a date."""
        form = found.lastgroup or ""
        if form == "iso":
            start = valid_date(int(found["iso_y1"]), int(found["iso_m1"]), int(found["iso_d1"]))
            return DateMention(start, None, *found.span(), found.group()) if start else None
        d1, d2, m1, m2, y1, y2 = found.group(*self._groups[form])
        month1, month2 = self._month(m1), self._month(m2)
        if month1 is None or d1 is None or (m2 is not None and month2 is None):
            return None
        span = resolve_span(
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
