"""A seeded simulated team whose drafts' findings change the reply probability by known amounts:
the ground truth `inmail-review report` must recover (tests/test_effects.py asserts it,
bench/bench_effects.py prints the table).

20 recruiters send for 12 weeks; each draft gets each simulated rule with its own probability,
its sends are mostly one-to-one with some bulk ones, and each send's replies are drawn with the
base rate plus the planted effects of the draft's rules. Rules planted with 0 must come out as
"no clear difference".
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from models.outreach import Outreach
from models.records import Finding, Metrics, Review
from models.store import Store

BASE_RATE = 0.16
# rule → (how often a draft has it, planted change in the reply probability)
PLANTED: dict[str, tuple[float, float]] = {
    "generic-template/unnamed-client": (0.3, -0.08),
    "personalization/no-reference": (0.35, -0.06),
    "call-to-action/missing": (0.25, -0.05),
    "grammar/spelling": (0.3, 0.0),
    "length/long-sentence": (0.3, 0.0),
    "subject/generic": (0.3, 0.0),
}
START = 1_767_225_600.0  # Thu 1 Jan 2026 00:00 UTC
WEEK = 7 * 86_400.0


@dataclass(frozen=True)
class Simulated:
    team: str
    sends: int
    drafts: int
    end: float  # after the last send


def _review(rules: list[str], rng: random.Random) -> Review:
    findings = tuple(Finding(rule, "warning", "simulated", "simulated") for rule in rules)
    verdict = "revise" if findings else "ready"
    score = rng.randint(50, 79) if findings else rng.randint(80, 100)
    return Review(id=None, score=score, verdict=verdict, language="en", category="career_opportunity",
                  findings=findings, metrics=Metrics(0, rng.randint(200, 1500), 80, 0.5, 0.3))


def simulate(store: Store, *, team: str = "T0SIM", recruiters: int = 20, weeks: int = 12, drafts_per_week: int = 6,
             seed: int = 15, start: float = START) -> Simulated:
    rng = random.Random(seed)
    outreach = Outreach(store)
    sends = drafts = 0
    for r in range(recruiters):
        user = f"U{r:03d}SIM"
        for week in range(weeks):
            for n in range(drafts_per_week):
                rules = [rule for rule, (share, _) in PLANTED.items() if rng.random() < share]
                draft_id = store.add_draft(team, user, "command", "simulated draft")
                assert draft_id is not None
                store.add_review(team, draft_id, _review(rules, rng))
                bulk = rng.random() < 0.1
                count = rng.randint(20, 60) if bulk else 1
                p = min(0.9, max(0.01, BASE_RATE + sum(PLANTED[rule][1] for rule in rules)))
                replied = sum(rng.random() < p for _ in range(count))
                at = start + week * WEEK + rng.random() * WEEK
                outreach.sends.record(team, user, f"sim:{draft_id}", "button", sent=count, at=at, bulk=bulk,
                                      draft_id=draft_id, replied=replied, responded_at=at + 86_400 if replied else None)
                sends += count
                drafts += 1
    return Simulated(team, sends, drafts, start + weeks * WEEK)
