"""`inmail-review serve`: the Slack app over Socket Mode (`SLACK_APP_TOKEN` set) or HTTP.

HTTP is served by waitress, a production WSGI server: `POST /slack/events` goes to Bolt once
its size and signature are checked, `GET /healthz` answers 200 when the database takes writes
(503 with the reason within a second otherwise). Why waitress (docs/slack.md): one process
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
import sqlite3
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Iterable

from bot.i18n import _
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_PORT = 3000
HTTP_THREADS = 8
TIMESTAMP_DIGITS_MAX = 12  # a Unix time in seconds; anything longer is not Slack's
HEALTH_DB_WAIT_S = 0.5
DISK_FREE_MIN = 1_048_576


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default_port = int(os.environ.get("PORT") or DEFAULT_PORT)
    parser.add_argument("--port", type=int, default=default_port,
                        help=_("HTTP port (default: $PORT, else {port}; 0 picks a free one); unused in Socket Mode",
                               port=DEFAULT_PORT))
    parser.add_argument("--host", default="0.0.0.0", help=_("address to listen on (default: all)"))


def wsgi_app(app: Any, health: Callable[[], tuple[bool, str]], signing_secret: str,
             max_body_bytes: int) -> Callable[..., Iterable[bytes]]:
    """Bolt's WSGI handler for Slack's requests, behind two checks that cost nothing; plus `/healthz`.

    Bolt reads and parses a whole body before it checks the signature, so an unsigned client
    could make it hold any amount of memory. Here a body over `max_body_bytes` is refused with
    413 from its `Content-Length` before a byte is read (waitress refuses a longer chunked one
    itself), and a missing, malformed or wrong signature is a 401 before Bolt parses anything.
    """
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk.signature import SignatureVerifier

    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)

    def answer(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
        body = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            ok, reason = health()
            return answer(start_response, "200 OK" if ok else "503 Service Unavailable",
                          {"ok": ok} if ok else {"ok": False, "reason": reason})
        if path != EVENTS_PATH or method != "POST":
            return slack(environ, start_response)
        length = str(environ.get("CONTENT_LENGTH") or "0")
        if not length.isdigit():
            return answer(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        if int(length) > max_body_bytes:
            return answer(start_response, "413 Payload Too Large", {"error": f"body over {max_body_bytes} bytes"})
        body = environ["wsgi.input"].read(int(length))
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not (timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS_MAX) or not verifier.is_valid(
                body, timestamp, signature):
            return answer(start_response, "401 Unauthorized", {"error": "invalid request signature"})
        environ["wsgi.input"] = io.BytesIO(body)
        return slack(environ, start_response)

    return application


def store_health(db_path: str) -> Callable[[], tuple[bool, str]]:
    """`/healthz`: can this process write to its database now? Asked on a fresh connection with
    a short busy timeout, so a lock held elsewhere (or by this process's own busy threads) makes
    it answer 503 with the reason within a second instead of hanging."""
    def health() -> tuple[bool, str]:
        try:
            free = shutil.disk_usage(os.path.dirname(os.path.abspath(db_path))).free
            if free < DISK_FREE_MIN:
                return False, f"disk almost full ({free // 1024} KiB free)"
            uri = Path(db_path).absolute().as_uri() + "?mode=rw"  # never creates the file
            conn = sqlite3.connect(uri, uri=True, timeout=HEALTH_DB_WAIT_S, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        except sqlite3.Error as error:
            return False, f"database: {error}"
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


def http_server(app: Any, settings: Settings, host: str, port: int) -> Any:
    """A waitress server for the app (`port=0` picks a free port: see `effective_port`)."""
    from waitress import create_server

    application = wsgi_app(app, store_health(settings.db_path), settings.slack_signing_secret or "",
                           settings.max_body_bytes)
    return create_server(application, host=host, port=port, threads=HTTP_THREADS, ident="inmail-review",
                         max_request_body_size=settings.max_body_bytes)


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


def serve_http(app: Any, settings: Settings, host: str, port: int) -> None:
    server = http_server(app, settings, host, port)
    _on_stop(lambda: stop_http(server))
    print(f"inmail-review: serving HTTP on http://{server.effective_host}:{server.effective_port} "
          f"(POST {EVENTS_PATH}, GET {HEALTH_PATH})", file=sys.stderr, flush=True)
    run_http(server)


def serve_socket_mode(app: Any, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stopped = threading.Event()
    handler = SocketModeHandler(app, app_token)
    handler.connect()
    _on_stop(stopped.set)
    print("inmail-review: connected over Socket Mode", file=sys.stderr, flush=True)
    stopped.wait()
    handler.close()


def run(args: argparse.Namespace) -> int:
    from urllib.error import URLError

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError

    from bot.app import create_app, make_work
    from bot.scheduler import Scheduler
    from models.store import Store
    from bot.reviewer import load_reviewer
    from rules import PackError

    try:
        settings = Settings.from_env()
        if not settings.slack_bot_token:
            raise ValueError(_("SLACK_BOT_TOKEN is not set"))
        if not settings.slack_app_token and not settings.slack_signing_secret:
            raise ValueError(_("SLACK_SIGNING_SECRET is not set (required over HTTP; set SLACK_APP_TOKEN for Socket Mode)"))
        reviewer = load_reviewer(settings)
    except (ValueError, PackError) as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 2
    reviewer.warm()
    try:
        store = Store.open(settings.db_path)
        store.execute("PRAGMA user_version = 0")  # a write: a read-only file fails here, not at the first draft
        work = make_work(settings)
    except (sqlite3.Error, OSError) as error:
        print(_("inmail-review: error: {message}", message=_("cannot use the database {path}: {reason}",
                                                             path=settings.db_path, reason=error)), file=sys.stderr)
        return 1
    try:
        try:
            app = create_app(settings, store, reviewer, work)
        except (BoltError, SlackClientError, URLError, OSError) as error:  # auth.test at start: refused or unreachable
            print(_("inmail-review: error: {message}", message=_("Slack refused or could not be reached at start: {reason}",
                                                                 reason=error)), file=sys.stderr)
            return 1
        work.start()
        # Policy evaluation, digests, retention and alert delivery, beside the app in this process.
        scheduler = Scheduler(store, app.client, settings)
        scheduler.start()
        try:
            if settings.slack_app_token:
                serve_socket_mode(app, settings.slack_app_token)
            else:
                serve_http(app, settings, args.host, args.port)
        finally:
            scheduler.stop()
            work.stop()  # acknowledged work finishes and posts; what is left is taken up at the next start
    finally:
        work.jobs.store.close()
        store.close()
    return 0
