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
import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from converter.extract.dates import DateMention, DateParser, default_parser
from converter.records import Dateline, Event, NewsItem, Organization, Place


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text``."""
    return frozenset(text.split())


# kind -> its words in English and Spanish; "_" joins the words of a phrase.
_TERMS = {
    "course": "course courses online_course curso cursos diplomado mooc",
    "training": "training trainings train trains trained training_program training_programme"
    " capacitación capacitaciones capacita capacitan capacitó capacitaron entrenamiento",
    "workshop": "workshop workshops taller talleres",
    "seminar": "seminar seminars webinar webinars seminario seminarios webinario webinarios"
    " conversatorio conversatorios",
    "forum": "forum forums foro foros",
    "dialogue": "dialogue dialogues dialog diálogo diálogos",
    "meeting": "meeting meetings reunión reuniones encuentro encuentros roundtable round_table"
    " mesa_redonda",
    "conference": "conference conferences conferencia conferencias summit cumbre congress"
    " congreso symposium simposio",
    "signing": "memorandum_of_understanding mou memorando_de_entendimiento"
    " memorándum_de_entendimiento carta_de_entendimiento carta_de_intención letter_of_intent",
    "launch": "launch launches launched launching lanzamiento lanza lanzan lanzó lanzaron",
    "ceremony": "ceremony ceremonia graduation graduación inauguration inauguración clausura",
}
# kind -> (family, the category published: the shapes allow eight, labels in en and es).
# Kinds of one family describe the same event: a headline's "training" is the body's course.
_KINDS = {
    "course": ("education", "course", "Course", "Curso"),
    "training": ("education", "training", "Training", "Capacitación"),
    "workshop": ("education", "workshop", "Workshop", "Taller"),
    "seminar": ("education", "conference", "Seminar", "Seminario"),
    "forum": ("gathering", "forum", "Forum", "Foro"),
    "dialogue": ("gathering", "forum", "Dialogue", "Diálogo"),
    "meeting": ("gathering", "meeting", "Meeting", "Reunión"),
    "conference": ("gathering", "conference", "Conference", "Conferencia"),
    "signing": ("signing", "signing", "Signing", "Firma"),
    "launch": ("launch", "launch", "Launch", "Lanzamiento"),
    "ceremony": ("ceremony", "meeting", "Ceremony", "Ceremonia"),
}
# Sentence cues: tag -> words. "sign" makes a signing only beside an "agreement".
_CUES = {
    "sign": "sign signs signed signing firma firman firmaron firmó suscriben suscribieron"
    " suscribió",
    "agreement": "agreement agreements accord convenio convenios acuerdo acuerdos memorandum"
    " memorando protocol protocolo",
    "verb": "held hold holds hosted hosts organized organised organizes organises convened"
    " took_place takes_place carried_out conducted participated attended took_part concluded"
    " inaugurated opened kicked_off began started gathered brought_together delivered"
    " facilitated was_done realizó realizaron realizará llevó_a_cabo llevaron_a_cabo celebró"
    " celebraron organizó organizaron participaron participó asistieron concluyó culminó"
    " clausuró inauguró desarrolló impartió convocó reunió congregó tuvo_lugar",
    "participation": "participated participate attended took_part joined trained participaron"
    " participó asistieron capacitados capacitadas formados formadas",
    "online": "online on-line virtual virtually webinar webinars zoom videoconference remotely"
    " en_línea virtuales virtualmente videoconferencia webinario a_distancia",
    "offline": "in-person in_person face-to-face face_to_face presencial presenciales"
    " presencialmente on-site onsite",
    "mixed": "hybrid blended híbrido híbrida semipresencial bimodal",
    "today": "today tonight this_morning hoy esta_mañana esta_tarde",
    "yesterday": "yesterday ayer",
    "event": "event events evento eventos session sessions sesión sesiones",
    "publication": "report study guide handbook manual toolkit publication book assessment"
    " profile informe estudio guía publicación libro diagnóstico",
}
_SPANISH = _words("el la los las del para con por una sobre y")
_ENGLISH = _words("the of and for with to on by an")
_RELATED = frozenset({"verb", "participation"})
_EVIDENCE = frozenset({"verb", "participation", "online", "offline", "mixed", "today", "yesterday"})
# Terms that are verbs ("IOM trains officials"): they make an event but never name it.
_VERB_FORMS = _words(
    "train trains trained launch launches launched launching lanza lanzan lanzó lanzaron"
    " capacita capacitan capacitó capacitaron"
)
_ARTICLES = _words(
    "the a an this that these its their our el la los las lo un una este esta estos estas su sus"
)
_CONNECTORS = _words("of on for and in the a an with & de del la las los el sobre para y e en con")
# Verbs that open or close a title-case headline's event name ("Panama Initiates ...").
_HEADLINE_VERBS = _words(
    "launch launches launched hold holds held host hosts hosted organize organizes organized"
    " organise organises organised open opens opened close closes closed conclude concludes"
    " concluded begin begins began start starts started celebrate celebrates celebrated convene"
    " convenes convened train trains trained sign signs signed present presents presented lead"
    " leads promote promotes support supports strengthen strengthens deliver delivers offer"
    " offers provide provides conduct conducts initiate initiates initiated is was are were will"
    " realiza realizan inicia inician concluye lanza lanzan celebra celebran organiza organizan"
    " presenta presentan"
)
_MAX_NAME_WORDS = 24
_BY_VERBS = _words(
    "organized organised provided promoted hosted convened held led facilitated delivered"
    " organizado organizada organizados organizadas convocado convocada promovido promovida"
    " impulsado impulsada realizado realizada facilitado facilitada liderado liderada"
)
_SENTENCE_BREAK = re.compile(r"[.!?]+[\"”’»)]*(?:\s+|(?=[A-ZÁÉÍÓÚÑ¿¡]))")
# Punctuation becomes space, one character for one, so that the words of a
# translated sentence keep the offsets they have in the sentence.
_PUNCTUATION = re.compile(r'[!"#$%&()*+,./:;<=>?@\[\\\]^_`{|}~“”«»‘¿¡…–—•·„]')
_TOKEN = re.compile(r"\S+")
_NUMBER = re.compile(r"\d+")
_QUOTES = '"“«‘'
_QUOTE = re.compile(f"[{_QUOTES}]")
_QUOTE_AFTER = re.compile(r"\s*(?:[\w’'-]+\s+){0,3}?[\"“«‘]([^\"”»’“«]{3,160})[\"”»’]")
_QUOTE_BEFORE = re.compile(r"[\"“«]([^\"”»“«]{3,160})[\"”»]\s*$")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.-]{1,12})\s*\)")
# A participant count, matched where a number starts: "50 journalists", "45 funcionarios
# públicos"; "more than", "over" or "some" before it leave the number as the count.
_COUNT = (
    r"(\d{1,3}(?:[,.]\d{3})+|\d{1,6})\s+"
    r"(?:(?!(?:and|or|y|o|from|of|de|del|in|en)\b)[^\W\d_]+\s+){0,2}?"
    r"(?:participants|attendees|people|persons|journalists|officials|officers|"
    r"representatives|delegates|students|professionals|members|leaders|experts|"
    r"authorities|staff|civil\s+servants|public\s+servants|trainees|women|young\s+people|"
    r"participantes|asistentes|personas|periodistas|funcionari[oa]s|representantes|"
    r"delegad[oa]s|estudiantes|profesionales|miembros|l[ií]deres|expert[oa]s|"
    r"autoridades|servidor[ae]s|mujeres|j[oó]venes)\b"
)

Index = dict[str, list[tuple[tuple[str, ...], int, str, bool]]]


class _Hit(NamedTuple):
    """An event term found in a sentence: its kind, schema.org type and word position."""

    kind: str
    sentence: int
    word: int
    length: int


def _fold(text: str) -> str:
    """Return ``text`` without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class EventFinder:
    """Find the event an item describes; build once, reuse for every item."""

    def __init__(self, dates: DateParser | None = None) -> None:
        self.dates = dates or default_parser()
        # a phrase's longest word -> [(the phrase's words, where that word is in it,
        # kind or cue tag, whether a kind)]: "en línea" is looked up under "línea".
        index: Index = {}
        entries = [(w, kind, True) for kind, ws in _TERMS.items() for w in ws.split()]
        entries += [(w, tag, False) for tag, ws in _CUES.items() for w in ws.split()]
        for phrase, tag, is_term in entries:
            for variant in {phrase, _fold(phrase)}:
                words = tuple(variant.split("_"))
                key = max(words, key=len)
                index.setdefault(key, []).append((words, words.index(key), tag, is_term))
        self.index = index
        self.keys = frozenset(index)
        self.count = re.compile(_COUNT, re.IGNORECASE)

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
        sentences = [item.headline]
        for paragraph in item.paragraphs:
            sentences.extend(s for s in _SENTENCE_BREAK.split(paragraph) if s.strip())
        spaced = [_tokens(s) for s in sentences]
        lowered = [s.lower().split() for s in spaced]
        hits, cues = self.scan(lowered)
        if not hits:
            return None
        read = _Reading(self, item, sentences, [s.split() for s in spaced], cues)
        chosen = read.choose(hits)
        if chosen is None:
            return None
        primary, kind, name = chosen
        family, category, english, castilian = _KINDS[kind]
        involved = read.involved(hits, primary)
        start, end = read.dates(involved, dateline)
        # "It took place in person." "Participaron 45 funcionarios."
        related = sorted({*involved, *(i for i, c in enumerate(cues) if c & _RELATED)})
        place, country = _location(sentences, involved, places, countries, dateline)
        if family == "education":
            schema_type = "EducationEvent"
        elif kind == "launch" and any("publication" in cues[i] for i in involved):
            schema_type = "PublicationEvent"  # the launch of a report, a study, a guide
        else:
            schema_type = "Event"
        return Event(
            kind=schema_type,
            category=category,
            name=name or f"{castilian if _spanish(item, lowered) else english}: {item.headline}",
            start=start,
            end=end,
            attendance=_attendance(cues, related),
            participants=next(filter(None, (read.count(i) for i in related)), None),
            location=place,
            location_country=country,
            organizers=_organizers(sentences, involved, organizations),
        )

    def scan(self, sentences: list[list[str]]) -> tuple[list[_Hit], list[set[str]]]:
        """Return the event terms in tokenised ``sentences`` and, for each, its cue tags."""
        words = list(itertools.chain.from_iterable(sentences))
        bounds = list(itertools.accumulate((len(s) for s in sentences), initial=0))
        hits: list[_Hit] = []
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
                    hits.append(_Hit(tag, number, start - bounds[number], size))
                else:
                    cues[number].add(tag)
        for number, tags in enumerate(cues):
            if "sign" in tags and "agreement" in tags:
                hits.append(_Hit("signing", number, len(sentences[number]), 0))
        hits.sort(key=_position)
        return hits, cues


def _position(hit: _Hit) -> tuple[int, int]:
    """Return where a hit is, to sort by."""
    return hit.sentence, hit.word


class _Reading:
    """One item's sentences and cues, shared by the steps that describe its event."""

    def __init__(
        self,
        finder: EventFinder,
        item: NewsItem,
        sentences: list[str],
        tokens: list[list[str]],
        cues: list[set[str]],
    ) -> None:
        self.finder = finder
        self.item = item
        self.sentences = sentences
        self.tokens = tokens
        self.cues = cues
        self._title_case: bool | None = None
        self._names: dict[tuple[int, int], tuple[str | None, bool]] = {}
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self._dates: dict[int, list[DateMention]] = {}
        self._counts: dict[int, int | None] = {}

    def name(self, hit: _Hit) -> tuple[str | None, bool]:
        """Return the name the text gives the event at ``hit``; tell if it is an organisation's."""
        key = (hit.sentence, hit.word)
        if key in self._names:
            return self._names[key]
        sentence = self.sentences[hit.sentence]
        if not self.capitalised(hit) and _QUOTE.search(sentence) is None:
            # Without quotes, only a capitalised term can be part of a name.
            self._names[key] = (None, False)
            return self._names[key]
        if hit.sentence not in self._spans:
            self._spans[hit.sentence] = [m.span() for m in _TOKEN.finditer(_tokens(sentence))]
        title_case = False
        if hit.sentence == 0:
            if self._title_case is None:
                self._title_case = _is_title_case(sentence)
            title_case = self._title_case
        found = _proper_name(sentence, self._spans[hit.sentence], hit, title_case)
        self._names[key] = found
        return found

    def capitalised(self, hit: _Hit) -> bool:
        """Tell whether the term at ``hit`` is written with a capital."""
        tokens = self.tokens[hit.sentence]
        return hit.length > 0 and hit.word < len(tokens) and tokens[hit.word][0].isupper()

    def mentions(self, index: int) -> list[DateMention]:
        """Return the dates sentence ``index`` states."""
        if index not in self._dates:
            sentence = self.sentences[index]
            self._dates[index] = self.finder.dates.find_dates(sentence, self.item.date)
        return self._dates[index]

    def count(self, index: int) -> int | None:
        """Return the participant count sentence ``index`` states ("more than 50 journalists")."""
        if index in self._counts:
            return self._counts[index]
        sentence = self.sentences[index]
        self._counts[index] = None
        for number in _NUMBER.finditer(sentence):
            after = sentence[number.end() : number.end() + 1]
            if not after or (after not in ",." and not after.isspace()):
                continue  # a count's number is followed by a space, or "," or "." in "1,500"
            found = self.finder.count.match(sentence, number.start())
            if found is not None and not sentence[number.start() - 1 : number.start()].isalnum():
                value = int(found.group(1).replace(",", "").replace(".", ""))
                if value >= 2:
                    self._counts[index] = value
                    return value
        return None

    def confirmed(self, hit: _Hit) -> bool:
        """Tell whether a term's sentence shows an event took place (a verb, a mode, a date)."""
        if hit.sentence == 0 or hit.length == 0 or self.cues[hit.sentence] & _EVIDENCE:
            return True  # a headline term, or "signed" beside "agreement"
        if self.name(hit)[0]:
            return True
        return bool(self.count(hit.sentence) or self.mentions(hit.sentence))

    def choose(self, hits: list[_Hit]) -> tuple[_Hit, str, str | None] | None:
        """Return the term that makes the event, its kind and the name the text gives it."""
        # A name seen once as an organisation's ("... Conference on Migration (RCM)") is one.
        capitalised = [h for h in hits if self.capitalised(h)]
        organisations = {name for name, is_org in map(self.name, capitalised) if is_org}
        valid = [h for h in hits if self.name(h)[0] not in organisations] if organisations else hits
        pool = [h for h in valid if h.sentence == 0] or [h for h in valid if self.confirmed(h)]
        if not pool:
            return None
        primary = next((h for h in pool if h.kind != "ceremony"), pool[0])
        family = _KINDS[primary.kind][0]
        for hit in [h for h in valid if h.sentence > 0] + [h for h in valid if h.sentence == 0]:
            name = self.name(hit)[0] if _KINDS[hit.kind][0] == family else None
            if name:
                # "... the Specialized Course on ..." makes a course of a headline's "Train".
                named, _ = self.finder.scan([_tokens(name).lower().split()])
                kinds = [h.kind for h in named if _KINDS[h.kind][0] == family]
                return primary, kinds[0] if kinds else primary.kind, name
        return primary, primary.kind, None

    def involved(self, hits: list[_Hit], primary: _Hit) -> list[int]:
        """Return the sentences about the event: its terms' and those that say "the event"."""
        family = _KINDS[primary.kind][0]
        chosen = {h.sentence for h in hits if _KINDS[h.kind][0] in (family, "ceremony")}
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


def _tokens(text: str) -> str:
    """Return ``text`` with its punctuation made spaces: ``.split()`` then gives its words."""
    return _PUNCTUATION.sub(" ", text)


def _is_title_case(text: str) -> bool:
    """Tell whether a headline capitalises its words ("IOM Launches New Course")."""
    words = [w for w in _tokens(text).split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _proper_name(
    sentence: str, spans: list[tuple[int, int]], hit: _Hit, title_case: bool
) -> tuple[str | None, bool]:
    """Return the event's name around a term: a quoted title or a capitalised phrase.

    Also tell whether the phrase is an organisation's name rather than an
    event's: "the Regional Conference on Migration (RCM)".
    """
    first, last = hit.word, hit.word + hit.length - 1
    if hit.length == 0 or last >= len(spans):
        return None, False
    term = sentence[spans[first][0] : spans[last][1]]
    if term.lower() in _VERB_FORMS:
        return None, False
    if _QUOTE.search(sentence) is not None:
        quoted = _QUOTE_AFTER.match(sentence, spans[last][1]) or _QUOTE_BEFORE.search(
            sentence, 0, spans[first][0]
        )
        if quoted:
            return " ".join(quoted.group(1).split()), False
    if not term[0].isupper():
        return None, False
    words = [sentence[a:b] for a, b in spans]
    left = first
    while left > 0 and not sentence[spans[left - 1][1] : spans[left][0]].strip():
        word = words[left - 1]
        low = word.lower()
        if not _capitalised(word) or low in _ARTICLES or low in _HEADLINE_VERBS:
            break
        if title_case and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            break
        left -= 1
    right = last
    for k in range(last + 1, min(len(words), left + _MAX_NAME_WORDS)):
        gap = sentence[spans[k - 1][1] : spans[k][0]].strip()
        low = words[k].lower()
        if gap not in ("", ","):
            break
        if _capitalised(words[k]) and not (title_case and low in _HEADLINE_VERBS):
            right = k
        elif gap or low not in _CONNECTORS:
            break
    if left == first and right == last:
        return None, False
    acronym = _ACRONYM_AFTER.match(sentence, spans[right][1])
    is_organisation = acronym is not None and acronym.group(1).lower() != "mou"
    return sentence[spans[left][0] : spans[right][1]], is_organisation


def _capitalised(word: str) -> bool:
    """Tell whether a word can be part of a proper name: capitalised, or a year."""
    return word[0].isupper() or (word.isdigit() and len(word) == 4)


def _attendance(cues: list[set[str]], involved: list[int]) -> str | None:
    """Return "online", "offline" or "mixed" from what the event's sentences say."""
    tags = set().union(*(cues[i] for i in involved)) if involved else set()
    if "mixed" in tags or {"online", "offline"} <= tags:
        return "mixed"
    return "online" if "online" in tags else "offline" if "offline" in tags else None


def _spanish(item: NewsItem, words: list[list[str]]) -> bool:
    """Tell whether an item is in Spanish: as it says, else by its commonest small words.

    ``words`` are the words of each sentence in lower case; the first two are read.
    """
    if item.language is not None:
        return item.language.lower().startswith("es")
    sample = list(itertools.chain.from_iterable(words[:2]))
    return sum(map(_SPANISH.__contains__, sample)) > sum(map(_ENGLISH.__contains__, sample))


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


def _after_by(sentence: str) -> list[int]:
    """Return where the agents start after "organised by", "provided by", "organizado por"..."""
    lowered = sentence.lower()
    starts = []
    for marker in (" by ", " por ", " a cargo de "):
        at = lowered.find(marker)
        while at >= 0:
            verb = lowered[lowered.rfind(" ", 0, at) + 1 : at]
            if marker == " a cargo de " or verb in _BY_VERBS:
                starts.append(at + len(marker))
            at = lowered.find(marker, at + 1)
    return starts


def _organizers(
    sentences: list[str], involved: list[int], organizations: Sequence[str | Organization]
) -> tuple[str, ...]:
    """Return who holds the event: those named after "organised by" and in the headline.

    Failing both, the first organisation the item names.
    """
    forms = [_surface_forms(o) for o in organizations]
    found: list[str] = []

    def located(text: str) -> list[str]:
        lowered = text.lower()
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
        for after in _after_by(sentences[i]):
            found += located(sentences[i][after : after + 80])
    found += located(sentences[0])
    if not found and forms:
        found.append(forms[0][0])
    return tuple(dict.fromkeys(found))


def _location(
    sentences: list[str],
    involved: list[int],
    places: Sequence[tuple[str, str] | Place],
    countries: Sequence[str],
    dateline: Dateline | None,
) -> tuple[str | None, str | None]:
    """Return where the event was: a place its sentences name, the dateline, or the one country."""
    for i in involved:
        lowered = sentences[i].lower()
        for place in places:
            slug, country = (place.slug, place.country) if isinstance(place, Place) else place
            name = place.name if isinstance(place, Place) else slug
            if not isinstance(place, Place) and slug.endswith("-" + country.lower()):
                name = slug[: -len(country) - 1]
            if _find(lowered, lowered, name.replace("-", " ").lower(), False) >= 0:
                return slug, country
    if dateline is not None and (dateline.place or dateline.country):
        return dateline.place, dateline.country
    unique = list(dict.fromkeys(countries))
    return (None, unique[0]) if len(unique) == 1 else (None, None)


@functools.cache
def default_finder() -> EventFinder:
    """Return a finder built on first use and shared after; it holds no per-item state."""
    return EventFinder()


def find_event(
    item: NewsItem,
    *,
    organizations: Sequence[str | Organization] = (),
    places: Sequence[tuple[str, str] | Place] = (),
    countries: Sequence[str] = (),
    dateline: Dateline | None = None,
    finder: EventFinder | None = None,
) -> Event | None:
    """Return the event ``item`` describes, or None (see :meth:`EventFinder.find`)."""
    return (finder or default_finder()).find(
        item, organizations=organizations, places=places, countries=countries, dateline=dateline
    )
