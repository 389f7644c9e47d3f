"""`/inmail`: text → review answered ephemerally; no text → the draft form; and subcommands.

Subcommands are the whole text matched exactly (`SUBCOMMANDS`: help, stats, forget-me), or
`log sent N [replied M] [bulk]` (`LOG`); anything else is a draft — a draft that happens to
start with "Stats" is still reviewed.

Only `help` and a malformed `log` are answered in the ack (no database, no Slack call); all
else is queued work answered through the command's `response_url`. A draft's work is keyed by
a hash of the signed request, so the same request replayed within Slack's 5-minute window is
one draft.
"""
from __future__ import annotations

import re
import time
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from bot.blocks import draft_modal, help_message, outcome_message, stats_message, text_message
from bot.listeners.common import (Deps, HandlerFn, ack_receipt, review_text_job, request_key,
                                  team_id, work)
from bot.review_service import respond_to, slack_post
from models.jobs import Job
from models.outreach import user_figures

COMMAND = "/inmail"
LOG = re.compile(r"log\s+sent\s+(\d{1,6})(?:\s+replied\s+(\d{1,6}))?(\s+bulk)?", re.IGNORECASE)
LOG_USAGE = "Usage: `/inmail log sent N [replied M] [bulk]`, e.g. `/inmail log sent 40 replied 6 bulk`."
# The same user logging the same figures again this soon is taken as a retry, not a second send.
LOG_REPEAT_WINDOW_S = 120.0
FORGET_ANSWERS = "forget_answers"  # the button forget-me offers (bot/listeners/actions.py)


def register(app: App) -> None:
    app.command(COMMAND)(inmail)


def inmail(ack: Ack, command: dict[str, Any], context: BoltContext, body: dict[str, Any], request: BoltRequest) -> None:
    text = (command.get("text") or "").strip()
    team = team_id(context, body)
    name = text.lower()
    if name == "help":
        ack(response_type="ephemeral", **help_message(command.get("command") or COMMAND))
        return
    if not text:
        ack()
        work(context).submit(team, f"modal:{command['trigger_id']}", "open_draft_form",
                             {"trigger_id": command["trigger_id"], "channel": command.get("channel_id")}, durable=False)
        return
    key = request_key(request, command.get("trigger_id") or str(time.time()))
    payload = {"user": command["user_id"], "channel": command.get("channel_id"), "response_url": command.get("response_url"),
               "trigger_id": command.get("trigger_id")}
    if name in ("stats", "forget-me"):
        ack()
        work(context).submit(team, f"{name}:{key}", name, payload, durable=name == "forget-me")
        return
    if re.match(r"log\s+sent\b", text, re.IGNORECASE) or name == "log":
        log_outreach(ack, context, team, key, payload, text)
        return
    ack_receipt(ack, work(context).submit(team, f"command:{key}", "command_draft", payload | {"text": text}))


def log_outreach(ack: Ack, context: BoltContext, team: str, key: str, payload: dict[str, Any], text: str) -> None:
    """`/inmail log sent N [replied M] [bulk]`: checked in the ack, recorded by queued work."""
    match = LOG.fullmatch(text)
    sent, replied = (int(match.group(1)), int(match.group(2) or 0)) if match else (0, 0)
    if not match or sent < 1 or replied > sent:
        ack(response_type="ephemeral", **text_message(LOG_USAGE if not match or sent < 1 else
                                                      f"{replied} replies to {sent} InMails? Replies cannot exceed sends."))
        return
    figures = {"sent": sent, "replied": replied, "bulk": bool(match.group(3))}
    ack_receipt(ack, work(context).submit(team, f"log:{key}", "log", payload | figures))


def _log_job(job: Job, deps: Deps) -> None:
    p, now = job.payload, time.time()
    result = deps.outreach.record_log(job.team_id, p["user"], f"log:{p.get('trigger_id') or job.key}", sent=p["sent"],
                                      replied=p["replied"], bulk=p["bulk"], at=now, repeat_window_s=LOG_REPEAT_WINDOW_S)
    kind = "bulk " if p["bulk"] else ""
    said = {"added": f"Logged {p['sent']} {kind}InMail{'s' if p['sent'] != 1 else ''} sent"
                     + (f" and {p['replied']} replies." if p["replied"] else "."),
            "repeat": "The same figures were logged moments ago, so this was taken as a repeat and not counted "
                      "again. Wait two minutes to log another batch with the same figures."}.get(
        result, "This was already logged.")
    respond_to(p["response_url"], None, {"response_type": "ephemeral", **text_message(said)})


def _stats_job(job: Job, deps: Deps) -> None:
    figures = user_figures(deps.outreach, job.team_id, job.payload["user"], time.time())
    message = stats_message(figures, deps.outreach.settings(job.team_id).timezone)
    respond_to(job.payload["response_url"], None, {"response_type": "ephemeral", **message})


def _forget_me_job(job: Job, deps: Deps) -> None:
    """Deletes the text of every draft of the caller (scores and outcome figures stay, without
    text; quotes of the draft in findings go too) and checkpoints the WAL, so no copy is left in
    the `-wal` file. The app's own answers in drafts-channel threads quote the drafts as well:
    the reply says how many there are and offers a button that deletes them."""
    team, user = job.team_id, job.payload["user"]
    drafts = deps.outreach.user_drafts_with_text(team, user)
    for draft_id in drafts:
        deps.service.forget_deleted(team, draft_id, keep_answer=True)
    deps.store.checkpoint()
    answers = len(deps.store.answers_of_forgotten(team, user))
    noun = "draft" if len(drafts) == 1 else "drafts"
    said = f"Done: the text of {len(drafts)} {noun} of yours is deleted."
    if not answers:
        respond_to(job.payload["response_url"], None, {"response_type": "ephemeral", **text_message(said)})
        return
    said += (f" {answers} of the app's answers in drafts-channel threads still quote your drafts; "
             "they stay unless you delete them.")
    button = (f"Delete {'that answer' if answers == 1 else f'those {answers} answers'}", FORGET_ANSWERS)
    respond_to(job.payload["response_url"], None,
               {"response_type": "ephemeral", **outcome_message(said, "forget-me", (button,))})


def _command_draft_job(job: Job, deps: Deps) -> None:
    review_text_job(job, deps, "command")


def _open_draft_form_job(job: Job, deps: Deps) -> None:
    slack_post("views.open", None, deps.client.views_open, trigger_id=job.payload["trigger_id"],
               view=draft_modal({"channel": job.payload.get("channel")}))


HANDLERS: dict[str, HandlerFn] = {"command_draft": _command_draft_job, "log": _log_job, "stats": _stats_job,
                                  "forget-me": _forget_me_job, "open_draft_form": _open_draft_form_job}
