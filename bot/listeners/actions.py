"""The buttons on a review: "Review again" re-reviews the stored draft and replaces the answer;
"Mark as sent" and "Got a reply" record an outcome, and their answers carry follow-up buttons
that refine it: "It was a bulk send…" (a form for the count), "Accepted" / "Declined". "Got a
reply" on a bulk send opens a form for counts instead (accepted and declined, added up over time).
Outcomes belong to the draft's author: anyone else's click records nothing and is told whose
draft it is.

Each click is recorded twice on purpose, in one transaction: in `outcomes`, the per-draft click
ledger whose unique key turns a double click into "already recorded", and in `outreach`, the
figures the policy and the digest count. A kill between the two cannot leave a send that never
counts. Every click is acked at once and done by queued work (`bot/work.py`).
"""
from __future__ import annotations

import time
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import (BULK_CALLBACK_ID, BULK_MAX, REPLIES_CALLBACK_ID, bulk_modal, outcome_message, replies_modal,
                        text_message)
from bot.i18n import _, current, ngettext
from bot.listeners.commands import FORGET_ANSWERS
from bot.listeners.common import Deps, HandlerFn, figures_changed, reply, team_id, work
from bot.review_service import TEXT_GONE, slack_post
from models.jobs import Job
from rules.i18n import N_

# The answers are said in the clicker's language (the work runs in `bot.i18n.reading`); the
# tables hold the English msgids, translated where they are used.
UNKNOWN_DRAFT = N_("This review's draft is not in the store any more.")
NOT_YOURS = N_("This is <@{author}>'s draft: only they can record what happened to it, so nothing was recorded.")
OUTCOMES = {"mark_sent": ("sent", N_("Marked as sent. Thanks, that counts toward your response rate."),
                          N_("This draft was already marked as sent."), ((N_("It was a bulk send…"), "sent_bulk"),)),
            "got_reply": ("replied", N_("Reply recorded. Nice! Was it accepted or declined?"),
                          N_("A reply to this draft was already recorded."),
                          ((N_("Accepted"), "reply_accepted"), (N_("Declined"), "reply_declined")))}
REPLY_KINDS = {"reply_accepted": "accepted", "reply_declined": "declined"}
REPLY_RECORDED = {"accepted": N_("Reply recorded as accepted."), "declined": N_("Reply recorded as declined.")}


def register(app: App) -> None:
    for action_id in ("review_again", *OUTCOMES, *REPLY_KINDS, "sent_bulk", FORGET_ANSWERS):
        app.action(action_id)(clicked)
    app.view(BULK_CALLBACK_ID)(bulk_submitted)
    app.view(REPLIES_CALLBACK_ID)(replies_submitted)


def clicked(ack: Ack, action: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Every button: acked at once, its work queued under the click's own key (a double click is two)."""
    ack()
    payload = {"action_id": action["action_id"], "value": action.get("value") or "", "user": body["user"]["id"],
               "response_url": body.get("response_url"), "trigger_id": body.get("trigger_id")}
    key = f"action:{action['action_id']}:{payload['value']}:{action.get('action_ts') or body.get('trigger_id')}"
    work(context).submit(team_id(context, body), key, "button", payload, durable=action["action_id"] != "sent_bulk")


def _tell(deps: Deps, job: Job, text: str, draft_id: str | None) -> None:
    reply(deps, job, text_message(text), draft_id)


def _button_job(job: Job, deps: Deps) -> None:
    action_id = job.payload["action_id"]
    if action_id == "review_again":
        _review_again(job, deps)
    elif action_id in OUTCOMES:
        _record_outcome(job, deps)
    elif action_id in REPLY_KINDS:
        _record_reply_kind(job, deps)
    elif action_id == FORGET_ANSWERS:
        _forget_answers(job, deps)
    elif _authors_draft(job, deps, job.payload["value"]):
        slack_post("views.open", job.payload["value"], deps.client.views_open, trigger_id=job.payload["trigger_id"],
                   view=bulk_modal(job.payload["value"]))


def _authors_draft(job: Job, deps: Deps, draft_id: str) -> bool:
    """Outcomes belong to the draft's author: in a drafts channel everyone sees the review and its
    buttons, and a lead's click must not credit the lead (or block the author). Anyone else's click
    is told, ephemerally, whose draft it is; an unknown draft is said so too."""
    row = deps.store.draft(job.team_id, draft_id)
    if row is None:
        _tell(deps, job, _(UNKNOWN_DRAFT), draft_id)
        return False
    if row["user_id"] != job.payload["user"]:
        _tell(deps, job, _(NOT_YOURS, author=row["user_id"]), draft_id)
        return False
    return True


def _review_again(job: Job, deps: Deps) -> None:
    team, draft_id = job.team_id, job.payload["value"]
    row = deps.store.draft(team, draft_id)
    if row is None or row["text"] is None:
        _tell(deps, job, _(UNKNOWN_DRAFT if row is None else TEXT_GONE), draft_id)
        return
    answer = deps.service.review_stored(team, row)
    if answer is None:
        _tell(deps, job, deps.service.failure_message()["text"], draft_id)
    elif row["answer_ts"]:  # a message in a drafts channel thread: everyone sees the update
        slack_post("chat.update", draft_id, deps.client.chat_update, channel=row["answer_channel"], ts=row["answer_ts"],
                   **answer.message)
    else:  # an ephemeral answer or a DM: replace the message the button is on
        reply(deps, job, answer.message, draft_id, replace_original=True)


def _record_outcome(job: Job, deps: Deps) -> None:
    """The click's two records — the per-draft ledger and the outreach figures — in one transaction."""
    team, draft_id, user = job.team_id, job.payload["value"], job.payload["user"]
    kind, recorded, already, follow_ups = OUTCOMES[job.payload["action_id"]]
    if not _authors_draft(job, deps, draft_id):
        return
    send = deps.outreach.sends.button_send(team, draft_id)
    if kind == "replied" and send and send["bulk"]:  # a bulk send's replies are counts, added up over time
        slack_post("views.open", draft_id, deps.client.views_open, trigger_id=job.payload["trigger_id"],
                   view=replies_modal(draft_id, send))
        return
    with deps.store.transaction():
        added = deps.store.record_outcome(team, user, draft_id, kind)
        if added and kind == "sent":
            deps.outreach.sends.record(team, user, f"button:{draft_id}", "button", sent=1, draft_id=draft_id)
        elif added:
            deps.outreach.sends.record_reply(team, user, draft_id, None)
    if not added:
        _tell(deps, job, _(already), draft_id)
        return
    figures_changed(deps, job, "sent" if kind == "sent" else "reply", draft_id)
    buttons = [(_(label), action_id) for label, action_id in follow_ups]
    reply(deps, job, outcome_message(_(recorded), draft_id, buttons), draft_id)


def _forget_answers(job: Job, deps: Deps) -> None:
    """forget-me's offer taken: the app's answers to the user's forgotten drafts are deleted in Slack."""
    answers = deps.store.answers_of_forgotten(job.team_id, job.payload["user"])
    for row in answers:
        slack_post("chat.delete", row["id"], deps.client.chat_delete, channel=row["answer_channel"], ts=row["answer_ts"])
        deps.store.forget_answer(job.team_id, row["id"])
    said = ngettext("Deleted {count} answer the app had posted.", "Deleted {count} answers the app had posted.", len(answers))
    reply(deps, job, text_message(said), None, replace_original=True)


def _record_reply_kind(job: Job, deps: Deps) -> None:
    team, draft_id, kind = job.team_id, job.payload["value"], REPLY_KINDS[job.payload["action_id"]]
    if not _authors_draft(job, deps, draft_id):
        return
    deps.outreach.sends.record_reply(team, job.payload["user"], draft_id, kind)
    figures_changed(deps, job, f"reply_{kind}", draft_id)
    reply(deps, job, text_message(_(REPLY_RECORDED[kind])), draft_id, replace_original=True)


def bulk_submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    # The forms' errors are the ack's, in the language last found for the person (Slack's own
    # number_input limits catch a number out of range first, in Slack's language).
    raw = ((view["state"]["values"].get("count") or {}).get("value") or {}).get("value") or ""
    if not raw.isdigit() or not 1 <= int(raw) <= BULK_MAX:
        ack(response_action="errors", errors={"count": _("A whole number from 1 to {max}.", max=current().number(BULK_MAX))})
        return
    ack()
    payload = {"user": body["user"]["id"], "draft_id": view.get("private_metadata") or "", "count": int(raw)}
    work(context).submit(team_id(context, body), f"bulk:{view.get('id')}:{body.get('trigger_id')}:{raw}", "bulk_count",
                         payload)


def _bulk_count_job(job: Job, deps: Deps) -> None:
    count = job.payload["count"]
    if not _authors_draft(job, deps, job.payload["draft_id"]):
        return
    recorded = deps.outreach.sends.set_bulk(job.team_id, job.payload["draft_id"], count)
    if recorded:
        figures_changed(deps, job, "bulk", job.payload["draft_id"])
    text = (ngettext("Recorded: {count} InMail sent in bulk with this draft.",
                     "Recorded: {count} InMails sent in bulk with this draft.", count) if recorded
            else _("This draft is not marked as sent, so there is nothing to change."))
    reply(deps, job, text_message(text), job.payload["draft_id"])


def replies_submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """The bulk send's reply counts: checked in the ack (errors under their field), added by queued work."""
    values = view["state"]["values"]
    counts, errors = {}, {}
    for field in ("accepted", "declined"):
        raw = ((values.get(field) or {}).get("value") or {}).get("value") or "0"
        if not raw.isdigit() or int(raw) > BULK_MAX:
            errors[field] = _("A whole number from 0 to {max}.", max=current().number(BULK_MAX))
        counts[field] = int(raw) if raw.isdigit() else 0
    if not errors and not sum(counts.values()):
        errors["accepted"] = _("Enter how many accepted or declined (or both).")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    payload = {"user": body["user"]["id"], "draft_id": view.get("private_metadata") or ""} | counts
    work(context).submit(team_id(context, body), f"replies:{view.get('id')}:{body.get('trigger_id')}", "reply_counts",
                         payload)


def _reply_counts_job(job: Job, deps: Deps) -> None:
    p, draft_id = job.payload, job.payload["draft_id"]
    if not _authors_draft(job, deps, draft_id):
        return
    replied = p["accepted"] + p["declined"]
    result, waiting = deps.outreach.sends.add_replies(job.team_id, p["user"], f"replies:{job.key}", accepted=p["accepted"],
                                                      declined=p["declined"], replied=replied, at=time.time(),
                                                      since=0.0, draft_id=draft_id)
    if result == "added":
        figures_changed(deps, job, "replies", draft_id)
    send = deps.outreach.sends.button_send(job.team_id, draft_id) or {"sent": 0, "replied": 0}
    words = current()
    so_far = ngettext("{replied} of {count} InMail sent with this draft have replied.",
                      "{replied} of {count} InMails sent with this draft have replied.", send["sent"],
                      replied=words.number(send["replied"]))
    if result == "added":
        text = ngettext("Added {count} reply ({accepted} accepted, {declined} declined).",
                        "Added {count} replies ({accepted} accepted, {declined} declined).", replied,
                        accepted=words.number(p["accepted"]), declined=words.number(p["declined"])) + " " + so_far
    elif result == "exceeds":
        text = ngettext("Nothing was added: {count} reply would be more than the {waiting} still waiting for a reply.",
                        "Nothing was added: {count} replies would be more than the {waiting} still waiting for a reply.",
                        replied, waiting=words.number(waiting)) + " " + so_far
    else:
        text = _("These replies were already added.")
    reply(deps, job, text_message(text), draft_id)


HANDLERS: dict[str, HandlerFn] = {"button": _button_job, "bulk_count": _bulk_count_job, "reply_counts": _reply_counts_job}
