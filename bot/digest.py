"""The weekly digest: figures (models/digest.py) → Block Kit message + a PNG chart → Slack.

`inmail-review digest [--team T] [--post]` prints it (or posts it now, outside the schedule
and without claiming the week). The chart is drawn with matplotlib's Agg backend, in memory:
no display, no files, no fonts downloaded.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import render
from bot.review_service import slack_call
from models.digest import DigestFigures, Rate, compute, week_of
from models.outreach import Outreach

RECRUITER_LINES = 30
CHART_NAME = "response-rate.png"


def _rate(rate: Rate) -> str:
    return f"{rate.rate:.0%} of {rate.sent:,}" if rate.rate is not None else "none sent"


def _score(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "—"


def digest_message(figures: DigestFigures, timezone: str) -> dict[str, Any]:
    trend = ""
    if figures.average_score is not None and figures.last_average_score is not None:
        delta = figures.average_score - figures.last_average_score
        trend = f" ({'▲' if delta > 0 else '▼' if delta < 0 else '='} {abs(delta):.0f} on last week)"
    reviews = (f"*{figures.drafts:,}* drafts reviewed, average score *{_score(figures.average_score)}*/100{trend}"
               if figures.drafts else "No drafts reviewed this week.")
    lines = [{"user_id": r.user_id, "now": _rate(r.this_week), "before": _rate(r.last_week)}
             for r in sorted(figures.recruiters, key=lambda r: (-r.this_week.sent, r.user_id))]
    zone = ZoneInfo(timezone)
    flagged = [(user, state, datetime.fromtimestamp(until, zone).strftime("%a %d %b"))
               for state, rows in (("warned", figures.warned), ("one-to-one only", figures.one_to_one))
               for user, until in rows]
    title = f"InMail digest · week {figures.week.label}"
    return render("digest.j2", title=title, fallback=f"{title}: {figures.drafts} drafts reviewed", reviews=reviews,
                  recruiters=lines[:RECRUITER_LINES], more_recruiters=max(0, len(lines) - RECRUITER_LINES),
                  findings=figures.findings, flagged=flagged, tip=figures.tip)


def chart_png(figures: DigestFigures, threshold: float) -> bytes | None:
    """Bars of the team's weekly response rate with the policy threshold; None with no sends."""
    if not any(rate.sent for _, rate in figures.weekly):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state shared between threads

    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.subplots()
    labels = [label.split("-")[1] for label, _ in figures.weekly]
    values = [100 * (rate.rate or 0) for _, rate in figures.weekly]
    axes.bar(labels, values, color="#2e7d9a")
    axes.axhline(100 * threshold, color="#c62828", linestyle="--", linewidth=1, label=f"policy {threshold:.0%}")
    axes.set_ylabel("response rate (%)")
    axes.set_title("Team response rate, last 8 weeks")
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def post_digest(client: Any, outreach: Outreach, team_id: str, channel: str, figures: DigestFigures,
                **extra: Any) -> str | None:
    """Posts the digest (with `extra` arguments, e.g. metadata) and, in its thread, the chart;
    the message ts, or None when posting failed."""
    team = outreach.settings(team_id)
    message = digest_message(figures, team.timezone)
    posted = slack_call("chat.postMessage", None, client.chat_postMessage, channel=channel, **message, **extra)
    if posted is None:
        return None
    png = chart_png(figures, team.policy.threshold)
    if png is not None:  # the text stands alone: a failed upload is logged, not retried
        slack_call("files_upload_v2", None, client.files_upload_v2, channel=posted["channel"], thread_ts=posted["ts"],
                   content=png, filename=CHART_NAME, title=f"Response rate, weeks to {figures.week.label}")
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
            print(_as_text(digest_message(figures, outreach.settings(team).timezone)))
            return 0
        channel = outreach.settings(team).digest_channel
        if not settings.slack_bot_token or not channel:
            print("inmail-review: error: --post needs SLACK_BOT_TOKEN and a digest channel (INMAIL_DIGEST_CHANNEL)",
                  file=sys.stderr)
            return 2
        return 0 if post_digest(make_client(settings), outreach, team, channel, figures) else 1
    finally:
        store.close()
