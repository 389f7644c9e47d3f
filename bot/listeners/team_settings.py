"""Team settings for admins: App Home's "Edit team settings" opens a form; a valid submission
is stored in `team_settings` and App Home is published again. Who is an admin is asked of
Slack (`users.info`: workspace admins and owners) when the form is opened (queued work), and
the answer is remembered for a while so the submission's ack can say "only admins" without a
Slack call; a submission nobody asked about is checked by the queued work instead.

Every number is bounded here, on the server (`BOUNDS`): the form's own limits are only a hint
to Slack's client, and a crafted submission must not store `warn_days=99999999999`."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext

from bot.blocks import SETTINGS_CALLBACK_ID, team_settings_modal
from bot.listeners.common import Deps, HandlerFn, deps_of, team_id, work
from bot.listeners.events import publish_home
from bot.review_service import slack_post
from bot.settings import timezone_name
from models.jobs import Job
from models.outreach import TeamSettings

NOT_ADMIN = "Only workspace admins can change the team settings."
INTEGERS = ("min_sent", "period_days", "warn_days", "grace_days", "restrict_days", "window_days")
# (lowest, highest) accepted for each number: wide enough for any real policy, never absurd.
BOUNDS: dict[str, tuple[int, int]] = {"min_sent": (1, 100_000), "period_days": (1, 365), "warn_days": (1, 365),
                                      "grace_days": (0, 365), "restrict_days": (1, 365), "window_days": (1, 365),
                                      "digest_hour": (0, 23), "retention_days": (1, 3650)}


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
               view=team_settings_modal(deps.outreach.settings(job.team_id)))


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
            errors[block_id] = "A number, please."
            return None

    policy = {name: number(name, int) for name in INTEGERS}
    threshold = number("threshold", float)
    hour, retention = number("digest_hour", int), number("retention_days", int)
    try:
        zone = timezone_name(_element(values, "timezone").get("value") or "")
    except ValueError:
        errors["timezone"] = "A time zone name such as Europe/Oslo or UTC."
    for name, value in (policy | {"digest_hour": hour, "retention_days": retention}).items():
        low, high = BOUNDS[name]
        if value is not None and not low <= value <= high:
            errors[name] = f"A whole number from {low:,} to {high:,}."
    weekday = (_element(values, "digest_weekday").get("selected_option") or {}).get("value") or "0"
    if weekday not in {str(day) for day in range(7)}:
        errors["digest_weekday"] = "A day of the week."
    if errors:
        return None, errors
    try:
        config = replace(current.policy, **policy, threshold=threshold / 100)
    except ValueError as error:
        return None, {"threshold": str(error)}
    return TeamSettings(
        alert_channel=_element(values, "alert_channel").get("selected_conversation") or None,
        digest_channel=_element(values, "digest_channel").get("selected_conversation") or None,
        digest_weekday=int(weekday), digest_hour=hour, timezone=zone, retention_days=retention,
        policy=config), {}


def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Checked in the ack (errors shown in the form: no database read, no Slack call); saved by queued work."""
    user, team = body["user"]["id"], team_id(context, body)
    if deps_of(context).known_admin(user) is False:
        ack(response_action="errors", errors={"alert_channel": NOT_ADMIN})
        return
    values = view["state"]["values"]
    _, errors = parse(values, TeamSettings())  # the errors depend on the values only
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    work(context).submit(team, f"settings:{view.get('id')}:{body.get('trigger_id')}", "save_settings",
                         {"user": user, "values": values})


def _save_settings_job(job: Job, deps: Deps) -> None:
    user = job.payload["user"]
    if not deps.is_admin(user):
        return
    settings, _ = parse(job.payload["values"], deps.outreach.settings(job.team_id))
    if settings is not None:
        deps.outreach.save_settings(job.team_id, settings)
    publish_home(job.team_id, user, deps)  # the admin sees the new settings in App Home at once


HANDLERS: dict[str, HandlerFn] = {"open_settings_form": _open_settings_form_job, "save_settings": _save_settings_job}
