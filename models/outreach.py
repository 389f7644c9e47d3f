"""The outreach side of the store as one object: `Outreach` composes the owners of its tables
and keeps what spans them — the policy evaluation (it reads sends, stores a status and enqueues
its alerts in one transaction), the team lists, and the figures App Home and `/inmail stats` show.

Each table has one owner module: `outreach` and `reply_logs` models/sends.py, `recruiter_aliases`
models/aliases.py, `policy_status` models/policy_status.py, `deliveries` models/outbox.py,
`team_settings` models/team_settings.py, `channel_problems` models/channel_problems.py; the
figures read from reviews are models/review_figures.py's. Callers reach the owner through this
object (`outreach.outbox.lease_due(now)`, `outreach.settings.get(team)`), which each process
builds once with the environment's team defaults and hands to whatever needs it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from models.aliases import Aliases
from models.channel_problems import ChannelProblems
from models.outbox import Outbox
from models.policy import PolicyConfig, Transition, at_risk, current_period, earliest_send_needed, next_transition
from models.policy_status import PolicyStatuses
from models.review_figures import ReviewFigures
from models.sends import Sends
from models.store import Store
from models.team_settings import TeamSettings, TeamSettingsTable

# Each status change is announced twice: to the recruiter, and in the team's alert channel.
ALERT_DELIVERIES = (("alert_dm", "dm"), ("alert_channel", "channel"))


class Outreach:
    """The table owners over one `Store`, and the operations across them; all filter on `team_id`."""

    def __init__(self, store: Store, defaults: TeamSettings | None = None, home_team: str | None = None) -> None:
        self.store = store
        self.sends = Sends(store)
        self.aliases = Aliases(store)
        self.statuses = PolicyStatuses(store)
        self.outbox = Outbox(store)
        self.settings = TeamSettingsTable(store, defaults, home_team)
        self.channel_problems = ChannelProblems(store)
        self.review_figures = ReviewFigures(store)

    # --- across tables ---------------------------------------------------------------------------
    def first_seen(self, team_id: str) -> float | None:
        """When the team's first draft or send is from: no digest is owed for a week before it."""
        rows = self.store.rows("SELECT MIN(at) AS at FROM (SELECT MIN(created_at) AS at FROM drafts WHERE team_id = :t "
                               "UNION ALL SELECT MIN(at) FROM outreach WHERE team_id = :t) AS firsts", {"t": team_id})
        return rows[0]["at"]

    def recruiters(self, team_id: str) -> list[str]:
        """Everyone with outreach or a status in the team (the policy's population)."""
        return [r["user_id"] for r in self.store.rows(
            "SELECT DISTINCT user_id FROM outreach WHERE team_id = ? UNION "
            "SELECT DISTINCT user_id FROM policy_status WHERE team_id = ? ORDER BY user_id", (team_id, team_id))]

    def team_or_only(self, team: str | None) -> str:
        """`team`, or the database's one team (the CLI's default); ValueError when that is ambiguous."""
        if team:
            return team
        teams = self.teams()
        if len(teams) != 1:
            raise ValueError(f"--team is needed: the database has {len(teams)} teams")
        return teams[0]

    def teams(self) -> list[str]:
        return [r["team_id"] for r in self.store.rows(
            "SELECT team_id FROM team_settings UNION SELECT DISTINCT team_id FROM outreach UNION "
            "SELECT DISTINCT team_id FROM drafts ORDER BY team_id", ())]

    # --- the policy: sends read, a status stored, its alerts enqueued ------------------------------
    def record_transition(self, team_id: str, user_id: str, prev_id: int, transition: Transition,
                          deliveries: Iterable[tuple[str, str]]) -> int | None:
        """Stores a transition after `prev_id` with its alert deliveries `(kind, key suffix)`, in one
        transaction; None when another process stored a successor of `prev_id` first."""
        with self.store.transaction():
            status_id = self.statuses.record(team_id, user_id, prev_id, transition)
            if status_id is None:
                return None
            for kind, suffix in deliveries:
                self.outbox.enqueue(team_id, f"status:{team_id}:{status_id}:{suffix}", kind, {"status_id": status_id},
                                    user_id=user_id)
        return status_id

    def evaluate(self, team_id: str, user_id: str, config: PolicyConfig, now: float) -> list[int]:
        """Applies every policy transition due by `now`; returns the ids of the statuses this call
        stored (each with its two alert deliveries). Stops when another process got there first."""
        stored: list[int] = []
        prev_id, current = self.statuses.current(team_id, user_id, config)
        while True:
            sends = self.sends.since(team_id, user_id, earliest_send_needed(current, now, config))
            step = next_transition(current, sends, now, config)
            if step is None:
                return stored
            status_id = self.record_transition(team_id, user_id, prev_id, step, ALERT_DELIVERIES)
            if status_id is None:
                return stored
            stored.append(status_id)
            prev_id, current = status_id, step.status

    def reassess(self, team_id: str, user_id: str, now: float) -> list[int]:
        """After the recruiter's figures changed (and on the scheduler's tick): every transition
        due, then the early warning — once per period, a DM when the recruiter is at risk."""
        stored = self.evaluate(team_id, user_id, self.settings.get(team_id).policy, now)
        period = self.period_figures(team_id, user_id, now)
        if period.at_risk:
            self.outbox.enqueue(team_id, f"risk:{team_id}:{user_id}:{period.start:.0f}", "risk_dm", asdict(period),
                                user_id=user_id)
        return stored

    def period_figures(self, team_id: str, user_id: str, now: float) -> "PeriodFigures":
        """The current 14-day period as LinkedIn judges it: its sends, the responses known now."""
        config = self.settings.get(team_id).policy
        _, status = self.statuses.current(team_id, user_id, config)
        period = current_period(status, now, config)
        until = min(period.end, now + 1)  # sends so far (a clock moved back, or a simulation, has later ones)
        known = self.sends.totals(team_id, period.start, until, now, config.window_days, user_id).get(user_id) or {}
        kinds = self.sends.kinds(team_id, user_id, period.start, until)
        sent, responses = int(known.get("sent") or 0), int(known.get("responses") or 0)
        return PeriodFigures(period.state, period.start, period.end, period.judged_at, sent, responses,
                             min(kinds["accepted"], responses), min(kinds["declined"], responses), sent - responses,
                             at_risk(sent, responses, config))


@dataclass(frozen=True)
class PeriodFigures:
    """One recruiter's current period (`models.policy.current_period`) with its figures so far."""

    state: str
    start: float
    end: float
    judged_at: float
    sent: int
    responses: int
    accepted: int
    declined: int
    pending: int
    at_risk: bool


@dataclass(frozen=True)
class UserFigures:
    """One recruiter's figures over the last `days` (App Home, `/inmail stats`), and the team's."""

    days: int
    drafts: int
    average_score: float | None
    sent: int
    responses: int
    state: str
    until: float | None
    team_sent: int
    team_responses: int
    team_flagged: int
    period: PeriodFigures
    policy: PolicyConfig


def user_figures(outreach: Outreach, team_id: str, user_id: str, now: float) -> UserFigures:
    """Sends of the last response window, with the responses known now."""
    config = outreach.settings.get(team_id).policy
    start = now - config.window_days * 86_400.0
    reviews = outreach.review_figures.reviewed(team_id, start, now + 1, user_id=user_id)
    team = outreach.sends.totals(team_id, start, now + 1, now, config.window_days)
    mine = team.get(user_id) or {"sent": 0, "responses": 0}
    _, status = outreach.statuses.current(team_id, user_id, config)
    flagged = sum(1 for row in outreach.statuses.latest(team_id).values()
                  if row["state"] != "normal" and (row["until"] or 0) > now)
    return UserFigures(config.window_days, reviews["drafts"], reviews["average"], mine["sent"] or 0,
                       mine["responses"] or 0, status.state, status.until,
                       sum(r["sent"] or 0 for r in team.values()), sum(r["responses"] or 0 for r in team.values()), flagged,
                       outreach.period_figures(team_id, user_id, now), config)
