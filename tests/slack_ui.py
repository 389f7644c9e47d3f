"""What Slack sends the app when a person uses its surfaces, for tests that drive the real app
(`tests.conftest.SlackAppServer`, signed HTTP) against the Slack stand-in.

Each function sends one request shaped as Slack sends it — a slash command, App Home opened, a
click on a message's button or in App Home, a pick in a review's "Not applicable here…" menu, a
form's submission (its state from `form_values`) — asserts the ack where the test does not read
it (`submit_view` returns it), and says whether it lets the queued work run (`app.drain()`).
Reading what the app said is left to each test.
"""
from __future__ import annotations

import time
from typing import Any

import requests

from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn


def command_answer(app: SlackAppServer, slack: SlackStandIn, text: str, name: str, user: str = USER) -> dict[str, Any]:
    """`/inmail <text>` typed by `user`: Slack's slash-command form with a response_url named `name`.
    Asserts the ack is 200; returns the app's answer posted to that response_url, once the work
    the command queued has run."""
    before = len(slack.responses)
    assert app.command(text, response_url=slack.response_url(name), user=user).status_code == 200
    answer = slack.wait_responses(before + 1)[before]
    app.drain()
    return answer


def click_message_button(app: SlackAppServer, slack: SlackStandIn, action_id: str, value: str, *, name: str,
                         user: str = USER) -> None:
    """A button (`action_id`, `value`) clicked by `user` on the app's ephemeral answer in the drafts
    channel: the `block_actions` payload Slack sends for a message button, with trigger_id
    `1.2.<name>` and the response_url named `name`. Asserts the ack is 200; drains nothing (the
    answer arrives at the response_url)."""
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{name}",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": DRAFTS, "is_ephemeral": True},
        "channel": {"id": DRAFTS}, "response_url": slack.response_url(name),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "x", "value": value,
                     "action_ts": str(time.time()), "text": {"type": "plain_text", "text": action_id}}]})
    assert response.status_code == 200


def pick_dismissal(app: SlackAppServer, slack: SlackStandIn, option: dict[str, Any], *, user: str = USER,
                   name: str = "pick", message_ts: str | None = None,
                   placeholder: str = "Not applicable here…") -> None:
    """`option` picked by `user` in a review's "Not applicable here…" menu (`dismiss_finding`): the
    `block_actions` payload Slack sends for a static_select, with the menu's `placeholder` as
    shown and the response_url named `name`. On the ephemeral `/inmail` answer in #general, or,
    given `message_ts`, on the app's (not ephemeral) answer in the drafts channel. Asserts the
    ack is 200 and empty."""
    if message_ts:
        container = {"type": "message", "message_ts": message_ts, "channel_id": DRAFTS, "is_ephemeral": False}
    else:
        container = {"type": "message", "message_ts": "1.1", "channel_id": "CGENERAL", "is_ephemeral": True}
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{name}",
        "container": container, "channel": {"id": container["channel_id"]}, "response_url": slack.response_url(name),
        "actions": [{"type": "static_select", "action_id": "dismiss_finding", "block_id": "dismiss_1",
                     "selected_option": option, "action_ts": str(time.time()),
                     "placeholder": {"type": "plain_text", "text": placeholder}}]})
    assert response.status_code == 200 and response.text == ""


def open_home(app: SlackAppServer, slack: SlackStandIn, user: str) -> dict[str, Any]:
    """`user` opens the app's Home tab: the `app_home_opened` event Slack sends. Returns the App
    Home the app published for it (waits for one more `views.publish`)."""
    before = len(slack.calls_to("views.publish"))
    app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    app.drain()
    return slack.wait_for("views.publish", before + 1)[-1].args["view"]


def click_home_button(app: SlackAppServer, slack: SlackStandIn, button: dict[str, Any],
                      user: str) -> dict[str, Any] | None:
    """`button` (an element of App Home: its action_id, value and text) clicked by `user`: the
    `block_actions` payload Slack sends for a button in a Home tab (container type `view`).
    Asserts the ack is 200, lets the queued work run, and returns the App Home published after
    the click, or None when the app published none."""
    before = len(slack.calls_to("views.publish"))
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{time.time()}",
        "container": {"type": "view", "view_id": "V0HOME"}, "view": {"id": "V0HOME", "type": "home"},
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"],
                     "action_ts": str(time.time()), "text": button["text"]}]})
    assert response.status_code == 200
    app.drain()
    calls = slack.calls_to("views.publish")
    return calls[-1].args["view"] if len(calls) > before else None


def form_values(view: dict[str, Any], uploads: list[dict[str, Any]] | None = None, **typed: str) -> dict[str, Any]:
    """A modal's `state.values` as Slack sends it when submitted as shown, by block_id and then the
    element's action_id: each input's initial value, `typed` over them (by block_id).

    A static_select sends its `initial_option` as `selected_option` (whatever the view says, so a
    test may put a crafted option there), or, when `typed` names the block, the option of that
    value (None if the menu has none); a conversations_select its `initial_conversation` as
    `selected_conversation`; a file_input the `uploads` (Slack's file objects, id and name) as
    `files`, else none; any other input (plain_text_input, number_input) its text as `value`.
    """
    values: dict[str, Any] = {}
    for block in (b for b in view["blocks"] if b["type"] == "input"):
        element, block_id = block["element"], block["block_id"]
        value: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "static_select":
            value["selected_option"] = (next((o for o in element["options"] if o["value"] == typed[block_id]), None)
                                        if typed.get(block_id) else element.get("initial_option"))
        elif element["type"] == "conversations_select":
            value["selected_conversation"] = element.get("initial_conversation")
        elif element["type"] == "file_input":
            value["files"] = list(uploads or [])
        else:
            value["value"] = typed.get(block_id, element.get("initial_value"))
        values[block_id] = {element["action_id"]: value}
    return values


def submit_view(app: SlackAppServer, view: dict[str, Any], values: dict[str, Any], user: str) -> requests.Response:
    """`view` (a modal) submitted by `user` with `values` as its state: the `view_submission`
    payload Slack sends, with the view's id, callback_id and private_metadata. Returns the ack
    (its body is the app's `response_action`, if any); drains nothing."""
    return app.interaction({"type": "view_submission", "user": {"id": user, "team_id": TEAM},
                            "trigger_id": f"1.2.{time.time()}",
                            "view": {"id": view["id"], "type": "modal", "callback_id": view["callback_id"],
                                     "private_metadata": view.get("private_metadata") or "",
                                     "state": {"values": values}}})
