"""Reading a Review in rule tests: what a rule quoted, which rules fired."""
from __future__ import annotations

from models.records import Review


def hits(review: Review, rule: str) -> list[str]:
    """The quoted text of each finding of `rule`, in order."""
    return [review.quote(f) for f in review.findings if f.rule == rule]


def rules_of(review: Review) -> set[str]:
    return {f.rule for f in review.findings}
