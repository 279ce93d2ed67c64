"""Print precision, recall and F1 per field of the converter against a gold annotation.

Usage: python benchmarks/extraction.py [GOLD.json ...]   (default: the sample's gold file)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from converter.enrich import Enricher
from converter.errors import ConverterError
from converter.evaluation import format_scores, score
from converter.readers import read_items

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "gold", nargs="*", type=Path, default=[ROOT / "tests/gold/iom-news-2021.json"]
    )
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    enricher = Enricher()
    for gold_path in args.gold:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        listing = (gold_path.parent / gold["listing"]).resolve()
        if not listing.exists():
            listing = (ROOT / gold["listing"]).resolve()
        items = []
        for entry in read_items(
            listing.read_bytes(),
            str(listing.relative_to(ROOT) if listing.is_relative_to(ROOT) else listing),
        ):
            if isinstance(entry, ConverterError):
                raise entry
            items.append(entry)
        scores = score(items, gold["items"], enricher)
        print(f"# {gold_path.name}: {len(items)} items from {listing.name}")
        print(format_scores(scores))
        if args.errors:
            for name, s in scores.items():
                for error in s.errors:
                    print(f"  {name}: {error}")
        print()


if __name__ == "__main__":
    main()
