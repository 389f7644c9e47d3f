"""The buttons on a review: "Review again" re-reviews the stored draft and replaces the answer;
"Mark as sent" and "Got a reply" record an outcome (the outreach issue turns them into figures)."""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import text_message
from bot.listeners.common import service, team_id
from bot.review_service import TEXT_GONE, respond_call, slack_call

UNKNOWN_DRAFT = "This review's draft is not in the store any more."
OUTCOMES = {"mark_sent": ("sent", "Marked as sent. Thanks, that counts toward your response rate.",
                          "This draft was already marked as sent."),
            "got_reply": ("replied", "Reply recorded. Nice!", "A reply to this draft was already recorded.")}


def register(app: App) -> None:
    app.action("review_again")(review_again)
    for action_id in OUTCOMES:
        app.action(action_id)(record_outcome)


def _tell(respond: Respond, text: str, draft_id: str | None) -> None:
    respond_call("response_url", draft_id, respond, response_type="ephemeral", replace_original=False,
                 **text_message(text))


def review_again(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient,
                 context: BoltContext) -> None:
    ack()
    team, draft_id = team_id(context, body), action.get("value") or ""
    row = service(context).store.draft(team, draft_id)
    if row is None or row["text"] is None:
        _tell(respond, UNKNOWN_DRAFT if row is None else TEXT_GONE, draft_id)
        return
    answer = service(context).review_stored(team, row)
    if answer is None:
        _tell(respond, service(context).failure_message()["text"], draft_id)
    elif row["answer_ts"]:  # a message in a drafts channel thread: everyone sees the update
        slack_call("chat.update", draft_id, client.chat_update, channel=row["answer_channel"], ts=row["answer_ts"],
                   **answer.message)
    else:  # an ephemeral answer or a DM: replace the message the button is on
        respond_call("response_url", draft_id, respond, replace_original=True, **answer.message)


def record_outcome(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond,
                   context: BoltContext) -> None:
    ack()
    team, draft_id = team_id(context, body), action.get("value") or ""
    kind, recorded, already = OUTCOMES[action["action_id"]]
    store = service(context).store
    if store.draft(team, draft_id) is None:
        _tell(respond, UNKNOWN_DRAFT, draft_id)
        return
    _tell(respond, recorded if store.record_outcome(team, body["user"]["id"], draft_id, kind) else already, draft_id)
