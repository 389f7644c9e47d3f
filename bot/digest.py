"""The weekly digest: figures (models/digest.py) → Block Kit message + a PNG chart → Slack.

`inmail-review digest [--team T] [--post]` prints it (or posts it now, outside the schedule
and without claiming the week), in the team's language as its channel reads it. The chart is
drawn with Pillow (`bot/chart.py`), in memory: no display, no files, no fonts downloaded.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from bot.blocks import render
from bot.i18n import _, choose, current, ngettext, reading
from bot.outcomes import sentence
from bot.oauth import team_clients
from bot.settings import Settings
from bot.slack_client import NotInstalled, make_client, serving, slack_call
from bot.template_outcomes import sentence as template_sentence
from bot.template_outcomes import templates
from bot.tips import tips, title
from models.digest import COSTLY_DAYS, DigestFigures, Rate, Week, compute, week_of
from models.outreach import Outreach
from models.policy import DAY, ONE_TO_ONE, POLICY_RULES, WARNED
from models.store import Store
from rules.i18n import DAY_PATTERN, N_

TEMPLATE_DAYS = 30  # the digest's and App Home's "most sent template": as far back as the near-duplicate history

RECRUITER_LINES = 30
CHART_NAME = "response-rate.png"


# Translators: date patterns, not words; keep the letters (d day, MMM month, EEE weekday). A week
# within one month is "{first}–{last}" with its first day as "d" and its last as the day with
# month and year ("23–29 Nov 2026"); across months the first day is "d MMM" ("30 Nov – 6 Dec 2026").
FIRST_DAY = N_("d")
# Translators: a date pattern: a day and its month ("30 Nov"), in a week's name and under the chart's bars.
DAY_AND_MONTH = N_("d MMM")
# Translators: a date pattern: the day a policy status ends, in the digest ("Mon 07 Dec"); keep the letters.
WEEKDAY_AND_DAY = N_("EEE dd MMM")
_STATES = {WARNED: N_("warned"), ONE_TO_ONE: N_("one-to-one only")}


def _rate(rate: Rate) -> str:
    t = current()
    return _("{rate} of {sent}", rate=t.percent(rate.rate), sent=t.number(rate.sent)) if rate.rate is not None \
        else _("none sent")


def _score(value: float | None) -> str:
    return current().number(value) if value is not None else "—"


def week_name(week: Week, timezone: str) -> str:
    """A week by its days, as a lead reads it: "23–29 Nov 2026", "28 Dec 2026 – 3 Jan 2027"
    (in the current reader's language: "23.–29. nov. 2026")."""
    zone, t = ZoneInfo(timezone), current()
    first = datetime.fromtimestamp(week.start, zone).date()
    last = datetime.fromtimestamp(week.end - 1, zone).date()
    end = t.date(last, DAY_PATTERN)
    if first.year != last.year:
        return _("{first} – {last}", first=t.date(first, DAY_PATTERN), last=end)
    if first.month != last.month:
        return _("{first} – {last}", first=t.date(first, _(DAY_AND_MONTH)), last=end)
    # Translators: a week within one month, "23–29 Nov 2026" (no spaces around the dash).
    return _("{first}–{last}", first=t.date(first, _(FIRST_DAY)), last=end)


def _has_chart(figures: DigestFigures) -> bool:
    return any(rate.sent for _label, rate in figures.weekly)


def top_template(outreach: Outreach, team_id: str, week: Week) -> str | None:
    """The most sent template of the 30 days to the week's end, in a lead's words (or None)."""
    settled = min(week.end, outreach.settings.get(team_id).policy.settled_before(time.time()))
    used = templates(outreach.store, team_id, week.end - TEMPLATE_DAYS * DAY, settled, limit=1)
    return template_sentence(used[0]) if used else None


def digest_message(figures: DigestFigures, timezone: str, template: str | None = None) -> dict[str, Any]:
    """The digest for the current reader (`bot.i18n.reading`: the team's language in its channel)."""
    t = current()
    trend = ""
    if figures.average_score is not None and figures.last_average_score is not None:
        delta = figures.average_score - figures.last_average_score
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
        trend = " " + _("({arrow} {points} on the week before)", arrow=arrow, points=t.number(abs(delta)))
    reviews = (ngettext("*{count} draft* reviewed, average score *{score}*/100{trend}",
                        "*{count} drafts* reviewed, average score *{score}*/100{trend}", figures.drafts,
                        score=_score(figures.average_score), trend=trend)
               if figures.drafts else _("No drafts reviewed that week."))
    lines = [{"user_id": r.user_id, "now": _rate(r.this_week), "before": _rate(r.last_week)}
             for r in sorted(figures.recruiters, key=lambda r: (-r.this_week.sent, r.user_id))]
    zone = ZoneInfo(timezone)
    flagged = [(user, _(_STATES[state]), t.date(datetime.fromtimestamp(until, zone).date(), _(WEEKDAY_AND_DAY)))
               for state, rows in ((WARNED, figures.warned), (ONE_TO_ONE, figures.one_to_one))
               for user, until in rows]
    findings = [{"title": title(f["rule"]), "drafts": ngettext("in {count} draft", "in {count} drafts", f["count"])}
                for f in figures.findings if f["rule"] not in POLICY_RULES]
    tip = tips(figures.findings, limit=1)[0]
    name = week_name(figures.week, timezone)
    before = week_name(week_of(figures.week.start, timezone, weeks_back=1), timezone)
    heading = _("InMail digest · {week}", week=name)
    fallback = ngettext("{heading} (week {label}): {count} draft reviewed",
                        "{heading} (week {label}): {count} drafts reviewed", figures.drafts,
                        heading=heading, label=figures.week.label)
    return render("digest.j2", title=heading, fallback=fallback, reviews=reviews, this_week=name,
                  last_week=before, recruiters=lines[:RECRUITER_LINES],
                  more_recruiters=max(0, len(lines) - RECRUITER_LINES), findings=findings, flagged=flagged,
                  tip=f"{tip['title']}: {tip['advice']}", chart=_has_chart(figures),
                  costly=[sentence(e) for e in figures.costly], costly_days=COSTLY_DAYS, most_sent=template,
                  template_days=TEMPLATE_DAYS)


def _week_labels(weekly: list[tuple[str, Rate]]) -> list[str]:
    """Bar labels by each week's Monday, with the year under the first bar and wherever it changes."""
    labels, year, t = [], None, current()
    for label, _rate_of_week in weekly:
        iso_year, number = label.split("-W")
        monday = date.fromisocalendar(int(iso_year), int(number), 1)
        labels.append(t.date(monday, _(DAY_AND_MONTH)) + (f"\n{monday.year}" if monday.year != year else ""))
        year = monday.year
    return labels


def chart_png(figures: DigestFigures, threshold: float) -> bytes | None:
    """Bars of the team's weekly response rate with the policy threshold; None with no sends.
    A week without sends is a gap (marked "no sends"), not 0%; each bar says its rate and sends."""
    if not _has_chart(figures):
        return None
    from bot.chart import bar_chart_png

    weeks = len(figures.weekly)
    return bar_chart_png(ngettext("Team response rate, {count} week by its Monday",
                                  "Team response rate, {count} weeks by their Monday", weeks),
                         _week_labels(figures.weekly), [rate.rate for _label, rate in figures.weekly],
                         [rate.sent for _label, rate in figures.weekly], threshold)


def post_digest(client: Any, outreach: Outreach, team_id: str, channel: str, figures: DigestFigures,
                on_refusal: Callable[[str], None] | None = None, **extra: Any) -> str | None:
    """Posts the digest (with `extra` arguments, e.g. metadata) and, in its thread, the chart;
    the message ts, or None when posting failed (Slack's refusal told to `on_refusal`)."""
    team = outreach.settings.get(team_id)
    message = digest_message(figures, team.timezone, top_template(outreach, team_id, figures.week))
    posted = slack_call("chat.postMessage", None, client.chat_postMessage, on_refusal=on_refusal, channel=channel,
                        **message, **extra)
    if posted is None:
        return None
    png = chart_png(figures, team.policy.threshold)
    if png is not None:  # the text stands alone: a failed upload is logged, not retried
        slack_call("files_upload_v2", None, client.files_upload_v2, channel=posted["channel"], thread_ts=posted["ts"],
                   content=png, filename=CHART_NAME,
                   title=_("Response rate, weeks to {week}", week=week_name(figures.week, team.timezone)))
    return str(posted["ts"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help=_("Slack team id (default: the only team in the database)"))
    parser.add_argument("--post", action="store_true", help=_("post it to the digest channel now"))


def _as_text(message: dict[str, Any]) -> str:
    parts = []
    for block in message["blocks"]:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text["text"])
    return "\n\n".join(parts)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    store = Store.open(settings.db_path)
    try:
        outreach = Outreach(store, settings.team_defaults())
        try:
            team = outreach.team_or_only(args.team)
        except ValueError as error:
            print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
            return 2
        now = time.time()
        figures = compute(outreach, team, week_of(now, outreach.settings.get(team).timezone, weeks_back=1), now)
        language = choose(outreach.settings.get(team).language)  # printed as its channel would read it
        if not args.post:
            with reading(language):
                print(_as_text(digest_message(figures, outreach.settings.get(team).timezone,
                                              top_template(outreach, team, figures.week))))
            return 0
        if not (settings.slack_bot_token or settings.distributed):
            print(_("inmail-review: error: {message}", message=_("--post needs SLACK_BOT_TOKEN")), file=sys.stderr)
            return 2
        client = team_clients(settings, store, make_client(settings))  # OAuth mode: the team's own token
        if not client.distributed:  # whose workspace INMAIL_DIGEST_CHANNEL is in
            answer = slack_call("auth.test", None, client.auth_test)
            if answer is None:
                print(_("inmail-review: error: {message}", message=_("Slack did not answer auth.test; nothing was posted")),
                      file=sys.stderr)
                return 1
            outreach.settings.home_team = str(answer["team_id"])
        channel = outreach.settings.get(team).digest_channel
        if not channel:
            print(_("inmail-review: error: {message}", message=_(
                "team {team} has no digest channel (its own in App Home, or INMAIL_DIGEST_CHANNEL for the bot token's "
                "workspace)", team=team)), file=sys.stderr)
            return 2
        with serving(team), reading(language):
            try:
                return 0 if post_digest(client, outreach, team, channel, figures) else 1
            except NotInstalled:
                print(_("inmail-review: error: {message}", message=_("the app is not installed in team {team}",
                                                                     team=team)), file=sys.stderr)
                return 1
    finally:
        store.close()
