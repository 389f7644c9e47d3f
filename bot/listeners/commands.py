"""`/inmail`: text → review answered ephemerally; no text → the draft form; `help` → usage.

Subcommands are the first word matched exactly (`SUBCOMMANDS`); anything else is a draft.
The outreach issue adds `stats`, `log` and `forget-me` here.
"""
from __future__ import annotations

from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import draft_modal, help_message
from bot.listeners.common import service, team_id
from bot.review_service import respond_call, slack_call
from models.records import Draft

COMMAND = "/inmail"


def register(app: App) -> None:
    app.command(COMMAND)(inmail)


def _help(ack: Ack, command: dict[str, Any], **_: Any) -> None:
    ack(response_type="ephemeral", **help_message(command.get("command") or COMMAND))


SUBCOMMANDS: dict[str, Callable[..., None]] = {"help": _help}


def inmail(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext,
           body: dict[str, Any]) -> None:
    text = (command.get("text") or "").strip()
    if not text:
        ack()
        view = draft_modal({"channel": command.get("channel_id")})
        slack_call("views.open", None, client.views_open, trigger_id=command["trigger_id"], view=view)
        return
    subcommand = SUBCOMMANDS.get(text.lower())
    if subcommand is not None:
        subcommand(ack=ack, command=command)
        return
    ack()
    answer = service(context).review_new(team_id=team_id(context, body), user_id=command["user_id"],
                                         source="command", draft=Draft.from_text(text),
                                         channel=command.get("channel_id"))
    message = answer.message if answer else service(context).failure_message()
    respond_call("response_url", answer.draft_id if answer else None, respond, response_type="ephemeral",
                 replace_original=False, **message)
