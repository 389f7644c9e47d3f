"""The `/inmail` form's submission: validate (errors shown in the form, in the form's language), then review
and DM the answer (in its reader's)."""
from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import FOLLOW_UPS_MAX, MODAL_CALLBACK_ID, SUBJECT_MAX, sequence_message, text_message
from bot.i18n import _, ngettext, reading
from bot.listeners.common import (BUSY_TEXT, UNRECORDED_TEXT, Deps, HandlerFn, answered_unsaved, draft_id_for, reply,
                                  reviewed, team_id, work)
from bot.work import BUSY, UNRECORDED
from models.jobs import Job
from models.records import CATEGORIES, Draft, Recipient

BODY_MIN = 20
FOLLOW_UP_MIN = 10


def register(app: App) -> None:
    app.view(MODAL_CALLBACK_ID)(submitted)


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get("value") or {}


def _value(values: dict[str, Any], block_id: str) -> str:
    return _element(values, block_id).get("value") or ""


def _selected(values: dict[str, Any], block_id: str) -> list[str]:
    element = _element(values, block_id)
    options = element.get("selected_options") or ([element["selected_option"]] if element.get("selected_option") else [])
    return [o["value"] for o in options if o.get("value") in CATEGORIES]


def validate(values: dict[str, Any]) -> dict[str, str]:
    """Errors by block_id, in words a recruiter can act on; empty when the form is fine."""
    errors = {}
    if len(_value(values, "body").strip()) < BODY_MIN:
        errors["body"] = ngettext("Paste the whole draft (at least {count} character).",
                                  "Paste the whole draft (at least {count} characters).", BODY_MIN)
    if len(_value(values, "subject")) > SUBJECT_MAX:
        errors["subject"] = ngettext("LinkedIn allows {count} character in a subject.",
                                     "LinkedIn allows {count} characters in a subject.", SUBJECT_MAX)
    for n in range(1, FOLLOW_UPS_MAX + 1):
        text, days = _value(values, f"follow_up_{n}").strip(), _value(values, f"follow_up_{n}_days").strip()
        if text and len(text) < FOLLOW_UP_MIN:
            errors[f"follow_up_{n}"] = ngettext(
                "Write the whole follow-up (at least {count} character), or leave it empty.",
                "Write the whole follow-up (at least {count} characters), or leave it empty.", FOLLOW_UP_MIN)
        if days and (not days.isdigit() or int(days) > 365):
            errors[f"follow_up_{n}_days"] = _("A whole number of days from 0 to 365.")
        elif days and not text:
            errors[f"follow_up_{n}"] = _("Write the follow-up these days are for, or clear the days.")
    return errors


def follow_ups_from_form(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The follow-ups filled in, in order: `{"body": …, "after_days": N or None}`."""
    found = []
    for n in range(1, FOLLOW_UPS_MAX + 1):
        text, days = _value(values, f"follow_up_{n}").strip(), _value(values, f"follow_up_{n}_days").strip()
        if text:
            found.append({"body": text, "after_days": int(days) if days.isdigit() else None})
    return found


def draft_from_form(values: dict[str, Any]) -> Draft:
    skills = tuple(s.strip() for s in _value(values, "recipient_skills").split(",") if s.strip())
    recipient = Recipient(name=_value(values, "recipient_name").strip() or None,
                          title=_value(values, "recipient_title").strip() or None,
                          company=_value(values, "recipient_company").strip() or None,
                          skills=skills, open_to=tuple(_selected(values, "open_to")))
    category = _selected(values, "category")
    bulk = any(o.get("value") == "bulk" for o in _element(values, "bulk").get("selected_options") or [])
    return Draft(body=_value(values, "body"), subject=_value(values, "subject").strip(), bulk=bulk,
                 category=category[0] if category else None,
                 recipient=recipient if recipient != Recipient() else None)


def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Validated in the ack (errors shown in the form, in the language it was shown in: its metadata
    says, as the ack has no time to ask); the review is queued and DMed."""
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    with reading(metadata.get("lang")):
        errors = validate(values)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    payload = {"user": body["user"]["id"], "channel": metadata.get("channel"), "draft": draft_from_form(values).to_dict(),
               "follow_ups": follow_ups_from_form(values)}
    key = f"modal:{view.get('id')}:{body.get('trigger_id')}"
    receipt = work(context).submit(team_id(context, body), key, "modal_draft", payload)
    ack()
    if receipt in (BUSY, UNRECORDED):  # a view submission's ack cannot carry a message: the DM says it
        work(context).submit(team_id(context, body), key, "say", payload | {"text": BUSY_TEXT if receipt == BUSY
                                                                               else UNRECORDED_TEXT}, durable=False)


def _modal_draft_job(job: Job, deps: Deps) -> None:
    if answered_unsaved(job, deps):
        return
    draft = Draft.from_dict(job.payload["draft"])
    answer = reviewed(job, deps, draft, lambda: deps.service.review_new(
        team_id=job.team_id, user_id=job.payload["user"], source="modal", draft=draft, draft_id=draft_id_for(job),
        channel=job.payload.get("channel")))
    reply(deps, job, answer.message if answer else deps.service.failure_message(), answer.draft_id if answer else None)
    if answer is not None and job.payload.get("follow_ups"):
        reply(deps, job, sequence_message(deps.service.review_sequence(draft, answer.review, job.payload["follow_ups"],
                                                                   team_id=job.team_id)),
              answer.draft_id)


def _say_job(job: Job, deps: Deps) -> None:
    """One of our messages (`BUSY_TEXT`…), said in its reader's language."""
    reply(deps, job, text_message(_(job.payload["text"])), None)


HANDLERS: dict[str, HandlerFn] = {"modal_draft": _modal_draft_job, "say": _say_job}
