"""The app removed from a workspace: `app_uninstalled` and `tokens_revoked` (Slack sends both when
a workspace uninstalls the app, and `tokens_revoked` alone when its tokens are revoked).

The tokens go (`TeamClients.forget`: in OAuth mode the stored bot token and installs; token mode
stores none). The workspace's data stays — a reinstall finds its figures and history again — or,
when its admins chose so under "When the app is uninstalled" in the team settings
(`TeamSettings.on_uninstall`), every row of the workspace in every table is deleted
(`models/team_data.py`) and the database checkpointed, so the text leaves the disk too. Only
`app_uninstalled` purges: revoked tokens alone may be followed by a reinstall.

Both are queued work like every listener's; Bolt authorizes neither (the tokens are gone by then)
and their work calls no Slack method.
"""
from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.listeners.common import Deps, HandlerFn, team_id, work
from models.jobs import Job
from models.team_data import purge_team

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


def uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    work(context).submit(team_id(context, body), f"uninstalled:{body.get('event_id')}", "app_uninstalled",
                         {"enterprise_id": context.enterprise_id})


def tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    tokens = event.get("tokens") or {}
    work(context).submit(team_id(context, body), f"revoked:{body.get('event_id')}", "tokens_revoked",
                         {"enterprise_id": context.enterprise_id, "bot": bool(tokens.get("bot")),
                          "users": [str(user) for user in tokens.get("oauth") or []]})


def _uninstalled_job(job: Job, deps: Deps) -> None:
    deps.client.forget(job.team_id, job.payload.get("enterprise_id"))
    if deps.outreach.settings.get(job.team_id).on_uninstall != "purge":
        log.info("team %s uninstalled the app: its tokens are deleted, its data kept", job.team_id)
        return
    deleted = purge_team(deps.store, job.team_id)  # this work's own row with it: nothing is left to finish
    deps.store.checkpoint()
    log.info("team %s uninstalled the app: its tokens and its data (%d rows) deleted", job.team_id,
             sum(deleted.values()))


def _tokens_revoked_job(job: Job, deps: Deps) -> None:
    deps.client.forget(job.team_id, job.payload.get("enterprise_id"), bot=job.payload["bot"],
                       users=tuple(job.payload["users"]))


HANDLERS: dict[str, HandlerFn] = {"app_uninstalled": _uninstalled_job, "tokens_revoked": _tokens_revoked_job}
