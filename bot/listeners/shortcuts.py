"""The message shortcut "Review as InMail": reviews the picked message, answers only the picker."""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import text_message
from bot.listeners.common import service, team_id
from bot.review_service import respond_call
from models.records import Draft

CALLBACK_ID = "review_as_inmail"
NOTHING_TO_REVIEW = "That message has no text to review."


def register(app: App) -> None:
    app.shortcut(CALLBACK_ID)(review_as_inmail)


def review_as_inmail(ack: Ack, shortcut: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    text = ((shortcut.get("message") or {}).get("text") or "").strip()
    if not text:
        respond_call("response_url", None, respond, response_type="ephemeral", **text_message(NOTHING_TO_REVIEW))
        return
    answer = service(context).review_new(team_id=team_id(context, shortcut), user_id=shortcut["user"]["id"],
                                         source="shortcut", draft=Draft.from_text(text),
                                         channel=(shortcut.get("channel") or {}).get("id"))
    message = answer.message if answer else service(context).failure_message()
    respond_call("response_url", answer.draft_id if answer else None, respond, response_type="ephemeral",
                 replace_original=False, **message)
