"""Issue 15 item 3, the export: one row per draft with its review and outcomes, from the command
line (CSV, JSON lines, text only on request and only within retention) and for admins in Slack."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from models.export import COLUMNS
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.records import Draft
from models.store import Store
from rules import Reviewer
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
DRAFT = "Dear Candidate, one of our clients has an exciting opportunity. Apply now!"


def _export(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "export", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "INMAIL_DB": str(db)}, timeout=60)


def _seed(store: Store, reviewer: Reviewer) -> tuple[str, str]:
    """A one-to-one draft with an accepted reply, a bulk draft of 40 with 5 replies, and an old draft."""
    outreach = Outreach(store)
    outreach.settings.save(TEAM, TeamSettings(retention_days=30))
    ids = []
    for text in (DRAFT, "Hi Kari, your Kafka talk at JavaZone was great. Open to a chat next week?"):
        draft_id = store.add_draft(TEAM, USER, "command", text)
        assert draft_id
        store.add_review(TEAM, draft_id, reviewer.review(Draft(body=text)))
        ids.append(draft_id)
    outreach.sends.record(TEAM, USER, "s1", "button", sent=1, draft_id=ids[0], accepted=1)
    outreach.sends.record(TEAM, USER, "s2", "button", sent=40, bulk=True, draft_id=ids[1], accepted=3, declined=2)
    old = store.add_draft(TEAM, USER, "command", "An old draft, past the team's retention.")
    assert old
    store.execute("UPDATE drafts SET created_at = ? WHERE id = ?", (time.time() - 60 * 86_400, old))
    return ids[0], ids[1]


def test_the_export_has_a_row_per_draft_with_its_outcomes(db_url: str, reviewer: Reviewer) -> None:
    db = db_url
    store = Store.open(db)
    one, bulk = _seed(store, reviewer)
    store.close()
    done = _export(db)
    assert done.returncode == 0, done.stderr
    rows = {r["inmail_draft_id"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert list(csv.reader(io.StringIO(done.stdout)))[0] == list(COLUMNS) and len(rows) == 3
    assert (rows[one]["inmails_sent_one_to_one"], rows[one]["responses_accepted"], rows[one]["verdict"]) == ("1", "1", "blocked")
    assert "generic-template/unnamed-client" in rows[one]["finding_rules"].split(";")
    assert (rows[bulk]["inmails_sent_bulk"], rows[bulk]["responses_total"], rows[bulk]["responses_pending"]) == ("40", "5", "35")
    assert DRAFT not in done.stdout  # no text unless asked
    lines = [json.loads(line) for line in _export(db, "--format", "jsonl", "--with-text").stdout.splitlines()]
    texts = {row["inmail_draft_id"]: row["text"] for row in lines}
    assert texts[one] == DRAFT and sorted(texts.values()).count("") == 1  # the old draft's text is past retention
    assert _export(db, "--since", "yesterday").returncode == 2


def test_admins_get_the_export_in_slack(app: SlackAppServer, slack: SlackStandIn, reviewer: Reviewer) -> None:
    _seed(app.store, reviewer)
    slack.add_user("UADMIN", is_admin=True)
    assert app.command("export", response_url=slack.response_url("user")).text == ""
    assert "Only the app's admins" in slack.wait_responses(1)[0]["text"]
    assert app.command("export", response_url=slack.response_url("admin"), user="UADMIN").text == ""
    assert "in your DM" in slack.wait_responses(2)[1]["text"]
    [upload] = slack.uploads.values()
    assert upload.channel == "DADMIN" and upload.filename.startswith(f"inmail-review-{TEAM}-")
    rows = list(csv.DictReader(io.StringIO(upload.data.decode())))
    assert len(rows) == 3 and all(r["recruiter_slack_id"] == USER for r in rows)
    assert slack.violations == []
