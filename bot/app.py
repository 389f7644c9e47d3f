"""The Slack app factory: `create_app(settings, store, reviewer)` builds a Bolt `App`; nothing at import.

Acknowledge at once, review after: Bolt's default (`process_before_response=False`) runs each
listener on `listener_executor` and answers Slack's HTTP request (or Socket Mode envelope) the
moment the listener calls `ack()`, so every listener acks first and reviews afterwards on the
pool. The pool is passed in (or made here) so `serve` can drain it on shutdown.

Single-workspace token mode: the bot token from the settings. The seam for multi-workspace
installs is Bolt's `installation_store`/`oauth_settings` arguments here; every store row already
carries `team_id`, taken from each request's context.
"""
from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Callable

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.listeners import actions, commands, events, messages, shortcuts, team_settings, views
from bot.review_service import ReviewerLike, ReviewService
from bot.scheduler import team_defaults
from bot.settings import Settings
from models.outreach import Outreach
from models.store import Store

LISTENER_MODULES = (commands, messages, actions, views, events, shortcuts, team_settings)
RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 1


def make_client(settings: Settings) -> WebClient:
    """The Web API client: `SLACK_API_URL`, HTTP 429 retried after `Retry-After`, one retry on 5xx."""
    handlers = default_retry_handlers() + [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
                                           ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES)]
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=handlers)


def create_app(settings: Settings, store: Store, reviewer: ReviewerLike, client: WebClient | None = None, *,
               executor: Executor | None = None) -> App:
    """A Bolt app with every listener registered; `client` defaults to `make_client(settings)`."""
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
        listener_executor=executor or ThreadPoolExecutor(settings.workers, thread_name_prefix="inmail-listener"),
        process_before_response=False,
    )
    outreach = Outreach(store, team_defaults(settings))
    service = ReviewService(store, reviewer, outreach)
    service.history.warm()  # each team's template index, rebuilt from SQLite before the first request

    @app.middleware
    def provide(context: BoltContext, next: Callable[[], Any]) -> Any:
        """Hands the app's settings, review service and outreach store to every listener through its context."""
        context["service"] = service
        context["settings"] = settings
        context["outreach"] = outreach
        return next()

    for module in LISTENER_MODULES:
        module.register(app)
    return app
