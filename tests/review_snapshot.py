"""What the reviewer says about every example and every corpus draft, kept as a snapshot so a
change made for speed or memory is seen to change no judgement (`tests/test_review_snapshot.py`).

A change that does move a finding regenerates it on purpose, and says which moved and why:

    .venv/bin/python -m tests.review_snapshot --write
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

from bot.inputs import read
from models import corpus
from models.records import Draft, Review
from rules import Reviewer

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).parent / "fixtures" / "review_snapshot.jsonl"


def drafts() -> Iterator[tuple[str, Draft]]:
    """The examples (as `check examples/` reads them), then the labelled corpus."""
    for item in read([str(ROOT / "examples")]):
        if item.draft is not None:
            yield f"examples/{Path(item.source).name}", item.draft
    for entry in corpus.load("all"):
        yield f"corpus/{entry['id']}", Draft.from_dict(corpus.draft_input(entry))


def summary(key: str, review: Review) -> dict[str, Any]:
    """Everything a user is told, metrics rounded past noise."""
    return {"key": key, "score": review.score, "verdict": review.verdict, "language": review.language,
            "category": review.category,
            "metrics": {k: round(v, 3) if isinstance(v, float) else v for k, v in review.metrics.to_dict().items()},
            "findings": [[f.rule, f.severity, f.field, list(f.span) if f.span else None, f.message] for f in review.findings]}


def snapshot(reviewer: Reviewer) -> list[dict[str, Any]]:
    return [summary(key, reviewer.review(draft)) for key, draft in drafts()]


def main() -> int:
    if sys.argv[1:] != ["--write"]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = snapshot(Reviewer.load())
    SNAPSHOT.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
    print(f"{SNAPSHOT.relative_to(ROOT)}: {len(rows)} reviews")
    return 0


if __name__ == "__main__":
    sys.exit(main())
