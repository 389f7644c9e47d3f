"""Alerts on a policy status change: a DM to the recruiter with tips from their own drafts, and
a line in the team's alert channel; and the early warning, a DM once per period to a recruiter
at risk. The texts are built here; the scheduler delivers them from the outbox (`deliveries`),
which is what makes them exactly once."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from bot.blocks import period_text, render
from bot.i18n import _, current, ngettext
from bot.tips import tips
from models.outreach import Outreach, PeriodFigures
from models.policy import DAY, NORMAL, ONE_TO_ONE, WARNED
from rules.i18n import N_

TIPS = 3
RANKED = 12  # rules read per ranking, so policy rules and duplicates can be skipped
TIPS_LOOKBACK_DAYS = 30
_HEADLINES = {WARNED: N_("⚠️ Response rate warning"), ONE_TO_ONE: N_("⛔ One-to-one InMails only"),
              NORMAL: N_("✅ Back to normal")}
# Why a recruiter is back to normal (`models.policy`'s reasons, stored with the status), as a sentence.
_REASONS = {"back at or above the threshold": N_("Back at or above the threshold"),
            "too few sends during the warning to judge": N_("Too few sends during the warning to judge"),
            "too few sends while restricted to judge": N_("Too few sends while restricted to judge")}
# Translators: a date pattern, not words ("Mon 07 Dec 2026"): EEE weekday, dd day, MMM month, y year; keep the letters.
DAY_WITH_WEEKDAY = N_("EEE dd MMM y")


def _day(at: float | None, timezone: str) -> str:
    return current().date(datetime.fromtimestamp(at or 0, ZoneInfo(timezone)).date(), _(DAY_WITH_WEEKDAY))


def _figures(row: Mapping[str, Any], timezone: str) -> str:
    t = current()
    rate = t.percent(row["responses"] / row["sent"]) if row["sent"] else _("no rate")
    sends = ngettext("{count} InMail sent from {start} to {end}", "{count} InMails sent from {start} to {end}",
                     row["sent"], start=_day(row["period_start"], timezone), end=_day(row["period_end"] - 1, timezone))
    responses = ngettext("{count} response", "{count} responses", row["responses"])
    return f"{sends}, {responses} ({rate})"


def explain(row: Mapping[str, Any], threshold: float, grace_days: int, timezone: str) -> str:
    """What the change means for the recruiter, and until when."""
    figures, limit = _figures(row, timezone), current().percent(threshold)
    if row["state"] == WARNED:
        due = row["until"] + grace_days * DAY
        return _("{figures}: under the team's {limit}. This is a warning until {until}; sending goes on as usual. "
                 "On {due} the rate of the InMails sent during the warning is assessed; still under {limit} means "
                 "one-to-one InMails only for a while.", figures=figures, limit=limit,
                 until=_day(row["until"], timezone), due=_day(due, timezone))
    if row["state"] == ONE_TO_ONE:
        return _("{figures}: still under {limit}. Until {until} send one-to-one InMails only; drafts declared bulk "
                 "will be flagged. At the end the rate is assessed again.", figures=figures, limit=limit,
                 until=_day(row["until"], timezone))
    reason = _REASONS.get(row["reason"])
    return _("{figures}. {reason}: no restriction any more.", figures=figures,
             reason=_(reason) if reason else row["reason"].capitalize())


def _tips(outreach: Outreach, team_id: str, user_id: str, now: float) -> list[dict[str, Any]]:
    """The rules the recruiter's own recent drafts most often got, then the team's, then general ones."""
    since = now - TIPS_LOOKBACK_DAYS * DAY
    findings = outreach.review_figures.frequent_findings
    return tips(findings(team_id, since, user_id=user_id, limit=RANKED), findings(team_id, since, limit=RANKED),
                limit=TIPS)


def alert_messages(outreach: Outreach, team_id: str, row: Mapping[str, Any], now: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(DM to the recruiter, alert channel post) for the status `row`, both in the current reader's
    language (`bot.i18n.reading`): whoever delivers one renders it for its own reader."""
    team = outreach.settings.get(team_id)
    body = explain(row, team.policy.threshold, team.policy.grace_days, team.timezone)
    headline = _(_HEADLINES[row["state"]])
    tips = [] if row["state"] == NORMAL else _tips(outreach, team_id, row["user_id"], now)
    dm = render("alert.j2", headline=headline, body=body, tips=tips, who="")
    channel = render("alert.j2", headline=headline, body=body, tips=[], who=row["user_id"])
    return dm, channel


def risk_message(outreach: Outreach, team_id: str, user_id: str, period: Mapping[str, Any]) -> dict[str, Any]:
    """The early warning, once per period: the recruiter has enough sends to be judged and is under
    the threshold as things stand (`period`: the `PeriodFigures` when it was noticed)."""
    team = outreach.settings.get(team_id)
    figures = PeriodFigures(**period)
    headline = _("⚠️ Your response rate is heading under the threshold")
    body = (period_text(figures, team.policy).replace("*", "") + "\n"
            + _("Replies still count until the period is judged: answer the pending ones and keep the next InMails "
                "personal."))
    tips = _tips(outreach, team_id, user_id, figures.start)
    return render("alert.j2", headline=headline, body=body, tips=tips, who="")
