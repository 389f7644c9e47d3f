"""`/inmail`: text → review answered ephemerally; no text → the draft form; and subcommands.

Subcommands are the whole text matched exactly (`SUBCOMMANDS`: help, stats, forget-me), or
`log sent N [replied M] [bulk]` (`LOG`); anything else is a draft — a draft that happens to
start with "Stats" is still reviewed.
"""
from __future__ import annotations

import re
import time
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import draft_modal, help_message, stats_message, text_message
from bot.listeners.common import outreach, service, team_id
from bot.review_service import respond_call, slack_call
from models.outreach import user_figures
from models.records import Draft

COMMAND = "/inmail"
LOG = re.compile(r"log\s+sent\s+(\d{1,6})(?:\s+replied\s+(\d{1,6}))?(\s+bulk)?", re.IGNORECASE)
LOG_USAGE = "Usage: `/inmail log sent N [replied M] [bulk]`, e.g. `/inmail log sent 40 replied 6 bulk`."


def register(app: App) -> None:
    app.command(COMMAND)(inmail)


def _help(ack: Ack, command: dict[str, Any], **_: Any) -> None:
    ack(response_type="ephemeral", **help_message(command.get("command") or COMMAND))


def _stats(ack: Ack, command: dict[str, Any], context: BoltContext, body: dict[str, Any], **_: Any) -> None:
    team = team_id(context, body)
    figures = user_figures(outreach(context), team, command["user_id"], time.time())
    ack(response_type="ephemeral", **stats_message(figures, outreach(context).settings(team).timezone))


def _forget_me(ack: Ack, command: dict[str, Any], context: BoltContext, body: dict[str, Any], respond: Respond,
               **_: Any) -> None:
    """Deletes the text of every draft of the caller (scores and outcome figures stay, without text).
    Acknowledged first: someone with years of drafts must not hit Slack's 3-second limit."""
    ack()
    team = team_id(context, body)
    drafts = outreach(context).user_drafts_with_text(team, command["user_id"])
    for draft_id in drafts:
        service(context).forget_deleted(team, draft_id)
    noun = "draft" if len(drafts) == 1 else "drafts"
    respond_call("response_url", None, respond, response_type="ephemeral", replace_original=False,
                 **text_message(f"Done: the text of {len(drafts)} {noun} of yours is deleted."))


def log_outreach(ack: Ack, command: dict[str, Any], context: BoltContext, body: dict[str, Any], text: str) -> None:
    """`/inmail log sent N [replied M] [bulk]`, deduplicated by the command's trigger id."""
    match = LOG.fullmatch(text)
    sent, replied = (int(match.group(1)), int(match.group(2) or 0)) if match else (0, 0)
    if not match or sent < 1 or replied > sent:
        ack(response_type="ephemeral", **text_message(LOG_USAGE if not match or sent < 1 else
                                                      f"{replied} replies to {sent} InMails? Replies cannot exceed sends."))
        return
    bulk = bool(match.group(3))
    now = time.time()
    result = outreach(context).record_send(
        team_id(context, body), command["user_id"], f"log:{command.get('trigger_id') or now}", "log", sent=sent,
        at=now, bulk=bulk, replied=replied, responded_at=now)
    kind = "bulk " if bulk else ""
    said = (f"Logged {sent} {kind}InMail{'s' if sent != 1 else ''} sent" + (f" and {replied} replies." if replied else ".")
            if result == "added" else "This was already logged.")
    ack(response_type="ephemeral", **text_message(said))


SUBCOMMANDS: dict[str, Callable[..., None]] = {"help": _help, "stats": _stats, "forget-me": _forget_me}


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
        subcommand(ack=ack, command=command, context=context, body=body, respond=respond)
        return
    if re.match(r"log\s+sent\b", text, re.IGNORECASE) or text.lower() == "log":
        log_outreach(ack, command, context, body, text)
        return
    ack()
    answer = service(context).review_new(team_id=team_id(context, body), user_id=command["user_id"],
                                         source="command", draft=Draft.from_text(text),
                                         channel=command.get("channel_id"))
    message = answer.message if answer else service(context).failure_message()
    respond_call("response_url", answer.draft_id if answer else None, respond, response_type="ephemeral",
                 replace_original=False, **message)
