"""Issue 14 item 5: a finding dismissed as "not applicable here", through the real app over HTTP.

The review message is answered again without it (score and verdict as the engine scores what is
left, and a note saying one was dismissed), the dismissal is stored with who, which draft, which
rule, the phrase that matched and when, and the draft keeps it dismissed when it is reviewed
again: "Review again", an edit in a drafts channel, or the edited text pasted again by its author.
"""
from __future__ import annotations

import json
import time
from typing import Any

from bot.dismiss import NOT_DISMISSABLE
from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn
from tests.slack_ui import command_answer, pick_dismissal

ROCKSTAR = ("Subject: Payments platform at Vipps\nHi Kari, your talk on Kafka consumer groups at JavaZone was "
            "excellent. We need a rockstar for the payments platform at Vipps. Would you be open to a 15-minute "
            "call next week?")
ROCKSTAR_EDITED = ("Subject: Payments platform at Vipps\nHi Kari, your talk on Kafka consumer groups at JavaZone "
                   "was excellent. We need a rockstar for the new payments platform team at Vipps. Would you be open "
                   "to a short call next week?")
REPASTED = ROCKSTAR.replace("15-minute call next week", "short call on Thursday")
EXCLUSIONARY = "inclusive-language/exclusionary"


def _menus(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The "Not applicable here" menus of a review message."""
    return [b["accessory"] for b in message["blocks"] if (b.get("accessory") or {}).get("action_id") == "dismiss_finding"]


def _option(message: dict[str, Any], label_part: str) -> dict[str, Any]:
    return next(o for menu in _menus(message) for o in menu["options"] if label_part in o["text"]["text"])


def _literal(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_a_dismissed_finding_leaves_the_review_and_is_stored(app: SlackAppServer, slack: SlackStandIn) -> None:
    first = command_answer(app, slack, ROCKSTAR, "cmd")
    assert "“rockstar”" in _literal(first) and "79/100" in first["blocks"][0]["text"]["text"]
    option = _option(first, "rockstar")
    assert option["text"]["text"] == "“rockstar” · Exclusionary wording"
    draft_id = option["value"].split("|")[0]
    pick_dismissal(app, slack, option)
    again = slack.wait_responses(2)[1]
    app.drain()
    # Replaced in place, without the finding, scored as the engine scores what is left.
    assert again["replace_original"] is True and "rockstar" not in _literal(again)
    assert again["blocks"][0]["text"]["text"] == "✅ Ready to send · score 97/100"
    assert "1 finding dismissed as not applicable here" in _literal(again)
    assert [o["text"]["text"] for m in _menus(again) for o in m["options"]] == ["No profile to check against"]
    [row] = app.store.rows("SELECT * FROM dismissals", ())
    assert (row["team_id"], row["user_id"], row["author_id"], row["draft_id"]) == (TEAM, USER, USER, draft_id)
    assert (row["rule"], row["phrase"], row["phrase_source"], row["quote"], row["language"], row["field"]) == (
        EXCLUSIONARY, "rockstar", "pack", "rockstar", "en", "body")
    assert time.time() - row["at"] < 60
    latest = app.store.reviews(TEAM, draft_id)[-1]
    assert (latest["score"], latest["verdict"]) == (97, "ready")
    assert EXCLUSIONARY not in {f["rule"] for f in latest["findings"]}
    # "Review again" keeps it dismissed.
    assert app.interaction({
        "type": "block_actions", "user": {"id": USER, "team_id": TEAM}, "trigger_id": "1.2.again",
        "response_url": slack.response_url("again"),
        "actions": [{"type": "button", "action_id": "review_again", "block_id": "review_actions", "value": draft_id,
                     "action_ts": str(time.time())}]}).status_code == 200
    third = slack.wait_responses(3)[2]
    app.drain()
    assert "rockstar" not in _literal(third) and "1 finding dismissed" in _literal(third)
    assert slack.violations == []


def test_a_channel_draft_keeps_its_dismissal_through_an_edit(app: SlackAppServer, slack: SlackStandIn) -> None:
    message = slack.add_message(DRAFTS, ROCKSTAR, user=USER)
    app.event(message_event(ROCKSTAR, ts=message["ts"]))
    [post] = slack.wait_for("chat.postMessage")
    app.drain()
    pick_dismissal(app, slack, _option(post.args, "rockstar"), message_ts=post.response["ts"])
    [update] = slack.wait_for("chat.update")
    app.drain()
    assert (update.args["channel"], update.args["ts"]) == (DRAFTS, post.response["ts"])
    assert "rockstar" not in _literal(update.args) and "97/100" in update.args["blocks"][0]["text"]["text"]
    # The author edits the draft, keeping the word: the answer follows the edit, the finding stays dismissed.
    edit = {"type": "message", "subtype": "message_changed", "channel": DRAFTS, "ts": "9.9", "event_ts": "9.9",
            "message": {"type": "message", "user": USER, "text": ROCKSTAR_EDITED, "ts": message["ts"],
                        "edited": {"user": USER, "ts": str(float(message["ts"]) + 5)}},
            "previous_message": {"type": "message", "user": USER, "text": ROCKSTAR, "ts": message["ts"]}}
    app.event(edit)
    updates = slack.wait_for("chat.update", 2)
    app.drain()
    assert "new payments platform team" in app.store.draft_for_message(TEAM, DRAFTS, message["ts"])["text"]
    assert "rockstar" not in _literal(updates[1].args) and "1 finding dismissed" in _literal(updates[1].args)
    assert slack.violations == []


def test_the_same_message_pasted_again_by_its_author_keeps_the_dismissal(app: SlackAppServer,
                                                                            slack: SlackStandIn) -> None:
    first = command_answer(app, slack, ROCKSTAR, "first")
    pick_dismissal(app, slack, _option(first, "rockstar"))
    slack.wait_responses(2)
    app.drain()
    revised = command_answer(app, slack, REPASTED, "revised")
    assert "rockstar" not in _literal(revised) and "1 finding dismissed" in _literal(revised)
    # Someone else's draft of the same words is not the author's revision: the finding is there.
    other = command_answer(app, slack, REPASTED, "other", user="U2")
    assert "“rockstar”" in _literal(other) and "dismissed" not in _literal(other)
    # Nor is another message of the author's: a different draft for someone else.
    different = command_answer(app, slack, "Subject: Ledger team at Vipps\nHi Ola, I loved your post on Kotlin coroutines. "
                                     "We want a rockstar to build our ledger at Vipps. Could we talk on Thursday?",
                         "different")
    assert "“rockstar”" in _literal(different)
    assert slack.violations == []


def test_only_the_author_or_an_admin_may_dismiss(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=("ULEAD",))
    slack.reset()
    first = command_answer(app, slack, ROCKSTAR, "cmd")
    pick_dismissal(app, slack, _option(first, "rockstar"), user="U2", name="colleague")
    told = slack.wait_responses(2)[1]
    app.drain()
    assert told["text"].startswith(f"This is <@{USER}>'s draft") and "nothing was dismissed" in told["text"]
    assert app.store.rows("SELECT * FROM dismissals", ()) == []
    pick_dismissal(app, slack, _option(first, "rockstar"), user="ULEAD", name="lead")
    again = slack.wait_responses(3)[2]
    app.drain()
    assert "rockstar" not in _literal(again)
    [row] = app.store.rows("SELECT user_id, author_id FROM dismissals", ())
    assert (row["user_id"], row["author_id"]) == ("ULEAD", USER)
    assert slack.violations == []


def test_limits_and_policy_findings_cannot_be_dismissed(app: SlackAppServer, slack: SlackStandIn) -> None:
    long_draft = ROCKSTAR + " We build the rails every Nordic payment runs on, with care." * 40
    answer = command_answer(app, slack, long_draft, "long")
    labels = [o["text"]["text"] for m in _menus(answer) for o in m["options"]]
    assert "length/body-limit" in NOT_DISMISSABLE and "Over LinkedIn's length limit" not in labels
    assert "LinkedIn" in _literal(answer) and any("rockstar" in label for label in labels)
    # A menu pick naming a finding the review no longer has is told so, and nothing is stored.
    draft_id = _option(answer, "rockstar")["value"].split("|")[0]
    pick_dismissal(app, slack, {"text": {"type": "plain_text", "text": "x"}, "value": f"{draft_id}|000000000000"})
    told = slack.wait_responses(2)[1]
    app.drain()
    assert "not in the draft's review any more" in told["text"] and app.store.rows("SELECT * FROM dismissals", ()) == []
    assert slack.violations == []


def test_a_dismissals_quote_goes_with_the_drafts_text(app: SlackAppServer, slack: SlackStandIn) -> None:
    """The draft's own words in a dismissal (its quote; the phrase where no phrase of the rule's
    matched) are forgotten with the draft's text; the rule's own phrase stays for the leads' list."""
    first = command_answer(app, slack, ROCKSTAR.replace("at Vipps.", "at [Company]."), "cmd")
    pick_dismissal(app, slack, _option(first, "rockstar"), name="pick1")
    second = slack.wait_responses(2)[1]
    app.drain()
    pick_dismissal(app, slack, _option(second, "[Company]"), name="pick2")
    third = slack.wait_responses(3)[2]
    app.drain()
    assert "[Company]" not in _literal(third) and "2 findings dismissed" in _literal(third)
    rows = app.store.rows("SELECT rule, phrase, phrase_source, quote FROM dismissals ORDER BY id", ())
    assert [(r["phrase"], r["phrase_source"], r["quote"]) for r in rows] == [
        ("rockstar", "pack", "rockstar"), ("[company]", "quote", "[Company]")]
    assert command_answer(app, slack, "forget-me", "forget")["text"].startswith("Done: the text of 1 draft")
    rows = app.store.rows("SELECT rule, phrase, phrase_source, quote FROM dismissals ORDER BY id", ())
    assert [(r["phrase"], r["phrase_source"], r["quote"]) for r in rows] == [("rockstar", "pack", None),
                                                                            (None, "quote", None)]
    assert slack.violations == []
