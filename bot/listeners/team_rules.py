"""Leads run the rules from Slack (issue 14).

- **"Not applicable here"**: each severity's heading in a review carries a menu naming its
  findings; picking one dismisses that finding for this draft (the author or an admin may), and
  the review is answered again without it (`ReviewService.dismiss`).
- **App Home, for admins**: what the team dismisses most, with one-click "Switch this phrase off
  for the team" / "Lower this rule to suggestion", the list of changes with "Undo", and "Add a
  phrase…", a form that checks the phrase and previews it on the team's latest drafts before
  it saves (the first submission previews, the second of the same values saves).

Every click is acked at once and done by queued work; admins are asked of Slack there
(`bot/admins.py`). A change is checked against the team's rules as they are (an unknown rule or
phrase is refused with the reason) and stored; every process picks it up at its next review.
Every answer is in its reader's language; the phrase form names its language in its
`private_metadata`, so the submission's ack (which asks nobody) answers in it too.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import (DISMISS_ACTION, PHRASE_CALLBACK_ID, PHRASE_FAMILIES, SUGGESTION_MAX, phrase_modal,
                        preview_text, text_message)
from bot.i18n import _, reading
from bot.listeners.common import Deps, HandlerFn, deps_of, reply, team_id, work
from bot.listeners.team_settings import form_language
from bot.listeners.events import publish_home
from bot.review_service import TEXT_GONE, slack_post
from bot.team_rules import describe, language_name, languages
from bot.tips import title as rule_title
from models.jobs import Job
from models.records import SEVERITIES
from rules.i18n import N_
from rules.packs import PHRASE_MAX, TeamChange

log = logging.getLogger(__name__)

UNKNOWN_DRAFT = N_("This review's draft is not in the store any more.")
NOT_YOURS = N_("This is <@{author}>'s draft: only they (or the app's admins) can mark its findings as not "
               "applicable, so nothing was dismissed.")
GONE = N_("This finding is not in the draft's review any more (the draft or the team's rules changed since it was "
          "shown), so nothing was dismissed. The review above is the current one.")
NOT_ADMIN = N_("Only the app's admins can change the team's rules (the workspace's admins, or whom INMAIL_ADMINS names).")
RULE_ACTIONS = ("team_phrase_off", "team_rule_suggestion", "team_rule_undo")


def register(app: App) -> None:
    app.action(DISMISS_ACTION)(dismiss_picked)
    for action_id in RULE_ACTIONS:
        app.action(action_id)(rule_clicked)
    app.action("team_add_phrase")(add_phrase_clicked)
    app.view(PHRASE_CALLBACK_ID)(phrase_submitted)


# --- "Not applicable here" ---------------------------------------------------------------------
def dismiss_picked(ack: Ack, action: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    ack()
    value = (action.get("selected_option") or {}).get("value") or ""
    payload = {"user": body["user"]["id"], "value": value, "response_url": body.get("response_url")}
    work(context).submit(team_id(context, body), f"dismiss:{value}:{action.get('action_ts') or body.get('trigger_id')}",
                         "dismiss_finding", payload)


def _tell(deps: Deps, job: Job, text: str, draft_id: str | None) -> None:
    reply(deps, job, text_message(text), draft_id)


def _dismiss_job(job: Job, deps: Deps) -> None:
    team, user = job.team_id, job.payload["user"]
    draft_id, _bar, token = job.payload["value"].partition("|")
    row = deps.store.draft(team, draft_id) if draft_id and token else None
    if row is None:
        _tell(deps, job, _(UNKNOWN_DRAFT), draft_id or None)
        return
    if row["user_id"] != user and not deps.is_admin(user):
        _tell(deps, job, _(NOT_YOURS, author=row["user_id"]), draft_id)
        return
    if row["text"] is None:
        _tell(deps, job, _(TEXT_GONE), draft_id)
        return
    status, answer = deps.service.dismiss(team, row, token, user)
    if status == "gone":
        _tell(deps, job, _(GONE), draft_id)
        return
    if answer is None:
        _tell(deps, job, deps.service.failure_message()["text"], draft_id)
        return
    if row["answer_ts"]:  # the answer in a drafts-channel thread: everyone sees it change
        slack_post("chat.update", draft_id, deps.client.chat_update, channel=row["answer_channel"], ts=row["answer_ts"],
                   **answer.message)
    else:  # an ephemeral answer or a DM: the message the menu is on
        reply(deps, job, answer.message, draft_id, replace_original=True)


# --- App Home: one-click changes and Undo --------------------------------------------------------
def rule_clicked(ack: Ack, action: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    ack()
    payload = {"user": body["user"]["id"], "action_id": action["action_id"], "value": action.get("value") or ""}
    clicked_at = action.get("action_ts") or body.get("trigger_id")
    work(context).submit(team_id(context, body), f"rules:{action['action_id']}:{payload['value']}:{clicked_at}",
                         "team_rule_click", payload)


def _change_of(action_id: str, value: str) -> TeamChange:
    data = json.loads(value) if value.startswith("{") else {}
    if action_id == "team_phrase_off":
        return TeamChange("phrase-off", str(data.get("rule") or ""), str(data.get("language") or ""),
                          str(data.get("phrase") or ""))
    return TeamChange("level", str(data.get("rule") or ""), level="suggestion")


IN_EFFECT = N_("It applies from the next review, in every process; Undo is in the list below.")


def _row(change: TeamChange) -> dict[str, str]:
    """A change as `bot.team_rules.describe` reads a stored one."""
    return {"kind": change.kind, "rule": change.rule, "language": change.language, "phrase": change.phrase.strip(),
            "level": change.level, "suggestion": change.suggestion.strip()}


def _rule_click_job(job: Job, deps: Deps) -> None:
    team, user, action_id, value = job.team_id, job.payload["user"], job.payload["action_id"], job.payload["value"]
    if not deps.is_admin(user):
        log.info("a rule change by %s, who is no admin, was refused", user)
        return
    rules = deps.service.team_rules
    if action_id == "team_rule_undo":
        row = rules.undo(team, int(value), user) if value.isdigit() else None
        notice = (_("Undone: {what}. The team's rules are as before at the next review.", what=describe(row, rule_title))
                  if row else _("That change was undone already."))
    else:
        try:
            change = _change_of(action_id, value)
        except ValueError:  # not JSON: a crafted click
            publish_home(team, user, deps, notice=_("Not changed: the button's data is unreadable."))
            return
        change_id, reason = rules.record(team, user, change)
        notice = (_("Done: {what} for the team. {in_effect}", what=describe(_row(change), rule_title), in_effect=_(IN_EFFECT))
                  if change_id is not None else _("Not changed: {reason}.", reason=reason))
    publish_home(team, user, deps, notice=notice)


# --- App Home: "Add a phrase…" -------------------------------------------------------------------
def add_phrase_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    work(context).submit(team_id(context, body), f"phrase_form:{body.get('trigger_id')}", "open_phrase_form",
                         {"user": body["user"]["id"], "trigger_id": body.get("trigger_id")}, durable=False)


def _open_phrase_form_job(job: Job, deps: Deps) -> None:
    if deps.is_admin(job.payload["user"]):
        slack_post("views.open", None, deps.client.views_open, trigger_id=job.payload["trigger_id"], view=phrase_modal())


def _values(view: dict[str, Any]) -> dict[str, str]:
    """The form's fields as plain strings."""
    state = (view.get("state") or {}).get("values") or {}

    def element(block_id: str) -> dict[str, Any]:
        return (state.get(block_id) or {}).get("value") or {}

    chosen = {b: (element(b).get("selected_option") or {}).get("value") or "" for b in ("language", "family", "level")}
    return chosen | {"phrase": (element("phrase").get("value") or "").strip(),
                     "suggestion": (element("suggestion").get("value") or "").strip()}


def _digest(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


def form_errors(values: dict[str, str]) -> dict[str, str]:
    """What the form itself can tell (no database, no rules): errors by block_id."""
    errors = {}
    if values["language"] not in languages():
        errors["language"] = _("Pick a language.")
    if values["family"] not in PHRASE_FAMILIES:
        errors["family"] = _("Pick a family.")
    if values["level"] not in SEVERITIES:
        errors["level"] = _("Pick a level.")
    phrase = values["phrase"]
    if not any(ch.isalnum() for ch in phrase):
        errors["phrase"] = _("Write the phrase: at least one letter or digit.")
    elif len(phrase) > PHRASE_MAX or "\n" in phrase:
        errors["phrase"] = _("One line of at most {limit} characters.", limit=PHRASE_MAX)
    if len(values["suggestion"]) > SUGGESTION_MAX:
        errors["suggestion"] = _("At most {limit} characters.", limit=SUGGESTION_MAX)
    elif values["suggestion"] and values["suggestion"].casefold() == phrase.casefold():
        errors["suggestion"] = _("Say what to write instead, not the phrase itself.")
    return errors


def phrase_submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Checked in the ack (errors under their field, in the form's language); previewed, or — the
    same values submitted again after their preview — saved, by queued work."""
    with reading(form_language(view)):
        _answer_phrase(ack, view, body, context)


def _answer_phrase(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    user, team = body["user"]["id"], team_id(context, body)
    values = _values(view)
    if deps_of(context).known_admin(user) is False:
        ack(response_action="errors", errors={"phrase": _(NOT_ADMIN)})
        return
    errors = form_errors(values)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    metadata = json.loads(view.get("private_metadata") or "{}") or {}
    previewed = metadata.get("previewed") if isinstance(metadata, dict) else None
    key = f"phrase:{view.get('id')}:{_digest(values)}"
    if previewed == _digest(values):
        ack()
        work(context).submit(team, key + ":save", "save_phrase", {"user": user, "values": values})
        return
    ack(response_action="update", view=phrase_modal(values, status=_("Checking the phrase and trying it on the team's "
                                                                       "latest drafts…")))
    work(context).submit(team, key + ":preview", "preview_phrase", {"user": user, "values": values,
                                                                    "view_id": view.get("id")})


def _change_from(values: dict[str, str]) -> TeamChange:
    return TeamChange("add-phrase", values["family"], values["language"], values["phrase"], values["level"],
                      values["suggestion"])


def _preview_phrase_job(job: Job, deps: Deps) -> None:
    team, values = job.team_id, job.payload["values"]
    if not deps.is_admin(job.payload["user"]):
        return
    change = _change_from(values)
    reason = deps.service.team_rules.refusal(team, change)
    if reason is not None:
        view = phrase_modal(values, status="⚠️ " + _("This phrase cannot be added: {reason}. Change it and preview again.",
                                                      reason=reason))
    else:
        retention = deps.outreach.settings.get(team).retention_days
        preview = deps.service.team_rules.preview(team, change, retention)
        view = phrase_modal(values, status=preview_text(change.phrase, language_name(change.language), preview),
                            previewed=_digest(values))
    slack_post("views.update", None, deps.client.views_update, view_id=job.payload["view_id"], view=view)


def _save_phrase_job(job: Job, deps: Deps) -> None:
    team, user, values = job.team_id, job.payload["user"], job.payload["values"]
    if not deps.is_admin(user):
        return
    change = _change_from(values)
    change_id, reason = deps.service.team_rules.record(team, user, change)
    notice = (_("Done: {what}. {in_effect}", what=describe(_row(change), rule_title), in_effect=_(IN_EFFECT))
              if change_id is not None else _("Not added: {reason}.", reason=reason))
    publish_home(team, user, deps, notice=notice)


HANDLERS: dict[str, HandlerFn] = {"dismiss_finding": _dismiss_job, "team_rule_click": _rule_click_job,
                                  "open_phrase_form": _open_phrase_form_job, "preview_phrase": _preview_phrase_job,
                                  "save_phrase": _save_phrase_job}
