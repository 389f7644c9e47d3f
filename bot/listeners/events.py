"""App Home: on `app_home_opened` publish the user's figures, policy status and recent reviews
(queued work: the ack never waits for the database or Slack), in the reader's language.

Everyone's App Home has a Language menu: picking a language (or "Automatic": Slack's language
for them if the app speaks it, else the team's) stores the choice (`models/readers.py`) and
publishes their App Home again in it, by queued work like every App Home action."""
from __future__ import annotations

import time
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import home_view
from bot.listeners.common import Deps, HandlerFn, team_id, work
from bot.digest import TEMPLATE_DAYS
from bot.i18n import reading, ui_languages
from bot.outcomes import sentence
from bot.readers import AUTOMATIC, LANGUAGE_ACTION
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
from models.readers import ReaderLanguages

RECENT_REVIEWS = 15


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(LANGUAGE_ACTION)(language_picked)


def home_opened(event: dict[str, Any], context: BoltContext, body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab: nothing to publish
    work(context).submit(team_id(context, body), f"home:{event['user']}", "publish_home", {"user": event["user"]},
                         durable=False)


def costly_now(outreach: Outreach, team: str) -> list[Effect]:
    """What clearly cost the team replies over the sends settled in the last half year."""
    settled = outreach.settings.get(team).policy.settled_before(time.time())
    return costly(outreach.store, team, settled - COSTLY_DAYS * DAY, settled, limit=TOP_COSTLY + 1)


def templates_now(outreach: Outreach, team: str) -> list[str]:
    """The team's most sent templates of the last 30 days, in a lead's words."""
    now = time.time()
    settled = outreach.settings.get(team).policy.settled_before(now)
    return [template_sentence(t) for t in templates(outreach.store, team, now - TEMPLATE_DAYS * DAY, settled, limit=2)]


def publish_home(team: str, user: str, deps: Deps, notice: str = "") -> None:
    """The user's App Home, with the team settings and the team's rules for admins (also after an
    admin saved or changed them: `notice` then says what came of it)."""
    rows = deps.store.recent_reviews(team, user, RECENT_REVIEWS)
    figures = user_figures(deps.outreach, team, user, time.time())
    settings = deps.outreach.settings.get(team)
    admin = deps.is_admin(user)
    service = deps.service
    chosen = deps.readers.chosen.chosen(team, user) if deps.readers else ReaderLanguages(deps.store).chosen(team, user)
    view = home_view(rows, figures, settings.timezone, settings if admin else None,
                     undelivered=len(deps.outreach.outbox.undelivered(team)) if admin else 0,
                     channel_problems=deps.outreach.channel_problems.of(team) if admin else (),
                     costly=[sentence(e) for e in costly_now(deps.outreach, team)] if admin else (),
                     templates=templates_now(deps.outreach, team) if admin else (),
                     team_rules=home_section(service.team_rules, service.dismissals, team, rule_title, time.time())
                     if admin else None, notice=notice if admin else "", language=chosen)
    slack_post("views.publish", None, deps.client.views_publish, user_id=user, view=view)


def _publish_home_job(job: Job, deps: Deps) -> None:
    publish_home(job.team_id, job.payload["user"], deps)


def language_picked(ack: Ack, action: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    ack()
    value = (action.get("selected_option") or {}).get("value") or ""
    user = body["user"]["id"]
    work(context).submit(team_id(context, body), f"language:{user}:{value}:{action.get('action_ts') or body.get('trigger_id')}",
                         "choose_language", {"user": user, "language": value})


def _choose_language_job(job: Job, deps: Deps) -> None:
    """Stores the reader's choice (a crafted value that is no interface language changes nothing)
    and publishes their App Home in the language they get now."""
    team, user, value = job.team_id, job.payload["user"], job.payload["language"]
    if value != AUTOMATIC and value not in ui_languages():
        return
    chosen = deps.readers.chosen if deps.readers else ReaderLanguages(deps.store)
    chosen.choose(team, user, None if value == AUTOMATIC else value)
    with reading(deps.readers.language(team, user) if deps.readers else value):
        publish_home(team, user, deps)


HANDLERS: dict[str, HandlerFn] = {"publish_home": _publish_home_job, "choose_language": _choose_language_job}
