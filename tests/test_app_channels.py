"""Drafts channels over real HTTP: new → review in the thread, edit → update, delete → delete,
exactly once across retries and across two app processes sharing one database."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn

DRAFT = ("Hi Kari, I read your post on Kotlin coroutines and your work on the Vipps payments API. "
         "We are hiring a backend lead at Equinor. Would you be open to a short call next week?")
EDITED = DRAFT.replace("a short call next week?", "a 15-minute call on Thursday?")


def _post_draft(app: SlackAppServer, slack: SlackStandIn, text: str = DRAFT, **kwargs: Any) -> dict[str, Any]:
    """The draft appears in the channel (stand-in state) and Slack tells the app (event)."""
    message = slack.add_message(DRAFTS, text, user=USER)
    assert app.event(message_event(text, ts=message["ts"]), **kwargs).status_code == 200
    return message


def _edit_event(message: dict[str, Any], text: str, edited_ts: str) -> dict[str, Any]:
    new = {**message, "text": text, "edited": {"user": USER, "ts": edited_ts}}
    return {"type": "message", "subtype": "message_changed", "channel": DRAFTS, "hidden": True, "ts": edited_ts,
            "event_ts": edited_ts, "message": new, "previous_message": message}


def test_new_draft_is_reviewed_in_its_thread(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft = _post_draft(app, slack)
    [post] = slack.wait_for("chat.postMessage")
    assert post.args["channel"] == DRAFTS and post.args["thread_ts"] == draft["ts"]
    assert post.args["blocks"][0]["type"] == "header" and post.response["ok"]
    app.drain()
    row = app.store.draft_for_message(TEAM, DRAFTS, draft["ts"])
    assert (row["source"], row["answer_ts"], row["text"]) == ("channel", post.response["ts"], DRAFT)
    assert slack.violations == []


@pytest.mark.parametrize("case", ["other channel", "bot message", "own message", "thread reply", "channel join"])
def test_non_drafts_are_ignored(app: SlackAppServer, slack: SlackStandIn, case: str) -> None:
    event = {
        "other channel": message_event(DRAFT, ts="1.1", channel="CRANDOM"),
        "bot message": message_event(DRAFT, ts="1.2", subtype="bot_message", bot_id="B9"),
        "own message": message_event(DRAFT, ts="1.3", user="UBOT"),
        "thread reply": message_event(DRAFT, ts="1.5", thread_ts="1.4"),
        "channel join": message_event("<@U1> has joined the channel", ts="1.6", subtype="channel_join"),
    }[case]
    assert app.event(event).status_code == 200
    app.drain()
    assert slack.calls == [] and app.store.recent_reviews(TEAM, USER) == []


def test_a_draft_posted_with_a_file_is_reviewed_by_its_text(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    files = [{"id": "F0SHOT", "name": "profile.png", "mimetype": "image/png", "filetype": "png"}]
    event = message_event(DRAFT, ts=message["ts"], subtype="file_share", files=files, upload=False)
    assert app.event(event).status_code == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == message["ts"] and post.args["blocks"][0]["type"] == "header"
    app.drain()
    assert app.store.draft_for_message(TEAM, DRAFTS, message["ts"])["text"] == DRAFT


def test_retried_event_is_answered_once(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    event = message_event(DRAFT, ts=message["ts"])
    for retry in (None, 1, 2, 3):
        assert app.event(event, event_id="Ev0RETRIED", retry=retry).status_code == 200
    app.drain()
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(app.store.recent_reviews(TEAM, USER)) == 1 and slack.violations == []


def test_two_processes_on_one_database_answer_once(make_app: Any, slack: SlackStandIn) -> None:
    first, second = make_app(), make_app()  # one database (`db_url`)
    slack.reset()
    message = slack.add_message(DRAFTS, DRAFT, user=USER)
    event = message_event(DRAFT, ts=message["ts"])
    barrier = threading.Barrier(2)

    def deliver(app: SlackAppServer) -> None:
        barrier.wait()
        assert app.event(event, event_id="Ev0TWICE").status_code == 200

    threads = [threading.Thread(target=deliver, args=(app,)) for app in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    first.drain()
    second.drain()
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(first.store.recent_reviews(TEAM, USER)) == 1 and slack.violations == []


def test_edit_updates_the_same_answer_once(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft = _post_draft(app, slack, text=DRAFT.replace("Kari", "Dear candidate"))
    [post] = slack.wait_for("chat.postMessage")
    app.drain()  # the answer's ts is stored once Slack has answered the post
    edit = _edit_event(draft, EDITED, "1732350099.000001")
    for retry in (None, 1):
        assert app.event(edit, event_id="Ev0EDIT", retry=retry).status_code == 200
    # The same edit delivered again in a fresh envelope (another event_id) is still one edit.
    assert app.event(edit).status_code == 200
    [update] = slack.wait_for("chat.update")
    app.drain()
    assert len(slack.calls_to("chat.update")) == 1
    assert (update.args["channel"], update.args["ts"]) == (DRAFTS, post.response["ts"])
    assert update.args["blocks"] != post.args["blocks"]
    [answer] = [m for m in slack.messages(DRAFTS) if m.get("bot_id")]
    assert answer["blocks"] == update.args["blocks"]
    row = app.store.draft_for_message(TEAM, DRAFTS, draft["ts"])
    assert row["text"] == EDITED and len(app.store.reviews(TEAM, row["id"])) == 2
    assert slack.violations == []


def test_changes_that_are_not_edits_are_ignored(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft = _post_draft(app, slack)
    slack.wait_for("chat.postMessage")
    # Slack sends message_changed when a thread reply arrives: same text, no `edited`.
    unfurl = {"type": "message", "subtype": "message_changed", "channel": DRAFTS, "ts": "1732350098.0",
              "message": {**draft, "reply_count": 1}, "previous_message": draft}
    assert app.event(unfurl).status_code == 200
    app.drain()
    assert slack.calls_to("chat.update") == []


def test_delete_deletes_the_answer(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft = _post_draft(app, slack)
    [post] = slack.wait_for("chat.postMessage")
    app.drain()
    deleted = {"type": "message", "subtype": "message_deleted", "channel": DRAFTS, "hidden": True,
               "deleted_ts": draft["ts"], "ts": "1732350097.0", "previous_message": draft}
    for retry in (None, 1):
        assert app.event(deleted, event_id="Ev0DEL", retry=retry).status_code == 200
    # With replies, Slack leaves a tombstone (message_changed) for the same deletion.
    tombstone = {"type": "message", "subtype": "message_changed", "channel": DRAFTS, "ts": "1732350097.5",
                 "message": {"type": "message", "subtype": "tombstone", "ts": draft["ts"], "user": "USLACKBOT",
                             "text": "This message was deleted."}, "previous_message": draft}
    assert app.event(tombstone).status_code == 200
    [delete] = slack.wait_for("chat.delete")
    app.drain()
    assert len(slack.calls_to("chat.delete")) == 1
    assert (delete.args["channel"], delete.args["ts"]) == (DRAFTS, post.response["ts"]) and delete.response["ok"]
    assert [m["ts"] for m in slack.messages(DRAFTS)] == [draft["ts"]]
    row = app.store.draft_for_message(TEAM, DRAFTS, draft["ts"])
    assert row["text"] is None and row["deleted_at"] and len(app.store.reviews(TEAM, row["id"])) == 1
    assert slack.violations == []


def test_rate_limited_post_is_retried(app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=1)
    _post_draft(app, slack)
    first, second = slack.wait_for("chat.postMessage", 2)
    assert (first.status, second.status) == (429, 200) and second.at - first.at >= 0.9
    app.drain()
    assert len(slack.calls_to("chat.postMessage")) == 2 and len(slack.messages(DRAFTS)) == 2
    assert slack.violations == []


def test_slack_outage_keeps_the_draft_and_logs_without_its_text(app: SlackAppServer, slack: SlackStandIn,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    secret = "Hi Kari, about the CONFIDENTIAL-ROLE-7 at Equinor: would you be open to a short call next week?"
    message = slack.add_message(DRAFTS, secret, user=USER)
    slack.outage(True)
    assert app.event(message_event(secret, ts=message["ts"])).status_code == 200
    app.drain()
    row = app.store.draft_for_message(TEAM, DRAFTS, message["ts"])
    assert row["text"] == secret and row["answer_ts"] is None and len(app.store.reviews(TEAM, row["id"])) == 1
    failures = [r.getMessage() for r in caplog.records if "chat.postMessage failed" in r.getMessage()]
    assert failures and row["id"] in failures[0]
    assert "CONFIDENTIAL-ROLE-7" not in caplog.text
    # Still serving; when Slack is back, an edit posts the answer that never arrived.
    slack.outage(False)
    assert app.http.get(app.url + "/healthz", timeout=5).json()["ok"] is True
    assert app.event(_edit_event(message, secret + " Thanks!", "1732350199.000001")).status_code == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == message["ts"] and slack.violations == []
