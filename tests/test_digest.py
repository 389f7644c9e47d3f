"""The weekly digest: its week in the team's zone, its figures from real reviews and sends, the
chart, and `inmail-review digest [--post]` against the Slack stand-in."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.digest import chart_png, digest_message, week_name
from bot.review_service import ReviewService
from models.digest import DigestFigures, Rate, Week, compute, digest_due, week_of
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.records import Draft
from models.store import Store
from rules import Reviewer
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
TEAM = "T0TEAM"
OSLO = ZoneInfo("Europe/Oslo")
MASS = "Dear Candidate, I came across your profile and was impressed. Exciting opportunity! Let me know."
GOOD = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
        "platform at Vipps. Would you be open to a 15-minute call next week?")


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO).timestamp()


def test_weeks_are_iso_weeks_in_the_team_zone_across_dst() -> None:
    week = week_of(_at("2026-03-31 10:00"), "Europe/Oslo", weeks_back=1)  # summer time began on 29 March
    assert week.label == "2026-W13" and week.start == _at("2026-03-23 00:00") and week.end == _at("2026-03-30 00:00")
    assert week.end - week.start == 7 * 86400 - 3600
    team = TeamSettings(digest_weekday=0, digest_hour=9, timezone="Europe/Oslo")
    assert digest_due(_at("2026-03-30 08:59"), team) is None
    assert digest_due(_at("2026-03-30 09:00"), team).label == "2026-W13"
    assert digest_due(_at("2026-04-05 23:00"), team).label == "2026-W13"  # late in the week: still owed
    friday = TeamSettings(digest_weekday=4, digest_hour=16, timezone="Europe/Oslo")
    assert digest_due(_at("2026-04-02 17:00"), friday) is None and digest_due(_at("2026-04-03 16:00"), friday)


def test_figures_from_real_reviews_and_sends(db_url: str, reviewer: Reviewer) -> None:
    store = Store.open(db_url)
    try:
        outreach = Outreach(store)
        service = ReviewService(store, reviewer, outreach)
        answers = [service.review_new(team_id=TEAM, user_id=user, source="command", draft=Draft.from_text(text))
                   for user, text in (("U1", MASS), ("U1", MASS + " Apply now"), ("U2", GOOD))]
        service.review_new(team_id="T0OTHER", user_id="U9", source="command", draft=Draft.from_text(MASS))
        now = time.time()
        week = week_of(now, "UTC")
        outreach.sends.record(TEAM, "U1", "log:a", "log", sent=50, at=week.start + 60, replied=5, responded_at=now - 1)
        outreach.sends.record(TEAM, "U2", "log:b", "log", sent=20, at=week.start - 3 * 86400, replied=8,
                              responded_at=week.start)
        figures = compute(outreach, TEAM, week, now)
        assert figures.drafts == 3
        assert round(figures.average_score, 3) == round(sum(a.review.score for a in answers) / 3, 3)
        assert figures.last_average_score is None
        counts = Counter(rule for a in answers for rule in {f.rule for f in a.review.findings})  # drafts per rule
        assert [(f["rule"], f["count"]) for f in figures.findings] == sorted(counts.items(), key=lambda i: (-i[1], i[0]))[:5]
        lines = {line.user_id: line for line in figures.recruiters}
        assert (lines["U1"].this_week.sent, lines["U1"].this_week.responses, lines["U1"].last_week.sent) == (50, 5, 0)
        assert (lines["U2"].this_week.sent, lines["U2"].last_week.rate) == (0, 0.4)
        assert [label for label, _ in figures.weekly][-1] == week.label and len(figures.weekly) == 8
        message = digest_message(figures, "UTC")
        text = "\n".join(b["text"]["text"] for b in message["blocks"] if "text" in b)
        assert "*3 drafts* reviewed" in text and "<@U1>: 10% of 50 · none sent" in text
        assert "<@U2>: none sent · 40% of 20" in text and "Tip of the week" in text
        png = chart_png(figures, 0.13)
        assert png is not None and png.startswith(b"\x89PNG")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (700, 340)
        assert len(_bars(image)) == sum(1 for _, rate in figures.weekly if rate.sent) == 2
        assert chart_png(compute(outreach, TEAM, week_of(now, "UTC", weeks_back=20), now), 0.13) is None
    finally:
        store.close()


BAR = (0x2E, 0x7D, 0x9A)
RED = (0xC6, 0x28, 0x28)
# Eight weeks across a year end, the fourth without sends (bench/digest_example.py's).
WEEKS = [("2026-W49", Rate(310, 52)), ("2026-W50", Rate(280, 41)), ("2026-W51", Rate(190, 22)),
         ("2026-W52", Rate(0, 0)), ("2026-W53", Rate(60, 9)), ("2027-W01", Rate(240, 26)),
         ("2027-W02", Rate(330, 40)), ("2027-W03", Rate(295, 47))]


def _columns(image: Image.Image, colour: tuple[int, int, int]) -> dict[int, list[int]]:
    """The rows holding exactly `colour`, by column."""
    pixels, (width, height) = image.convert("RGB").load(), image.size
    found: dict[int, list[int]] = {}
    for x in range(width):
        rows = [y for y in range(height) if pixels[x, y] == colour]
        if rows:
            found[x] = rows
    return found


def _bars(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Each run of adjacent columns holding bar colour, as (first column, last column, top row, bottom row)."""
    columns = _columns(image, BAR)
    runs: list[list[int]] = []
    for x in sorted(columns):
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return [(run[0], run[-1], min(columns[run[len(run) // 2]]), max(columns[run[len(run) // 2]])) for run in runs]


def test_chart_draws_each_week_its_gap_and_the_threshold_where_they_belong() -> None:
    threshold = 0.13
    figures = DigestFigures("T0EXAMPLE", Week("2027-W03", 0.0, 0.0), 0, None, None, [], [], [], [], WEEKS)
    png = chart_png(figures, threshold)
    assert png is not None
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (700, 340)
    bars = _bars(image)
    sent = [rate for _, rate in WEEKS if rate.rate is not None]
    assert len(bars) == len(sent) == 7
    # Bars stand on one baseline, as tall as their rates (to a pixel), in slots of one width.
    bottom = bars[0][3]
    assert all(bar[3] == bottom for bar in bars)
    tallest = max(range(7), key=lambda i: sent[i].rate)
    per_unit = (bottom - bars[tallest][2] + 1) / sent[tallest].rate  # pixels per 100%
    for (_, _, top, _), rate in zip(bars, sent, strict=True):
        assert abs((bottom - top + 1) - per_unit * rate.rate) <= 1.5
    centres = [(first + last) / 2 for first, last, _, _ in bars]
    slot = centres[1] - centres[0]
    assert slot > 40
    steps = [b - a for a, b in zip(centres, centres[1:])]
    assert [round(step / slot) for step in steps] == [1, 1, 2, 1, 1, 1]  # the week without sends: a gap
    assert all(abs(step - round(step / slot) * slot) <= 1.5 for step in steps)
    # The week without sends: no bar pixels in its slot, its "no sends" in grey there.
    gap = centres[2] + slot
    band = range(round(gap - slot / 2), round(gap + slot / 2))
    columns = _columns(image, BAR)
    assert not any(x in columns for x in band)
    pixels = image.load()
    grey = [(x, y) for x in band for y in range(bottom - 40, bottom)
            if pixels[x, y][0] == pixels[x, y][1] == pixels[x, y][2] and 110 <= pixels[x, y][0] <= 200]
    assert grey
    # The dashed red line at the threshold's row, across the bars, and on no other row.
    expected = bottom + 1 - per_unit * threshold
    span = range(bars[0][0], bars[-1][1] + 1)
    reds = {}
    for x, rows in _columns(image, RED).items():
        if x in span:
            for y in rows:
                reds[y] = reds.get(y, 0) + 1
    line = max(reds, key=reds.get)
    assert abs(line - expected) <= 1.5
    assert reds[line] >= 0.35 * len(span)
    assert sum(count for y, count in reds.items() if abs(y - line) > 1) < 0.05 * len(span)
    label = {x for x in range(bars[-1][1] + 8, image.size[0]) for y in range(image.size[1])  # red text right of it
             if pixels[x, y][0] - pixels[x, y][1] > 60 and abs(pixels[x, y][1] - pixels[x, y][2]) < 12}
    assert len(label) > 20
    # The same bytes from threads drawing at once: nothing shared between them.
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda _: chart_png(figures, threshold), range(8))) == {png}


def test_digest_command_prints_and_posts(db_url: str, slack: SlackStandIn) -> None:
    db = db_url
    store = Store.open(db)
    last_week = week_of(time.time(), "UTC", weeks_back=1)
    Outreach(store).sends.record(TEAM, "U1", "log:x", "log", sent=120, at=last_week.start + 3600, replied=18,
                                 responded_at=last_week.start + 7200)
    store.close()
    env = {**os.environ, "INMAIL_DB": str(db), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.api_url,
           "INMAIL_DIGEST_CHANNEL": "CDIGEST", "NO_PROXY": "127.0.0.1"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "digest", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=120)

    printed = cli()
    assert printed.returncode == 0 and f"InMail digest · {week_name(last_week, 'UTC')}" in printed.stdout
    assert "<@U1>: 15% of 120 · none sent" in printed.stdout and slack.calls == []
    posted = cli("--team", TEAM, "--post")
    assert posted.returncode == 0, posted.stderr
    [message] = [m for m in slack.messages("CDIGEST") if m.get("blocks")]
    assert last_week.label in message["text"]
    [chart] = slack.uploads.values()
    assert chart.channel == "CDIGEST" and chart.data.startswith(b"\x89PNG") and slack.violations == []
