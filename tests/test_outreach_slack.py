"""Outreach from Slack over real HTTP: `/inmail log|stats|forget-me`, the outcome buttons and
their follow-ups (bulk count form, accepted/declined), and the figures in App Home."""
from __future__ import annotations

import time
from typing import Any

from bot.blocks import draft_modal
from bot.listeners.views import draft_from_form
from models.outreach import Outreach
from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn, block_problems

DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
         "platform at Vipps. Would you be open to a 15-minute call next week?")




def _ack_text(response: Any) -> str:
    assert response.status_code == 200
    return response.json()["blocks"][0]["text"]["text"]


def _click(app: SlackAppServer, slack: SlackStandIn, action_id: str, draft_id: str, name: str, user: str = USER) -> None:
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{name}",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": DRAFTS, "is_ephemeral": True},
        "channel": {"id": DRAFTS}, "response_url": slack.response_url(name),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "x", "value": draft_id,
                     "action_ts": str(time.time()), "text": {"type": "plain_text", "text": action_id}}]})
    assert response.status_code == 200


def _review(app: SlackAppServer, slack: SlackStandIn) -> str:
    assert app.command(DRAFT, response_url=slack.response_url("cmd")).status_code == 200
    [answer] = slack.wait_responses(1)
    app.drain()
    return next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]["value"]


def test_log_records_once_per_command_and_explains_mistakes(app: SlackAppServer, slack: SlackStandIn) -> None:
    logged = app.command("log sent 40 replied 6 bulk", response_url=slack.response_url("log"), trigger_id="777.1.a")
    assert logged.status_code == 200 and logged.text == ""  # recorded by queued work, answered at the response_url
    assert slack.wait_responses(1)[0]["text"] == "Logged 40 bulk InMails sent and 6 replies."
    # The user retries (say the first ack went missing): the same figures moments later are one batch.
    again = app.command("log sent 40 replied 6 bulk", response_url=slack.response_url("again"), trigger_id="777.1.b")
    assert again.status_code == 200
    assert "taken as a repeat and not counted again" in slack.wait_responses(2)[1]["text"]
    assert "Usage" in _ack_text(app.command("log sent lots", response_url=slack.response_url("x")))
    assert "cannot exceed" in _ack_text(app.command("LOG SENT 3 replied 5", response_url=slack.response_url("x")))
    app.drain()
    [row] = app.store.rows("SELECT user_id, source, sent, replied, bulk, pending FROM outreach WHERE team_id = ?", (TEAM,))
    assert row == {"user_id": USER, "source": "log", "sent": 40, "replied": 6, "bulk": 1, "pending": 34}
    assert app.command("stats", response_url=slack.response_url("stats")).text == ""
    stats = slack.wait_responses(3)[2]["blocks"][0]["text"]["text"]
    assert "40 InMails sent · 6 responses · response rate 15%" in stats and "normal" in stats
    app.drain()
    assert slack.calls == [] and app.store.recent_reviews(TEAM, USER) == []  # none of these was reviewed as a draft


def test_buttons_and_their_follow_ups(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _review(app, slack)
    _click(app, slack, "mark_sent", draft_id, "sent")
    sent = slack.wait_responses(2)[1]
    assert [e["action_id"] for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"]] == ["sent_bulk"]
    _click(app, slack, "sent_bulk", draft_id, "bulk")
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]

    def submit(count: str) -> Any:
        values = {"count": {"value": {"type": "number_input", "value": count}}}
        return app.interaction({"type": "view_submission", "trigger_id": "1.2.v", "view": {
            "id": opened.response["view"]["id"], "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"], "state": {"values": values}}})

    assert submit("0").json()["response_action"] == "errors"
    assert submit("25").text == ""
    [confirmation] = slack.wait_for("chat.postMessage")
    assert "25 InMails sent in bulk" in confirmation.args["text"]
    _click(app, slack, "got_reply", draft_id, "reply")
    reply = slack.wait_responses(3)[2]
    assert [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "reply_accepted", "reply_declined"]
    _click(app, slack, "reply_declined", draft_id, "declined")
    assert slack.wait_responses(4)[3]["text"] == "Reply recorded as declined."
    app.drain()
    [row] = app.store.rows("SELECT sent, bulk, replied, accepted, declined, pending, source FROM outreach", ())
    assert row == {"sent": 25, "bulk": 1, "replied": 1, "accepted": 0, "declined": 1, "pending": 24, "source": "button"}
    assert slack.violations == []


def test_forget_me_deletes_the_callers_draft_text_only(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _review(app, slack)
    other = app.command(DRAFT, response_url=slack.response_url("other"), user="U2")
    assert other.status_code == 200
    slack.wait_responses(2)
    app.drain()
    assert app.command("forget-me", response_url=slack.response_url("forget")).status_code == 200
    answer = slack.wait_responses(3)[2]
    assert answer["text"] == "Done: the text of 1 draft of yours is deleted."
    app.drain()
    assert app.store.draft(TEAM, draft_id)["text"] is None
    assert app.store.rows("SELECT COUNT(*) AS n FROM drafts WHERE user_id = 'U2' AND text IS NOT NULL", ())[0]["n"] == 1
    assert app.store.reviews(TEAM, draft_id)  # figures and findings stay


def test_app_home_shows_figures_and_status(app: SlackAppServer, slack: SlackStandIn) -> None:
    _review(app, slack)
    outreach = Outreach(app.store)
    now = time.time()
    outreach.record_send(TEAM, USER, "log:home", "log", sent=120, at=now - 3600, replied=30, responded_at=now - 60)
    app.store.execute("INSERT INTO policy_status (team_id, user_id, prev_id, state, since, until, sent, responses, "
                      "reason, recorded_at) VALUES (?, ?, 0, 'warned', ?, ?, 120, 10, 'test', ?)",
                      (TEAM, USER, now - 86400, now + 13 * 86400, now))
    event = {"type": "app_home_opened", "user": USER, "channel": "DHOME", "tab": "home", "event_ts": "1.1"}
    assert app.event(event).status_code == 200
    [publish] = slack.wait_for("views.publish")
    figures = next(e["text"] for b in publish.args["view"]["blocks"] if b["type"] == "context" for e in b["elements"]
                   if "Your last" in e["text"])
    assert "1 drafts reviewed" in figures and "120 InMails sent · 30 responses · response rate 25%" in figures
    assert "⚠️ warned until" in figures and "1 recruiter(s) warned or restricted" in figures
    assert slack.violations == []


def test_admins_edit_team_settings_from_app_home(app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.add_user("UADMIN", is_admin=True)
    for user in (USER, "UADMIN"):
        app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    published = {call.args["user_id"]: call.args["view"] for call in slack.wait_for("views.publish", 2)}
    headers = {user: [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"] for user, view in published.items()}
    assert "Team settings (admins)" in headers["UADMIN"] and "Team settings (admins)" not in headers[USER]
    _click(app, slack, "edit_team_settings", "edit", "settings", user=USER)
    app.drain()
    assert slack.calls_to("views.open") == []  # not an admin: no form
    _click(app, slack, "edit_team_settings", "edit", "settings", user="UADMIN")
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]

    def submit(user: str, **changes: Any) -> Any:
        values = {b["block_id"]: {"value": {"type": b["element"]["type"], "value": b["element"].get("initial_value")}}
                  for b in view["blocks"]}
        values["digest_weekday"] = {"value": {"type": "static_select", "selected_option": {"value": "4"}}}
        values["digest_channel"] = {"value": {"type": "conversations_select", "selected_conversation": "CDIGEST"}}
        for block_id, value in changes.items():
            values[block_id]["value"]["value"] = value
        return app.interaction({"type": "view_submission", "user": {"id": user, "team_id": TEAM}, "trigger_id": "1.2.s",
                                "view": {"id": opened.response["view"]["id"], "type": "modal",
                                         "callback_id": view["callback_id"], "state": {"values": values}}})

    assert "timezone" in submit("UADMIN", timezone="Mars/Olympus").json()["errors"]
    assert "threshold" in submit("UADMIN", threshold="130").json()["errors"]
    assert submit(USER, threshold="20").json()["response_action"] == "errors"
    assert submit("UADMIN", threshold="20", digest_hour="16", timezone="Europe/Oslo").text == ""
    app.drain()
    saved = Outreach(app.store).settings(TEAM)
    assert (saved.policy.threshold, saved.digest_hour, saved.digest_weekday, saved.timezone, saved.digest_channel) == (
        0.2, 16, 4, "Europe/Oslo", "CDIGEST")
    assert Outreach(app.store).settings("T0OTHER").policy.threshold == 0.13
    republished = slack.wait_for("views.publish", 3)[-1].args["view"]
    assert any("under 20%" in e["text"] and "<#CDIGEST>" in e["text"] for b in republished["blocks"]
               if b["type"] == "context" for e in b["elements"])
    assert slack.violations == []


def test_the_draft_form_asks_whether_it_is_a_bulk_send() -> None:
    view = draft_modal({"channel": "C1"})
    [bulk] = [b for b in view["blocks"] if b.get("block_id") == "bulk"]
    assert bulk["optional"] and bulk["element"]["type"] == "checkboxes"
    values = {"body": {"value": {"type": "plain_text_input", "value": DRAFT}},
              "bulk": {"value": {"type": "checkboxes", "selected_options": [bulk["element"]["options"][0]]}}}
    assert draft_from_form(values).bulk and not draft_from_form({"body": values["body"]}).bulk
    assert block_problems(view["blocks"]) == []
