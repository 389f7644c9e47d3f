"""What costs a team replies: the response rate of sends whose draft had a finding (or a verdict,
a score band, a length band, a category) against the sends whose draft did not.

Only what the data supports is said:

- A send counts once its response window (the team's `window_days`) has closed, so replies
  still to come do not make a recent habit look worse than it is.
- Each send is judged by the review its draft was sent with. A bulk send of 250 counts as 250
  sends of one draft; since one draft is one text, a side needs sends from at least
  `MIN_DRAFTS` drafts as well as `MIN_SENDS` sends before a difference is given at all.
- The difference of the two rates comes with a 95% interval by Newcombe's hybrid score method
  (method 10 of Newcombe 1998, built from each side's Wilson interval), which keeps to [-1, 1]
  and behaves with rates near 0, as reply rates are. An interval that contains 0 is "no clear
  difference", whatever the point estimate says.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Iterable

from models.policy import POLICY_RULES

if TYPE_CHECKING:  # the store stores each review's traits with `review_traits`: no import cycle at run time
    from models.store import Store

Z95 = 1.959964
MIN_SENDS = 30
MIN_DRAFTS = 3
SCORE_BANDS = ((0, 49, "score 0–49"), (50, 79, "score 50–79"), (80, 100, "score 80–100"))
LENGTH_BANDS = ((0, 399, "under 400 characters"), (400, 999, "400–999 characters"),
                (1000, 1900, "1,000–1,900 characters"), (1901, 10**9, "over 1,900 characters"))


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (0, 1 for no trials)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 − p2."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


@dataclass(frozen=True)
class Tally:
    """Settled sends of the drafts that have a trait (or of all drafts): InMails, responses, drafts."""

    sent: int
    responses: int
    drafts: int


@dataclass(frozen=True)
class Effect:
    trait: str  # "rule:<id>", "verdict:<v>", "score:<band>", "length:<band>", "category:<c>"
    sent_with: int
    responses_with: int
    drafts_with: int
    sent_without: int
    responses_without: int
    drafts_without: int
    rate_with: float | None
    rate_without: float | None
    low: float | None  # the 95% interval of rate_with − rate_without, when there is enough data
    high: float | None
    enough: bool

    @property
    def kind(self) -> str:
        return self.trait.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.trait.split(":", 1)[1]

    @property
    def clear(self) -> bool:
        """Enough data and an interval that does not contain 0."""
        return self.enough and self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, ("rule" if self.kind == "rule" else "trait"): self.name,
                **{k: v for k, v in asdict(self).items() if k != "trait"}, "clear": self.clear}


def _band(value: int | None, bands: tuple[tuple[int, int, str], ...]) -> str | None:
    return next((label for low, high, label in bands if value is not None and low <= value <= high), None)


def review_traits(rules: Iterable[str], verdict: str | None, score: int | None, body_chars: int | None,
                  category: str | None) -> str:
    """A review's traits as stored with it (`trait_sets`, `reviews.trait_set`): sorted, one per
    line. Stored, not derived at report time, so the report groups sends by their whole set of
    traits in SQLite (thousands of sets for a million sends) instead of unpacking findings."""
    traits = {f"rule:{rule}" for rule in rules}
    for kind, value in (("verdict", verdict), ("score", _band(score, SCORE_BANDS)),
                        ("length", _band(body_chars, LENGTH_BANDS)), ("category", category)):
        if value:
            traits.add(f"{kind}:{value}")
    return "\n".join(sorted(traits))


# Each send carries the set of traits of the review it was sent with (`outreach.trait_set`); sends
# with the same set are added up in SQLite (walking the index in set order, no sort), and each set
# is then counted toward each of its traits. A draft has one send row (`button:<draft id>`), so
# rows are drafts.
_TALLY_SQL = """
SELECT t.traits AS traits, s.sent AS sent, s.responses AS responses, s.drafts AS drafts
FROM (SELECT trait_set, SUM(sent) AS sent, SUM(replied) AS responses, COUNT(*) AS drafts FROM outreach
      WHERE team_id = :team AND trait_set IS NOT NULL AND at >= :since AND at < :settled GROUP BY trait_set) s
JOIN trait_sets t ON t.id = s.trait_set
"""


def team_tally(store: Store, team_id: str, since: float, settled_before: float) -> tuple[dict[str, Tally], Tally]:
    """Per trait and overall, the team's sends of reviewed drafts from `since` whose response
    window closed by `settled_before`."""
    per_trait: dict[str, list[int]] = {}
    overall = [0, 0, 0]
    for row in store.rows(_TALLY_SQL, {"team": team_id, "since": since, "settled": settled_before}):
        figures = (row["sent"], row["responses"], row["drafts"])
        for trait in (row["traits"] or "").split("\n"):
            if trait:
                tally = per_trait.setdefault(trait, [0, 0, 0])
                for i, value in enumerate(figures):
                    tally[i] += value
        for i, value in enumerate(figures):
            overall[i] += value
    return {t: Tally(*v) for t, v in per_trait.items()}, Tally(*overall)


def costly(store: Store, team_id: str, since: float, settled_before: float, limit: int = 3) -> list[Effect]:
    """The findings that clearly cost the team replies, the largest drop first (digest, App Home)."""
    found = [e for e in effects(*team_tally(store, team_id, since, settled_before))
             if e.kind == "rule" and e.clear and e.high is not None and e.high < 0]
    return sorted(found, key=lambda e: (e.low + e.high) / 2)[:limit]  # type: ignore[operator]


def effects(traits: dict[str, Tally], overall: Tally) -> list[Effect]:
    """Every trait against the rest; clear differences first, then by sends."""
    found: list[Effect] = []
    for trait in sorted(t for t in traits if t.removeprefix("rule:") not in POLICY_RULES):
        having = traits[trait]
        rest_sent, rest_responses = overall.sent - having.sent, overall.responses - having.responses
        rest_drafts = overall.drafts - having.drafts
        enough = min(having.sent, rest_sent) >= MIN_SENDS and min(having.drafts, rest_drafts) >= MIN_DRAFTS
        low, high = (difference_interval(having.responses, having.sent, rest_responses, rest_sent) if enough
                     else (None, None))
        found.append(Effect(trait, having.sent, having.responses, having.drafts, rest_sent, rest_responses,
                            rest_drafts, having.responses / having.sent, rest_responses / rest_sent if rest_sent else None,
                            low, high, enough))
    return sorted(found, key=lambda e: (not e.clear, not e.enough, -(e.sent_with), e.trait))
