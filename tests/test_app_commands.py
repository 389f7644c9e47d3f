"""`/inmail` over real HTTP: signed slash commands to the real app, answers at the Slack stand-in."""
from __future__ import annotations

import time
from typing import Any

from tests.conftest import TEAM, USER, GatedReviewer, SlackAppServer
from tests.slack_standin import SlackStandIn

DRAFT = ("Subject: Your Kafka talk at JavaZone\n"
         "Hi Kari, I watched your JavaZone talk on Kafka consumer groups and liked the part on rebalancing. "
         "We are building the payments platform at Vipps and need someone who knows exactly that. "
         "Would you be open to a 15-minute call next week?")




def test_command_is_reviewed_and_answered_ephemerally(app: SlackAppServer, slack: SlackStandIn) -> None:
    ack = app.command(DRAFT, response_url=slack.response_url("cmd"))
    assert ack.status_code == 200 and ack.text == ""
    [answer] = slack.wait_responses()
    assert answer["response_type"] == "ephemeral"
    assert "score" in answer["text"] and answer["blocks"][0]["type"] == "header"
    actions = [b for b in answer["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == ["review_again", "mark_sent", "got_reply"]
    draft_id = actions[0]["elements"][0]["value"]
    app.drain()
    draft = app.store.draft(TEAM, draft_id)
    assert (draft["source"], draft["user_id"], draft["subject"]) == ("command", USER, "Your Kafka talk at JavaZone")
    [stored] = app.store.reviews(TEAM, draft_id)
    assert f"score {stored['score']}/100" in answer["blocks"][0]["text"]["text"]
    assert slack.violations == []


def test_ack_arrives_before_the_slow_review_finishes(make_app: Any, slack: SlackStandIn, reviewer: Any) -> None:
    gated = GatedReviewer(reviewer)
    app = make_app(gated)
    ack = app.command(DRAFT, response_url=slack.response_url("slow"))
    # The HTTP answer is already here while the review is still waiting at the gate.
    assert ack.status_code == 200
    assert gated.started.wait(10) and not gated.finished.is_set() and slack.responses == []
    gated.gate.set()
    slack.wait_responses()
    assert gated.finished.is_set() and slack.violations == []


def test_help_is_answered_in_the_ack_without_a_review(app: SlackAppServer, slack: SlackStandIn) -> None:
    ack = app.command("help", response_url=slack.response_url("help"))
    assert ack.status_code == 200
    body = ack.json()
    assert body["response_type"] == "ephemeral" and "/inmail" in body["blocks"][0]["text"]["text"]
    app.drain()
    assert slack.calls == [] and slack.responses == []
    assert app.store.recent_reviews(TEAM, USER) == []


def test_bad_and_stale_signatures_are_refused_with_no_slack_call(app: SlackAppServer, slack: SlackStandIn) -> None:
    body = b"command=%2Finmail&text=hello+there&team_id=T0TEAM&user_id=U1"
    forged = app.http.post(app.url + "/slack/events", data=body, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64})
    stale = app.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 10 * 60)
    unsigned = app.http.post(app.url + "/slack/events", data=body, timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    app.drain()
    assert slack.calls == [] and slack.responses == []
    assert app.store.recent_reviews(TEAM, USER) == []


def test_modal_round_trip_with_a_validation_error(app: SlackAppServer, slack: SlackStandIn) -> None:
    assert app.command("", response_url=slack.response_url("modal")).status_code == 200
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "inmail_draft"
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} >= {
        "subject", "body", "recipient_name", "recipient_title", "recipient_company", "recipient_skills",
        "open_to", "category"}
    open_to = next(b for b in view["blocks"] if b.get("block_id") == "open_to")
    assert len(open_to["element"]["options"]) == 8

    def submit(body: str) -> Any:
        values = {
            "subject": {"value": {"type": "plain_text_input", "value": "Your Kafka talk"}},
            "body": {"value": {"type": "plain_text_input", "value": body}},
            "recipient_name": {"value": {"type": "plain_text_input", "value": "Kari Nordmann"}},
            "recipient_title": {"value": {"type": "plain_text_input", "value": None}},
            "recipient_company": {"value": {"type": "plain_text_input", "value": "Equinor"}},
            "recipient_skills": {"value": {"type": "plain_text_input", "value": "Kafka, Kotlin"}},
            "open_to": {"value": {"type": "multi_static_select", "selected_options": [
                {"value": "consulting_offer", "text": {"type": "plain_text", "text": "Consulting offer"}}]}},
            "category": {"value": {"type": "static_select", "selected_option": {
                "value": "career_opportunity", "text": {"type": "plain_text", "text": "Career opportunity"}}}},
        }
        return app.interaction({"type": "view_submission", "trigger_id": "1.2.x", "view": {
            "id": opened.response["view"]["id"], "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"], "state": {"values": values}}})

    refused = submit("   too short  ")
    assert refused.status_code == 200
    assert refused.json()["response_action"] == "errors" and "body" in refused.json()["errors"]
    app.drain()
    assert slack.calls_to("chat.postMessage") == []

    accepted = submit(DRAFT.split("\n", 1)[1])
    assert accepted.status_code == 200 and accepted.text == ""
    [posted] = slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == USER and posted.response["ok"]
    # The recipient is open to consulting only and the draft is a career opportunity: the review says so.
    assert "category-match" in str(posted.args["blocks"]) or "open to" in str(posted.args["blocks"])
    app.drain()
    [row] = app.store.recent_reviews(TEAM, USER)
    draft = app.store.draft(TEAM, row["draft_id"])
    assert draft["source"] == "modal" and draft["details"]["recipient"]["name"] == "Kari Nordmann"
    assert draft["details"]["category"] == "career_opportunity"
    assert slack.violations == []


def test_mistyped_subcommands_get_their_usage_and_are_no_drafts(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 5: none of these is reviewed, stored or counted in "drafts reviewed"; each
    gets its subcommand's usage (or the help), and a real draft starting with "Help" is reviewed."""
    expected = {"log 5": "Usage: `/inmail log", "forget me": "Usage: `/inmail forget-me`",
                "help me": "Usage: `/inmail help`", "stats please": "Usage: `/inmail stats`",
                "settings": "Review a draft InMail", "hello there": "Review a draft InMail"}
    for text, usage in expected.items():
        ack = app.command(text, response_url=slack.response_url(text))
        assert ack.status_code == 200 and ack.json()["response_type"] == "ephemeral"
        assert usage in ack.json()["blocks"][0]["text"]["text"], text
    # `log replied 5` is replies to earlier sends: with none recorded it says so and records nothing.
    assert app.command("log replied 5", response_url=slack.response_url("replied")).text == ""
    assert slack.wait_responses(1)[0]["text"].startswith("Nothing was logged")
    app.drain()
    assert app.store.recent_reviews(TEAM, USER) == [] and app.store.rows("SELECT * FROM outreach", ()) == []
    assert app.command("Help us build the payments platform at Vipps: " + DRAFT.split("\n", 1)[1],
                       response_url=slack.response_url("draft")).text == ""
    assert "score" in slack.wait_responses(2)[1]["text"]
    app.drain()
    assert len(app.store.recent_reviews(TEAM, USER)) == 1
    assert slack.violations == []
