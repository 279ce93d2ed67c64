"""Score what the converter extracts against a hand-made gold annotation.

A gold file is JSON: ``{"listing": path, "items": [{date, headline, countries,
organizations, themes, event}, ...]}`` with items in the listing's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from converter.enrich import Enricher
from converter.records import Enrichment, NewsItem

SET_FIELDS = ("countries", "organizations", "themes")
EVENT_FIELDS = ("category", "attendance", "start", "end", "participants")


@dataclass
class Score:
    """Counts of true positives, false positives and false negatives for one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, predicted: Iterable[Any], gold: Iterable[Any], where: str) -> None:
        """Count one item's predicted values against its gold values."""
        p, g = set(predicted), set(gold)
        self.tp += len(p & g)
        self.fp += len(p - g)
        self.fn += len(g - p)
        if p != g:
            self.errors.append(
                f"{where}: extra {sorted(map(str, p - g))} missing {sorted(map(str, g - p))}"
            )

    @property
    def precision(self) -> float:
        """Return the share of predicted values that are right (1.0 when none predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Return the share of gold values found (1.0 when there are none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _event_values(found: Enrichment) -> dict[str, Any]:
    event = found.event
    if event is None:
        return {}
    values: dict[str, Any] = {
        "category": event.category,
        "attendance": event.attendance,
        "start": event.start.isoformat() if event.start else None,
        "end": event.end.isoformat() if event.end else None,
        "participants": event.participants,
    }
    return {k: v for k, v in values.items() if v is not None}


def score(
    items: Sequence[NewsItem], gold: Sequence[dict[str, Any]], enricher: Enricher
) -> dict[str, Score]:
    """Return a score per field for ``items`` against ``gold`` (same order, same length)."""
    if len(items) != len(gold):
        raise ValueError(f"the listing has {len(items)} items but the gold file {len(gold)}")
    scores = {
        name: Score()
        for name in (
            "date",
            "headline",
            *SET_FIELDS,
            "event",
            *(f"event.{f}" for f in EVENT_FIELDS),
        )
    }
    for index, (item, expected) in enumerate(zip(items, gold, strict=True), start=1):
        where = f"item {index} ({item.source.name}:{item.source.line})"
        found = enricher.enrich(item)
        scores["date"].add([item.date.isoformat()], [expected["date"]], where)
        scores["headline"].add([item.headline], [expected["headline"]], where)
        predicted = {
            "countries": found.countries,
            "organizations": [o.slug for o in found.organizations],
            "themes": found.themes,
        }
        for name in SET_FIELDS:
            scores[name].add(predicted[name], expected.get(name, []), where)
        got_event = _event_values(found)
        gold_event = expected.get("event") or {}
        scores["event"].add(["event"] if got_event else [], ["event"] if gold_event else [], where)
        for name in EVENT_FIELDS:
            if name in gold_event or (gold_event and name in got_event):
                got = [got_event[name]] if name in got_event else []
                want = [gold_event[name]] if name in gold_event else []
                scores[f"event.{name}"].add(got, want, where)
    return scores


def format_scores(scores: dict[str, Score]) -> str:
    """Return a plain table of precision, recall and F1 per field."""
    lines = [f"{'field':<20} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for name, s in scores.items():
        lines.append(
            f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}"
        )
    return "\n".join(lines)
