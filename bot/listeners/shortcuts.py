"""The message shortcut "Review as InMail": reviews the picked message, answers only the picker."""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import text_message
from bot.i18n import N_, _
from bot.listeners.common import (Deps, HandlerFn, ack_receipt, review_text_job, team_id, work)
from bot.review_service import respond_to
from models.jobs import Job

CALLBACK_ID = "review_as_inmail"
NOTHING_TO_REVIEW = N_("That message has no text to review.")


def register(app: App) -> None:
    app.shortcut(CALLBACK_ID)(review_as_inmail)


def review_as_inmail(ack: Ack, shortcut: dict[str, Any], context: BoltContext) -> None:
    text = ((shortcut.get("message") or {}).get("text") or "").strip()
    payload = {"user": shortcut["user"]["id"], "channel": (shortcut.get("channel") or {}).get("id"),
               "response_url": shortcut.get("response_url"), "text": text}
    if not text:
        ack()
        work(context).submit(team_id(context, shortcut), f"shortcut:{shortcut.get('trigger_id')}", "nothing_to_review",
                             payload, durable=False)
        return
    ack_receipt(ack, work(context).submit(team_id(context, shortcut), f"shortcut:{shortcut.get('trigger_id')}",
                                          "shortcut_draft", payload))


def _shortcut_draft_job(job: Job, deps: Deps) -> None:
    review_text_job(job, deps, "shortcut")


def _nothing_to_review_job(job: Job, deps: Deps) -> None:
    respond_to(job.payload["response_url"], None, {"response_type": "ephemeral", **text_message(_(NOTHING_TO_REVIEW))})


HANDLERS: dict[str, HandlerFn] = {"shortcut_draft": _shortcut_draft_job, "nothing_to_review": _nothing_to_review_job}
