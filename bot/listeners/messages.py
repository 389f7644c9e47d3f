"""Drafts channels: each new top-level human message is reviewed in its thread, edits update
that answer, deletions delete it.

One answer per draft message, whatever the order or the process: the original, each edit and
the deletion of a message are one piece of work keyed by the message (`msg:<channel>:<ts>`),
and each change carries its version (the message's ts, the edit's ts, then the deletion, which
outranks all). A change newer than the stored one replaces it and reopens the work; an older
one (the original arriving after its edit, a retried event) is dropped. Only the process that
holds the work's lease posts, and it finishes only if no newer change arrived meanwhile, else
it does the work again — so an edit 0 ms after the original gives one answer with the latest
text. The answer carries the work's key as metadata: work taken over after a crash first looks
in the thread for an answer already posted.
"""
from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.listeners.common import (Deps, HandlerFn, answer_metadata, answered_unsaved, draft_id_for, reviewed, settings,
                                  team_id, work)
from bot.review_service import Answer, slack_post
from bot.work import Retry
from models.jobs import DELETED_VERSION, Job
from models.records import Draft

log = logging.getLogger(__name__)
THREAD_LOOKBACK = 200
# A person's message, with or without files attached: a draft pasted with a screenshot is still a draft.
DRAFT_SUBTYPES = (None, "file_share")


def register(app: App) -> None:
    app.event("message")(on_message)


def on_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """On the request thread: decide whether this is a change to a draft, and queue it."""
    if event.get("channel") not in settings(context).drafts_channels:
        return
    subtype = event.get("subtype")
    if subtype in DRAFT_SUBTYPES:
        change = _new(event, context)
    elif subtype == "message_changed":
        change = _edited(event, context)
    elif subtype == "message_deleted":
        change = (event.get("deleted_ts"), DELETED_VERSION, {"deleted": True})
    else:  # joins, topic changes, bot_message, thread_broadcast …: not drafts
        return
    ts, version, payload = change
    if ts:
        channel = event["channel"]
        work(context).submit(team_id(context, body), f"msg:{channel}:{ts}", "message",
                             payload | {"channel": channel, "ts": ts}, version=version)


Change = tuple[str | None, str, dict[str, Any]]


def _is_draft(message: dict[str, Any], context: BoltContext) -> bool:
    """A top-level message written by a person (not a bot, not this app, not a thread reply)."""
    if message.get("bot_id") or message.get("subtype") not in DRAFT_SUBTYPES or not message.get("user"):
        return False
    if message["user"] == context.bot_user_id:
        return False
    thread_ts = message.get("thread_ts")
    return not thread_ts or thread_ts == message.get("ts")


def _new(event: dict[str, Any], context: BoltContext) -> Change:
    if not _is_draft(event, context) or not (event.get("text") or "").strip():
        return None, "", {}
    return event["ts"], event["ts"], {"user": event["user"], "text": event["text"]}


def _edited(event: dict[str, Any], context: BoltContext) -> Change:
    message = event.get("message") or {}
    if message.get("subtype") == "tombstone":  # a deleted message that has thread replies (ours, at least)
        return message.get("ts"), DELETED_VERSION, {"deleted": True}
    edited = message.get("edited") or {}
    previous = event.get("previous_message") or {}
    # Slack also sends message_changed for unfurls and new thread replies; only a real edit counts.
    if not _is_draft(message, context) or not edited.get("ts") or message.get("text") == previous.get("text"):
        return None, "", {}
    return message["ts"], edited["ts"], {"user": message["user"], "text": message.get("text") or ""}


# --- the work (worker pool) ------------------------------------------------------------------------
def _message_job(job: Job, deps: Deps) -> None:
    p, team = job.payload, job.team_id
    if p.get("deleted"):
        _delete_answer(team, p["channel"], p["ts"], deps)
        return
    if answered_unsaved(job, deps):
        return
    row = deps.store.draft_for_message(team, p["channel"], p["ts"])
    if row is not None and row["deleted_at"]:
        return
    draft = Draft.from_text(p["text"])
    answer = reviewed(job, deps, draft, lambda: _review(job, deps, draft, row))
    if answer is None:
        return
    row = deps.store.draft(team, answer.draft_id) if answer.draft_id else None
    if row is not None and row["answer_ts"]:
        slack_post("chat.update", answer.draft_id, deps.client.chat_update, channel=row["answer_channel"],
                   ts=row["answer_ts"], **answer.message)
        return
    _post(job, deps, answer)


def _review(job: Job, deps: Deps, draft: Draft, row: dict[str, Any] | None) -> Answer | None:
    p, team, service = job.payload, job.team_id, deps.service
    if row is None:
        return service.review_new(team_id=team, user_id=p["user"], source="channel", draft=draft,
                                  draft_id=draft_id_for(job), channel=p["channel"], message_ts=p["ts"])
    if (row["text"], row["subject"] or "") != (draft.body, draft.subject):
        return service.review_edit(team, row, draft)
    return service.review_stored(team, row, keep=not deps.store.reviews(team, row["id"]))


def _post(job: Job, deps: Deps, answer: Answer) -> None:
    """The first answer in the draft's thread: unless a crashed attempt posted it already."""
    p = job.payload
    ts = _posted_before(job, deps) if job.attempts > 1 else None
    if ts is None:
        posted = slack_post("chat.postMessage", answer.draft_id, deps.client.chat_postMessage, channel=p["channel"],
                            thread_ts=p["ts"], metadata=answer_metadata(job), **answer.message)
        ts = posted["ts"] if posted else None
    if ts and answer.draft_id:
        deps.store.set_answer(job.team_id, answer.draft_id, p["channel"], ts)


def _posted_before(job: Job, deps: Deps) -> str | None:
    """The ts of this work's answer if an earlier attempt posted it (found by its metadata).
    When the thread cannot be read, `Retry`: better late than twice."""
    p = job.payload
    replies = slack_post("conversations.replies", None, deps.client.conversations_replies, channel=p["channel"],
                         ts=p["ts"], limit=THREAD_LOOKBACK, include_all_metadata=True)
    if replies is None:
        raise Retry(0.0, "the thread could not be read")
    for message in replies.get("messages", []):
        if ((message.get("metadata") or {}).get("event_payload") or {}).get("job") == job.key:
            return str(message["ts"])
    return None


def _delete_answer(team: str, channel: str, ts: str, deps: Deps) -> None:
    """Deletes the answer to a deleted draft and forgets the draft's text."""
    row = deps.store.draft_for_message(team, channel, ts)
    if row is None or row["deleted_at"]:
        return  # not a draft we reviewed, or done already
    if row["answer_ts"]:
        slack_post("chat.delete", row["id"], deps.client.chat_delete, channel=row["answer_channel"], ts=row["answer_ts"])
    deps.service.forget_deleted(team, row["id"])


HANDLERS: dict[str, HandlerFn] = {"message": _message_job}
