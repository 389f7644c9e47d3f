"""Buttons, the message shortcut and App Home over real HTTP."""
from __future__ import annotations

import time
from typing import Any

from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn

DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
         "platform at Vipps. Would you be open to a 15-minute call next week?")




def _button(app: SlackAppServer, slack: SlackStandIn, action_id: str, draft_id: str, *, user: str = USER,
            channel: str = DRAFTS, message_ts: str | None = None, name: str = "button") -> Any:
    container = ({"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False}
                 if message_ts else {"type": "message", "message_ts": "1.1", "channel_id": channel, "is_ephemeral": True})
    return app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": "1.2.btn",
        "container": container, "channel": {"id": channel}, "response_url": slack.response_url(name),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "review_actions", "value": draft_id,
                     "action_ts": str(time.time()), "text": {"type": "plain_text", "text": action_id}}]})


def _command_review(app: SlackAppServer, slack: SlackStandIn) -> str:
    assert app.command(DRAFT, response_url=slack.response_url("cmd")).status_code == 200
    [answer] = slack.wait_responses(1)
    app.drain()
    actions = next(b for b in answer["blocks"] if b["type"] == "actions")
    return actions["elements"][0]["value"]


def test_outcome_buttons_record_once(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _command_review(app, slack)
    for action in ("mark_sent", "mark_sent", "got_reply"):
        assert _button(app, slack, action, draft_id).status_code == 200
    replies = slack.wait_responses(4)[1:]
    app.drain()
    assert [r["response_type"] for r in replies] == ["ephemeral"] * 3
    # Each click is its own queued work, so the answers may come in any order: one click was a repeat.
    assert sorted("already" in r["text"] for r in replies) == [False, False, True]
    rows = app.store.outcomes(TEAM, USER)
    assert [(r["draft_id"], r["kind"]) for r in rows] == [(draft_id, "sent"), (draft_id, "replied")]
    assert app.store.outcomes("T0OTHER") == [] and slack.violations == []


def test_review_again_replaces_an_ephemeral_answer(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _command_review(app, slack)
    assert _button(app, slack, "review_again", draft_id).status_code == 200
    first, again = slack.wait_responses(2)
    app.drain()
    assert again["replace_original"] is True and again["blocks"] == first["blocks"]
    assert len(app.store.reviews(TEAM, draft_id)) == 2 and slack.violations == []


def test_review_again_updates_a_channel_answer(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    app.event(message_event(DRAFT, ts=message["ts"]))
    [post] = slack.wait_for("chat.postMessage")
    app.drain()
    draft_id = next(b for b in post.args["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    assert _button(app, slack, "review_again", draft_id, message_ts=post.response["ts"]).status_code == 200
    [update] = slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (DRAFTS, post.response["ts"])
    assert slack.violations == []


def test_buttons_of_another_workspace_find_nothing(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _command_review(app, slack)
    payload = {"type": "block_actions", "team": {"id": "T0OTHER"}, "user": {"id": "U9", "team_id": "T0OTHER"},
               "response_url": slack.response_url("other"), "trigger_id": "1.2.3",
               "actions": [{"type": "button", "action_id": "mark_sent", "block_id": "review_actions",
                            "value": draft_id, "action_ts": "1"}]}
    assert app.interaction(payload).status_code == 200
    reply = slack.wait_responses(2)[1]
    app.drain()
    assert "not in the store" in reply["text"] and app.store.outcomes(TEAM) == []


def test_message_shortcut_reviews_the_picked_message(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message("CGENERAL", DRAFT, user="U2")
    payload = {"type": "message_action", "callback_id": "review_as_inmail", "trigger_id": "1.2.sc",
               "response_url": slack.response_url("shortcut"), "channel": {"id": "CGENERAL", "name": "general"},
               "message_ts": message["ts"], "message": {"type": "message", **message}}
    assert app.interaction(payload).status_code == 200
    [answer] = slack.wait_responses(1)
    app.drain()
    assert answer["response_type"] == "ephemeral" and answer["blocks"][0]["type"] == "header"
    [row] = app.store.recent_reviews(TEAM, USER)
    assert row["source"] == "shortcut" and slack.violations == []


def test_app_home_lists_the_users_recent_reviews(app: SlackAppServer, slack: SlackStandIn) -> None:
    _command_review(app, slack)
    event = {"type": "app_home_opened", "user": USER, "channel": "DHOME", "tab": "home", "event_ts": "1.1"}
    assert app.event(event).status_code == 200
    [publish] = slack.wait_for("views.publish")
    assert publish.args["user_id"] == USER and publish.response["ok"]
    texts = [b["text"]["text"] for b in publish.args["view"]["blocks"] if b["type"] == "section"]
    assert len(texts) == 1 and "score" in texts[0] and "Hi Kari" in texts[0]
    assert slack.home_tab(USER)["type"] == "home"
    # Ola has reviewed nothing: his Home says so, and shows none of Kari's drafts.
    assert app.event(event | {"user": "U2"}).status_code == 200
    publish = slack.wait_for("views.publish", 2)[1]
    assert "no reviewed drafts" in str(publish.args["view"]) and "Kari" not in str(publish.args["view"])
    assert slack.violations == []
