"""Read the sentences of one item for its event: names, dates, participant counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from converter.extract.dateforms import number_spans
from converter.extract.dates import DateMention
from converter.extract.eventwords import (
    ARTICLES,
    CONNECTORS,
    EVIDENCE,
    HEADLINE_VERBS,
    KINDS,
    MAX_NAME_WORDS,
    VERB_FORMS,
)
from converter.records import Dateline, NewsItem

if TYPE_CHECKING:
    from converter.extract.events import EventFinder

# Punctuation becomes space, one character for one, so that the words of a
# translated sentence keep the offsets they have in the sentence.
_PUNCTUATION = re.compile(r'[!"#$%&()*+,./:;<=>?@\[\\\]^_`{|}~“”«»‘¿¡…–—•·„]')
# _PUNCTUATION for a text in Latin-1, one byte a character: a translation to spaces.
_LATIN_PUNCTUATION = bytes(0x20 if _PUNCTUATION.match(chr(c)) else c for c in range(256))
# Latin-1 characters lower-cased, one byte for one: none lowers beyond Latin-1.
_LATIN_LOWER = bytes(ord(chr(c).lower()) for c in range(256))
_LATIN_LOWER_UNPUNCTUATED = bytes(_LATIN_PUNCTUATION[c] for c in _LATIN_LOWER)
_TOKEN = re.compile(r"\S\S*")  # not "\S+": see Tokenizer in tokens.py
_THREE_DIGITS = re.compile(r"\d\d\d").fullmatch
_QUOTE_AFTER = re.compile(r"\s*(?:[\w’'-]+\s+){0,3}?[\"“«‘]([^\"”»’“«]{3,160})[\"”»’]")
_QUOTE_BEFORE = re.compile(r"[\"“«]([^\"”»“«]{3,160})[\"”»]\s*$")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.-]{1,12})\s*\)")


class Hit(NamedTuple):
    """An event term found in a sentence: its kind, schema.org type and word position."""

    kind: str
    sentence: int
    word: int
    length: int


class Reading:
    """One item's sentences and cues, shared by the steps that describe its event."""

    def __init__(
        self,
        finder: EventFinder,
        item: NewsItem,
        sentences: list[str],
        spaced: list[str],
        cues: list[set[str]],
        lowered: list[str] | None = None,
    ) -> None:
        self.finder = finder
        self.item = item
        self.sentences = sentences
        self.spaced = spaced  # the sentences with punctuation made spaces
        self.lowered = lowered if lowered is not None else [s.lower() for s in sentences]
        self._tokens: dict[int, list[str]] = {}
        self.cues = cues
        self._title_case: bool | None = None
        self._names: dict[tuple[int, int], tuple[str | None, bool]] = {}
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self._dates: dict[int, list[DateMention]] = {}
        self._counts: dict[int, int | None] = {}

    def name(self, hit: Hit) -> tuple[str | None, bool]:
        """Return the name the text gives the event at ``hit``; tell if it is an organisation's."""
        key = (hit.sentence, hit.word)
        if key in self._names:
            return self._names[key]
        sentence = self.sentences[hit.sentence]
        if not self.capitalised(hit) and not _quoted(sentence):
            # Without quotes, only a capitalised term can be part of a name.
            self._names[key] = (None, False)
            return self._names[key]
        if hit.sentence not in self._spans:
            self._spans[hit.sentence] = [
                m.span() for m in _TOKEN.finditer(self.spaced[hit.sentence])
            ]
        title_case = False
        if hit.sentence == 0:
            if self._title_case is None:
                self._title_case = _is_title_case(sentence)
            title_case = self._title_case
        found = _proper_name(sentence, self._spans[hit.sentence], hit, title_case)
        self._names[key] = found
        return found

    def capitalised(self, hit: Hit) -> bool:
        """Tell whether the term at ``hit`` is written with a capital."""
        tokens = self._tokens.get(hit.sentence)
        if tokens is None:
            tokens = self._tokens[hit.sentence] = self.spaced[hit.sentence].split()
        return hit.length > 0 and hit.word < len(tokens) and tokens[hit.word][0].isupper()

    def mentions(self, index: int) -> list[DateMention]:
        """Return the dates sentence ``index`` states."""
        if index not in self._dates:
            sentence = self.sentences[index]
            self._dates[index] = self.finder.dates.find_dates(
                sentence, self.item.date, lowered=self.lowered[index]
            )
        return self._dates[index]

    def count(self, index: int) -> int | None:
        """Return the participant count sentence ``index`` states ("more than 50 journalists")."""
        if index in self._counts:
            return self._counts[index]
        sentence = self.sentences[index]
        self._counts[index] = None
        # The pattern reads the sentence in lower case, faster than ignoring case. Only
        # "ſ", "ı" and "İ" match an ASCII letter ignoring case but not in lower case.
        lowered = self.lowered[index]
        count = self.finder.count
        if not lowered.isascii() and ("ſ" in lowered or "ı" in lowered or "i̇" in lowered):
            lowered, count = sentence, self.finder.count_any_case
        for start, end in number_spans(sentence):
            after = sentence[end : end + 1]
            if after.isspace():
                if end - start > 6:
                    continue  # the pattern takes up to six digits before a space
            elif not after or after not in ",.":
                continue  # a count's number is followed by a space, or "," or "." in "1,500"
            elif end - start > 3 or not _THREE_DIGITS(sentence[end + 1 : end + 4]):
                continue  # "1,500" and "12.000": one to three digits, then groups of three
            found = count.match(lowered, start)
            if found is not None and not sentence[start - 1 : start].isalnum():
                value = int(found.group(1).replace(",", "").replace(".", ""))
                if value >= 2:
                    self._counts[index] = value
                    return value
        return None

    def confirmed(self, hit: Hit) -> bool:
        """Tell whether a term's sentence shows an event took place (a verb, a mode, a date)."""
        if hit.sentence == 0 or hit.length == 0 or self.cues[hit.sentence] & EVIDENCE:
            return True  # a headline term, or "signed" beside "agreement"
        if self.name(hit)[0]:
            return True
        return bool(self.count(hit.sentence) or self.mentions(hit.sentence))

    def choose(self, hits: list[Hit]) -> tuple[Hit, str, str | None] | None:
        """Return the term that makes the event, its kind and the name the text gives it."""
        # A name seen once as an organisation's ("... Conference on Migration (RCM)") is one.
        # Only a name followed by "(" can be an organisation's: other sentences need no look.
        sentences = self.sentences
        capitalised = [h for h in hits if "(" in sentences[h.sentence] and self.capitalised(h)]
        organisations = {name for name, is_org in map(self.name, capitalised) if is_org}
        valid = [h for h in hits if self.name(h)[0] not in organisations] if organisations else hits
        pool = [h for h in valid if h.sentence == 0] or [h for h in valid if self.confirmed(h)]
        if not pool:
            return None
        primary = next((h for h in pool if h.kind != "ceremony"), pool[0])
        family = KINDS[primary.kind][0]
        for hit in [h for h in valid if h.sentence > 0] + [h for h in valid if h.sentence == 0]:
            name = self.name(hit)[0] if KINDS[hit.kind][0] == family else None
            if name:
                # "... the Specialized Course on ..." makes a course of a headline's "Train".
                named, _ = self.finder.scan([unpunctuated(name).lower().split()])
                kinds = [h.kind for h in named if KINDS[h.kind][0] == family]
                return primary, kinds[0] if kinds else primary.kind, name
        return primary, primary.kind, None

    def involved(self, hits: list[Hit], primary: Hit) -> list[int]:
        """Return the sentences about the event: its terms' and those that say "the event"."""
        family = KINDS[primary.kind][0]
        chosen = {h.sentence for h in hits if KINDS[h.kind][0] in (family, "ceremony")}
        chosen.update(i for i, tags in enumerate(self.cues) if "event" in tags)
        return sorted(chosen)

    def dates(
        self, involved: list[int], dateline: Dateline | None
    ) -> tuple[dt.date | None, dt.date | None]:
        """Return the event's dates: a range stated, else a date, else "today" made a date."""
        single = None
        for i in involved:
            for mention in self.mentions(i):
                if mention.end is not None:
                    return mention.start, mention.end
                single = single or mention.start
        if single is not None:
            return single, None
        day = dateline.date if dateline is not None and dateline.date else self.item.date
        for i in involved:
            if "today" in self.cues[i]:
                return day, None
            if "yesterday" in self.cues[i]:
                return day - dt.timedelta(days=1), None
        return None, None


def unpunctuated(text: str) -> str:
    """Return ``text`` with its punctuation made spaces: ``.split()`` then gives its words."""
    if text.isascii():  # translating the bytes is cheaper than the pattern
        return text.encode("ascii").translate(_LATIN_PUNCTUATION).decode("ascii")
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        return _PUNCTUATION.sub(" ", text)
    return latin.translate(_LATIN_PUNCTUATION).decode("latin-1")


def latin_forms(text: str) -> tuple[str, str, str] | None:
    """Return ``text`` unpunctuated, lower-cased, and both; None when it is not Latin-1.

    Each form keeps the offsets of ``text`` and equals what :func:`unpunctuated`
    and ``str.lower`` give for any piece of it: in Latin-1 every character
    lowers to one character, whatever its neighbours. Byte translations cost
    far less than ``str.lower`` on a text with accents.
    """
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return (
        latin.translate(_LATIN_PUNCTUATION).decode("latin-1"),
        latin.translate(_LATIN_LOWER).decode("latin-1"),
        latin.translate(_LATIN_LOWER_UNPUNCTUATED).decode("latin-1"),
    )


def _quoted(text: str) -> bool:
    """Tell whether ``text`` holds an opening quote: four substring tests beat a pattern."""
    return '"' in text or "“" in text or "«" in text or "‘" in text


def _is_title_case(text: str) -> bool:
    """Tell whether a headline capitalises its words ("IOM Launches New Course")."""
    words = [w for w in unpunctuated(text).split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _proper_name(
    sentence: str, spans: list[tuple[int, int]], hit: Hit, title_case: bool
) -> tuple[str | None, bool]:
    """Return the event's name around a term: a quoted title or a capitalised phrase.

    Also tell whether the phrase is an organisation's name rather than an
    event's: "the Regional Conference on Migration (RCM)".
    """
    first, last = hit.word, hit.word + hit.length - 1
    if hit.length == 0 or last >= len(spans):
        return None, False
    term = sentence[spans[first][0] : spans[last][1]]
    if term.lower() in VERB_FORMS:
        return None, False
    if _quoted(sentence):
        quoted = _QUOTE_AFTER.match(sentence, spans[last][1]) or _QUOTE_BEFORE.search(
            sentence, 0, spans[first][0]
        )
        if quoted:
            return " ".join(quoted.group(1).split()), False
    if not term[0].isupper():
        return None, False
    # Only the words near the term are read: each is cut from the sentence when it is.
    left = first
    while left > 0 and not sentence[spans[left - 1][1] : spans[left][0]].strip():
        word = sentence[spans[left - 1][0] : spans[left - 1][1]]
        low = word.lower()
        if not _capitalised(word) or low in ARTICLES or low in HEADLINE_VERBS:
            break
        if title_case and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            break
        left -= 1
    right = last
    for k in range(last + 1, min(len(spans), left + MAX_NAME_WORDS)):
        gap = sentence[spans[k - 1][1] : spans[k][0]].strip()
        word = sentence[spans[k][0] : spans[k][1]]
        low = word.lower()
        if gap not in ("", ","):
            break
        if _capitalised(word) and not (title_case and low in HEADLINE_VERBS):
            right = k
        elif gap or low not in CONNECTORS:
            break
    if left == first and right == last:
        return None, False
    acronym = _ACRONYM_AFTER.match(sentence, spans[right][1])
    is_organisation = acronym is not None and acronym.group(1).lower() != "mou"
    return sentence[spans[left][0] : spans[right][1]], is_organisation


def _capitalised(word: str) -> bool:
    """Tell whether a word can be part of a proper name: capitalised, or a year."""
    return word[0].isupper() or (word.isdigit() and len(word) == 4)
