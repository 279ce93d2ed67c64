"""Find the organisations a text names: the gazetteer's, each country's government, and new ones.

The gazetteer is ``converter/data/organizations.json`` (documented beside it in
``README-organizations.md``). Country names come from pycountry in English,
Spanish and French, plus the gazetteer's ``country_words``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from converter.extract.orgmatch import STOP_GAP, Context, Hit, OrgMatcher
from converter.extract.orgtokens import (
    OrgTokens,
    fold_ascii,
    shared_tokens,
    sharing_blocker,
    tokenize,
)
from converter.extract.tokens import Tokenizer, Tokens
from converter.iris import slugify
from converter.records import Organization

__all__ = ["OrgMention", "OrganizationIndex", "distinct", "sharing_blocker"]

ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&]{1,11}")


class OrgMention(NamedTuple):
    """One mention of an organisation: the record, where it is, and the text matched."""

    organization: Organization
    start: int
    end: int
    matched: str

    @property
    def slug(self) -> str:
        """Return the slug of the organisation mentioned."""
        return self.organization.slug


class OrganizationIndex(OrgMatcher):
    """Match organisation names, acronyms and government phrases in texts; build once, reuse."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data)
        self._blocker = sharing_blocker(Tokenizer())

    def find(
        self, text: str, countries: Sequence[str] = (), tokens: Tokens | None = None
    ) -> list[OrgMention]:
        """Return every organisation mention in ``text``, in text order.

        ``countries`` are the alpha-2 codes found elsewhere in the item: they
        choose between national bodies that share a name or an acronym. Every
        mention is returned, so one organisation may appear several times: use
        :func:`distinct` for the organisations themselves. ``tokens``, the
        text's :class:`~converter.extract.tokens.Tokens`, saves splitting it again.
        """
        shared = tokens is not None and _shares(text, self._blocker)
        tk = shared_tokens(text, tokens) if shared and tokens is not None else tokenize(text)
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

    def _parens(
        self,
        tk: OrgTokens,
        hits: list[Hit],
        ctx: Context,
        aliases: dict[str, Organization],
        blocked: set[str],
        mentions: list[OrgMention],
    ) -> list[Hit]:
        """Read each "(ACRONYM)": the name before it, a new organisation, or a term that is none."""
        names = [h for h in hits if not h.exact]
        owners = {k: h for h in names if h.org for k in (h.last, h.cue_end) if k >= 0}
        extra: list[Hit] = []
        for k in (k for k in tk.parens if k not in ctx.ends):
            raw, owner, close = tk.raw(k), owners.get(k - 1), tk.text.find(")", tk.end[k]) + 1
            if owner is not None and owner.org is not None:
                aliases.setdefault(raw, owner.org)
                owner.stop = close
                continue
            target = self._exact.get(fold_ascii(raw))
            hit = Hit(k, k, target.orgs, True, 1) if target is not None and target.orgs else None
            run = [] if any(h.first < k < h.last for h in names) else self._run_before(tk, k)
            if len(run) >= 2 and not any(tk.norm[j] in self._heads for j in run):
                blocked.add(raw)  # "Memorandum of Understanding (MoU)": a term, not a body
                continue
            org = self._resolve(hit, tk, ctx) if hit else None
            if (
                org is None
                and len(run) >= 2
                and ACRONYM.fullmatch(raw)
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
        tk: OrgTokens,
        hits: list[Hit],
        ctx: Context,
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
                or not ACRONYM.fullmatch(raw)
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

    def _run_before(self, tk: OrgTokens, k: int) -> list[int]:
        """Return the capitalised words (with connectors between them) right before word ``k``."""
        run: list[int] = []
        for j in range(k - 1, max(k - 13, -1), -1):
            gap = tk.gap(j + 1)
            if j in tk.parens or not (tk.upper(j) or tk.norm[j] in self._connectors):
                break
            if j + 1 < k and (
                STOP_GAP.search(gap.replace(",", "")) or ("," in gap and not tk.upper(j + 1))
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
        self, tk: OrgTokens, run: list[int], acronym: str, ctx: Context, trim: bool = False
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
                inside[0] if inside else self._cue(Hit(words[0], words[0], [], False, 1), tk, ctx)
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


def _shares(text: str, blocker: re.Pattern[str]) -> bool:
    """Tell whether ``text`` splits into the places tokens' words (see :func:`sharing_blocker`).

    In ASCII only the apostrophe and the underscore block it: two substring tests
    are cheaper than the pattern.
    """
    if text.isascii():
        return "'" not in text and "_" not in text
    return blocker.search(text) is None


def distinct(mentions: Iterable[OrgMention]) -> list[Organization]:
    """Return the organisations of ``mentions`` once each, in order of first mention."""
    seen: dict[str, Organization] = {}
    for mention in mentions:
        seen.setdefault(mention.organization.slug, mention.organization)
    return list(seen.values())
