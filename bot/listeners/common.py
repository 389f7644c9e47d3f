"""What every listener needs from Bolt's context: the service, the settings, who and where."""
from __future__ import annotations

from typing import Any, Mapping

from slack_bolt import BoltContext

from bot.review_service import ReviewService
from bot.settings import Settings


def service(context: BoltContext) -> ReviewService:
    return context["service"]


def settings(context: BoltContext) -> Settings:
    return context["settings"]


def team_id(context: BoltContext, body: Mapping[str, Any]) -> str:
    """The workspace of a request: every store row is keyed by it."""
    team = body.get("team")
    return (context.team_id or body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
            or context.enterprise_id or "")
