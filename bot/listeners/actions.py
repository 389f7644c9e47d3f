"""The buttons on a review: "Review again" re-reviews the stored draft and replaces the answer;
"Mark as sent" and "Got a reply" record an outcome, and their answers carry follow-up buttons
that refine it: "It was a bulk send…" (a form for the count), "Accepted" / "Declined".

Each click is recorded twice on purpose: in `outcomes`, the per-draft click ledger whose
unique key turns a double click into "already recorded", and in `outreach`, the figures the
policy and the digest count.
"""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import BULK_CALLBACK_ID, BULK_MAX, bulk_modal, outcome_message, text_message
from bot.listeners.common import outreach, service, team_id
from bot.review_service import TEXT_GONE, respond_call, slack_call

UNKNOWN_DRAFT = "This review's draft is not in the store any more."
OUTCOMES = {"mark_sent": ("sent", "Marked as sent. Thanks, that counts toward your response rate.",
                          "This draft was already marked as sent.", (("It was a bulk send…", "sent_bulk"),)),
            "got_reply": ("replied", "Reply recorded. Nice! Was it accepted or declined?",
                          "A reply to this draft was already recorded.",
                          (("Accepted", "reply_accepted"), ("Declined", "reply_declined")))}
REPLY_KINDS = {"reply_accepted": "accepted", "reply_declined": "declined"}


def register(app: App) -> None:
    app.action("review_again")(review_again)
    for action_id in OUTCOMES:
        app.action(action_id)(record_outcome)
    for action_id in REPLY_KINDS:
        app.action(action_id)(record_reply_kind)
    app.action("sent_bulk")(open_bulk_form)
    app.view(BULK_CALLBACK_ID)(bulk_submitted)


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
    team, draft_id, user = team_id(context, body), action.get("value") or "", body["user"]["id"]
    kind, recorded, already, follow_ups = OUTCOMES[action["action_id"]]
    store = service(context).store
    if store.draft(team, draft_id) is None:
        _tell(respond, UNKNOWN_DRAFT, draft_id)
        return
    if not store.record_outcome(team, user, draft_id, kind):
        _tell(respond, already, draft_id)
        return
    if kind == "sent":
        outreach(context).record_send(team, user, f"button:{draft_id}", "button", sent=1, draft_id=draft_id)
    else:
        outreach(context).record_reply(team, user, draft_id, None)
    respond_call("response_url", draft_id, respond, response_type="ephemeral", replace_original=False,
                 **outcome_message(recorded, draft_id, follow_ups))


def record_reply_kind(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond,
                      context: BoltContext) -> None:
    ack()
    team, draft_id, kind = team_id(context, body), action.get("value") or "", REPLY_KINDS[action["action_id"]]
    if service(context).store.draft(team, draft_id) is None:
        _tell(respond, UNKNOWN_DRAFT, draft_id)
        return
    outreach(context).record_reply(team, body["user"]["id"], draft_id, kind)
    respond_call("response_url", draft_id, respond, replace_original=True, **text_message(f"Reply recorded as {kind}."))


def open_bulk_form(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
    ack()
    slack_call("views.open", action.get("value"), client.views_open, trigger_id=body["trigger_id"],
               view=bulk_modal(action.get("value") or ""))


def bulk_submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    raw = ((view["state"]["values"].get("count") or {}).get("value") or {}).get("value") or ""
    if not raw.isdigit() or not 1 <= int(raw) <= BULK_MAX:
        ack(response_action="errors", errors={"count": f"A whole number from 1 to {BULK_MAX:,}."})
        return
    ack()
    team, draft_id, user = team_id(context, body), view.get("private_metadata") or "", body["user"]["id"]
    recorded = outreach(context).set_bulk(team, draft_id, int(raw))
    text = (f"Recorded: {int(raw):,} InMails sent in bulk with this draft." if recorded
            else "This draft is not marked as sent, so there is nothing to change.")
    slack_call("chat.postMessage", draft_id, client.chat_postMessage, channel=user, **text_message(text))
