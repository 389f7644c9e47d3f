"""A simulated team over eight weeks: a seeded script generates a dozen recruiters' sends and
replies, two schedulers (two "processes", each with its own connection to the same SQLite file
and its own Slack client) tick with a clock moved forward, and everything they post lands in the
Slack stand-in. One recruiter is warned, restricted to one-to-one, and recovers; one never sends
enough to be judged; the alerts come once each, the digests once per week, and the digest's
figures match a plain recomputation from the generated data."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.slack_client import make_client
from bot.scheduler import Scheduler
from models.digest import week_of
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.policy import DAY, DEFAULT_EPOCH
from models.store import Store
from tests.conftest import TEAM, SlackAppServer, app_settings
from tests.slack_standin import SlackStandIn

START = DEFAULT_EPOCH + 53 * 14 * DAY  # Monday 2026-01-12 00:00 UTC, on a policy period boundary
DAYS = 57
TICK = DAY / 2
RECRUITERS = [f"U{n:02d}" for n in range(1, 13)]
STRUGGLER, LOW_VOLUME = "U01", "U02"
ALERTS, DIGESTS = "CALERTS", "CDIGEST"
ZONE = "Europe/Oslo"
MASS_DRAFT = "Dear Candidate, I came across your profile and was impressed. Exciting opportunity! Let me know."


@dataclass(frozen=True)
class Generated:
    user: str
    at: float
    sent: int
    replied: int
    responded_at: float


def generate(seed: int = 5) -> list[Generated]:
    """Per recruiter and day, sends and the day their replies arrive (several rows per day)."""
    rng = random.Random(seed)
    rows = []
    for day in range(DAYS):
        at = START + day * DAY + 9 * 3600
        for user in RECRUITERS:
            if user == STRUGGLER:  # no replies for five weeks, then 30 % while restricted and after
                rate, sent = (0.0 if day < 35 else 0.3), 10
            elif user == LOW_VOLUME:
                rate, sent = 0.0, 5  # 70 a period: never judged
            else:
                rate, sent = rng.uniform(0.22, 0.4), rng.randint(9, 13)
            replies = round(sent * rate)
            late = replies - replies // 2  # half answer the next day, the rest 1-6 days later
            rows.append(Generated(user, at, sent - late, replies // 2, at + DAY))
            if late:
                rows.append(Generated(user, at + 1, late, late, at + rng.randint(1, 6) * DAY))
    return rows


def expected_week(rows: list[Generated], start: float, end: float, as_of: float) -> dict[str, tuple[int, int]]:
    figures: dict[str, tuple[int, int]] = {}
    for row in rows:
        if start <= row.at < end:
            sent, responses = figures.get(row.user, (0, 0))
            counted = row.replied if row.responded_at <= min(as_of, row.at + 30 * DAY) else 0
            figures[row.user] = (sent + row.sent, responses + counted)
    return figures


def _line(sent: int, responses: int) -> str:
    return f"{responses / sent:.0%} of {sent:,}" if sent else "none sent"


def _texts(message: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in message.get("blocks") or [] if isinstance(b.get("text"), dict))


@pytest.fixture
def team(tmp_path: Path, slack: SlackStandIn, make_app: Any) -> tuple[SlackAppServer, list[Generated]]:
    for user in RECRUITERS:
        slack.add_user(user, tz=ZONE)
    app = make_app()  # the Slack app on the same file: the struggler's drafts are reviewed through it
    for n in range(3):
        assert app.command(f"{MASS_DRAFT} ({n})", response_url=slack.response_url(f"d{n}"), user=STRUGGLER).status_code == 200
    app.drain()
    outreach = Outreach(app.store)
    outreach.settings.save(TEAM, TeamSettings(alert_channel=ALERTS, digest_channel=DIGESTS, digest_weekday=0,
                                              digest_hour=9, timezone=ZONE))
    rows = generate()
    for n, row in enumerate(rows):  # what `/inmail log` would record, at the simulated times
        outreach.sends.record(TEAM, row.user, f"log:sim{n}", "log", sent=row.sent, at=row.at, replied=row.replied,
                              responded_at=row.responded_at)
    slack.reset()
    return app, rows


def test_eight_weeks_of_a_team(team: tuple[SlackAppServer, list[Generated]], slack: SlackStandIn,
                               tmp_path: Path) -> None:
    app, rows = team
    settings = app_settings(slack, app.settings.db_path)  # the app's database, on either backend
    stores: list[Store] = []

    def process() -> Scheduler:
        stores.append(Store.open(settings.db_path))
        return Scheduler(stores[-1], make_client(settings), settings, evaluate_every_s=0)

    first, second = process(), process()
    delivered_at: dict[str, float] = {}
    crash = 70  # day 35, when the struggler's restriction starts
    try:
        for step in range(int(DAYS * DAY / TICK)):
            now = START + step * TICK
            if step == crash:  # process one stores the transition, leases its alerts and dies before posting
                assert first.evaluate_team(TEAM, now) and len(first.outreach.outbox.lease_due(now)) == 2
                first = process()
            (first if step % 3 else second).tick(now)
            (second if step % 2 else first).tick(now)
            for call in slack.calls_to("chat.postMessage"):
                delivered_at.setdefault(call.response["ts"], now)
        # --- the policy history ---------------------------------------------------------------
        outreach = Outreach(stores[0])
        history = [(r["state"], (r["since"] - START) / DAY, r["sent"], r["prev_id"] != 0)
                   for r in outreach.statuses.history(TEAM, STRUGGLER)]
        assert [h[:2] for h in history] == [("warned", 14), ("one_to_one", 35), ("normal", 49)]
        assert history[0][2] == 140 and all(h[3] for h in history[1:])
        assert outreach.statuses.history(TEAM, LOW_VOLUME) == []
        assert {r["user_id"] for r in stores[0].rows("SELECT user_id FROM policy_status", ())} == {STRUGGLER}
        # --- alerts: three DMs and three channel posts, once each ------------------------------
        # and the early warning once in each period the struggler was heading under: normal, warned.
        dms = [m for m in slack.messages("D01") if "heading under the threshold" not in m["text"]]
        risks = [m for m in slack.messages("D01") if "heading under the threshold" in m["text"]]
        assert len(dms) == 3 and len(risks) == 2
        assert "Current period (Mon 12 Jan 2026 – Sun 25 Jan 2026" in _texts(risks[0])
        assert "Current period (Mon 26 Jan 2026 – Sun 08 Feb 2026" in _texts(risks[1])
        assert "What your own recent drafts suggest" in _texts(dms[0]) and "Response rate warning" in _texts(dms[0])
        assert "One-to-one InMails only" in _texts(dms[1]) and "Back to normal" in _texts(dms[2])
        assert delivered_at[dms[1]["ts"]] == START + (crash + 1) * TICK  # once the dead process's lease ran out
        assert all(not slack.messages(f"D{u[1:]}") for u in RECRUITERS if u != STRUGGLER)
        posts = slack.messages(ALERTS)
        assert [p["text"].split(":")[0] for p in posts] == [
            "⚠️ Response rate warning for <@U01>", "⛔ One-to-one InMails only for <@U01>", "✅ Back to normal for <@U01>"]
        assert all("<@U01>" in _texts(p) for p in posts)
        # --- digests: one a week, posted Monday after 09:00 Oslo, figures recomputed -------------
        digests = [m for m in slack.messages(DIGESTS) if m.get("blocks")]
        labels = [re.search(r"week (\d{4}-W\d\d)", m["text"]).group(1) for m in digests]
        assert labels == sorted(set(labels)) and len(labels) == 8  # Mondays 19 Jan … 9 Mar: none before the first send
        weeks = {w.label: w for w in (week_of(START + d * DAY, ZONE) for d in range(-7, DAYS, 7))}
        for label, message in zip(labels, digests, strict=True):
            week, posted = weeks[label], delivered_at[message["ts"]]
            last = week_of(week.start, ZONE, weeks_back=1)
            now_figures = expected_week(rows, week.start, week.end, posted)
            before = expected_week(rows, last.start, last.end, posted)
            text = _texts(message)
            for user in RECRUITERS:
                this_sent, this_resp = now_figures.get(user, (0, 0))
                last_sent, last_resp = before.get(user, (0, 0))
                if this_sent or last_sent:
                    assert f"<@{user}>: {_line(this_sent, this_resp)} · {_line(last_sent, last_resp)}" in text
                else:
                    assert f"<@{user}>:" not in text
        restricted = next(m for m in digests if "one-to-one only until" in _texts(m))
        assert "<@U01>: one-to-one only until" in _texts(restricted)
        charts = [u for u in slack.uploads.values() if u.channel == DIGESTS]
        assert len(charts) == 8 and all(u.data.startswith(b"\x89PNG") for u in charts)
        assert slack.violations == []
        # --- nothing more to do for anyone, however often they tick --------------------------
        count = len(slack.calls)
        for scheduler in (first, second):
            scheduler.tick(START + DAYS * DAY)
        assert len(slack.calls) == count
    finally:
        for store in stores:
            store.close()


def test_a_process_dying_between_post_and_mark_causes_no_second_post(db_url: str, slack: SlackStandIn) -> None:
    slack.add_user(STRUGGLER)
    settings = app_settings(slack, db_url)
    stores = [Store.open(settings.db_path), Store.open(settings.db_path)]
    try:
        first, second = (Scheduler(s, make_client(settings), settings, evaluate_every_s=0) for s in stores)
        first.outreach.settings.save(TEAM, TeamSettings(alert_channel=ALERTS))
        first.outreach.sends.record(TEAM, STRUGGLER, "log:1", "log", sent=150, at=START + DAY)
        first.tick(START + 14 * DAY)
        posted = {call.args["channel"]: call.response["ts"] for call in slack.calls_to("chat.postMessage")}
        assert set(posted) == {"D01", ALERTS}
        # The state a crash right after Slack's answers leaves: leased, posted on Slack, not marked.
        stores[0].execute("UPDATE deliveries SET posted_at = NULL, posted_ts = NULL, lease_until = 0")
        second.tick(START + 14 * DAY + 600)
        assert len(slack.calls_to("chat.postMessage")) == 2 and len(slack.calls_to("conversations.history")) == 2
        marked = {row["kind"]: row["posted_ts"] for row in second.outreach.outbox.deliveries(TEAM)}
        assert marked == {"alert_dm": posted["D01"], "alert_channel": posted[ALERTS]}
        assert slack.violations == []
    finally:
        for store in stores:
            store.close()
