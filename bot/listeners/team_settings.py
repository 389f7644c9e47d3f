"""Team settings for admins: App Home's "Edit team settings" opens a form; a valid submission
is stored in `team_settings` and App Home is published again. Who is an admin is asked of
Slack (`users.info`: workspace admins and owners) when the form is opened (queued work), and
the answer is remembered for a while so the submission's ack can say "only admins" without a
Slack call; a submission nobody asked about is checked by the queued work instead.

Every number is bounded here, on the server (`BOUNDS`): the form's own limits are only a hint
to Slack's client, and a crafted submission must not store `warn_days=99999999999`.

The form also takes LinkedIn Recruiter's InMail report as an upload (`file_input`). A submission
with a file keeps the form open: the ack replaces it with the same form saying the import is
running, and the queued work imports it (`bot/report_upload.py`), saves the settings and shows
the result in the form (`views.update`).

The form is written in its reader's language and names it in its `private_metadata`, so the
ack, which asks nobody, says its errors (and "Importing…") in the same language. The team's
language (`TeamSettings.language`) is one of the interface languages, checked here too; so is
what happens to the team's data when the app is uninstalled (`on_uninstall`: kept, or purged by
`bot/listeners/uninstalls.py`)."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext

from bot.blocks import SETTINGS_CALLBACK_ID, team_settings_modal
from bot.i18n import _, reading, ui_languages
from bot.i18n import current as reader
from bot.listeners.common import Deps, HandlerFn, deps_of, team_id, work
from bot.listeners.events import publish_home
from bot.report_upload import import_upload
from bot.review_service import slack_post
from bot.settings import timezone_name
from models.jobs import Job
from models.team_settings import ON_UNINSTALL, TeamSettings
from rules.i18n import N_

NOT_ADMIN = N_("Only the app's admins can change the team settings (the workspace's admins, or whom INMAIL_ADMINS names).")
INTEGERS = ("min_sent", "period_days", "warn_days", "grace_days", "restrict_days", "window_days")
# (lowest, highest) accepted for each number: wide enough for any real policy, never absurd.
BOUNDS: dict[str, tuple[int, int]] = {"min_sent": (1, 100_000), "period_days": (1, 365), "warn_days": (1, 365),
                                      "grace_days": (0, 365), "restrict_days": (1, 365), "window_days": (1, 365),
                                      "digest_hour": (0, 23), "retention_days": (1, 3650)}
IMPORT_BLOCK = "import_file"
STATUS_TEXT_MAX = 3000  # a section's text


def register(app: App) -> None:
    app.action("edit_team_settings")(open_form)
    app.view(SETTINGS_CALLBACK_ID)(submitted)


def open_form(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    work(context).submit(team_id(context, body), f"settings_form:{body.get('trigger_id')}", "open_settings_form",
                         {"user": body["user"]["id"], "trigger_id": body["trigger_id"]}, durable=False)


def _open_settings_form_job(job: Job, deps: Deps) -> None:
    if not deps.is_admin(job.payload["user"]):
        return
    slack_post("views.open", None, deps.client.views_open, trigger_id=job.payload["trigger_id"],
               view=team_settings_modal(deps.outreach.settings.get(job.team_id)))


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get("value") or {}


def parse(values: dict[str, Any], current: TeamSettings) -> tuple[TeamSettings | None, dict[str, str]]:
    """The submitted settings, or the errors by block_id in words an admin can act on."""
    errors: dict[str, str] = {}

    def number(block_id: str, convert: Callable[[str], Any]) -> Any:
        raw = _element(values, block_id).get("value") or ""
        try:
            return convert(raw)
        except ValueError:
            errors[block_id] = _("A number, please.")
            return None

    policy = {name: number(name, int) for name in INTEGERS}
    threshold = number("threshold", float)
    hour, retention = number("digest_hour", int), number("retention_days", int)
    try:
        zone = timezone_name(_element(values, "timezone").get("value") or "")
    except ValueError:
        errors["timezone"] = _("A time zone name such as Europe/Oslo or UTC.")
    for name, value in (policy | {"digest_hour": hour, "retention_days": retention}).items():
        low, high = BOUNDS[name]
        if value is not None and not low <= value <= high:
            errors[name] = _("A whole number from {low} to {high}.", low=reader().number(low), high=reader().number(high))
    weekday = (_element(values, "digest_weekday").get("selected_option") or {}).get("value") or "0"
    if weekday not in {str(day) for day in range(7)}:
        errors["digest_weekday"] = _("A day of the week.")
    if threshold is not None and not 0 < threshold < 100:
        errors["threshold"] = _("A percentage above 0 and under 100, such as 13.")
    language = (_element(values, "language").get("selected_option") or {}).get("value") or current.language
    if language not in ui_languages():
        errors["language"] = _("One of the languages listed.")
    on_uninstall = (_element(values, "on_uninstall").get("selected_option") or {}).get("value") or current.on_uninstall
    if on_uninstall not in ON_UNINSTALL:
        errors["on_uninstall"] = _("One of the choices listed.")
    if errors:
        return None, errors
    config = replace(current.policy, **policy, threshold=threshold / 100)
    return TeamSettings(
        alert_channel=_element(values, "alert_channel").get("selected_conversation") or None,
        digest_channel=_element(values, "digest_channel").get("selected_conversation") or None,
        digest_weekday=int(weekday), digest_hour=hour, timezone=zone, retention_days=retention,
        policy=config, language=language, on_uninstall=on_uninstall), {}


def uploaded_file(values: dict[str, Any]) -> dict[str, Any] | None:
    """The report the admin attached to the form, if any (Slack's file object, id and name)."""
    files = _element(values, IMPORT_BLOCK).get("files") or []
    return files[0] if files and isinstance(files[0], dict) and files[0].get("id") else None


def with_status(view: dict[str, Any], text: str) -> dict[str, Any]:
    """The form with `text` (plain, never mrkdwn: it quotes the file) just above the upload field."""
    blocks = list(view["blocks"])
    at = next((i for i, block in enumerate(blocks) if block.get("block_id") == IMPORT_BLOCK), len(blocks))
    status = {"type": "section", "block_id": "import_status",
              "text": {"type": "plain_text", "text": text[:STATUS_TEXT_MAX], "emoji": False}}
    return view | {"blocks": blocks[:at] + [status] + blocks[at:]}


def form_language(view: dict[str, Any]) -> str | None:
    """The language the form was written in (its `private_metadata`); None when it does not say."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    return lang if isinstance(lang, str) else None


def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Checked in the ack (errors shown in the form, in its language: no database read, no Slack
    call); saved by queued work. With a report attached, the form stays open and says the import
    is running."""
    with reading(form_language(view)):
        _answer_submission(ack, view, body, context)


def _answer_submission(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    user, team = body["user"]["id"], team_id(context, body)
    if deps_of(context).known_admin(user) is False:
        ack(response_action="errors", errors={"alert_channel": _(NOT_ADMIN)})
        return
    values = view["state"]["values"]
    entered, errors = parse(values, TeamSettings())  # the errors depend on the values only
    if errors or entered is None:
        ack(response_action="errors", errors=errors)
        return
    upload = uploaded_file(values)
    if upload is None:
        ack()
    else:
        name = upload.get("name")
        running = (_("Importing {name}… the result will be shown here.", name=name) if name
                   else _("Importing the report… the result will be shown here."))
        ack(response_action="update", view=with_status(team_settings_modal(entered), running))
    work(context).submit(team, f"settings:{view.get('id')}:{body.get('trigger_id')}", "save_settings",
                         {"user": user, "values": values, "view_id": view.get("id")})


def _save_settings_job(job: Job, deps: Deps) -> None:
    user = job.payload["user"]
    if not deps.is_admin(user):
        return
    settings, _errors = parse(job.payload["values"], deps.outreach.settings.get(job.team_id))
    if settings is not None:
        deps.outreach.settings.save(job.team_id, settings)
    # The team's language may have changed, and with it the admin's (when they chose none of their own).
    lang = deps.readers.language(job.team_id, user) if deps.readers else reader().lang
    with reading(lang):
        upload = uploaded_file(job.payload["values"])
        if upload is not None and job.payload.get("view_id"):
            dates = (_element(job.payload["values"], "import_dates").get("selected_option") or {}).get("value")
            result = import_upload(job.team_id, deps, upload["id"], dates if dates in ("day", "month") else None)
            slack_post("views.update", None, deps.client.views_update, view_id=job.payload["view_id"],
                       view=with_status(team_settings_modal(deps.outreach.settings.get(job.team_id)), result))
        publish_home(job.team_id, user, deps)  # the admin sees the new settings in App Home at once


HANDLERS: dict[str, HandlerFn] = {"open_settings_form": _open_settings_form_job, "save_settings": _save_settings_job}
