"""The Slack Web API client and the one way the app calls it outside queued work.

`make_client` builds the client every process uses (`SLACK_API_URL`, one retry on 5xx);
`slack_call` runs one call and turns a failure into a log line and None, so the scheduler, the
CLI and the listeners' helpers keep going when Slack does not answer. Queued work uses
`bot.review_service.slack_post` instead, which turns a failure Slack may get over into `Retry`.

`TeamClients` is the client of each workspace: in token mode the one client for the one
workspace, in OAuth mode (`bot.oauth.InstalledClients`) each workspace's own bot token. Used as a
client itself it is the client of the workspace being served (`serving(team_id)`), as Flask's
`current_app` is the app of the request being served: the work queue serves each piece of work's
workspace and the scheduler each delivery's, so the handlers, the readers and the scheduler,
written against one client, call Slack with the right token without passing it along.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.settings import Settings

log = logging.getLogger(__name__)

SERVER_ERROR_RETRIES = 1
SLACK_TIMEOUT_S = 10  # well inside a work lease (`Settings.lease_s`)

OnFailure = Callable[[str, str], None]


def make_client(settings: Settings, on_failure: OnFailure | None = None) -> "CountingClient":
    """The Web API client: `SLACK_API_URL`, one retry on 5xx. A 429 is not slept through here: the
    work that got it is postponed by its `Retry-After` (`bot.work.Retry`), freeing the worker.
    `on_failure(method, error)` hears of every call that failed (`/metrics`)."""
    handlers = default_retry_handlers() + [ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES)]
    return CountingClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=handlers,
                          timeout=SLACK_TIMEOUT_S, on_failure=on_failure)


def failure_code(error: SlackApiError) -> str:
    """Slack's error code (`not_in_channel`, `ratelimited`), else the HTTP status (`http_503`)."""
    data = error.response.data
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code else f"http_{error.response.status_code}"


class CountingClient(WebClient):
    """The WebClient, telling `on_failure` of each call that failed, by method and error: every
    Web API call goes through `api_call`, whichever helper (or Bolt) made it, so none is missed."""

    def __init__(self, *args: Any, on_failure: OnFailure | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_failure = on_failure

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            self._failed(api_method, failure_code(error))
            raise
        except (SlackClientError, URLError, OSError) as error:
            self._failed(api_method, type(error).__name__)
            raise

    def _failed(self, method: str, error: str) -> None:
        if self.on_failure is not None:
            self.on_failure(method, error)


def client_with_token(base: WebClient, token: str) -> CountingClient:
    """`base` for another token (OAuth mode: a workspace's bot): the same URL, timeout and
    retries, and its failures counted where `base`'s are."""
    return CountingClient(token=token, base_url=base.base_url, timeout=base.timeout, retry_handlers=base.retry_handlers,
                          on_failure=base.on_failure if isinstance(base, CountingClient) else None)


def slack_call(what: str, draft_id: str | None, call: Callable[..., Any], *,
               on_refusal: Callable[[str], None] | None = None, **kwargs: Any) -> Any | None:
    """Runs one Slack call; on failure logs what failed (no text, no token) and returns None.
    `on_refusal` hears Slack's error code when Slack answered and refused (`not_in_channel`)."""
    try:
        return call(**kwargs)
    except SlackApiError as error:
        code = error.response.get("error") if isinstance(error.response.data, dict) else error.response.status_code
        log.warning("Slack %s failed for draft %s: %s (HTTP %s)", what, draft_id, code, error.response.status_code)
        if on_refusal is not None and isinstance(code, str):
            on_refusal(code)
    except (SlackClientError, URLError, OSError) as error:
        log.warning("Slack %s failed for draft %s: %s", what, draft_id, type(error).__name__)
    return None


_serving: ContextVar[str | None] = ContextVar("serving_team", default=None)


@contextmanager
def serving(team_id: str) -> Iterator[None]:
    """Everything done inside is for workspace `team_id`: `TeamClients` call Slack with its token."""
    token = _serving.set(team_id)
    try:
        yield
    finally:
        _serving.reset(token)


class NotInstalled(LookupError):
    """The app has no token for this workspace (never installed there, or uninstalled since)."""


class TeamClients:
    """Token mode: the one client, whatever workspace is served. Subclassed for OAuth mode."""

    distributed = False

    def __init__(self, base: WebClient) -> None:
        self.base = base

    def for_team(self, team_id: str) -> WebClient:
        """The client that calls Slack for `team_id` (NotInstalled when there is none)."""
        return self.base

    def installed(self, team_id: str) -> bool:
        return True

    def forget(self, team_id: str, enterprise_id: str | None = None, *, bot: bool = True,
               users: tuple[str, ...] | None = None) -> None:
        """The workspace's tokens were revoked, or it uninstalled the app: with `bot` its bot token
        goes, and the installs of `users` (None: every install). Token mode keeps none to forget."""

    def current(self) -> WebClient:
        """The client of the workspace being served (`serving`). With none served, token mode's one
        client; in OAuth mode a programming error: which workspace's token would it be?"""
        team = _serving.get()
        if team is None:
            if self.distributed:
                raise RuntimeError("a Slack call outside serving(team_id): whose token should it use?")
            return self.base
        return self.for_team(team)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(), name)
