"""`inmail-review scheduler`: the scheduler alone — policy evaluation, digests, the retention
purge, the outbox — with the environment and database `serve` uses, for workers started with
`serve --no-scheduler`.

It takes the same lease as a `serve` that runs a scheduler (bot/scheduler.py), so a second one,
or a `serve` left with its scheduler on, waits instead of ticking twice. SIGTERM and Ctrl-C stop
it after the tick under way and give the lease up.
"""
from __future__ import annotations

import argparse
import sys
import threading

from bot.command_db import CommandFailed, fail, open_store
from bot.i18n import _
from bot.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own: the settings are `serve`'s environment."""


def run(args: argparse.Namespace) -> int:
    from bot.oauth import team_clients
    from bot.scheduler import Scheduler
    from bot.serve import _announce, _on_stop
    from bot.slack_client import make_client

    try:
        settings = Settings.from_env()
        if not (settings.slack_bot_token or settings.distributed):
            raise ValueError(_("SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, for many workspaces)"))
    except ValueError as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 2
    try:
        store = open_store(settings, writable=True)
    except CommandFailed as error:
        return fail(error)
    stopped = threading.Event()
    scheduler = Scheduler(store, team_clients(settings, store, make_client(settings)), settings)
    try:
        _on_stop(stopped.set)
        scheduler.start()
        _announce("running the scheduler alone (policy, digests, retention, outbox)")
        stopped.wait()
    finally:
        scheduler.stop()
        store.close()
    return 0
