"""Find the people an item names together with their role, in English and Spanish.

Three shapes are read: "ROLE, [Honorific] NAME" ("the Minister of Foreign
Affairs, H. E. Albert Ramdin"; "la ministra de Relaciones Exteriores, María
López"), "NAME, ROLE" ("Jane Doe, IOM Chief of Mission in Panama") and a title
right before a name ("Ambassador John Smith"). Precision comes first: a name
is two to four capitalised words that are neither organisation nor place words.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Sequence

import pycountry

from converter.extract.dateforms import trie_pattern
from converter.iris import slugify
from converter.records import Organization, Person

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_WORD = rf"(?:[{_UP}][{_LOW}]+(?:[-'’][{_UP}{_LOW}][{_LOW}]+)*|[{_UP}]\.)"
_PARTICLE = r"(?:de|del|de la|de los|da|das|do|dos|van|von|van der|y)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,4}}"
_HONORIFIC = (
    r"H\.\s?E\.|His Excellency|Her Excellency|Excm[oa]\.|Hon\.|Honou?rable|Mr\.|Mrs\.|Ms\."
    r"|Dr\.|Dra\.|Sr\.|Sra\.|Srta\.|Lic\.|Licd[oa]\.|Ing\.|Prof\.|Mtr[oa]\.|S\.\s?E\."
)
_AFTER_TITLED = rf"(?=\s*[,.;:!?()]|\s+(?:[{_LOW}]|and\b|y\b))"
_AFTER_NAME = rf"(?=\s*(?:[,.;:!?()\n]|$)|\s+(?:[{_LOW}]|and\b|y\b))"
_HEADS = (
    r"(?:vice[- ]?|deputy |under[- ]?|sub|assistant )?(?:minist(?:er|ro|ra)|ambassador"
    r"|embajador[a]?|director[a]?(?:[- ]general)?|chief of mission|head of mission"
    r"|jef[ea] de misi[oó]n|head|chief|jef[ea]|representative|representante|coordinator"
    r"|coordinador[a]?|secretary(?:[- ]general)?|secretari[oa](?: general)?|president[ea]?"
    r"|commissioner|comisionad[oa]|officer|oficial|manager|gerente|mayor|alcalde(?:sa)?"
    r"|governor|gobernador[a]?|consul(?: general)?|c[oó]nsul|specialist|especialista"
    r"|advis[oe]r|asesor[a]?|spokes(?:person|man|woman)|vocer[oa]|portavoz|canciller"
    r"|vicecanciller|envoy|enviad[oa]|rapporteur|relator[a]?|chair(?:person|man|woman)?"
    r"|superintendent[e]?|prosecutor|fiscal|ombudsman|defensor[a]?|procurador[a]?"
    r"|encargad[oa]|titular|senator|senador[a]?|diputad[oa]|focal point|punto focal)"
)
_TITLES = (
    r"(?:vice[- ]?|deputy )?(?:minister|ministr[oa]|ambassador|embajador[a]?|president[ea]?"
    r"|mayor|alcalde(?:sa)?|governor|gobernador[a]?|commissioner|comisionad[oa]|canciller"
    r"|vicecanciller|senator|senador[a]?|director[- ]general|directora general"
    r"|chief of mission|jef[ea] de misi[oó]n|viceministr[oa])"
)
_MODIFIERS = re.compile(rf"(?:(?:[A-Z]{{2,6}}|[{_UP}][{_LOW}]+)(?:['’]s)?\s+){{1,3}}\Z")
_ROLE_WORDS = (
    rf"(?:[{_UP}][\w'’.&-]*|of|the|for|and|on|in|to|at|with|de|del|la|las|los|el|y|e|para"
    r"|en|sobre|a|al)"
)
_GOVERNMENT_ROLE = re.compile(
    r"\b(?:vice[- ]?|deputy |sub)?(?:minist(?:er|ro|ra)|ambassador|embajador|canciller"
    r"|vicecanciller|c[oó]nsul|secretar(?:y|io|ia) (?:of|de) (?:state|estado)"
    r"|president of the republic|presidente de la rep[uú]blica)"
    r"|\b(?:director|directora|superintendent|commissioner|jef[ea])\b.*\b(?:migraci[oó]n"
    r"|migraciones|migration|immigration|extranjer[ií]a|fronteras|border)\b",
    re.IGNORECASE,
)
_ENVOY = re.compile(r"\b(?:ambassador|embajador|c[oó]nsul|envoy|enviad[oa])", re.IGNORECASE)
_Item = tuple[int, str, str, str | None]  # where the name is, name, role, honorific


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_STEMS = _words(
    """minist vice deputy under assistant ambassador embajador director chief head jef represent
    coordinat coordinador secretar president commission comisionad officer oficial manager gerente
    mayor alcald governor gobernador consul cónsul specialist especialista advis asesor spokes vocer
    portavoz canciller envoy enviad rapporteur relator chair superintend prosecutor fiscal ombudsman
    defensor procurador encargad titular senat senador diputad focal"""
)
# Words that are never part of a person's name (folded: lower case, no accents).
_NOT_NAME = frozenset(
    _words(
        """the el la los las in on at for and of by with from during according after before this
        these that both today yesterday monday tuesday wednesday thursday friday saturday sunday
        january february march april may june july august september october november december
        enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
        minister ministry ministerio ministro ministra director directora ambassador embajador
        embajadora president presidente presidenta secretary secretario secretaria chief jefe
        jefa head mission mision representative representante coordinator coordinador government
        gobierno office oficina organization organisation organizacion international
        internacional national nacional united unidas nations naciones migration migracion
        migraciones republic republica institute instituto council consejo commission comision
        department departamento unit unidad service servicio agency agencia general regional
        foreign affairs exteriores relaciones excellency honourable honorable program programme
        programa project proyecto global world mundial public publica safety security seguridad
        border fronteras community comunidad federation federacion university universidad
        network red group grupo centre center centro fund fondo bank banco association
        asociacion foundation fundacion committee comite visits launches meets signs opens calls
        highlights says urges welcomes announces presents inaugurates receives leads holds joins
        trains strengthens supports delivers hands donates concludes celebrates promotes"""
    )
)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode("ascii")


class PersonFinder:
    """Find people and their roles; build once (it reads country names) and reuse."""

    def __init__(self) -> None:
        self._head = re.compile(rf"{_HEADS}\b", re.IGNORECASE)
        # Not after a-z: such a match could not count (see _heads), and the engine skips it early.
        self._stems = re.compile("(?<![a-z])" + trie_pattern(_STEMS))
        self._title = re.compile(_TITLES, re.IGNORECASE)
        self._after_title = re.compile(
            rf"\s+(?:(?P<hon>{_HONORIFIC})\s*)?(?P<name>{_NAME}){_AFTER_TITLED}"
        )
        self._comma_name = re.compile(
            rf",\s+(?:(?P<hon>{_HONORIFIC})\s*)?(?P<name>{_NAME}){_AFTER_NAME}"
        )
        self._name_comma = re.compile(
            rf"(?:(?P<hon>{_HONORIFIC})\s*)?(?P<name>{_NAME}),\s+(?i:the\s+|el\s+|la\s+|an?\s+)?\Z"
        )
        self._role_tail = re.compile(rf"(?:\s+|,|/|-|{_ROLE_WORDS}\b)*")
        self._clause_tail = re.compile(rf"(?:[ \t]+|/|-|{_ROLE_WORDS}\b)*")
        catalog = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True
        )
        self._country: dict[str, str] = {}
        for country in pycountry.countries:
            for name in (
                country.name,
                getattr(country, "common_name", ""),
                catalog.gettext(country.name),
            ):
                if name:
                    self._country.setdefault(_fold(name.split(",")[0]), country.alpha_2)
        self._not_name = _NOT_NAME | {n for n in self._country if " " not in n}

    def find(
        self, text: str, organizations: Sequence[Organization], countries: Sequence[str]
    ) -> list[Person]:
        """Return the people named in ``text`` with a role, once each, in order of mention."""
        found: dict[int, _Item] = {}  # where the name is -> what was read there
        for head in self._heads(text):
            start = _modifiers_start(text, head.start())
            for item in self._read_around(text, head, start):
                if item[0] not in found or len(item[2]) < len(found[item[0]][2]):
                    found[item[0]] = item  # the role word closest to the name wins
        people: dict[str, Person] = {}
        for _, name, role, honorific in sorted(found.values()):
            person = self._person(name, role, honorific, organizations, countries)
            known = people.get(person.slug)
            people[person.slug] = person if known is None else _merge(known, person)
        return list(people.values())

    def _heads(self, text: str) -> list[re.Match[str]]:
        """Return the role words of ``text``, found by cheap substring tests first."""
        lowered = text.lower()
        # Every stem is made of letters, so a match the scan steps over starts after a
        # letter: it could not count anyway. Only where no letter comes before is a start.
        starts = {
            at
            for at in map(_start, self._stems.finditer(lowered))
            if at == 0 or not lowered[at - 1].isalpha()
        }
        heads, reach = [], -1
        for at in sorted(starts):
            match = self._head.match(text, at) if at > reach else None
            if match is not None:
                heads.append(match)
                reach = match.end()
        return heads

    def _read_around(self, text: str, head: re.Match[str], start: int) -> list[_Item]:
        """Read the three shapes around one role word."""
        items: list[_Item] = []
        titled = (
            self._after_title.match(text, head.end())
            if self._title.fullmatch(head.group())
            else None
        )
        name = self._clean(titled.group("name")) if titled else None
        if titled and name:
            role = re.sub(r"^(?:the|el|la)\s+", "", text[start : head.end()], flags=re.IGNORECASE)
            items.append((titled.start("name"), name, role, titled.group("hon")))
        for match in self._comma_name.finditer(text, head.end()):
            if match.start() - head.end() > 200 or not self._role_tail.fullmatch(
                text, head.end(), match.start()
            ):
                break
            name = self._clean(match.group("name"))
            if name:
                role = text[start : match.start()].strip(" ,")
                items.append((match.start("name"), name, role, match.group("hon")))
                break
        before = self._name_comma.search(text, max(0, start - 90), start)
        name = self._clean(before.group("name")) if before else None
        if before and name:
            tail = self._clause_tail.match(text, head.end())
            role = text[start : tail.end() if tail else head.end()].strip(" ,-")
            items.append((before.start("name"), name, role, before.group("hon")))
        return items

    def _clean(self, name: str) -> str | None:
        """Return ``name`` without leading non-name words, or None when it is no person's name."""
        words = name.split()
        while words and _fold(words[0]) in self._not_name:
            words.pop(0)
        capitalised = [w for w in words if w[:1].isupper() and not w.endswith(".")]
        if not 2 <= len(capitalised) <= 4 or words[-1].endswith("."):
            return None
        if any(_fold(w.strip("’'")) in self._not_name or w.isupper() for w in capitalised):
            return None
        return None if self._countries_in(" ".join(words)) else " ".join(words)

    def _countries_in(self, text: str) -> list[str]:
        """Return the countries ``text`` names (whole names of up to four words)."""
        words = _fold(text).replace("-", " ").split()
        found = []
        for size in (4, 3, 2, 1):
            for i in range(len(words) - size + 1):
                code = self._country.get(" ".join(words[i : i + size]).strip(".,;:()"))
                if code and code not in found:
                    found.append(code)
        return found

    def _person(
        self,
        name: str,
        role: str,
        honorific: str | None,
        organizations: Sequence[Organization],
        countries: Sequence[str],
    ) -> Person:
        """Build the person: affiliated to an organisation named in the role, else a government."""
        role = " ".join(role.split())
        affiliation, country = None, None
        named = [(role.find(f), o) for o in organizations for f in _forms(o) if _has_word(role, f)]
        if named:
            org = min(named, key=lambda pair: pair[0])[1]
            affiliation, country = org.slug, org.country
        elif _GOVERNMENT_ROLE.search(role):
            stated = self._countries_in(role)
            governments = [
                o.country for o in organizations if o.slug.startswith("government-") and o.country
            ]
            choice = stated or ([] if _ENVOY.search(role) else governments or list(countries))
            if len(choice) == 1:
                country = choice[0].upper()
                affiliation = f"government-{country.lower()}"
        return Person(slugify(name), name, role or None, honorific, affiliation, country)


def _start(match: re.Match[str]) -> int:
    return match.start()


def _modifiers_start(text: str, start: int) -> int:
    """Extend a role leftwards over up to three capitalised modifiers ("IOM Regional Director")."""
    before = _MODIFIERS.search(text, max(0, start - 60), start)
    if before is None:
        return start
    for word in re.finditer(r"\S+", before.group()):
        if _fold(word.group()) not in {
            "the",
            "el",
            "la",
            "a",
            "an",
            "in",
            "on",
            "at",
            "during",
            "with",
        }:
            return before.start() + word.start()
    return start


def _forms(org: Organization) -> list[str]:
    return [
        f for f in (org.acronym, *org.alternate_names, *(label for _, label in org.labels)) if f
    ]


def _has_word(text: str, word: str) -> bool:
    """Tell whether ``word`` occurs in ``text`` as whole words."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            return True
        at = text.find(word, at + 1)
    return False


def _merge(first: Person, second: Person) -> Person:
    """Fill the gaps of ``first`` with what a later mention of the same person says."""
    return Person(
        first.slug,
        first.name,
        first.job_title or second.job_title,
        first.honorific or second.honorific,
        first.affiliation or second.affiliation,
        first.country or second.country,
    )


def find_people(
    text: str, organizations: Sequence[Organization], countries: Sequence[str]
) -> list[Person]:
    """Return the people named in ``text`` with a role.

    This builds a :class:`PersonFinder` on every call; build one and reuse it instead.
    """
    return PersonFinder().find(text, organizations, countries)
