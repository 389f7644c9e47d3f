"""App Home: on `app_home_opened` publish the user's figures, policy status and recent reviews."""
from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import home_view
from bot.listeners.common import is_admin, outreach, service, team_id
from bot.review_service import slack_call
from models.outreach import user_figures

RECENT_REVIEWS = 15


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def publish_home(event: dict[str, Any], client: WebClient, context: BoltContext, body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab: nothing to publish
    team = team_id(context, body)
    rows = service(context).store.recent_reviews(team, event["user"], RECENT_REVIEWS)
    figures = user_figures(outreach(context), team, event["user"], time.time())
    settings = outreach(context).settings(team)
    view = home_view(rows, figures, settings.timezone, settings if is_admin(client, event["user"]) else None)
    slack_call("views.publish", None, client.views_publish, user_id=event["user"], view=view)
