"""Shared fixtures: the real Slack app on a loopback port, the Slack stand-in, signed requests.

`SlackAppServer` is the production stack minus the process: `create_app` with the real
reviewer and a real SQLite file, served by waitress exactly as `inmail-review serve` does,
its Web API client pointed at the stand-in. Tests speak to it over HTTP with requests signed
the way Slack signs them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import pytest
import requests

from bot.app import create_app, make_work
from bot.health import Health
from bot.metrics import Metrics
from bot.review_service import ReviewerLike
from bot.serve import EVENTS_PATH, http_server, run_http, stop_http, store_health
from bot.settings import Settings
from models.db import is_postgres
from models.records import Draft, Review
from models.store import Store
from rules import ReviewContext, Reviewer
from tests.postgres import Cluster, fresh_schema, start_cluster
from tests.slack_standin import SlackStandIn

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TEAM"
DRAFTS = "CDRAFTS"
USER = "U1"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback traffic must never go through a proxy (slack_sdk honours *_PROXY first)."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Cluster]:
    """One throw-away PostgreSQL server for the session (tests/postgres.py), started on first use.
    Without PostgreSQL the PostgreSQL half of the suite fails with what to do, never silently;
    `INMAIL_TEST_BACKENDS=sqlite` leaves it out on purpose (and says so in the summary)."""
    try:
        cluster = start_cluster()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield cluster
    cluster.stop()


@contextmanager
def empty_database(request: pytest.FixtureRequest, backend: str, file: Path) -> Iterator[str]:
    """A fresh empty database: the SQLite `file`, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        yield str(file)
        return
    if "postgresql" not in os.environ.get("INMAIL_TEST_BACKENDS", ",".join(BACKENDS)):
        pytest.skip("INMAIL_TEST_BACKENDS leaves PostgreSQL out")
    server: Cluster = request.getfixturevalue("postgres_server")
    with fresh_schema(server.url) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's database, once on each backend."""
    with empty_database(request, request.param, tmp_path / "inmail.db") as url:
        yield url


@pytest.fixture
def more_dbs(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """`more_dbs()`: another empty database on the backend of this test's `db_url`."""
    backend = "postgresql" if is_postgres(db_url) else "sqlite"
    with ExitStack() as stack:
        yield lambda: stack.enter_context(empty_database(request, backend, tmp_path / f"{uuid.uuid4().hex[:8]}.db"))


@pytest.fixture(scope="session")
def reviewer() -> Reviewer:
    loaded = Reviewer.load()
    loaded.warm()
    return loaded


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=[{"id": USER, "name": "kari"}, {"id": "U2", "name": "ola"}]) as standin:
        yield standin


def sign(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's request signature headers: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class GatedReviewer:
    """Wraps the real reviewer: each review waits until the test opens the gate, then runs for real.

    It makes "the review is slow" deterministic, so a test can show the ack came first by order
    of events rather than by a stopwatch.
    """

    def __init__(self, real: ReviewerLike) -> None:
        self.real = real
        self.gate = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()

    def review(self, draft: Draft, context: ReviewContext | None = None) -> Review:
        self.started.set()
        if not self.gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        result = self.real.review(draft, context)
        self.finished.set()
        return result


class SlackAppServer:
    """The app served by waitress on 127.0.0.1, like `inmail-review serve` (minus the process)."""

    def __init__(self, settings: Settings, reviewer: ReviewerLike) -> None:
        self.settings = settings
        self.store = Store.open(settings.db_path)
        self.work = make_work(settings)
        self.metrics = Metrics()
        self.app = create_app(settings, self.store, reviewer, self.work, metrics=self.metrics)
        self.work.start()
        self.server = http_server(self.app, settings, "127.0.0.1", 0, metrics=self.metrics,
                                  health=Health(store_health(settings.db_path), self.work))
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=run_http, args=(self.server,), name="waitress", daemon=True)
        self.thread.start()
        self.http = requests.Session()
        self.http.trust_env = False

    def close(self) -> None:
        self.http.close()
        stop_http(self.server)
        self.thread.join(10)
        self.work.stop()
        self.work.jobs.store.close()
        self.store.close()

    def drain(self) -> None:
        """Waits until every acknowledged piece of work (reviews, posts) has run."""
        self.work.wait_idle()

    # --- requests as Slack sends them --------------------------------------------------------
    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
             timestamp: int | None = None) -> requests.Response:
        all_headers = {"Content-Type": content_type, **sign(body, timestamp), **(headers or {})}
        return self.http.post(self.url + EVENTS_PATH, data=body, headers=all_headers, timeout=10)

    def command(self, text: str, *, response_url: str, user: str = USER, channel: str = "CGENERAL",
                **extra: str) -> requests.Response:
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "standin", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": "kari", "command": "/inmail", "text": text,
                "api_app_id": "A0APP", "response_url": response_url,
                "trigger_id": f"{uuid.uuid4().int % 10**10}.{uuid.uuid4().int % 10**10}.abc", **extra}
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> requests.Response:
        envelope = {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
                    "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
                    "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}], "event": event}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(envelope).encode(), "application/json", headers)

    def interaction(self, payload: dict[str, Any]) -> requests.Response:
        payload = {"team": {"id": TEAM, "domain": "standin"}, "api_app_id": "A0APP", "token": "legacy",
                   "user": {"id": USER, "team_id": TEAM}, **payload}
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")


def app_settings(slack: SlackStandIn, db_path: Path | str, **overrides: Any) -> Settings:
    values = {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": slack.api_url,
              "db_path": str(db_path), "drafts_channels": (DRAFTS,), "workers": 4} | overrides
    return Settings(**values)


@pytest.fixture
def make_app(slack: SlackStandIn, db_url: str, reviewer: Reviewer) -> Iterator[Any]:
    """`make_app(reviewer=None, db=None)` starts an app on each backend (`db_url`); several may
    share one database."""
    started: list[SlackAppServer] = []

    def make(reviewer_: ReviewerLike | None = None, db: Path | str | None = None, **overrides: Any) -> SlackAppServer:
        server = SlackAppServer(app_settings(slack, db or db_url, **overrides), reviewer_ or reviewer)
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture
def app(make_app: Any, slack: SlackStandIn) -> SlackAppServer:
    server = make_app()
    slack.reset()  # forget Bolt's start-up auth.test: tests count their own calls
    return server


def message_event(text: str, *, ts: str, channel: str = DRAFTS, user: str = USER, **fields: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
            "channel_type": "channel", "team": TEAM, **fields}
