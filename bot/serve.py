"""`inmail-review serve`: the Slack app over Socket Mode (`SLACK_APP_TOKEN` set) or HTTP.

HTTP is served by waitress, a production WSGI server: `POST /slack/events` goes to Bolt,
`GET /healthz` answers 200 when the store answers. Why waitress (docs/slack.md): one process
keeps the review pool, the store connection and in-flight reviews together; reviews run after
the ack on Bolt's pool, so the server's threads are only held for the few milliseconds an ack
takes; it runs in-process on a loopback port in the tests; and it is pure Python.

SIGTERM (and Ctrl-C) stop taking requests, let the reviews already acknowledged finish and
post their answers, then close the store: a deploy never drops an acknowledged draft.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any, Callable, Iterable

from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_PORT = 3000
HTTP_THREADS = 8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default_port = int(os.environ.get("PORT") or DEFAULT_PORT)
    parser.add_argument("--port", type=int, default=default_port,
                        help=f"HTTP port (default: $PORT, else {DEFAULT_PORT}; 0 picks a free one); unused in Socket Mode")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")


def wsgi_app(app: Any, health: Callable[[], bool]) -> Callable[..., Iterable[bytes]]:
    """Bolt's WSGI handler for Slack's requests, plus `/healthz`."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = health()
            body = json.dumps({"ok": ok}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


def _store_health(store: Any) -> Callable[[], bool]:
    def health() -> bool:
        try:
            return store.schema_version > 0
        except Exception:  # noqa: BLE001 - any store failure is "unhealthy", never a crash
            return False

    return health


def _on_stop(stop: Callable[[], None]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.warning("%s received, shutting down", signal.Signals(signum).name)
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def http_server(app: Any, store: Any, host: str, port: int) -> Any:
    """A waitress server for the app (`port=0` picks a free port: see `effective_port`)."""
    from waitress import create_server

    return create_server(wsgi_app(app, _store_health(store)), host=host, port=port, threads=HTTP_THREADS,
                         ident="inmail-review")


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


def serve_http(app: Any, store: Any, host: str, port: int) -> None:
    server = http_server(app, store, host, port)
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
    from slack_bolt.error import BoltError

    from bot.app import create_app
    from bot.scheduler import Scheduler
    from models.store import Store
    from bot.reviewer import load_reviewer
    from rules import PackError

    try:
        settings = Settings.from_env()
        if not settings.slack_bot_token:
            raise ValueError("SLACK_BOT_TOKEN is not set")
        if not settings.slack_app_token and not settings.slack_signing_secret:
            raise ValueError("SLACK_SIGNING_SECRET is not set (required over HTTP; set SLACK_APP_TOKEN for Socket Mode)")
        reviewer = load_reviewer(settings)
    except (ValueError, PackError) as error:
        print(f"inmail-review: error: {error}", file=sys.stderr)
        return 2
    reviewer.warm()
    store = Store.open(settings.db_path)
    executor = ThreadPoolExecutor(settings.workers, thread_name_prefix="inmail-listener")
    try:
        try:
            app = create_app(settings, store, reviewer, executor=executor)
        except BoltError as error:  # e.g. the token was refused by auth.test at start
            print(f"inmail-review: error: Slack refused to start the app: {error}", file=sys.stderr)
            return 1
        # Policy evaluation, digests, retention and alert delivery, beside the app in this process.
        scheduler = Scheduler(store, app.client, settings)
        scheduler.start()
        try:
            if settings.slack_app_token:
                serve_socket_mode(app, settings.slack_app_token)
            else:
                serve_http(app, store, args.host, args.port)
        finally:
            scheduler.stop()
    finally:
        executor.shutdown(wait=True)  # acknowledged reviews finish and post before we exit
        store.close()
    return 0
