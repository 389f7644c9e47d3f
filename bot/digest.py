"""The weekly digest: figures (models/digest.py) → Block Kit message + a PNG chart → Slack.

`inmail-review digest [--team T] [--post]` prints it (or posts it now, outside the schedule
and without claiming the week). The chart is drawn with Pillow (`bot/chart.py`), in memory:
no display, no files, no fonts downloaded.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from bot.blocks import render
from bot.outcomes import sentence
from bot.review_service import slack_call
from bot.template_outcomes import sentence as template_sentence
from bot.template_outcomes import templates
from bot.tips import tips, title
from models.digest import COSTLY_DAYS, DigestFigures, Rate, Week, compute, week_of
from models.outreach import Outreach
from models.policy import DAY, POLICY_RULES
from models.wording import plural

TEMPLATE_DAYS = 30  # the digest's and App Home's "most sent template": as far back as the near-duplicate history

RECRUITER_LINES = 30
CHART_NAME = "response-rate.png"


def _rate(rate: Rate) -> str:
    return f"{rate.rate:.0%} of {rate.sent:,}" if rate.rate is not None else "none sent"


def _score(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "—"


def week_name(week: Week, timezone: str) -> str:
    """A week by its days, as a lead reads it: "23–29 Nov 2026", "28 Dec 2026 – 3 Jan 2027"."""
    zone = ZoneInfo(timezone)
    first, last = datetime.fromtimestamp(week.start, zone), datetime.fromtimestamp(week.end - 1, zone)
    if first.year != last.year:
        return f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    if first.month != last.month:
        return f"{first:%-d %b} – {last:%-d %b %Y}"
    return f"{first:%-d}–{last:%-d %b %Y}"


def _has_chart(figures: DigestFigures) -> bool:
    return any(rate.sent for _, rate in figures.weekly)


def top_template(outreach: Outreach, team_id: str, week: Week) -> str | None:
    """The most sent template of the 30 days to the week's end, in a lead's words (or None)."""
    settled = min(week.end, outreach.settings(team_id).policy.settled_before(time.time()))
    used = templates(outreach.store, team_id, week.end - TEMPLATE_DAYS * DAY, settled, limit=1)
    return template_sentence(used[0]) if used else None


def digest_message(figures: DigestFigures, timezone: str, template: str | None = None) -> dict[str, Any]:
    trend = ""
    if figures.average_score is not None and figures.last_average_score is not None:
        delta = figures.average_score - figures.last_average_score
        trend = f" ({'▲' if delta > 0 else '▼' if delta < 0 else '='} {abs(delta):.0f} on the week before)"
    reviews = (f"*{plural(figures.drafts, 'draft', 'drafts')}* reviewed, average score "
               f"*{_score(figures.average_score)}*/100{trend}" if figures.drafts else "No drafts reviewed that week.")
    lines = [{"user_id": r.user_id, "now": _rate(r.this_week), "before": _rate(r.last_week)}
             for r in sorted(figures.recruiters, key=lambda r: (-r.this_week.sent, r.user_id))]
    zone = ZoneInfo(timezone)
    flagged = [(user, state, datetime.fromtimestamp(until, zone).strftime("%a %d %b"))
               for state, rows in (("warned", figures.warned), ("one-to-one only", figures.one_to_one))
               for user, until in rows]
    findings = [{"title": title(f["rule"]), "drafts": plural(f["count"], "draft", "drafts")}
                for f in figures.findings if f["rule"] not in POLICY_RULES]
    tip = tips(figures.findings, limit=1)[0]
    name = week_name(figures.week, timezone)
    before = week_name(week_of(figures.week.start, timezone, weeks_back=1), timezone)
    heading = f"InMail digest · {name}"
    return render("digest.j2", title=heading, fallback=f"{heading} (week {figures.week.label}): "
                  f"{plural(figures.drafts, 'draft', 'drafts')} reviewed", reviews=reviews, this_week=name,
                  last_week=before, recruiters=lines[:RECRUITER_LINES],
                  more_recruiters=max(0, len(lines) - RECRUITER_LINES), findings=findings, flagged=flagged,
                  tip=f"{tip['title']}: {tip['advice']}", chart=_has_chart(figures),
                  costly=[sentence(e) for e in figures.costly], costly_days=COSTLY_DAYS, most_sent=template,
                  template_days=TEMPLATE_DAYS)


def _week_labels(weekly: list[tuple[str, Rate]]) -> list[str]:
    """Bar labels by each week's Monday, with the year under the first bar and wherever it changes."""
    labels, year = [], None
    for label, _ in weekly:
        iso_year, number = label.split("-W")
        monday = date.fromisocalendar(int(iso_year), int(number), 1)
        labels.append(f"{monday:%-d %b}" + (f"\n{monday.year}" if monday.year != year else ""))
        year = monday.year
    return labels


def chart_png(figures: DigestFigures, threshold: float) -> bytes | None:
    """Bars of the team's weekly response rate with the policy threshold; None with no sends.
    A week without sends is a gap (marked "no sends"), not 0%; each bar says its rate and sends."""
    if not _has_chart(figures):
        return None
    from bot.chart import bar_chart_png

    return bar_chart_png(f"Team response rate, {len(figures.weekly)} weeks by their Monday",
                         _week_labels(figures.weekly), [rate.rate for _, rate in figures.weekly],
                         [rate.sent for _, rate in figures.weekly], threshold)


def post_digest(client: Any, outreach: Outreach, team_id: str, channel: str, figures: DigestFigures,
                on_refusal: Callable[[str], None] | None = None, **extra: Any) -> str | None:
    """Posts the digest (with `extra` arguments, e.g. metadata) and, in its thread, the chart;
    the message ts, or None when posting failed (Slack's refusal told to `on_refusal`)."""
    team = outreach.settings(team_id)
    message = digest_message(figures, team.timezone, top_template(outreach, team_id, figures.week))
    posted = slack_call("chat.postMessage", None, client.chat_postMessage, on_refusal=on_refusal, channel=channel,
                        **message, **extra)
    if posted is None:
        return None
    png = chart_png(figures, team.policy.threshold)
    if png is not None:  # the text stands alone: a failed upload is logged, not retried
        slack_call("files_upload_v2", None, client.files_upload_v2, channel=posted["channel"], thread_ts=posted["ts"],
                   content=png, filename=CHART_NAME, title=f"Response rate, weeks to {week_name(figures.week, team.timezone)}")
    return str(posted["ts"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help="Slack team id (default: the only team in the database)")
    parser.add_argument("--post", action="store_true", help="post it to the digest channel now")


def _as_text(message: dict[str, Any]) -> str:
    parts = []
    for block in message["blocks"]:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text["text"])
    return "\n\n".join(parts)


def run(args: argparse.Namespace) -> int:
    from bot.app import make_client
    from bot.scheduler import team_defaults
    from bot.settings import Settings
    from models.store import Store

    settings = Settings.from_env()
    store = Store.open(settings.db_path)
    try:
        outreach = Outreach(store, team_defaults(settings))
        try:
            team = outreach.team_or_only(args.team)
        except ValueError as error:
            print(f"inmail-review: error: {error}", file=sys.stderr)
            return 2
        now = time.time()
        figures = compute(outreach, team, week_of(now, outreach.settings(team).timezone, weeks_back=1), now)
        if not args.post:
            print(_as_text(digest_message(figures, outreach.settings(team).timezone,
                                          top_template(outreach, team, figures.week))))
            return 0
        if not settings.slack_bot_token:
            print("inmail-review: error: --post needs SLACK_BOT_TOKEN", file=sys.stderr)
            return 2
        client = make_client(settings)
        answer = slack_call("auth.test", None, client.auth_test)  # whose workspace INMAIL_DIGEST_CHANNEL is in
        if answer is None:
            print("inmail-review: error: Slack did not answer auth.test; nothing was posted", file=sys.stderr)
            return 1
        outreach.home_team = str(answer["team_id"])
        channel = outreach.settings(team).digest_channel
        if not channel:
            print(f"inmail-review: error: team {team} has no digest channel (its own in App Home, or "
                  "INMAIL_DIGEST_CHANNEL for the bot token's workspace)", file=sys.stderr)
            return 2
        return 0 if post_digest(client, outreach, team, channel, figures) else 1
    finally:
        store.close()
