"""The response-rate policy (PRODUCT.md §5) as pure functions over a recruiter's sends.

No clock, no database: callers pass `now` and the sends, so the tests can walk a recruiter
through months in microseconds and the store and the scheduler stay thin.

States: normal → warned (`warn_days`) → a grace of `grace_days` for replies to arrive → the
warning period's sends are assessed again → one_to_one (`restrict_days`) or normal; at the end
of one_to_one the restricted period is assessed → normal, or another `restrict_days`.

Every transition happens at a time computed from the previous status alone (a period end, the
end of a grace, the end of a restriction), never at "now": two processes evaluating the same
recruiter at different moments propose the same transition, so the store can keep exactly one.
In normal state only the latest completed period is judged, so a bot that was down for weeks
does not replay a cascade of stale warnings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

DAY = 86_400.0
# Findings that say what the policy did (a bulk draft while one-to-one only), not how a draft was
# written: never a tip, never a habit that costs replies.
POLICY_RULES = frozenset({"generic-template/bulk-restricted"})
NORMAL, WARNED, ONE_TO_ONE = "normal", "warned", "one_to_one"
STATES = (NORMAL, WARNED, ONE_TO_ONE)
# Monday 2024-01-01 00:00 UTC: normal-state periods are aligned to it until a first transition.
DEFAULT_EPOCH = 1_704_067_200.0


@dataclass(frozen=True)
class PolicyConfig:
    """One team's numbers; the defaults are LinkedIn Recruiter's "InMail Improvement Period"."""

    period_days: int = 14
    warn_days: int = 14
    grace_days: int = 7
    restrict_days: int = 14
    window_days: int = 30
    min_sent: int = 100
    threshold: float = 0.13
    epoch: float = DEFAULT_EPOCH

    def __post_init__(self) -> None:
        for name in ("period_days", "warn_days", "restrict_days", "window_days", "min_sent"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.grace_days < 0:
            raise ValueError("grace_days must not be negative")
        if not 0 < self.threshold < 1:
            raise ValueError("threshold must be between 0 and 1 (e.g. 0.13)")

    def settled_before(self, now: float) -> float:
        """Sends before this time have had their whole response window: their replies are in."""
        return now - self.window_days * DAY


@dataclass(frozen=True)
class Send:
    """Sends recorded together: `sent` InMails at `at`, of which `responses` (accepted or declined)
    were known at `responded_at`. Pending InMails are simply not responses."""

    at: float
    sent: int
    responses: int = 0
    responded_at: float | None = None


@dataclass(frozen=True)
class Status:
    state: str
    since: float
    until: float | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown policy state {self.state!r}")


def response_rate(responses: int, sent: int) -> float | None:
    """LinkedIn's response rate: (accepted + declined) / sent; None when nothing was sent."""
    return responses / sent if sent else None


@dataclass(frozen=True)
class Assessment:
    """The figures a decision was made on: sends in [start, end), responses known by `as_of`."""

    start: float
    end: float
    as_of: float
    sent: int
    responses: int
    judged: bool

    @property
    def rate(self) -> float | None:
        return response_rate(self.responses, self.sent)


@dataclass(frozen=True)
class Transition:
    status: Status
    assessment: Assessment
    reason: str


def initial_status(config: PolicyConfig) -> Status:
    """A recruiter never judged: normal, with periods aligned to the team's epoch."""
    return Status(NORMAL, config.epoch)


def assess(sends: Iterable[Send], start: float, end: float, as_of: float, config: PolicyConfig) -> Assessment:
    """Response rate of the sends in [start, end), counting a response only if it was known by
    `as_of` and within `window_days` of its send."""
    window = config.window_days * DAY
    sent = responses = 0
    for send in sends:
        if start <= send.at < end:
            sent += send.sent
            if send.responses and send.responded_at is not None and send.responded_at <= min(as_of, send.at + window):
                responses += send.responses
    return Assessment(start, end, as_of, sent, responses, judged=sent >= config.min_sent)


def _below(assessment: Assessment, config: PolicyConfig) -> bool:
    return assessment.judged and assessment.responses < config.threshold * assessment.sent


def next_transition(current: Status, sends: Sequence[Send], now: float, config: PolicyConfig) -> Transition | None:
    """The one transition due from `current` by `now`, or None."""
    if current.state == NORMAL:
        period = config.period_days * DAY
        completed = int((now - current.since) // period)
        if completed < 1:
            return None
        end = current.since + completed * period
        figures = assess(sends, end - period, end, end, config)
        if not _below(figures, config):
            return None
        return Transition(Status(WARNED, end, end + config.warn_days * DAY), figures, "rate under the threshold")
    if current.state == WARNED:
        warn_end = current.since + config.warn_days * DAY
        due = warn_end + config.grace_days * DAY
        if now < due:
            return None
        figures = assess(sends, current.since, warn_end, due, config)
        if not figures.judged:
            return Transition(Status(NORMAL, due), figures, "too few sends during the warning to judge")
        if _below(figures, config):
            return Transition(Status(ONE_TO_ONE, due, due + config.restrict_days * DAY), figures,
                              "still under the threshold after the warning")
        return Transition(Status(NORMAL, due), figures, "back at or above the threshold")
    due = current.since + config.restrict_days * DAY
    if now < due:
        return None
    figures = assess(sends, current.since, due, due, config)
    if _below(figures, config):
        return Transition(Status(ONE_TO_ONE, due, due + config.restrict_days * DAY), figures,
                          "still under the threshold: another restricted period")
    reason = "back at or above the threshold" if figures.judged else "too few sends while restricted to judge"
    return Transition(Status(NORMAL, due), figures, reason)


@dataclass(frozen=True)
class Period:
    """The period LinkedIn is judging now: the sends of [start, end), judged on `judged_at` (a
    warning period's after its grace, so replies can still arrive)."""

    state: str
    start: float
    end: float
    judged_at: float


def current_period(current: Status, now: float, config: PolicyConfig) -> Period:
    """Where `now` falls: the normal-state period running from the last transition (or the epoch),
    the warning period, or the restricted period — the same bounds `next_transition` judges."""
    if current.state == NORMAL:
        period = config.period_days * DAY
        start = current.since + max(0, int((now - current.since) // period)) * period
        return Period(NORMAL, start, start + period, start + period)
    if current.state == WARNED:
        end = current.since + config.warn_days * DAY
        return Period(WARNED, current.since, end, end + config.grace_days * DAY)
    end = current.since + config.restrict_days * DAY
    return Period(ONE_TO_ONE, current.since, end, end)


def at_risk(sent: int, responses: int, config: PolicyConfig) -> bool:
    """Enough sends to be judged and, as things stand, under the threshold: heading for a warning
    (or a restriction) unless more replies come."""
    return sent >= config.min_sent and responses < config.threshold * sent


def earliest_send_needed(current: Status, now: float, config: PolicyConfig) -> float:
    """The earliest send time `next_transition` looks at, so callers can load no more than that."""
    if current.state != NORMAL:
        return current.since
    period = config.period_days * DAY
    completed = max(1, int((now - current.since) // period))
    return current.since + (completed - 1) * period


def transitions(current: Status, sends: Sequence[Send], now: float, config: PolicyConfig) -> list[Transition]:
    """Every transition due by `now`, in order (after downtime a warning can be followed by its
    assessment at once)."""
    due: list[Transition] = []
    while (step := next_transition(current, sends, now, config)) is not None:
        due.append(step)
        current = step.status
    return due


def with_overrides(config: PolicyConfig, values: dict[str, object]) -> PolicyConfig:
    """`config` with a team's stored numbers applied (unknown keys are ignored)."""
    known = {k: v for k, v in values.items() if k in PolicyConfig.__dataclass_fields__ and v is not None}
    return replace(config, **known)  # type: ignore[arg-type]
