"""The Slack app factory: `create_app(settings, store, reviewer, work)` builds a Bolt `App`; nothing at import.

Acknowledge at once, work after: listeners run on the request thread
(`process_before_response=True`), record their work, queue it on `work` (`bot/work.py`, a
bounded pool of our own) and ack — no Slack call and no long database wait happens before the
ack, so a slow or rate-limiting Slack cannot make an ack late. Each listener module registers
its listeners with `register(app)` and names its work's handlers in `HANDLERS`.

Single-workspace token mode: the bot token from the settings. OAuth mode (many workspaces,
`bot/oauth.py`): Bolt's install flow over our stores, each request authorized with its
workspace's stored token, and the work's Slack calls made with the token of the workspace they
are for (`TeamClients`, `bot/slack_client.py`); every store row carries `team_id`, taken from
each request's context.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners import actions, commands, events, messages, shortcuts, team_rules, team_settings, uninstalls, views
from bot.i18n import reading_from_now
from bot.listeners.common import Deps, for_its_reader
from bot.metrics import Metrics
from bot.oauth import credentials_problem, oauth_app_args, team_clients
from bot.readers import Readers
from bot.review_service import ReviewerLike, ReviewService
from bot.settings import Settings
from bot.slack_client import make_client
from bot.webhooks import Webhooks
from bot.work import WorkQueue
from models.jobs import Jobs
from models.outreach import Outreach
from models.store import Store

LISTENER_MODULES = (commands, messages, actions, views, events, shortcuts, team_settings, team_rules, uninstalls)
# How long the request thread waits for SQLite's write lock to record work before acking without it.
ACK_DB_WAIT_S = 1.0


def make_work(settings: Settings) -> WorkQueue:
    """The work queue on its own connection to the database, with a short busy timeout: recording
    work in the ack never waits behind the app's other writes or another process's lock for long."""
    jobs = Jobs(Store.open(settings.db_path, busy_timeout_s=ACK_DB_WAIT_S, migrate=False))
    return WorkQueue(jobs, workers=settings.workers, queue_size=settings.queue_size, lease_s=settings.lease_s)


def create_app(settings: Settings, store: Store, reviewer: ReviewerLike, work: WorkQueue,
               client: WebClient | None = None, metrics: Metrics | None = None,
               outreach: Outreach | None = None) -> App:
    """A Bolt app with every listener registered and their work's handlers bound to `work`
    (which the caller starts and stops); `client` defaults to `make_client(settings)`; what it
    does is counted in `metrics` (`bot/metrics.py`; the caller serves them). `outreach` is the
    one the process shares with its scheduler (built here when the caller has none)."""
    metrics = metrics or Metrics()
    metrics.watch_work(work)
    problem = credentials_problem(settings)
    if problem:
        raise ValueError(problem)
    client = client or make_client(settings, on_failure=metrics.slack_failed)
    client.token = client.token or settings.slack_bot_token  # Bolt takes the token from the client
    clients = team_clients(settings, store, client)
    app = App(
        # Socket Mode envelopes are not signed; over HTTP the secret is required (checked above).
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=True,
        **oauth_app_args(settings, work.jobs.store, client),
    )
    outreach = outreach or Outreach(store, settings.team_defaults())
    webhooks = Webhooks(outreach) if settings.webhook_url else None
    service = ReviewService(store, reviewer, outreach, webhooks=webhooks, metrics=metrics)
    metrics.watch_outbox(outreach.outbox)
    readers = Readers(outreach, clients)
    deps = Deps(service, outreach, settings, clients, work, webhooks, readers)

    @app.middleware
    def provide(context: BoltContext, next: Callable[[], Any]) -> Any:
        """Hands the app's settings, services and work queue to every listener through its
        context; what a listener says in its ack is in the language last found for the person."""
        context["settings"] = settings
        context["work"] = work
        context["deps"] = deps
        # Set for the rest of the request, not around next(): Bolt runs the listener after this returns.
        reading_from_now(readers.known_language(context.team_id or "", context.user_id))
        return next()

    for module in LISTENER_MODULES:
        module.register(app)
        for kind, handler in getattr(module, "HANDLERS", {}).items():
            work.register(kind, partial(for_its_reader, handler, deps=deps))
    return app
