"""Alerts on a policy status change: a DM to the recruiter with tips from their own drafts, and
a line in the team's alert channel; and the early warning, a DM once per period to a recruiter
at risk. The texts are built here; the scheduler delivers them from the outbox (`deliveries`),
which is what makes them exactly once."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from bot.blocks import period_text, render
from bot.tips import tips
from models.outreach import Outreach, PeriodFigures
from models.policy import DAY, NORMAL, ONE_TO_ONE, WARNED
from models.wording import plural

TIPS = 3
RANKED = 12  # rules read per ranking, so policy rules and duplicates can be skipped
TIPS_LOOKBACK_DAYS = 30
_HEADLINES = {WARNED: "⚠️ Response rate warning", ONE_TO_ONE: "⛔ One-to-one InMails only", NORMAL: "✅ Back to normal"}


def _day(at: float | None, timezone: str) -> str:
    return datetime.fromtimestamp(at or 0, ZoneInfo(timezone)).strftime("%a %d %b %Y")


def _figures(row: Mapping[str, Any], timezone: str) -> str:
    rate = f"{row['responses'] / row['sent']:.0%}" if row["sent"] else "no rate"
    return (f"{plural(row['sent'], 'InMail', 'InMails')} sent from {_day(row['period_start'], timezone)} to "
            f"{_day(row['period_end'] - 1, timezone)}, {plural(row['responses'], 'response', 'responses')} ({rate})")


def explain(row: Mapping[str, Any], threshold: float, grace_days: int, timezone: str) -> str:
    """What the change means for the recruiter, and until when."""
    figures, limit = _figures(row, timezone), f"{threshold:.0%}"
    if row["state"] == WARNED:
        due = row["until"] + grace_days * DAY
        return (f"{figures}: under the team's {limit}. This is a warning until {_day(row['until'], timezone)}; "
                f"sending goes on as usual. On {_day(due, timezone)} the rate of the InMails sent during the "
                f"warning is assessed; still under {limit} means one-to-one InMails only for a while.")
    if row["state"] == ONE_TO_ONE:
        return (f"{figures}: still under {limit}. Until {_day(row['until'], timezone)} send one-to-one InMails "
                f"only; drafts declared bulk will be flagged. At the end the rate is assessed again.")
    return f"{figures}. {row['reason'].capitalize()}: no restriction any more."


def _tips(outreach: Outreach, team_id: str, user_id: str, now: float) -> list[dict[str, Any]]:
    """The rules the recruiter's own recent drafts most often got, then the team's, then general ones."""
    since = now - TIPS_LOOKBACK_DAYS * DAY
    return tips(outreach.frequent_findings(team_id, since, user_id=user_id, limit=RANKED),
                outreach.frequent_findings(team_id, since, limit=RANKED), limit=TIPS)


def alert_messages(outreach: Outreach, team_id: str, row: Mapping[str, Any], now: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(DM to the recruiter, alert channel post) for the status `row`."""
    team = outreach.settings(team_id)
    body = explain(row, team.policy.threshold, team.policy.grace_days, team.timezone)
    headline = _HEADLINES[row["state"]]
    tips = [] if row["state"] == NORMAL else _tips(outreach, team_id, row["user_id"], now)
    dm = render("alert.j2", headline=headline, body=body, tips=tips, who="")
    channel = render("alert.j2", headline=headline, body=body, tips=[], who=row["user_id"])
    return dm, channel


def risk_message(outreach: Outreach, team_id: str, user_id: str, period: Mapping[str, Any]) -> dict[str, Any]:
    """The early warning, once per period: the recruiter has enough sends to be judged and is under
    the threshold as things stand (`period`: the `PeriodFigures` when it was noticed)."""
    team = outreach.settings(team_id)
    figures = PeriodFigures(**period)
    headline = "⚠️ Your response rate is heading under the threshold"
    body = (period_text(figures, team.policy).replace("*", "")
            + "\nReplies still count until the period is judged: answer the pending ones and keep the next InMails "
            "personal.")
    tips = _tips(outreach, team_id, user_id, figures.start)
    return render("alert.j2", headline=headline, body=body, tips=tips, who="")
