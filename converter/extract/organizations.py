"""Find the organisations a text names: the gazetteer's, each country's government, and new ones.

The gazetteer is ``converter/data/organizations.json`` (documented beside it in
``README-organizations.md``). Country names come from pycountry in English,
Spanish and French, plus the gazetteer's ``country_words``.
"""

from __future__ import annotations

import gettext
import itertools
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import accumulate
from typing import Any

import pycountry

from converter.extract.places import Tokenizer, Tokens
from converter.iris import slugify
from converter.records import Organization

_SPLIT = re.compile(r"(\w+(?:['’]\w+)*)")
_PAREN = re.compile(r"\(\s*(\w+)\s*\)")
_STOP_GAP = re.compile(r"[.;:!?,\n]")
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&]{1,11}")
_NEEDS_THE = re.compile(
    r"^(?!the )(?:.*\b(?:Republic|Kingdom|States|Islands|Emirates|Federation)\b"
    r"|Bahamas|Gambia|Netherlands|Philippines|Maldives|Comoros|Seychelles)"
)
_SPELLING = dict(organisation="organization", programme="program", labour="labor", centre="center")


def _fold(text: str) -> str:
    """Return ``text`` without accents; letters with no ASCII base are dropped."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _variants(name: str) -> list[str]:
    """Return a pycountry name and, for "Korea, Republic of", its head and reordered forms."""
    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    head, comma, tail = name.partition(", ")
    if not comma:
        return [name]
    if tail.startswith("The "):
        tail = "the" + tail[3:]
    return [head, f"{tail} {head}"] if tail.endswith((" of", " de", " del", " the")) else [head]


@dataclass(frozen=True, slots=True)
class OrgMention:
    """One mention of an organisation: the record, where it is, and the text matched."""

    organization: Organization
    start: int
    end: int
    matched: str

    @property
    def slug(self) -> str:
        """Return the slug of the organisation mentioned."""
        return self.organization.slug


@dataclass(slots=True)
class _Target:
    pattern: tuple[bool, ...]  # which words must be capitalised
    capitals: tuple[int, ...] = ()
    orgs: list[int] = field(default_factory=list)
    country: str | None = None


@dataclass(slots=True)
class _Tokens:
    text: str
    start: list[int]
    end: list[int]
    norm: list[str]  # lower case, accents and apostrophes removed, one spelling
    parens: list[int]  # words alone between "(" and ")"

    def raw(self, k: int) -> str:
        """Return word ``k`` as written."""
        return self.text[self.start[k] : self.end[k]]

    def upper(self, k: int) -> bool:
        """Tell whether word ``k`` starts with a capital letter."""
        return self.text[self.start[k]].isupper()

    def gap(self, k: int) -> str:
        """Return the text between word ``k - 1`` and word ``k``."""
        return self.text[
            self.end[k - 1] if k > 0 else 0 : self.start[k] if k < len(self.norm) else None
        ]


_GramNode = tuple["_Target | None", dict[str, "_GramNode"]]


@dataclass(slots=True)
class _Hit:
    first: int
    last: int
    orgs: list[int]
    exact: bool  # one word matched with its case: an acronym or a one-word name
    size: int
    country: str | None = None
    cue_end: int = -1  # last token of a country phrase right after the hit
    stop: int = 0  # end offset when the hit swallowed its "(ACRONYM)"
    org: Organization | None = None


@dataclass(slots=True)
class _Context:
    countries: list[str]
    positions: dict[str, list[int]] = field(default_factory=dict)
    ends: dict[int, str] = field(default_factory=dict)  # last token of a country phrase -> code
    starts: dict[int, tuple[str, int]] = field(default_factory=dict)  # first token -> code, last


def tokenize(text: str) -> _Tokens:
    """Split ``text`` into words with offsets, folded keys and parenthesis flags."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower()[:1] for ch in text)
    parts = _SPLIT.split(lowered)
    bounds = list(accumulate(map(len, parts)))
    words, starts, ends = parts[1::2], bounds[0:-1:2], bounds[1::2]
    if "'" in lowered or "’" in lowered:
        for k, word in enumerate(words):
            if "'" in word or "’" in word:
                if word[-2:] in ("'s", "’s"):
                    word = word[:-2]
                    ends[k] -= 2
                words[k] = word.replace("'", "").replace("’", "")
    if lowered.isascii():
        norms = list(map(_SPELLING.get, words, words))
    else:
        norms = [_SPELLING.get(w, w) if w.isascii() else _fold(w) for w in words]
    return _Tokens(text, starts, ends, norms, _parens(text, starts))


def _shared_tokens(text: str, shared: Tokens) -> _Tokens:
    """Return what :func:`tokenize` returns, from the text's places tokens.

    Only for a text that :func:`sharing_blocker` finds nothing in: then both
    split it into the same words, and a word's folded form is its key here,
    except that the British spellings are only made American in ASCII words.
    """
    words, starts, ends = shared.words, shared.starts, shared.ends
    norms = list(map(_SPELLING.get, words, words))
    if not text.isascii() and not _SPELLING.keys().isdisjoint(words):
        for k, word in enumerate(words):
            if word in _SPELLING and not text[starts[k] : ends[k]].isascii():
                norms[k] = word
    return _Tokens(text, starts, ends, norms, _parens(text, starts))


def _parens(text: str, starts: list[int]) -> list[int]:
    """Return the words that stand alone between parentheses, in order."""
    parens: list[int] = []
    if "(" in text:
        # Where a word alone in parentheses starts is where a token starts: find which.
        for offset in sorted({m.start(1) for m in _PAREN.finditer(text)}):
            k = bisect_left(starts, offset)
            if k < len(starts) and starts[k] == offset:
                parens.append(k)
    return parens


def sharing_blocker(tokenizer: Tokenizer) -> re.Pattern[str]:
    """Return a pattern that finds what makes a text split otherwise here than in ``tokenizer``.

    Both split on what is not a letter or a digit. Here an apostrophe joins
    words and an underscore is part of one, so both block sharing; so does a
    character the two fold differently: a letter that ``tokenizer`` does not
    fold to the ASCII letter its decomposition keeps ("ß", "ĳ"), or that is
    no letter here but is one there. Only Latin letters, general punctuation
    and currency signs are ever let through.
    """
    ranges = itertools.chain(range(0x80, 0x250), range(0x2000, 0x2070), range(0x20A0, 0x20D0))
    safe = []
    for code in ranges:
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1 or lower.isascii() or char in "’İ":
            continue
        folded = tokenizer.fold(char)
        if lower.isalnum():  # a word character (the underscore is ASCII)
            kept = unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")
            if folded.isalnum() and folded == kept:
                safe.append(char)
        elif folded == " ":
            safe.append(char)
    allowed = "".join(re.escape(c) for c in safe)
    return re.compile(f"[^\\x00-\\x26\\x28-\\x5e\\x60-\\x7f{allowed}]")


class OrganizationIndex:
    """Match organisation names, acronyms and government phrases in texts; build once, reuse."""

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
        self._grams: dict[tuple[str, ...], _Target] = {}
        self._exact: dict[str, _Target] = {}
        for entry in data["organizations"]:
            self._add_entry(entry)
        self._add_countries(data.get("country_words", {}))
        # The names of several words as a trie: word -> (the name ending there, next words).
        self._gram_trie: dict[str, _GramNode] = {}
        for key, target in self._grams.items():
            level = self._gram_trie
            for n, word in enumerate(key, 1):
                following = level.setdefault(word, (None, {}))[1]
                if n == len(key):
                    level[word] = (target, following)
                level = following
        self._exact_norms = {key.lower().replace("'", "").replace("’", "") for key in self._exact}
        self._wanted = self._exact_norms | {key[0] for key in self._grams}
        self._blocker = sharing_blocker(Tokenizer())

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
            keys = [_fold(raws[0])]
            if raws[0].isupper() and len(raws[0]) >= 5 and raws[0] not in self._word_like:
                keys.append(keys[0].title())
            if country is not None and raws[0].islower():
                keys.append(keys[0].capitalize())
            targets = [self._exact.setdefault(key, _Target(())) for key in keys]
        else:
            caps = tuple(r[:1].isupper() for r in raws)
            pattern = caps if len(raws) <= 2 else caps[:1]
            target = self._grams.setdefault(tuple(norms), _Target(pattern))
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

    # -- finding ----------------------------------------------------------------------------------

    def find(
        self, text: str, countries: Sequence[str] = (), tokens: Tokens | None = None
    ) -> list[OrgMention]:
        """Return every organisation mention in ``text``, in text order.

        ``countries`` are the alpha-2 codes found elsewhere in the item: they
        choose between national bodies that share a name or an acronym. Every
        mention is returned, so one organisation may appear several times: use
        :func:`distinct` for the organisations themselves. ``tokens``, the
        text's :class:`~converter.extract.places.Tokens`, saves splitting it again.
        """
        shared = tokens is not None and self._blocker.search(text) is None
        tk = _shared_tokens(text, tokens) if shared and tokens is not None else tokenize(text)
        hits, ctx = self._scan(tk, countries)
        for hit in hits:
            hit.org = None if hit.exact else self._resolve(hit, tk, ctx)
        aliases: dict[str, Organization] = {}
        blocked: set[str] = set()
        mentions: list[OrgMention] = []
        if tk.parens:
            hits += self._parens(tk, hits, ctx, aliases, blocked, mentions)
        if "(" in text:
            self._acronym_first(tk, hits, ctx, aliases, mentions)
        for hit in hits:
            if hit.exact:
                raw = tk.raw(hit.first)
                cued = raw in aliases and self._cue(hit, tk, ctx) is not None
                alias = None if cued else aliases.get(raw)
                hit.org = alias or (None if raw in blocked else self._resolve(hit, tk, ctx))
            if hit.org is not None:
                start, end = tk.start[hit.first], hit.stop or tk.end[hit.last]
                mentions.append(OrgMention(hit.org, start, end, text[start:end]))
        new = {raw.lower(): org for raw, org in aliases.items() if org.slug not in self._by_slug}
        for k in (k for k, word in enumerate(tk.norm) if word in new) if new else ():
            start, end = tk.start[k], tk.end[k]
            if tk.raw(k) == new[tk.norm[k]].acronym and not any(
                m.start <= start < m.end for m in mentions
            ):
                mentions.append(OrgMention(new[tk.norm[k]], start, end, text[start:end]))
        mentions.sort(key=lambda m: (m.start, -m.end))
        return mentions

    def _scan(self, tk: _Tokens, countries: Sequence[str]) -> tuple[list[_Hit], _Context]:
        """Match the longest known name at each word; words alone in parentheses are skipped."""
        ctx = _Context([c.upper() for c in countries])
        seq = list(range(len(tk.norm)))
        words = tk.norm
        if tk.parens:
            words = list(words)
            for k in reversed(tk.parens):  # ascending and distinct: delete from the end
                del seq[k]
                del words[k]
        hits: list[_Hit] = []
        wanted, free = self._wanted, 0
        for i in itertools.compress(range(len(seq)), map(wanted.__contains__, words)):
            hit = self._match_at(tk, seq, i) if i >= free else None
            if hit is not None:
                free = i + hit.size
                if hit.orgs:
                    hits.append(hit)
                elif hit.country:
                    _note_country(ctx, tk, hit.first, hit.last, hit.country)
        for k in tk.parens:
            target = self._exact.get(_fold(tk.raw(k)))
            if target is not None and target.country and not target.orgs:
                _note_country(ctx, tk, k, k, target.country)
        return hits, ctx

    def _match_at(self, tk: _Tokens, seq: list[int], i: int) -> _Hit | None:
        norm, text, start = tk.norm, tk.text, tk.start
        first = norm[seq[i]]
        node = self._gram_trie.get(first)
        best: tuple[int, _Target] | None = None
        j, size = i, len(seq)
        while node is not None:  # the longest name of several words that starts here
            target, following = node
            if target is not None and all(
                text[start[seq[i + n]]].isupper() for n in target.capitals
            ):
                best = (j, target)
            j += 1
            if j == size:
                break
            node = following.get(norm[seq[j]])
        if best is not None:
            j, target = best
            return _Hit(seq[i], seq[j], target.orgs, False, j - i + 1, target.country)
        if first not in self._exact_norms:
            return None
        raw = tk.raw(seq[i])
        target = self._exact.get(_fold(raw))
        if target is None or (raw in self._word_like and self._shouting(tk, seq[i])):
            return None
        return _Hit(seq[i], seq[i], target.orgs, True, 1, target.country)

    def _shouting(self, tk: _Tokens, k: int) -> bool:
        """Tell whether word ``k`` stands among words in capitals (a headline shouting)."""
        for j in (k - 1, k + 1):
            word = tk.raw(j) if 0 <= j < len(tk.norm) else ""
            if (
                len(word) > 2
                and word.isalpha()
                and word.isupper()
                and _fold(word) not in self._exact
            ):
                return True
        return False

    def _cue(self, hit: _Hit, tk: _Tokens, ctx: _Context) -> str | None:
        """Return the country named before or after ``hit`` ("Mexico's INM", "INM de Honduras")."""
        j = (
            hit.first - 1
            if hit.first > 0 and tk.norm[hit.first - 1] not in self._articles
            else hit.first - 2
        )
        if (
            j >= 0
            and j in ctx.ends
            and not _STOP_GAP.search(tk.text[tk.end[j] : tk.start[hit.first]])
        ):
            return ctx.ends[j]
        for j in range(hit.last + 1, min(hit.last + 4, len(tk.norm))):
            if _STOP_GAP.search(tk.gap(j)):
                return None
            if j in ctx.starts:
                hit.cue_end = ctx.starts[j][1]
                return ctx.starts[j][0]
            if tk.norm[j] not in self._fillers:
                return None
        return None

    def _resolve(self, hit: _Hit, tk: _Tokens, ctx: _Context) -> Organization | None:
        """Choose among the candidates of ``hit`` by a country next to it, then the item's."""
        orgs = [self._orgs[c] for c in hit.orgs]
        if len(orgs) == 1 and orgs[0].country is None:
            return orgs[0]
        cue = self._cue(hit, tk, ctx)
        international = [o for o in orgs if o.country is None]
        if cue is not None:
            chosen = [o for o in orgs if o.country == cue] or international
            return chosen[0] if chosen else None
        present = [o for o in orgs if o.country in ctx.countries]
        if present:
            return min(present, key=lambda o: _distance(ctx, o.country or "", tk.start[hit.first]))
        if international:
            return international[0]
        wordy = hit.size >= 3 or (hit.exact and tk.end[hit.first] - tk.start[hit.first] >= 5)
        return orgs[0] if len(orgs) == 1 and (wordy or self._distinctive[hit.orgs[0]]) else None

    def _parens(
        self,
        tk: _Tokens,
        hits: list[_Hit],
        ctx: _Context,
        aliases: dict[str, Organization],
        blocked: set[str],
        mentions: list[OrgMention],
    ) -> list[_Hit]:
        """Read each "(ACRONYM)": the name before it, a new organisation, or a term that is none."""
        names = [h for h in hits if not h.exact]
        owners = {k: h for h in names if h.org for k in (h.last, h.cue_end) if k >= 0}
        extra: list[_Hit] = []
        for k in (k for k in tk.parens if k not in ctx.ends):
            raw, owner, close = tk.raw(k), owners.get(k - 1), tk.text.find(")", tk.end[k]) + 1
            if owner is not None and owner.org is not None:
                aliases.setdefault(raw, owner.org)
                owner.stop = close
                continue
            target = self._exact.get(_fold(raw))
            hit = _Hit(k, k, target.orgs, True, 1) if target is not None and target.orgs else None
            run = [] if any(h.first < k < h.last for h in names) else self._run_before(tk, k)
            if len(run) >= 2 and not any(tk.norm[j] in self._heads for j in run):
                blocked.add(raw)  # "Memorandum of Understanding (MoU)": a term, not a body
                continue
            org = self._resolve(hit, tk, ctx) if hit else None
            if (
                org is None
                and len(run) >= 2
                and _ACRONYM.fullmatch(raw)
                and sum(map(str.isupper, raw)) > 1
            ):
                made = self._new_org(tk, run, raw, ctx, trim=True)
                if made is not None:
                    org, first = made
                    mentions.append(
                        OrgMention(org, tk.start[first], close, tk.text[tk.start[first] : close])
                    )
            if org is not None:
                aliases.setdefault(raw, org)
            extra += [hit] if hit else []
        return extra

    def _acronym_first(
        self,
        tk: _Tokens,
        hits: list[_Hit],
        ctx: _Context,
        aliases: dict[str, Organization],
        mentions: list[OrgMention],
    ) -> None:
        """Read "ACRONYM (Full Name)" where the gazetteer does not know the acronym."""
        covered = {k for h in hits for k in range(h.first, h.last + 1)}
        named = {h.first: h.org for h in hits if not h.exact and h.org}
        opening = tk.text.find("(")
        while opening >= 0:
            k = bisect_left(tk.end, opening) - 1
            opening = tk.text.find("(", opening + 1)
            raw = tk.raw(k) if k >= 0 else ""
            if (
                k in covered
                or not _ACRONYM.fullmatch(raw)
                or not raw.isupper()
                or tk.gap(k + 1).strip() != "("
            ):
                continue
            words: list[int] = []
            for j in range(k + 1, min(k + 13, len(tk.norm))):
                if not (tk.upper(j) or tk.norm[j] in self._connectors):
                    break
                words.append(j)
                if ")" in tk.gap(j + 1):
                    break
            if not words or ")" not in tk.gap(words[-1] + 1):
                continue
            made = (named[words[0]], k) if words[0] in named else self._new_org(tk, words, raw, ctx)
            if made is not None:
                aliases.setdefault(raw, made[0])
                if words[0] not in named:
                    stop = tk.text.find(")", tk.end[words[-1]]) + 1
                    mentions.append(
                        OrgMention(made[0], tk.start[k], stop, tk.text[tk.start[k] : stop])
                    )

    def _run_before(self, tk: _Tokens, k: int) -> list[int]:
        """Return the capitalised words (with connectors between them) right before word ``k``."""
        run: list[int] = []
        for j in range(k - 1, max(k - 13, -1), -1):
            gap = tk.gap(j + 1)
            if j in tk.parens or not (tk.upper(j) or tk.norm[j] in self._connectors):
                break
            if j + 1 < k and (
                _STOP_GAP.search(gap.replace(",", "")) or ("," in gap and not tk.upper(j + 1))
            ):
                break
            run.append(j)
        run.reverse()
        while run and tk.norm[run[0]] in self._connectors:
            run.pop(0)
        while run and tk.norm[run[-1]] in self._connectors:
            run.pop()
        return run

    def _new_org(
        self, tk: _Tokens, run: list[int], acronym: str, ctx: _Context, trim: bool = False
    ) -> tuple[Organization, int] | None:
        """Make an organisation the gazetteer lacks; return it and the first word of its name.

        The name runs from its first head word ("Ministry", "Instituto", "Unit") to
        the end. With ``trim``, up to four words before the head word are kept when
        their initials are letters of the acronym ("National Migration Institute").
        """
        heads = [p for p, j in enumerate(run) if tk.norm[j] in self._heads]
        if not heads:
            return None
        options = [heads[0]] if trim else [0]
        while trim and options[-1] > 0 and heads[0] - options[-1] < 4:
            if tk.norm[run[options[-1] - 1]] in self._connectors:
                break
            options.append(options[-1] - 1)
        letters = set(acronym.upper())

        def score(p: int) -> int:
            significant = [j for j in run[p:] if tk.norm[j] not in self._connectors]
            return sum(1 if tk.raw(j)[0].upper() in letters else -1 for j in significant)

        words = run[max(sorted(options), key=score) :]
        if len(words) < 2:
            return None
        norms = [tk.norm[j] for j in words]
        kind = self._guess_kind(norms)
        country = None
        if kind == "GovernmentOrganization":
            inside = [ctx.ends[j] for j in words if j in ctx.ends]
            single = ctx.countries[0] if len(ctx.countries) == 1 else None
            country = (
                inside[0] if inside else self._cue(_Hit(words[0], words[0], [], False, 1), tk, ctx)
            )
            country = country or single
        slug = slugify(acronym) + (f"-{country.lower()}" if country else "")
        if slug in self._by_slug:
            return self._orgs[self._by_slug[slug]], words[0]
        name = " ".join(tk.text[tk.start[words[0]] : tk.end[words[-1]]].split())
        return Organization(
            slug, name, kind, acronym, alternate_names=(acronym,), country=country
        ), words[0]

    def _guess_kind(self, norms: Sequence[str]) -> str:
        """Guess the schema.org type of an organisation from the words of its name."""
        words = set(norms)
        if words & self._edu_words:
            return "EducationalOrganization"
        if words & self._gov_words or any(words.issuperset(pair) for pair in self._gov_pairs):
            return "GovernmentOrganization"
        return "NGO" if words & self._ngo_words else "Organization"


def _note_country(ctx: _Context, tk: _Tokens, first: int, last: int, code: str) -> None:
    ctx.ends[last] = code
    ctx.starts[first] = (code, last)
    ctx.positions.setdefault(code, []).append(tk.start[first])
    if code not in ctx.countries:
        ctx.countries.append(code)


def _distance(ctx: _Context, code: str, position: int) -> int:
    """Return how far the nearest mention of ``code`` is from ``position``; unseen codes last."""
    near = min((abs(p - position) for p in ctx.positions.get(code, ())), default=None)
    return near if near is not None else 10**9 + ctx.countries.index(code)


def distinct(mentions: Iterable[OrgMention]) -> list[Organization]:
    """Return the organisations of ``mentions`` once each, in order of first mention."""
    seen: dict[str, Organization] = {}
    for mention in mentions:
        seen.setdefault(mention.organization.slug, mention.organization)
    return list(seen.values())
