"""The weekly digest's figures (PRODUCT.md §6), computed from the store for one team and week.

Weeks are ISO weeks in the team's time zone; the digest posted during week N covers week
N-1, whose label (`2026-W47`) is also the key that makes it once per team and week. Response
rates count responses known now and within the response window, like the policy does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.effects import Effect, costly
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.policy import DAY, ONE_TO_ONE, WARNED, response_rate

CHART_WEEKS = 8
TOP_FINDINGS = 5
# "What cost replies": the findings with a clear drop in replies over half a year of settled sends.
COSTLY_DAYS = 182
TOP_COSTLY = 2


@dataclass(frozen=True)
class Week:
    label: str
    start: float
    end: float


@dataclass(frozen=True)
class Rate:
    sent: int
    responses: int

    @property
    def rate(self) -> float | None:
        return response_rate(self.responses, self.sent)


@dataclass(frozen=True)
class RecruiterLine:
    user_id: str
    this_week: Rate
    last_week: Rate


@dataclass(frozen=True)
class DigestFigures:
    team_id: str
    week: Week
    drafts: int
    average_score: float | None
    last_average_score: float | None
    findings: list[dict[str, Any]]
    recruiters: list[RecruiterLine]
    warned: list[tuple[str, float]]
    one_to_one: list[tuple[str, float]]
    weekly: list[tuple[str, Rate]] = field(default_factory=list)
    costly: list[Effect] = field(default_factory=list)  # findings that clearly cost replies (models/effects.py)


def week_of(at: float, timezone: str, weeks_back: int = 0) -> Week:
    """The ISO week containing `at` in `timezone`, or `weeks_back` weeks before it."""
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(at, zone)
    monday = (local - timedelta(days=local.weekday() + 7 * weeks_back)).replace(hour=0, minute=0, second=0,
                                                                               microsecond=0)
    start = monday.replace(tzinfo=zone)
    end = (monday + timedelta(days=7)).replace(tzinfo=zone)  # wall-clock Monday: DST-safe
    year, number, _ = monday.isocalendar()
    return Week(f"{year}-W{number:02d}", start.timestamp(), end.timestamp())


def digest_due(now: float, team: TeamSettings) -> Week | None:
    """The week a digest is owed for at `now`: the previous week, once this week's posting time
    (weekday and hour in the team's zone) has passed; None before it."""
    this_week = week_of(now, team.timezone)
    local_start = datetime.fromtimestamp(this_week.start, ZoneInfo(team.timezone))
    posting = (local_start + timedelta(days=team.digest_weekday)).replace(hour=team.digest_hour)
    return week_of(now, team.timezone, weeks_back=1) if now >= posting.timestamp() else None


def _rates(totals: dict[str, dict[str, int]]) -> dict[str, Rate]:
    return {user: Rate(row["sent"] or 0, row["responses"] or 0) for user, row in totals.items()}


def compute(outreach: Outreach, team_id: str, week: Week, now: float) -> DigestFigures:
    """Every figure of the digest for `week`, as known at `now`."""
    team = outreach.settings.get(team_id)
    weeks = [week_of(week.start, team.timezone, weeks_back=back) for back in range(CHART_WEEKS - 1, -1, -1)]
    # One indexed query per week: measured faster than one query bucketing the eight weeks with CASE.
    spans = [_rates(outreach.sends.totals(team_id, w.start, w.end, now, team.policy.window_days)) for w in weeks]
    this_rates, last_rates = spans[-1], spans[-2]
    previous = weeks[-2]
    this_reviews = outreach.review_figures.reviewed(team_id, week.start, week.end)
    last_reviews = outreach.review_figures.reviewed(team_id, previous.start, previous.end)
    nobody = Rate(0, 0)
    recruiters = [RecruiterLine(user, this_rates.get(user, nobody), last_rates.get(user, nobody))
                  for user in sorted(this_rates.keys() | last_rates.keys())]
    statuses = outreach.statuses.latest(team_id)
    flagged = {state: sorted((user, row["until"]) for user, row in statuses.items()
                             if row["state"] == state and (row["until"] or 0) > now) for state in (WARNED, ONE_TO_ONE)}
    weekly = [(w.label, Rate(sum(r.sent for r in span.values()), sum(r.responses for r in span.values())))
              for w, span in zip(weeks, spans, strict=True)]
    findings = outreach.review_figures.frequent_findings(team_id, week.start, week.end, limit=TOP_FINDINGS)
    settled = min(week.end, team.policy.settled_before(now))
    costly_findings = costly(outreach.store, team_id, settled - COSTLY_DAYS * DAY, settled, limit=TOP_COSTLY)
    return DigestFigures(team_id, week, this_reviews["drafts"], this_reviews["average"], last_reviews["average"],
                         findings, recruiters, flagged[WARNED], flagged[ONE_TO_ONE], weekly, costly_findings)
