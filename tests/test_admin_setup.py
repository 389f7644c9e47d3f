"""Issue 11 item 9, an admin's set-up: who the app's admins are (workspace admins, or
`INMAIL_ADMINS` users and user groups), a channel the app is not in told to them once and shown
in App Home, and docs/slack.md naming every variable and the manifest's scopes."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.scheduler import Scheduler
from bot.settings import Settings
from models.digest import week_of
from models.outreach import Outreach
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]


def _home(app: SlackAppServer, slack: SlackStandIn, user: str) -> str:
    before = len(slack.calls_to("views.publish"))
    app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    return json.dumps(slack.wait_for("views.publish", before + 1)[-1].args["view"], ensure_ascii=False)


def _open_settings(app: SlackAppServer, slack: SlackStandIn, user: str) -> None:
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{user}",
        "container": {"type": "view", "view_id": "V0HOME"},
        "actions": [{"type": "button", "action_id": "edit_team_settings", "block_id": "team_settings",
                     "value": "edit", "action_ts": str(time.time()), "text": {"type": "plain_text", "text": "Edit"}}]})
    assert response.status_code == 200
    app.drain()


def test_a_channel_the_app_is_not_in_is_told_to_the_admins_once(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(digest_channel="CDIGEST")
    slack.reset()
    slack.add_user("UADMIN", is_admin=True)
    slack.add_user("UOWNER", is_owner=True)
    slack.add_user(USER)
    assert app.command("log sent 40 replied 6", response_url=slack.response_url("log")).text == ""
    slack.wait_responses(1)
    app.drain()
    wednesday = week_of(time.time(), "UTC").start + 9.5 * 86400
    scheduler = Scheduler(app.store, app.app.client, app.settings)
    slack.fail("chat.postMessage", error="not_in_channel", times=2)
    scheduler.tick(wednesday)  # the digest is refused: the problem is recorded, the admins' DMs queued
    scheduler.tick(wednesday + 7200)  # refused again (no second notice); the DMs go out
    dms = {c: slack.messages(c) for c in ("DADMIN", "DOWNER", f"D{USER[1:]}")}
    assert [len(m) for m in dms.values()] == [1, 1, 0]
    text = dms["DADMIN"][0]["text"]
    assert "The weekly digest could not be posted" in text and "<#CDIGEST>" in text
    assert "`/invite @inmail-review`" in text
    assert "could not be posted" in _home(app, slack, "UADMIN") and "could not be posted" not in _home(app, slack, USER)
    scheduler.tick(wednesday + 30 * 3600)  # the app was invited meanwhile: the digest goes out, the problem is over
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage") if c.response.get("ok")].count("CDIGEST") == 1
    assert Outreach(app.store).channel_problems.of(TEAM) == []
    assert "could not be posted" not in _home(app, slack, "UADMIN")
    assert sum(len(slack.messages(c)) for c in dms) == 2  # told once
    assert slack.violations == []


def test_inmail_admins_names_users_and_user_groups(make_app: Any, slack: SlackStandIn) -> None:
    """A recruiting lead who is no workspace admin runs the settings; a workspace admin not named does not."""
    app = make_app(admins=("S0LEADS", "UHEAD"))
    slack.reset()
    slack.add_user("UWSADMIN", is_admin=True)
    slack.add_usergroup("S0LEADS", ["ULEAD"])
    for user, opens in (("ULEAD", True), ("UHEAD", True), ("UWSADMIN", False), (USER, False)):
        before = len(slack.calls_to("views.open"))
        _open_settings(app, slack, user)
        assert len(slack.calls_to("views.open")) - before == opens, user
        assert ("Team settings (admins)" in _home(app, slack, user)) == opens, user
    assert slack.violations == []


def test_a_mistyped_inmail_admins_fails_at_start() -> None:
    with pytest.raises(ValueError, match="INMAIL_ADMINS must list Slack user ids"):
        Settings.from_env({"INMAIL_ADMINS": "U0LEAD, kari@acme.example"})
    assert Settings.from_env({"INMAIL_ADMINS": "U0LEAD, S0LEADS"}).admins == ("U0LEAD", "S0LEADS")


def test_the_slack_guide_names_every_variable_and_the_manifests_scopes() -> None:
    guide = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    variables = set(re.findall(r'env\.get\("([A-Z_]+)"\)', (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")))
    assert {"INMAIL_ALERT_CHANNEL", "INMAIL_DIGEST_CHANNEL", "INMAIL_ADMINS"} <= variables
    assert sorted(v for v in variables if f"`{v}`" not in guide) == []
    manifest = YAML(typ="safe").load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    section = guide.split("<!-- scopes -->")[1].split("<!-- /scopes -->")[0]
    assert set(re.findall(r"`([a-z]+:[a-z.:]+|commands)`", section)) == scopes


def test_every_number_in_the_settings_form_is_checked_on_the_server(app: SlackAppServer, slack: SlackStandIn) -> None:
    """A crafted submission (Slack's client limits bypassed): each wrong number gets its message
    under its own field, and nothing is saved."""
    slack.add_user("UADMIN", is_admin=True)
    _open_settings(app, slack, "UADMIN")
    [opened] = slack.wait_for("views.open")
    view = opened.response["view"]
    numbers = [b["block_id"] for b in view["blocks"] if b["type"] == "input" and b["element"]["type"] == "number_input"]
    assert {"threshold", "min_sent", "period_days", "digest_hour", "retention_days"} <= set(numbers)
    values = {b["block_id"]: {"value": {"type": b["element"]["type"], "value": b["element"].get("initial_value")}}
              for b in view["blocks"] if b["type"] == "input"}
    for block_id in numbers:
        values[block_id]["value"]["value"] = "-5" if block_id != "threshold" else "100"
    response = app.interaction({"type": "view_submission", "user": {"id": "UADMIN", "team_id": TEAM},
                                "trigger_id": "1.2.bad", "view": {"id": view["id"], "type": "modal",
                                                                  "callback_id": view["callback_id"],
                                                                  "state": {"values": values}}})
    errors = response.json()["errors"]
    assert response.json()["response_action"] == "errors" and set(errors) == set(numbers)
    assert errors["threshold"].startswith("A percentage") and errors["digest_hour"] == "A whole number from 0 to 23."
    app.drain()
    assert app.store.rows("SELECT * FROM team_settings", ()) == []
