"""`inmail-review export`: one row per draft (`models/export.py`) as CSV or JSON lines, for a CRM
or ATS; admins get the same CSV in Slack with `/inmail export`."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from datetime import datetime, timezone
from typing import Any, Iterable

from bot.i18n import _
from models.export import COLUMNS, TEXT_COLUMNS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help=_("Slack team id (default: the only team in the database)"))
    parser.add_argument("--since", help=_("only drafts created from this day on (YYYY-MM-DD, UTC; default: all)"))
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--with-text", action="store_true",
                        help=_("add each draft's subject and text (only drafts still within the team's retention)"))


def as_csv(rows: Iterable[dict[str, Any]], with_text: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS + (TEXT_COLUMNS if with_text else ()), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def since_of(text: str | None) -> float:
    """`--since` as a timestamp; ValueError with the message a user reads."""
    if not text:
        return 0.0
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ValueError(_("--since must be a date such as 2026-09-01, not {value}", value=repr(text))) from None


def run(args: argparse.Namespace) -> int:
    from bot.command_db import CommandFailed, fail, team_data
    from bot.settings import Settings
    from models.export import draft_rows

    try:
        since = since_of(args.since)
        with team_data(Settings.from_env(), args.team) as (outreach, team):
            rows = list(draft_rows(outreach.store, team, since, time.time(), outreach.settings.get(team).retention_days,
                                   args.with_text))
    except ValueError as error:
        return fail(CommandFailed(str(error), 2))
    except CommandFailed as error:
        return fail(error)
    if args.format == "csv":
        sys.stdout.write(as_csv(rows, args.with_text))
    else:
        sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return 0
