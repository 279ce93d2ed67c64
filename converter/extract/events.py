"""Tell whether a news item describes an event, and describe it.

An event is a training, course, workshop, seminar, forum, dialogue, meeting,
conference, signing, launch or ceremony, named in English or Spanish. A term in
the headline makes one; a term in the body does when its sentence backs it up
(a verb such as "held", an attendance mode, a date, a proper name). The text
is read sentence by sentence with token lookups in dictionaries built once in
:class:`EventFinder`; regular expressions run only on the few sentences that
need them.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence

from converter.extract.dates import DateParser
from converter.extract.eventreading import Hit, Reading, latin_forms, unpunctuated
from converter.extract.eventwords import (
    BY_VERBS,
    COUNT,
    CUES,
    ENGLISH,
    KINDS,
    RELATED,
    SPANISH,
    TERMS,
)
from converter.records import Dateline, Event, NewsItem, Organization, Place

# "[.!?][.!?]*", not "[.!?]+": see Tokenizer in tokens.py
_SENTENCE_BREAK = re.compile(r"[.!?][.!?]*[\"”’»)]*(?:\s+|(?=[A-ZÁÉÍÓÚÑ¿¡]))")
Index = dict[str, list[tuple[tuple[str, ...], int, str, bool]]]


def _fold(text: str) -> str:
    """Return ``text`` without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class EventFinder:
    """Find the event an item describes; build once, reuse for every item."""

    def __init__(self, dates: DateParser) -> None:
        self.dates = dates
        # a phrase's longest word -> [(the phrase's words, where that word is in it,
        # kind or cue tag, whether a kind)]: "en línea" is looked up under "línea".
        index: Index = {}
        entries = [(w, kind, True) for kind, ws in TERMS.items() for w in ws.split()]
        entries += [(w, tag, False) for tag, ws in CUES.items() for w in ws.split()]
        for phrase, tag, is_term in entries:
            for variant in {phrase, _fold(phrase)}:
                words = tuple(variant.split("_"))
                key = max(words, key=len)
                index.setdefault(key, []).append((words, words.index(key), tag, is_term))
        self.index = index
        self.keys = frozenset(index)
        # Not after a letter or a digit: a count's number stands alone.
        self.count = re.compile(COUNT)  # matched in lower case
        self.count_any_case = re.compile(COUNT, re.IGNORECASE)
        # +1 a Spanish small word, -1 an English one: their sum tells the language (_spanish).
        self.leaning = {word: (word in SPANISH) - (word in ENGLISH) for word in SPANISH | ENGLISH}

    def find(
        self,
        item: NewsItem,
        *,
        organizations: Sequence[str | Organization] = (),
        places: Sequence[tuple[str, str] | Place] = (),
        countries: Sequence[str] = (),
        dateline: Dateline | None = None,
    ) -> Event | None:
        """Return the event ``item`` describes, or None.

        ``organizations`` (slugs or records), ``places`` ((slug, country) pairs
        or records) and ``countries`` (ISO codes) are what the other extractors
        found in the item; organisers and location are chosen among them.
        """
        sentences, spaced, lowered, words = split_sentences(item)
        hits, cues = self.scan(words)
        if not hits:
            return None
        read = Reading(self, item, sentences, spaced, cues, lowered)
        chosen = read.choose(hits)
        if chosen is None:
            return None
        primary, kind, name = chosen
        family, category, english, castilian = KINDS[kind]
        involved = read.involved(hits, primary)
        start, end = read.dates(involved, dateline)
        # "It took place in person." "Participaron 45 funcionarios."
        related = sorted({*involved, *[i for i, c in enumerate(cues) if c & RELATED]})
        place, country = _location(lowered, involved, places, countries, dateline)
        if family == "education":
            schema_type = "EducationEvent"
        elif kind == "launch" and any("publication" in cues[i] for i in involved):
            schema_type = "PublicationEvent"  # the launch of a report, a study, a guide
        else:
            schema_type = "Event"
        return Event(
            kind=schema_type,
            category=category,
            name=name
            or f"{castilian if _spanish(item, words, self.leaning) else english}: {item.headline}",
            start=start,
            end=end,
            attendance=_attendance(cues, related),
            participants=next(filter(None, (read.count(i) for i in related)), None),
            location=place,
            location_country=country,
            organizers=_organizers(sentences, lowered, involved, organizations),
        )

    def scan(self, sentences: list[list[str]]) -> tuple[list[Hit], list[set[str]]]:
        """Return the event terms in tokenised ``sentences`` and, for each, its cue tags."""
        words = list(itertools.chain.from_iterable(sentences))
        bounds = list(itertools.accumulate(map(len, sentences), initial=0))
        hits: list[Hit] = []
        cues: list[set[str]] = [set() for _ in sentences]
        # A set intersection in C finds the few words worth a look, and where they are.
        present = self.keys.intersection(words)
        positions = itertools.compress(itertools.count(), map(present.__contains__, words))
        for position in positions if present else ():
            word = words[position]
            number = bisect.bisect_right(bounds, position) - 1
            for phrase, offset, tag, is_term in self.index[word]:
                start, size = position - offset, len(phrase)
                if size > 1 and (
                    start < bounds[number]
                    or start + size > bounds[number + 1]
                    or tuple(words[start : start + size]) != phrase
                ):
                    continue
                if is_term:
                    hits.append(Hit(tag, number, start - bounds[number], size))
                else:
                    cues[number].add(tag)
        for number, tags in enumerate(cues):
            if "sign" in tags and "agreement" in tags:
                hits.append(Hit("signing", number, len(sentences[number]), 0))
        hits.sort(key=_hit_order)
        return hits, cues


def split_sentences(item: NewsItem) -> tuple[list[str], list[str], list[str], list[list[str]]]:
    """Return an item's sentences (the headline first) in four forms.

    As written, with punctuation made spaces, in lower case, and as the words
    of the second form in lower case.
    """
    sentences: list[str] = []
    spaced: list[str] = []  # punctuation made spaces
    lowered: list[str] = []  # in lower case
    words: list[list[str]] = []  # the words of each, unpunctuated, in lower case
    for number, paragraph in enumerate((item.headline, *item.paragraphs)):
        # Punctuation becomes space one character for one: a sentence's span fits all forms.
        forms = latin_forms(paragraph)
        breaks = _sentence_breaks(paragraph) if number else []
        at = 0
        for stop, after in [*breaks, (len(paragraph), 0)]:
            sentence = paragraph[at:stop]
            if number == 0 or sentence.strip():
                sentences.append(sentence)
                if forms is not None:
                    spaced.append(forms[0][at:stop])
                    lowered.append(forms[1][at:stop])
                    words.append(forms[2][at:stop].split())
                else:
                    spaced.append(unpunctuated(sentence))
                    lowered.append(sentence.lower())
                    words.append(spaced[-1].lower().split())
            at = after
    return sentences, spaced, lowered, words


def _sentence_breaks(paragraph: str) -> list[tuple[int, int]]:
    """Return the spans of the sentence breaks in ``paragraph``, as the pattern finds them.

    A break starts with ".", "!" or "?": without the last two, the pattern is
    tried at each full stop only, which ``str.find`` finds far faster than the
    pattern's own scan.
    """
    if "!" in paragraph or "?" in paragraph:
        return [stop.span() for stop in _SENTENCE_BREAK.finditer(paragraph)]
    breaks = []
    find, match = paragraph.find, _SENTENCE_BREAK.match
    at = find(".")
    while at >= 0:
        stop = match(paragraph, at)
        if stop is None:
            at = find(".", at + 1)
        else:
            breaks.append(stop.span())
            at = find(".", stop.end())
    return breaks


def _hit_order(hit: Hit) -> tuple[int, int]:
    """Return where a hit is, to sort by."""
    return hit.sentence, hit.word


def _attendance(cues: list[set[str]], involved: list[int]) -> str | None:
    """Return "online", "offline" or "mixed" from what the event's sentences say."""
    tags = set().union(*[cues[i] for i in involved]) if involved else set()
    if "mixed" in tags or {"online", "offline"} <= tags:
        return "mixed"
    return "online" if "online" in tags else "offline" if "offline" in tags else None


def _spanish(item: NewsItem, words: list[list[str]], leaning: dict[str, int]) -> bool:
    """Tell whether an item is in Spanish: as it says, else by its commonest small words.

    ``words`` are the words of each sentence in lower case; the first two are read.
    ``leaning`` gives +1 for a Spanish small word and -1 for an English one: more
    Spanish than English ones make a positive sum.
    """
    if item.language is not None:
        return item.language.lower().startswith("es")
    sample = itertools.chain.from_iterable(words[:2])
    return sum(filter(None, map(leaning.get, sample))) > 0  # the words it has no leaning for


def _surface_forms(organization: str | Organization) -> tuple[str, list[tuple[str, bool]]]:
    """Return an organisation's slug and the forms it takes in text, each with case-folding."""
    if isinstance(organization, Organization):
        names = [organization.name, organization.acronym or "", *organization.alternate_names]
        names += [label for _, label in organization.labels]
        return organization.slug, [(n, False) for n in dict.fromkeys(names) if n]
    words = organization.replace("-", " ")
    # A short slug is an acronym ("iom" is IOM, not "Iom"); a long one a name in any case.
    return organization, [(words.upper(), False)] if len(words) <= 6 else [(words, True)]


def _find(text: str, lowered: str, form: str, fold: bool) -> int:
    """Return where ``form`` first occurs in ``text`` as whole words, or -1."""
    haystack, needle = (lowered, form.lower()) if fold else (text, form)
    at = haystack.find(needle)
    while at >= 0:
        end = at + len(needle)
        if (at == 0 or not text[at - 1].isalnum()) and (
            end >= len(text) or not text[end].isalnum()
        ):
            return at
        at = haystack.find(needle, at + 1)
    return -1


def _after_by(lowered: str) -> list[int]:
    """Return where the agents start after "organised by", "provided by", "organizado por"...

    ``lowered`` is the sentence in lower case.
    """
    starts = []
    for marker in (" by ", " por ", " a cargo de "):
        at = lowered.find(marker)
        while at >= 0:
            verb = lowered[lowered.rfind(" ", 0, at) + 1 : at]
            if marker == " a cargo de " or verb in BY_VERBS:
                starts.append(at + len(marker))
            at = lowered.find(marker, at + 1)
    return starts


def _organizers(
    sentences: list[str],
    lowered: list[str],
    involved: list[int],
    organizations: Sequence[str | Organization],
) -> tuple[str, ...]:
    """Return who holds the event: those named after "organised by" and in the headline.

    Failing both, the first organisation the item names. ``lowered`` holds the
    sentences in lower case.
    """
    forms = [_surface_forms(o) for o in organizations]
    found: list[str] = []

    def located(text: str, lowered: str) -> list[str]:
        spans = []
        for slug, slug_forms in forms:
            for form, fold in slug_forms:
                at = _find(text, lowered, form, fold)
                if at >= 0:
                    spans.append((at, at + len(form), slug))
        # "CARICOM" inside "CARICOM IMPACS" names the longer one only.
        inside = {s for a, b, s in spans for c, d, t in spans if t != s and c <= a and b <= d}
        return [slug for _, _, slug in sorted(spans) if slug not in inside]

    for i in involved:
        for after in _after_by(lowered[i]):
            agents = sentences[i][after : after + 80]
            found += located(agents, agents.lower())
    found += located(sentences[0], lowered[0])
    if not found and forms:
        found.append(forms[0][0])
    return tuple(dict.fromkeys(found))


def _location(
    lowered: list[str],
    involved: list[int],
    places: Sequence[tuple[str, str] | Place],
    countries: Sequence[str],
    dateline: Dateline | None,
) -> tuple[str | None, str | None]:
    """Return where the event was: a place its sentences name, the dateline, or the one country.

    ``lowered`` holds the item's sentences in lower case.
    """
    for i in involved:
        sentence = lowered[i]
        for place in places:
            slug, country = (place.slug, place.country) if isinstance(place, Place) else place
            name = place.name if isinstance(place, Place) else slug
            if not isinstance(place, Place) and slug.endswith("-" + country.lower()):
                name = slug[: -len(country) - 1]
            if _find(sentence, sentence, name.replace("-", " ").lower(), False) >= 0:
                return slug, country
    if dateline is not None and (dateline.place or dateline.country):
        return dateline.place, dateline.country
    unique = list(dict.fromkeys(countries))
    return (None, unique[0]) if len(unique) == 1 else (None, None)
