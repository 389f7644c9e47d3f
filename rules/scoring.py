"""Score, verdict and the two 0–1 metrics, so that a recruiter can predict them.

Score: 100 minus a penalty per finding — error 30, warning 10, suggestion 3 — with each
family's total penalty capped at 45 (ten boilerplate phrases should not sink a draft that is
otherwise fine more than one real error does). The verdict caps the score so the two never
disagree: `blocked` (any error) scores at most 49, `revise` (any warning) at most 79, `ready`
anything up to 100. The same input and rules always give the same score.
"""
from __future__ import annotations

from typing import Iterable

from models.records import Finding, Metrics, Verdict
from rules.analysis import Analysis

PENALTY = {"error": 30, "warning": 10, "suggestion": 3}
FAMILY_CAP = 45
VERDICT_CAP = {"blocked": 49, "revise": 79, "ready": 100}

# How much each generic-template finding says "this is a mass template", by severity.
GENERICNESS = {"error": 0.5, "warning": 0.3, "suggestion": 0.1}


def score_and_verdict(findings: Iterable[Finding]) -> tuple[int, Verdict]:
    per_family: dict[str, int] = {}
    severities = set()
    for f in findings:
        per_family[f.family] = per_family.get(f.family, 0) + PENALTY[f.severity]
        severities.add(f.severity)
    verdict: Verdict = "blocked" if "error" in severities else "revise" if "warning" in severities else "ready"
    score = 100 - sum(min(p, FAMILY_CAP) for p in per_family.values())
    return max(0, min(score, VERDICT_CAP[verdict])), verdict


def personalization(a: Analysis) -> float:
    """0–1. With a profile: name used (0.3; misspelt 0.1), references to their work (0.4 for
    two or more), share of "you" among you/we words (0.3). Without one, only what the text
    shows: a named greeting (0.3) and the you-share (0.3), so at most 0.6."""
    you, we = a.pronouns
    you_share = you / (you + we) if you + we else 0.5
    if not a.has_profile:
        return 0.3 * (a.greeting_name is not None) + 0.3 * you_share
    name = 0.3 if a.name_used else 0.1 if a.greeting_name else 0.0
    mentioned, items = a.references
    refs = min(len(mentioned), 2) / 2 if items else 0.5
    return name + 0.4 * refs + 0.3 * you_share


def genericness(findings: Iterable[Finding]) -> float:
    """0–1: the generic-template findings, weighted by severity (0.5 / 0.3 / 0.1), capped at 1."""
    return min(1.0, sum(GENERICNESS[f.severity] for f in findings if f.family == "generic-template"))


def metrics(a: Analysis, findings: list[Finding]) -> Metrics:
    return Metrics(
        subject_chars=len(a.subject.text),
        body_chars=len(a.body.text),
        words=len(a.words),
        personalization=round(personalization(a), 2) if a.words else 0.0,
        genericness=round(genericness(findings), 2),
    )
