"""Build the organisation gazetteer: its names, acronyms, countries and governments.

The gazetteer is ``converter/data/organizations.json`` (documented beside it in
``README-organizations.md``). Country names come from pycountry in English,
Spanish and French, plus the gazetteer's ``country_words``.
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pycountry

from converter.extract.orgtokens import fold_ascii, tokenize
from converter.records import Organization

_NEEDS_THE = re.compile(
    r"^(?!the )(?:.*\b(?:Republic|Kingdom|States|Islands|Emirates|Federation)\b"
    r"|Bahamas|Gambia|Netherlands|Philippines|Maldives|Comoros|Seychelles)"
)


def _variants(name: str) -> list[str]:
    """Return a pycountry name and, for "Korea, Republic of", its head and reordered forms."""
    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    head, comma, tail = name.partition(", ")
    if not comma:
        return [name]
    if tail.startswith("The "):
        tail = "the" + tail[3:]
    return [head, f"{tail} {head}"] if tail.endswith((" of", " de", " del", " the")) else [head]


@dataclass(slots=True)
class Target:
    """What a name of the gazetteer stands for: organisations, a country, its capitals."""

    pattern: tuple[bool, ...]  # which words must be capitalised
    capitals: tuple[int, ...] = ()
    orgs: list[int] = field(default_factory=list)
    country: str | None = None


GramNode = tuple["Target | None", dict[str, "GramNode"]]


class OrgGazetteer:
    """Hold the organisations and the names they are known by, indexed by words."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        if data is None:
            path = resources.files("converter.data").joinpath("organizations.json")
            data = json.loads(path.read_text(encoding="utf-8"))
        words = data["vocabulary"]
        self._heads = frozenset(words["head_words"])
        self._gov_words = frozenset(words["government_words"])
        self._gov_pairs = frozenset(tuple(pair) for pair in words["government_pairs"])
        self._edu_words = frozenset(words["educational_words"])
        self._ngo_words = frozenset(words["ngo_words"])
        self._articles = frozenset(words["articles"])
        self._fillers = frozenset(words["cue_fillers"])
        self._connectors = frozenset(words["connectors"])
        self._word_like = frozenset(data.get("acronyms_that_are_words", ()))
        self._orgs: list[Organization] = []
        self._distinctive: list[bool] = []
        self._by_slug: dict[str, int] = {}
        self._grams: dict[tuple[str, ...], Target] = {}
        self._exact: dict[str, Target] = {}
        for entry in data["organizations"]:
            self._add_entry(entry)
        self._add_countries(data.get("country_words", {}))
        # The names of several words as a trie: word -> (the name ending there, next words).
        self._gram_trie: dict[str, GramNode] = {}
        for key, target in self._grams.items():
            level = self._gram_trie
            for n, word in enumerate(key, 1):
                following = level.setdefault(word, (None, {}))[1]
                if n == len(key):
                    level[word] = (target, following)
                level = following
        self._exact_norms = {key.lower().replace("'", "").replace("’", "") for key in self._exact}
        self._wanted = self._exact_norms | {key[0] for key in self._grams}
        # First words that start a name only when capitalised ("el" in "El Salvador").
        lower_ok = {key[0] for key, target in self._grams.items() if 0 not in target.capitals}
        self._capital_first = frozenset(
            {key[0] for key in self._grams} - lower_ok - self._exact_norms
        )

    def get(self, slug: str) -> Organization | None:
        """Return the organisation (gazetteer entry or government) with ``slug``."""
        index = self._by_slug.get(slug)
        return None if index is None else self._orgs[index]

    def government(self, alpha2: str) -> Organization | None:
        """Return the government of a country, slug ``government-{alpha2 in lower case}``."""
        return self.get(f"government-{alpha2.lower()}")

    def all(self) -> tuple[Organization, ...]:
        """Return every organisation the index knows, governments included."""
        return tuple(self._orgs)

    def _register(self, org: Organization, distinctive: bool) -> int:
        self._orgs.append(org)
        self._distinctive.append(distinctive)
        self._by_slug[org.slug] = len(self._orgs) - 1
        return len(self._orgs) - 1

    def _add_form(self, form: str, org: int | None = None, country: str | None = None) -> None:
        tk = tokenize(form)
        raws, norms = [tk.raw(k) for k in range(len(tk.norm))], tk.norm
        while len(raws) > 1 and (
            norms[0] == "the" or (org is not None and norms[0] in self._articles)
        ):
            raws, norms = raws[1:], norms[1:]
        if not raws:
            return
        if len(raws) == 1:
            keys = [fold_ascii(raws[0])]
            if raws[0].isupper() and len(raws[0]) >= 5 and raws[0] not in self._word_like:
                keys.append(keys[0].title())
            if country is not None and raws[0].islower():
                keys.append(keys[0].capitalize())
            targets = [self._exact.setdefault(key, Target(())) for key in keys]
        else:
            caps = tuple(r[:1].isupper() for r in raws)
            pattern = caps if len(raws) <= 2 else caps[:1]
            target = self._grams.setdefault(tuple(norms), Target(pattern))
            target.pattern = tuple(a and b for a, b in zip(target.pattern, pattern, strict=True))
            target.capitals = tuple(n for n, need in enumerate(target.pattern) if need)
            targets = [target]
        for target in targets:
            if org is not None and org not in target.orgs:
                target.orgs.append(org)
            target.country = target.country or country

    def _add_entry(self, entry: Mapping[str, Any]) -> None:
        names: dict[str, str] = entry["names"]
        acronyms: dict[str, str] = entry.get("acronyms", {})
        alternates = list(dict.fromkeys([*acronyms.values(), *entry.get("alternate_names", ())]))
        wikidata = entry.get("wikidata")
        org = Organization(
            slug=entry["slug"],
            name=names.get("en") or next(iter(names.values())),
            kind=entry.get("kind", "Organization"),
            acronym=acronyms.get("en") or next(iter(acronyms.values()), None),
            labels=tuple(names.items()),
            alternate_names=tuple(alternates),
            country=entry.get("country"),
            parent=entry.get("parent"),
            same_as=(f"http://www.wikidata.org/entity/{wikidata}",) if wikidata else (),
            url=entry.get("url"),
        )
        index = self._register(org, bool(entry.get("distinctive")) or org.country is None)
        for form in [*names.values(), *alternates, *entry.get("match_only", ())]:
            self._add_form(form, org=index)

    def _add_countries(self, words: Mapping[str, Mapping[str, Any]]) -> None:
        """Index country names and demonyms, and each country's government phrases."""
        catalogs = {
            lang: gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
            )
            for lang in ("es", "fr")
        }
        forms: dict[str, dict[str, list[str]]] = {}
        owners: dict[str, set[str]] = {}
        for country in pycountry.countries:
            found: dict[str, list[str]] = {"en": [], "es": [], "fr": []}
            for attr in ("common_name", "name", "official_name"):
                value = getattr(country, attr, None) or ""
                found["en"] += _variants(value)
                for lang, catalog in catalogs.items():
                    if value and (attr == "name" or catalog.gettext(value) != value):
                        found[lang] += _variants(catalog.gettext(value))
            official = getattr(country, "official_name", "") or ""
            if official.startswith("Republic of ") and found["es"]:
                found["es"].append("República de " + found["es"][0])
            extra: list[str] = words.get(country.alpha_2, {}).get("names", [])
            forms[country.alpha_2] = {
                lang: [*dict.fromkeys([*f, *extra])] for lang, f in found.items()
            }
            for form in {f for fs in forms[country.alpha_2].values() for f in fs}:
                owners.setdefault(form, set()).add(country.alpha_2)
        for code, by_lang in forms.items():
            by_lang = {
                lang: [f for f in fs if f and len(owners[f]) == 1] for lang, fs in by_lang.items()
            }
            spec = words.get(code, {})
            demonyms = list(spec.get("demonyms", ()))
            for form in [*by_lang["en"], *by_lang["es"], *by_lang["fr"], *demonyms]:
                self._add_form(form, country=code)
            if by_lang["en"]:
                labels: dict[str, str] = spec.get("labels", {})
                names = {lang: fs[0] for lang, fs in by_lang.items() if fs} | labels
                self._add_government(code, by_lang, demonyms, names)

    def _add_government(
        self, code: str, forms: dict[str, list[str]], demonyms: list[str], names: dict[str, str]
    ) -> None:
        """Index the government of a country under ``government-{code}`` and its phrases."""
        if _NEEDS_THE.search(names["en"]):
            names["en"] = "the " + names["en"]
        words = {"en": "Government of", "es": "Gobierno de"}  # French needs du, de la, d'
        labels = tuple((lang, f"{words[lang]} {names[lang]}") for lang in words if lang in names)
        org = Organization(
            slug=f"government-{code.lower()}",
            name=labels[0][1],
            kind="GovernmentOrganization",
            labels=labels,
            country=code,
        )
        index = self._register(org, True)
        phrases = [f"{d} government" for d in demonyms if d[:1].isupper()]
        phrases += [f"gobierno {d}" for d in demonyms if d.islower()]
        for f in forms["en"]:
            phrases += [f"government of {f}", f"government of the {f}", f"{f} government"]
        for f in forms["es"]:
            phrases += [
                f"gobierno de {f}",
                f"gobierno del {f}",
                f"gobierno de la {f}",
                f"gobierno de los {f}",
            ]
        for f in forms["fr"]:
            phrases += [f"gouvernement de {f}", f"gouvernement du {f}", f"gouvernement d'{f}"]
        for phrase in phrases:
            self._add_form(phrase, org=index)
