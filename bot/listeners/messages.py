"""Drafts channels: each new top-level human message is reviewed in its thread, edits update
that answer, deletions delete it.

Exactly once: Slack retries an event it thinks was missed and may deliver one to two
processes, so each piece of work first claims a key in the store (`INSERT OR IGNORE` on a
unique key, atomic across processes): the `event_id` for a new message, the message's ts plus
the edit's ts (`message.edited.ts`) for an edit, and the message's ts for a deletion — keys
that name the change itself, whatever envelope it came in.
"""
from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners.common import service, settings, team_id
from bot.review_service import Answer, slack_call
from models.records import Draft

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("message")(on_message)


def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("channel") not in settings(context).drafts_channels:
        return
    subtype = event.get("subtype")
    if subtype is None:
        _new(event, body, client, context)
    elif subtype == "message_changed":
        _edited(event, body, client, context)
    elif subtype == "message_deleted":
        _deleted(event, body, client, context)
    # joins, topic changes, bot_message, thread_broadcast …: not drafts


def _is_draft(message: dict[str, Any], context: BoltContext) -> bool:
    """A top-level message written by a person (not a bot, not this app, not a thread reply)."""
    if message.get("bot_id") or message.get("subtype") or not message.get("user"):
        return False
    if message["user"] == context.bot_user_id:
        return False
    thread_ts = message.get("thread_ts")
    return not thread_ts or thread_ts == message.get("ts")


def _new(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if not _is_draft(event, context) or not (event.get("text") or "").strip():
        return
    team = team_id(context, body)
    if not service(context).store.claim(team, body.get("event_id") or f"msg:{event['channel']}:{event['ts']}", "message"):
        log.info("event %s already handled", body.get("event_id"))
        return
    _review_and_post(team, event["user"], event["channel"], event["ts"], event["text"], client, context)


def _review_and_post(team: str, user: str, channel: str, ts: str, text: str, client: WebClient,
                     context: BoltContext) -> None:
    answer = service(context).review_new(team_id=team, user_id=user, source="channel", draft=Draft.from_text(text),
                                         channel=channel, message_ts=ts)
    if answer is not None:
        _post(team, channel, ts, answer, client, context)


def _post(team: str, channel: str, thread_ts: str, answer: Answer, client: WebClient, context: BoltContext) -> None:
    posted = slack_call("chat.postMessage", answer.draft_id, client.chat_postMessage, channel=channel,
                        thread_ts=thread_ts, **answer.message)
    if posted is not None:
        service(context).store.set_answer(team, answer.draft_id, posted["channel"], posted["ts"])


def _edited(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    message = event.get("message") or {}
    if message.get("subtype") == "tombstone":  # a deleted message that has thread replies (ours, at least)
        _delete_answer(team_id(context, body), event["channel"], message.get("ts"), client, context)
        return
    edited = message.get("edited") or {}
    previous = event.get("previous_message") or {}
    # Slack also sends message_changed for unfurls and new thread replies; only a real edit counts.
    if not _is_draft(message, context) or not edited.get("ts") or message.get("text") == previous.get("text"):
        return
    team, channel = team_id(context, body), event["channel"]
    if not service(context).store.claim(team, f"edit:{channel}:{message['ts']}:{edited['ts']}", "edit"):
        log.info("edit %s of %s already handled", edited["ts"], message["ts"])
        return
    row = service(context).store.draft_for_message(team, channel, message["ts"])
    if row is None:  # posted before the app joined, or its event was lost: review it as new
        _review_and_post(team, message["user"], channel, message["ts"], message.get("text") or "", client, context)
        return
    if row["deleted_at"]:
        return
    answer = service(context).review_edit(team, row, Draft.from_text(message.get("text") or ""))
    if answer is None:
        return
    if row["answer_ts"]:
        slack_call("chat.update", answer.draft_id, client.chat_update, channel=row["answer_channel"],
                   ts=row["answer_ts"], **answer.message)
    else:  # the first answer never reached Slack (an outage): post it now
        _post(team, channel, message["ts"], answer, client, context)


def _deleted(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    _delete_answer(team_id(context, body), event["channel"], event.get("deleted_ts"), client, context)


def _delete_answer(team: str, channel: str, ts: str | None, client: WebClient, context: BoltContext) -> None:
    """Deletes the answer to a deleted draft (keyed by the draft's ts: Slack may say it twice,
    as `message_deleted` and as a `tombstone` change) and forgets the draft's text."""
    store = service(context).store
    if not ts or not store.claim(team, f"delete:{channel}:{ts}", "delete"):
        return
    row = store.draft_for_message(team, channel, ts)
    if row is None:
        return  # not a draft we reviewed
    if row["answer_ts"]:
        slack_call("chat.delete", row["id"], client.chat_delete, channel=row["answer_channel"], ts=row["answer_ts"])
    service(context).forget_deleted(team, row["id"])
