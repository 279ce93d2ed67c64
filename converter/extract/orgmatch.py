"""Match the gazetteer's names in a text's words and choose among namesakes by country."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from converter.extract.orggazetteer import OrgGazetteer, Target
from converter.extract.orgtokens import OrgTokens, fold_ascii
from converter.records import Organization

STOP_GAP = re.compile(r"[.;:!?,\n]")


@dataclass(slots=True)
class Hit:
    """A name or acronym matched at words ``first`` to ``last``, with its candidates."""

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
class Context:
    """The countries an item names, and where, to choose among namesakes."""

    countries: list[str]
    positions: dict[str, list[int]] = field(default_factory=dict)
    ends: dict[int, str] = field(default_factory=dict)  # last token of a country phrase -> code
    starts: dict[int, tuple[str, int]] = field(default_factory=dict)  # first token -> code, last


class OrgMatcher(OrgGazetteer):
    """Find the gazetteer's names in tokenised text and resolve each to one organisation."""

    def _scan(self, tk: OrgTokens, countries: Sequence[str]) -> tuple[list[Hit], Context]:
        """Match the longest known name at each word; words alone in parentheses are skipped."""
        ctx = Context([c.upper() for c in countries])
        seq = list(range(len(tk.norm)))
        words = tk.norm
        if tk.parens:
            words = list(words)
            for k in reversed(tk.parens):  # ascending and distinct: delete from the end
                del seq[k]
                del words[k]
        hits: list[Hit] = []
        wanted, capital_first, free = self._wanted, self._capital_first, 0
        text, start, size = tk.text, tk.start, len(seq)
        grams, exact_norms = self._gram_trie, self._exact_norms
        for i in itertools.compress(range(size), map(wanted.__contains__, words)):
            first = words[i]
            if i < free or (first in capital_first and not text[start[seq[i]]].isupper()):
                continue  # inside a name found already, or a word that needs its capital
            # The longest name of several words that starts here (words[j] is norm[seq[j]]).
            node, j = grams.get(first), i
            best: tuple[int, Target] | None = None
            while node is not None:
                target, following = node
                if target is not None:
                    for n in target.capitals:  # each word that needs its capital has it
                        if not text[start[seq[i + n]]].isupper():
                            break
                    else:
                        best = (j, target)
                j += 1
                if j == size:
                    break
                node = following.get(words[j])
            if best is not None:
                j, target = best
                hit = Hit(seq[i], seq[j], target.orgs, False, j - i + 1, target.country)
            elif first in exact_norms:  # else one word matched with its case, an acronym
                raw = tk.raw(seq[i])
                found = self._exact.get(fold_ascii(raw))
                if found is None or (raw in self._word_like and self._shouting(tk, seq[i])):
                    continue
                hit = Hit(seq[i], seq[i], found.orgs, True, 1, found.country)
            else:
                continue
            free = i + hit.size
            if hit.orgs:
                hits.append(hit)
            elif hit.country:
                note_country(ctx, tk, hit.first, hit.last, hit.country)
        for k in tk.parens:
            target = self._exact.get(fold_ascii(tk.raw(k)))
            if target is not None and target.country and not target.orgs:
                note_country(ctx, tk, k, k, target.country)
        return hits, ctx

    def _shouting(self, tk: OrgTokens, k: int) -> bool:
        """Tell whether word ``k`` stands among words in capitals (a headline shouting)."""
        for j in (k - 1, k + 1):
            word = tk.raw(j) if 0 <= j < len(tk.norm) else ""
            if (
                len(word) > 2
                and word.isalpha()
                and word.isupper()
                and fold_ascii(word) not in self._exact
            ):
                return True
        return False

    def _cue(self, hit: Hit, tk: OrgTokens, ctx: Context) -> str | None:
        """Return the country named before or after ``hit`` ("Mexico's INM", "INM de Honduras")."""
        j = (
            hit.first - 1
            if hit.first > 0 and tk.norm[hit.first - 1] not in self._articles
            else hit.first - 2
        )
        if (
            j >= 0
            and j in ctx.ends
            and not STOP_GAP.search(tk.text[tk.end[j] : tk.start[hit.first]])
        ):
            return ctx.ends[j]
        for j in range(hit.last + 1, min(hit.last + 4, len(tk.norm))):
            if STOP_GAP.search(tk.gap(j)):
                return None
            if j in ctx.starts:
                hit.cue_end = ctx.starts[j][1]
                return ctx.starts[j][0]
            if tk.norm[j] not in self._fillers:
                return None
        return None

    def _resolve(self, hit: Hit, tk: OrgTokens, ctx: Context) -> Organization | None:
        """Choose among the candidates of ``hit`` by a country next to it, then the item's."""
        if len(hit.orgs) == 1 and self._orgs[hit.orgs[0]].country is None:
            return self._orgs[hit.orgs[0]]  # the one candidate, an international body
        orgs = [self._orgs[c] for c in hit.orgs]
        cue = self._cue(hit, tk, ctx)
        international = [o for o in orgs if o.country is None]
        if cue is not None:
            chosen = [o for o in orgs if o.country == cue] or international
            return chosen[0] if chosen else None
        present = [o for o in orgs if o.country in ctx.countries]
        if present:
            return min(present, key=lambda o: distance(ctx, o.country or "", tk.start[hit.first]))
        if international:
            return international[0]
        wordy = hit.size >= 3 or (hit.exact and tk.end[hit.first] - tk.start[hit.first] >= 5)
        return orgs[0] if len(orgs) == 1 and (wordy or self._distinctive[hit.orgs[0]]) else None


def note_country(ctx: Context, tk: OrgTokens, first: int, last: int, code: str) -> None:
    ctx.ends[last] = code
    ctx.starts[first] = (code, last)
    ctx.positions.setdefault(code, []).append(tk.start[first])
    if code not in ctx.countries:
        ctx.countries.append(code)


def distance(ctx: Context, code: str, position: int) -> int:
    """Return how far the nearest mention of ``code`` is from ``position``; unseen codes last."""
    near = min([abs(p - position) for p in ctx.positions.get(code, ())], default=None)
    return near if near is not None else 10**9 + ctx.countries.index(code)
