"""App Home: on `app_home_opened` publish the user's recent reviews."""
from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import home_view
from bot.listeners.common import service, team_id
from bot.review_service import slack_call

RECENT_REVIEWS = 15


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def publish_home(event: dict[str, Any], client: WebClient, context: BoltContext, body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab: nothing to publish
    rows = service(context).store.recent_reviews(team_id(context, body), event["user"], RECENT_REVIEWS)
    slack_call("views.publish", None, client.views_publish, user_id=event["user"], view=home_view(rows))
