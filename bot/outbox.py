"""`inmail-review outbox`: lists the alerts and digests not delivered yet (given up ones too) and,
with `--retry`, makes them due again; the next scheduler tick of a running `serve` posts them.

Why: a delivery that failed for two days (a long Slack outage, a removed channel) is given up
with a warning in the log, but never dropped — an operator can see it here, or an admin in
App Home, and send it once the cause is gone.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from bot.i18n import _
from models.outreach import Outreach


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help=_("only this team (default: all)"))
    parser.add_argument("--retry", action="store_true", help=_("try every undelivered one again at the next tick"))


def _when(at: float | None) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def run(args: argparse.Namespace) -> int:
    from bot.command_db import CommandFailed, fail, opened
    from bot.settings import Settings

    try:
        with opened(Settings.from_env()) as outreach:
            return _list(outreach, args)
    except CommandFailed as error:
        return fail(error)


def _list(outreach: Outreach, args: argparse.Namespace) -> int:
    rows = outreach.outbox.undelivered(args.team)
    for row in rows:
        state = "given up" if row["given_up"] else f"next try {_when(row['lease_until'])}"
        print(f"{row['id']}\t{row['team_id']}\t{row['kind']}\t{row['key']}\tcreated {_when(row['created_at'])}\t"
              f"{row['attempts']} attempts\t{state}")
    if args.retry:
        print(f"{outreach.outbox.retry_undelivered(args.team)} deliveries due again at the next tick", file=sys.stderr)
    elif not rows:
        print("nothing undelivered", file=sys.stderr)
    return 0
