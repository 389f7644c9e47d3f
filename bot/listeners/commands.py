"""`/inmail`: text → review answered ephemerally; no text → the draft form; and subcommands.

Subcommands are `help`, `stats`, `forget-me` (the whole text) and `log …` (`bot/log_text.py`).
A short text that starts with a subcommand word but is no valid use of it ("stats please",
"forget me", "log 5") gets that subcommand's usage, and a text of two words or fewer gets the
help: neither is an InMail, so neither is reviewed, stored or counted. A longer text that
happens to start with "Help" or "Stats" is a draft.

Only `help`, usage and a malformed `log` are answered in the ack (no database, no Slack call);
all else is queued work answered through the command's `response_url`. A draft's work is keyed
by a hash of the signed request, so the same request replayed within Slack's 5-minute window is
one draft.
"""
from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest

from bot.blocks import draft_modal, help_message, outcome_message, stats_message, text_message
from bot.export import as_csv
from bot.i18n import _, current, ngettext
from bot.listeners.common import (Deps, HandlerFn, ack_receipt, figures_changed, review_text_job, request_key,
                                  team_id, work)
from bot.log_text import parse_log
from bot.review_service import respond_to, slack_post
from models.export import draft_rows
from models.jobs import Job
from models.outreach import user_figures
from rules.i18n import N_

COMMAND = "/inmail"
NOT_ADMIN_EXPORT = N_("Only the app's admins can export the team's drafts (the workspace's admins, or whom INMAIL_ADMINS "
                      "names).")
# Answered in the ack, in the language last found for the person (`Readers.known_language`), as
# are `help` and `bot/log_text.py`'s answers to a malformed `log`.
USAGES = {"stats": N_("Usage: `/inmail stats`, nothing after it: your and your team's figures and your policy status."),
          "forget-me": N_("Usage: `/inmail forget-me`, nothing after it: deletes the text of all your drafts."),
          "help": N_("Usage: `/inmail help`, nothing after it."),
          "export": N_("Usage: `/inmail export`, nothing after it: a CSV of the team's drafts and their outcomes, "
                       "for admins.")}
SUBCOMMAND_WORDS = {"stats": "stats", "stat": "stats", "forget-me": "forget-me", "forget": "forget-me",
                    "forgetme": "forget-me", "help": "help", "export": "export"}
NOT_A_DRAFT_WORDS = 2  # a text this short is no InMail: it gets the help
MISTYPED_WORDS = 6  # a text this short starting with a subcommand word is a mistyped subcommand
LOG_WORDS_MAX = 14  # the longest `log …` ("log sent 1 000 accepted 20 declined 10 bulk" and more); longer is a draft
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
                             {"trigger_id": command["trigger_id"], "channel": command.get("channel_id"),
                              "user": command["user_id"]}, durable=False)
        return
    key = request_key(request, command.get("trigger_id") or str(time.time()))
    payload = {"user": command["user_id"], "channel": command.get("channel_id"), "response_url": command.get("response_url"),
               "trigger_id": command.get("trigger_id")}
    if name in ("stats", "forget-me", "export"):
        ack()
        work(context).submit(team, f"{name}:{key}", name, payload, durable=name == "forget-me")
        return
    words = name.split()
    if words[0] == "log" and len(words) <= LOG_WORDS_MAX:
        log_outreach(ack, context, team, key, payload, text[3:])
        return
    if words[0] in SUBCOMMAND_WORDS and len(words) <= MISTYPED_WORDS:
        ack(response_type="ephemeral", **text_message(_(USAGES[SUBCOMMAND_WORDS[words[0]]])))
        return
    if len(words) <= NOT_A_DRAFT_WORDS:
        ack(response_type="ephemeral", **help_message(command.get("command") or COMMAND))
        return
    ack_receipt(ack, work(context).submit(team, f"command:{key}", "command_draft", payload | {"text": text}))


def log_outreach(ack: Ack, context: BoltContext, team: str, key: str, payload: dict[str, Any], text: str) -> None:
    """`/inmail log …` (`bot/log_text.py`): checked in the ack, recorded by queued work."""
    figures = parse_log(text)
    if isinstance(figures, str):
        ack(response_type="ephemeral", **text_message(figures))
        return
    ack_receipt(ack, work(context).submit(team, f"log:{key}", "log", payload | asdict(figures)))


def _replies_said(p: dict[str, Any]) -> str:
    """The replies as "6 replies (4 accepted, 2 declined)": a whole phrase for each case, so that a
    language can make its words agree with "replies"."""
    n, number = p["replied"], current().number
    accepted, declined = number(p["accepted"]), number(p["declined"])
    if p["accepted"] and p["declined"]:
        return ngettext("{count} reply ({accepted} accepted, {declined} declined)",
                        "{count} replies ({accepted} accepted, {declined} declined)", n, accepted=accepted, declined=declined)
    if p["accepted"]:
        return ngettext("{count} reply ({accepted} accepted)", "{count} replies ({accepted} accepted)", n, accepted=accepted)
    if p["declined"]:
        return ngettext("{count} reply ({declined} declined)", "{count} replies ({declined} declined)", n, declined=declined)
    return ngettext("{count} reply", "{count} replies", n)


def _log_job(job: Job, deps: Deps) -> None:
    p, now = job.payload, time.time()
    key = f"log:{p.get('trigger_id') or job.key}"
    if p["sent"]:
        result = deps.outreach.sends.record_log(job.team_id, p["user"], key, sent=p["sent"], replied=p["replied"],
                                                accepted=p["accepted"], declined=p["declined"], bulk=p["bulk"],
                                                at=now, repeat_window_s=LOG_REPEAT_WINDOW_S)
        if p["bulk"] and p["replied"]:
            added = ngettext("Logged {count} bulk InMail sent and {replies}.", "Logged {count} bulk InMails sent and {replies}.",
                             p["sent"], replies=_replies_said(p))
        elif p["bulk"]:
            added = ngettext("Logged {count} bulk InMail sent.", "Logged {count} bulk InMails sent.", p["sent"])
        elif p["replied"]:
            added = ngettext("Logged {count} InMail sent and {replies}.", "Logged {count} InMails sent and {replies}.",
                             p["sent"], replies=_replies_said(p))
        else:
            added = ngettext("Logged {count} InMail sent.", "Logged {count} InMails sent.", p["sent"])
    else:
        days = deps.outreach.settings.get(job.team_id).policy.window_days
        result, waiting = deps.outreach.sends.add_replies(
            job.team_id, p["user"], key, accepted=p["accepted"], declined=p["declined"], replied=p["replied"], at=now,
            since=now - days * 86_400.0, repeat_window_s=LOG_REPEAT_WINDOW_S)
        added = ngettext("Logged {replies} to your InMails of the last {count} day.",
                         "Logged {replies} to your InMails of the last {count} days.", days, replies=_replies_said(p))
        if result == "exceeds":
            added = (_("Nothing was logged: {replies} would be more than your sends.", replies=_replies_said(p)) + " " +
                     ngettext("Only {count} InMail you recorded in the last {days} days is still waiting for a reply; "
                              "log the sends first (`/inmail log sent N`).",
                              "Only {count} InMails you recorded in the last {days} days are still waiting for a reply; "
                              "log the sends first (`/inmail log sent N`).", waiting, days=current().number(days)))
    if result == "added":
        figures_changed(deps, job, "log", figures={k: p[k] for k in ("sent", "bulk", "accepted", "declined", "replied")})
    said = {"added": added, "exceeds": added,
            "repeat": _("The same figures were logged moments ago, so this was taken as a repeat and not counted "
                        "again. Wait two minutes to log another batch with the same figures.")}.get(
        result, _("This was already logged."))
    respond_to(p["response_url"], None, {"response_type": "ephemeral", **text_message(said)})


def _stats_job(job: Job, deps: Deps) -> None:
    figures = user_figures(deps.outreach, job.team_id, job.payload["user"], time.time())
    message = stats_message(figures, deps.outreach.settings.get(job.team_id).timezone)
    respond_to(job.payload["response_url"], None, {"response_type": "ephemeral", **message})


def _forget_me_job(job: Job, deps: Deps) -> None:
    """Deletes the text of every draft of the caller (scores and outcome figures stay, without
    text; quotes of the draft in findings go too) and checkpoints the WAL, so no copy is left in
    the `-wal` file. The app's own answers in drafts-channel threads quote the drafts as well:
    the reply says how many there are and offers a button that deletes them."""
    team, user = job.team_id, job.payload["user"]
    drafts = deps.store.drafts_with_text(team, user)
    for draft_id in drafts:
        deps.service.forget_deleted(team, draft_id, keep_answer=True)
    deps.store.checkpoint()
    answers = len(deps.store.answers_of_forgotten(team, user))
    said = ngettext("Done: the text of {count} draft of yours is deleted.",
                    "Done: the text of {count} drafts of yours is deleted.", len(drafts))
    if not answers:
        respond_to(job.payload["response_url"], None, {"response_type": "ephemeral", **text_message(said)})
        return
    said += " " + ngettext("Still quoting your drafts in drafts-channel threads: {count} answer the app had posted, "
                           "kept until deleted.",
                           "Still quoting your drafts in drafts-channel threads: {count} answers the app had posted, "
                           "kept until deleted.", answers)
    # "that answer" names no number, so it is a message of its own rather than a plural form.
    delete = (_("Delete that answer") if answers == 1
              else _("Delete those {count} answers", count=current().number(answers)))
    button = (delete, FORGET_ANSWERS)
    respond_to(job.payload["response_url"], None,
               {"response_type": "ephemeral", **outcome_message(said, "forget-me", (button,))})


def _export_job(job: Job, deps: Deps) -> None:
    """The team's drafts and outcomes as a CSV file in the admin's DM with the app (no draft text)."""
    p = job.payload
    if not deps.is_admin(p["user"]):
        respond_to(p["response_url"], None, {"response_type": "ephemeral", **text_message(_(NOT_ADMIN_EXPORT))})
        return
    now = time.time()
    rows = list(draft_rows(deps.store, job.team_id, 0.0, now, deps.outreach.settings.get(job.team_id).retention_days))
    opened = slack_post("conversations.open", None, deps.client.conversations_open, users=p["user"])
    day = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d")
    uploaded = opened and slack_post(
        "files_upload_v2", None, deps.client.files_upload_v2, channel=opened["channel"]["id"],
        content=as_csv(rows, with_text=False).encode(), filename=f"inmail-review-{job.team_id}-{day}.csv",
        title=_("InMail drafts and outcomes, {day}", day=day),
        initial_comment=ngettext("{count} draft with their review and what happened after sending.",
                                 "{count} drafts with their review and what happened after sending.", len(rows)))
    said = (_("The export is in your DM with the app.") if uploaded
            else _("The export could not be posted to your DM with the app; `inmail-review export` gives the same "
                   "file."))
    respond_to(p["response_url"], None, {"response_type": "ephemeral", **text_message(said)})


def _command_draft_job(job: Job, deps: Deps) -> None:
    review_text_job(job, deps, "command")


def _open_draft_form_job(job: Job, deps: Deps) -> None:
    slack_post("views.open", None, deps.client.views_open, trigger_id=job.payload["trigger_id"],
               view=draft_modal({"channel": job.payload.get("channel")}))


HANDLERS: dict[str, HandlerFn] = {"command_draft": _command_draft_job, "log": _log_job, "stats": _stats_job,
                                  "forget-me": _forget_me_job, "open_draft_form": _open_draft_form_job,
                                  "export": _export_job}
