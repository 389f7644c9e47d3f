"""Team settings for admins: App Home's "Edit team settings" opens a form; a valid submission
is stored in `team_settings` and App Home is published again. Who is an admin is asked of
Slack (`users.info`: workspace admins and owners) on opening and again on submitting."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import SETTINGS_CALLBACK_ID, team_settings_modal
from bot.listeners.common import is_admin, outreach, team_id
from bot.review_service import slack_call
from bot.listeners.events import publish_home
from bot.settings import timezone_name
from models.outreach import TeamSettings

NOT_ADMIN = "Only workspace admins can change the team settings."
INTEGERS = ("min_sent", "period_days", "warn_days", "grace_days", "restrict_days", "window_days")


def register(app: App) -> None:
    app.action("edit_team_settings")(open_form)
    app.view(SETTINGS_CALLBACK_ID)(submitted)


def open_form(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    if not is_admin(client, body["user"]["id"]):
        return
    settings = outreach(context).settings(team_id(context, body))
    slack_call("views.open", None, client.views_open, trigger_id=body["trigger_id"], view=team_settings_modal(settings))


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
    if hour is not None and not 0 <= hour <= 23:
        errors["digest_hour"] = "An hour from 0 to 23."
    if errors:
        return None, errors
    try:
        config = replace(current.policy, **policy, threshold=threshold / 100)
    except ValueError as error:
        return None, {"threshold": str(error)}
    weekday = (_element(values, "digest_weekday").get("selected_option") or {}).get("value") or "0"
    return TeamSettings(
        alert_channel=_element(values, "alert_channel").get("selected_conversation") or None,
        digest_channel=_element(values, "digest_channel").get("selected_conversation") or None,
        digest_weekday=int(weekday), digest_hour=hour, timezone=zone, retention_days=max(1, retention),
        policy=config), {}


def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    user, team = body["user"]["id"], team_id(context, body)
    if not is_admin(client, user):
        ack(response_action="errors", errors={"alert_channel": NOT_ADMIN})
        return
    settings, errors = parse(view["state"]["values"], outreach(context).settings(team))
    if settings is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    outreach(context).save_settings(team, settings)  # and the admin sees them in App Home at once
    publish_home({"user": user, "tab": "home"}, client, context, body)

