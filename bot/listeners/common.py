"""What every listener needs from Bolt's context: the service, the settings, who and where."""
from __future__ import annotations

from typing import Any, Mapping

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.review_service import ReviewService, slack_call
from bot.settings import Settings
from models.outreach import Outreach


def service(context: BoltContext) -> ReviewService:
    return context["service"]


def outreach(context: BoltContext) -> Outreach:
    return context["outreach"]


def settings(context: BoltContext) -> Settings:
    return context["settings"]


def team_id(context: BoltContext, body: Mapping[str, Any]) -> str:
    """The workspace of a request: every store row is keyed by it."""
    team = body.get("team")
    return (context.team_id or body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
            or context.enterprise_id or "")


def is_admin(client: WebClient, user_id: str) -> bool:
    """Workspace admins and owners, as Slack says (`users.info`); False when Slack cannot say."""
    info = slack_call("users.info", None, client.users_info, user=user_id)
    user = info["user"] if info else {}
    return bool(user.get("is_admin") or user.get("is_owner"))
