"""App Home: on `app_home_opened` publish the user's figures, policy status and recent reviews
(queued work: the ack never waits for the database or Slack)."""
from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext

from bot.blocks import home_view
from bot.listeners.common import Deps, HandlerFn, team_id, work
from bot.digest import TEMPLATE_DAYS
from bot.outcomes import sentence
from bot.template_outcomes import sentence as template_sentence
from bot.template_outcomes import templates
from bot.review_service import slack_post
from bot.team_rules import home_section
from bot.tips import title as rule_title
from models.digest import COSTLY_DAYS, TOP_COSTLY
from models.effects import Effect, costly
from models.jobs import Job
from models.outreach import Outreach, user_figures
from models.policy import DAY

RECENT_REVIEWS = 15


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)


def home_opened(event: dict[str, Any], context: BoltContext, body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab: nothing to publish
    work(context).submit(team_id(context, body), f"home:{event['user']}", "publish_home", {"user": event["user"]},
                         durable=False)


def costly_now(outreach: Outreach, team: str) -> list[Effect]:
    """What clearly cost the team replies over the sends settled in the last half year."""
    settled = outreach.settings(team).policy.settled_before(time.time())
    return costly(outreach.store, team, settled - COSTLY_DAYS * DAY, settled, limit=TOP_COSTLY + 1)


def templates_now(outreach: Outreach, team: str) -> list[str]:
    """The team's most sent templates of the last 30 days, in a lead's words."""
    now = time.time()
    settled = outreach.settings(team).policy.settled_before(now)
    return [template_sentence(t) for t in templates(outreach.store, team, now - TEMPLATE_DAYS * DAY, settled, limit=2)]


def publish_home(team: str, user: str, deps: Deps, notice: str = "") -> None:
    """The user's App Home, with the team settings and the team's rules for admins (also after an
    admin saved or changed them: `notice` then says what came of it)."""
    rows = deps.store.recent_reviews(team, user, RECENT_REVIEWS)
    figures = user_figures(deps.outreach, team, user, time.time())
    settings = deps.outreach.settings(team)
    admin = deps.is_admin(user)
    service = deps.service
    view = home_view(rows, figures, settings.timezone, settings if admin else None,
                     undelivered=len(deps.outreach.undelivered(team)) if admin else 0,
                     channel_problems=deps.outreach.channel_problems(team) if admin else (),
                     costly=[sentence(e) for e in costly_now(deps.outreach, team)] if admin else (),
                     templates=templates_now(deps.outreach, team) if admin else (),
                     team_rules=home_section(service.team_rules, service.dismissals, team, rule_title, time.time())
                     if admin else None, notice=notice if admin else "")
    slack_post("views.publish", None, deps.client.views_publish, user_id=user, view=view)


def _publish_home_job(job: Job, deps: Deps) -> None:
    publish_home(job.team_id, job.payload["user"], deps)


HANDLERS: dict[str, HandlerFn] = {"publish_home": _publish_home_job}
