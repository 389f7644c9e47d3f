"""`inmail-review serve`: the Slack app over Socket Mode (`SLACK_APP_TOKEN` set) or HTTP.

HTTP is served by waitress, a production WSGI server: `POST /slack/events` goes to Bolt once
its size and signature are checked, `GET /healthz` answers 200 when the database takes writes
(503 with the reason within a second otherwise; `bot/health.py`) and `GET /metrics` Prometheus's
text (`bot/metrics.py`); `--health-port` serves those two alone on a port of their own (Socket
Mode has no HTTP port otherwise). Why waitress (docs/slack.md): one process
keeps the work queue, the store connection and in-flight reviews together; reviews run after
the ack on the work queue's pool (`bot/work.py`), so the server's threads are only held for the
few milliseconds an ack takes; it runs in-process on a loopback port in the tests; and it is
pure Python.

SIGTERM (and Ctrl-C) stop taking requests, let the reviews already acknowledged finish and
post their answers, then close the store: a deploy never drops an acknowledged draft.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any, Callable, Iterable

from bot.health import Health
from bot.i18n import _
from bot.log_format import add_log_format
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE, Metrics
from bot.settings import Settings
from models.db import DB_ERRORS, is_postgres, redacted, writable_now

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# OAuth mode's install page and Slack's redirect back (bot/oauth.py); Bolt's handler serves both.
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
DEFAULT_PORT = 3000
HTTP_THREADS = 8
OPS_THREADS = 2  # the health port: a probe and a scrape at a time
TIMESTAMP_DIGITS_MAX = 12  # a Unix time in seconds; anything longer is not Slack's
HEALTH_DB_WAIT_S = 0.5
DISK_FREE_MIN = 1_048_576


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default_port = int(os.environ.get("PORT") or DEFAULT_PORT)
    parser.add_argument("--port", type=int, default=default_port,
                        help=_("HTTP port (default: $PORT, else {port}; 0 picks a free one); unused in Socket Mode",
                               port=DEFAULT_PORT))
    parser.add_argument("--host", default="0.0.0.0", help=_("address to listen on (default: all)"))
    parser.add_argument("--health-port", type=int, metavar="PORT",
                        help=_("also serve GET /healthz and GET /metrics alone on this port (for Socket Mode, "
                               "or to keep them off the public port; 0 picks a free one)"))
    parser.add_argument("--no-scheduler", action="store_true",
                        help=_("leave digests, alerts and the retention purge to `inmail-review scheduler` "
                               "(several serve processes share the scheduler anyway: one of them ticks)"))
    add_log_format(parser, argparse.SUPPRESS)


def _answer(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def ops_app(health: Health, metrics: Metrics) -> Callable[..., Iterable[bytes]]:
    """`GET /healthz` and `GET /metrics` alone: the whole app of the health port (`--health-port`),
    and what the Slack app answers on those paths without Bolt."""
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or path not in (HEALTH_PATH, METRICS_PATH):
            return _answer(start_response, "404 Not Found", {"error": "only GET /healthz and GET /metrics here"})
        if path == METRICS_PATH:
            body = metrics.exposition()
            start_response("200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))])
            return [body]
        ok, payload = health()
        return _answer(start_response, "200 OK" if ok else "503 Service Unavailable", payload)

    return application


def wsgi_app(app: Any, health: Health, signing_secret: str, max_body_bytes: int,
             metrics: Metrics) -> Callable[..., Iterable[bytes]]:
    """Bolt's WSGI handler for Slack's requests, behind two checks that cost nothing; plus
    `/healthz` and `/metrics` (`ops_app`).

    Bolt reads and parses a whole body before it checks the signature, so an unsigned client
    could make it hold any amount of memory. Here a body over `max_body_bytes` is refused with
    413 from its `Content-Length` before a byte is read (waitress refuses a longer chunked one
    itself), and a missing, malformed or wrong signature is a 401 before Bolt parses anything.
    An ack's time is counted from the request's arrival to Bolt's answer (the listener has run
    by then: `process_before_response`).
    """
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk.signature import SignatureVerifier

    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)
    ops = ops_app(health, metrics)

    def acked(environ: dict[str, Any], start_response: Callable[..., Any], started: float) -> Iterable[bytes]:
        statuses: list[int] = []

        def seen(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        body = slack(environ, seen)
        metrics.acked(statuses[0] if statuses else 500, time.perf_counter() - started)
        return body

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path in (HEALTH_PATH, METRICS_PATH) and method in ("GET", "HEAD"):
            return ops(environ, start_response)
        if path != EVENTS_PATH or method != "POST":
            return slack(environ, start_response)
        length = str(environ.get("CONTENT_LENGTH") or "0")
        if not length.isdigit():
            return _answer(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        if int(length) > max_body_bytes:
            return _answer(start_response, "413 Payload Too Large", {"error": f"body over {max_body_bytes} bytes"})
        body = environ["wsgi.input"].read(int(length))
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not (timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS_MAX) or not verifier.is_valid(
                body, timestamp, signature):
            return _answer(start_response, "401 Unauthorized", {"error": "invalid request signature"})
        environ["wsgi.input"] = io.BytesIO(body)
        return acked(environ, start_response, started)

    return application


def store_health(db_path: str) -> Callable[[], tuple[bool, str]]:
    """`/healthz`: can this process write to its database now? Asked on a fresh connection with
    a short busy timeout, so a lock held elsewhere (or by this process's own busy threads) makes
    it answer 503 with the reason within a second instead of hanging."""
    def health() -> tuple[bool, str]:
        try:
            if not is_postgres(db_path):
                free = shutil.disk_usage(os.path.dirname(os.path.abspath(db_path))).free
                if free < DISK_FREE_MIN:
                    return False, f"disk almost full ({free // 1024} KiB free)"
            problem = writable_now(db_path, HEALTH_DB_WAIT_S)
            if problem:
                return False, problem
        except OSError as error:
            return False, f"database: {error.strerror or error}"
        return True, ""

    return health


def _on_stop(stop: Callable[[], None]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.warning("%s received, shutting down", signal.Signals(signum).name)
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def http_server(app: Any, settings: Settings, host: str, port: int, *, health: Health | None = None,
                metrics: Metrics | None = None) -> Any:
    """A waitress server for the app (`port=0` picks a free port: see `effective_port`); `health`
    defaults to the database's alone, `metrics` to a registry of this server's acks alone."""
    from waitress import create_server

    application = wsgi_app(app, health or Health(store_health(settings.db_path)), settings.slack_signing_secret or "",
                           settings.max_body_bytes, metrics or Metrics())
    return create_server(application, host=host, port=port, threads=HTTP_THREADS, ident="inmail-review",
                         max_request_body_size=settings.max_body_bytes)


def ops_server(health: Health, metrics: Metrics, host: str, port: int) -> Any:
    """The health port: `/healthz` and `/metrics` on a server of their own, on a thread."""
    from waitress import create_server

    server = create_server(ops_app(health, metrics), host=host, port=port, threads=OPS_THREADS,
                           ident="inmail-review")
    threading.Thread(target=run_http, args=(server,), name="health-port", daemon=True).start()
    _announce(f"health and metrics on http://{server.effective_host}:{server.effective_port} "
              f"(GET {HEALTH_PATH}, GET {METRICS_PATH})")
    return server


def _announce(message: str) -> None:
    """A line an operator always sees (where it serves, that it connected), through logging so
    `--log-format json` keeps one object per line."""
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    log.info(message)


def stop_http(server: Any) -> None:
    """Stops `server.run()` from any thread or a signal handler.

    `server.close()` alone closes only the listening socket, and keep-alive connections (Slack
    keeps them) would keep waitress's loop running; so every socket of the server is closed, on
    the loop's own thread through its trigger, and the loop ends when it has none left.
    """
    from waitress import wasyncore

    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))


def run_http(server: Any) -> None:
    """Runs until `stop_http`, then waits for requests being answered (acks) to finish."""
    server.run()
    server.task_dispatcher.shutdown()


def serve_http(app: Any, settings: Settings, host: str, port: int, health: Health, metrics: Metrics) -> None:
    server = http_server(app, settings, host, port, health=health, metrics=metrics)
    _on_stop(lambda: stop_http(server))
    _announce(f"serving HTTP on http://{server.effective_host}:{server.effective_port} "
              f"(POST {EVENTS_PATH}, GET {HEALTH_PATH}, GET {METRICS_PATH})")
    run_http(server)


def serve_socket_mode(app: Any, app_token: str, metrics: Metrics) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
    from slack_sdk.socket_mode.builtin import SocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest

    class TimedHandler(SocketModeHandler):
        """Bolt's handler, with each ack's time counted from the envelope's arrival to its answer."""

        def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
            started, wall = time.perf_counter(), time.time()
            response = run_bolt_app(self.app, req)
            send_response(client, req, response, wall)
            metrics.acked(response.status, time.perf_counter() - started)

    stopped = threading.Event()
    handler = TimedHandler(app, app_token)
    handler.connect()
    _on_stop(stopped.set)
    _announce("connected over Socket Mode")
    stopped.wait()
    handler.close()


def run(args: argparse.Namespace) -> int:
    from urllib.error import URLError

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError

    from bot.app import create_app, make_work
    from bot.oauth import credentials_problem, team_clients
    from bot.scheduler import Scheduler
    from models.outreach import Outreach
    from bot.command_db import CommandFailed, fail, open_store
    from bot.reviewer import load_reviewer
    from rules import PackError

    try:
        settings = Settings.from_env()
        problem = credentials_problem(settings)
        if problem:
            raise ValueError(problem)
        reviewer = load_reviewer(settings)
    except (ValueError, PackError) as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 2
    reviewer.warm()
    try:
        store = open_store(settings, writable=True)
        work = make_work(settings)
    except CommandFailed as error:
        return fail(error)
    except (*DB_ERRORS, OSError) as error:  # the work queue's own connection
        return fail(CommandFailed(_("cannot use the database {path}: {reason}", path=redacted(settings.db_path),
                                    reason=error), 1))
    metrics = Metrics()
    outreach = Outreach(store, settings.team_defaults())  # one for the app and its scheduler
    try:
        try:
            app = create_app(settings, store, reviewer, work, metrics=metrics, outreach=outreach)
        except (BoltError, SlackClientError, URLError, OSError) as error:  # auth.test at start: refused or unreachable
            print(_("inmail-review: error: {message}", message=_("Slack refused or could not be reached at start: {reason}",
                                                                 reason=error)), file=sys.stderr)
            return 1
        work.start()
        # Policy evaluation, digests, retention and alert delivery, beside the app in this process
        # (of several, the one holding the scheduler's lease ticks), or in `inmail-review scheduler`.
        scheduler = None if args.no_scheduler else Scheduler(
            store, team_clients(settings, store, app.client), settings, outreach=outreach)
        if scheduler is not None:
            scheduler.start()
        metrics.watch_scheduler(scheduler)
        health = Health(store_health(settings.db_path), work, scheduler)
        health_port = None if args.health_port is None else ops_server(health, metrics, args.host, args.health_port)
        try:
            if settings.slack_app_token:
                serve_socket_mode(app, settings.slack_app_token, metrics)
            else:
                serve_http(app, settings, args.host, args.port, health, metrics)
        finally:
            if scheduler is not None:
                scheduler.stop()
            work.stop()  # acknowledged work finishes and posts; what is left is taken up at the next start
            if health_port is not None:
                stop_http(health_port)
    finally:
        work.jobs.store.close()
        store.close()
    return 0
