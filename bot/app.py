"""The Slack app factory: `create_app(settings, store, reviewer, work)` builds a Bolt `App`; nothing at import.

Acknowledge at once, work after: listeners run on the request thread
(`process_before_response=True`), record their work, queue it on `work` (`bot/work.py`, a
bounded pool of our own) and ack — no Slack call and no long database wait happens before the
ack, so a slow or rate-limiting Slack cannot make an ack late. Each listener module registers
its listeners with `register(app)` and names its work's handlers in `HANDLERS`.

Single-workspace token mode: the bot token from the settings. The seam for multi-workspace
installs is Bolt's `installation_store`/`oauth_settings` arguments here; every store row already
carries `team_id`, taken from each request's context.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.listeners import actions, commands, events, messages, shortcuts, team_rules, team_settings, views
from bot.i18n import reading_from_now
from bot.listeners.common import Deps, for_its_reader
from bot.readers import Readers
from bot.review_service import ReviewerLike, ReviewService
from bot.scheduler import team_defaults
from bot.settings import Settings
from bot.webhooks import Webhooks
from bot.work import WorkQueue
from models.jobs import Jobs
from models.outreach import Outreach
from models.store import Store

LISTENER_MODULES = (commands, messages, actions, views, events, shortcuts, team_settings, team_rules)
SERVER_ERROR_RETRIES = 1
SLACK_TIMEOUT_S = 10  # well inside a work lease (`Settings.lease_s`)
# How long the request thread waits for SQLite's write lock to record work before acking without it.
ACK_DB_WAIT_S = 1.0


def make_client(settings: Settings) -> WebClient:
    """The Web API client: `SLACK_API_URL`, one retry on 5xx. A 429 is not slept through here: the
    work that got it is postponed by its `Retry-After` (`bot.work.Retry`), freeing the worker."""
    handlers = default_retry_handlers() + [ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES)]
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=handlers,
                     timeout=SLACK_TIMEOUT_S)


def make_work(settings: Settings) -> WorkQueue:
    """The work queue on its own connection to the database, with a short busy timeout: recording
    work in the ack never waits behind the app's other writes or another process's lock for long."""
    jobs = Jobs(Store.open(settings.db_path, busy_timeout_s=ACK_DB_WAIT_S, migrate=False))
    return WorkQueue(jobs, workers=settings.workers, queue_size=settings.queue_size, lease_s=settings.lease_s)


def create_app(settings: Settings, store: Store, reviewer: ReviewerLike, work: WorkQueue,
               client: WebClient | None = None) -> App:
    """A Bolt app with every listener registered and their work's handlers bound to `work`
    (which the caller starts and stops); `client` defaults to `make_client(settings)`."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise ValueError("SLACK_SIGNING_SECRET is required over HTTP (or set SLACK_APP_TOKEN for Socket Mode)")
    client = client or make_client(settings)
    client.token = client.token or settings.slack_bot_token  # Bolt takes the token from the client
    app = App(
        # Socket Mode envelopes are not signed; over HTTP the secret is required (checked above).
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=True,
    )
    outreach = Outreach(store, team_defaults(settings))
    webhooks = Webhooks(outreach) if settings.webhook_url else None
    service = ReviewService(store, reviewer, outreach, webhooks=webhooks)
    service.history.warm()  # each team's template index, rebuilt from SQLite before the first request
    readers = Readers(outreach, client)
    deps = Deps(service, outreach, settings, client, work, webhooks, readers)

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
