"""`inmail-review import FILE.csv`: LinkedIn Recruiter's InMail report into the outreach figures.

Each report row (a recruiter and a period) is stored under the key
`import:<user>:<start>:<end>`, so importing the same file again changes nothing and a newer
export of the same period (pending InMails answered since) updates the figures. Recruiters
are named by email or name in the export; `--map` (a CSV of `email-or-name,slack-user-id`)
teaches the store who is who, once.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path

from bot.settings import Settings
from models.linkedin_import import ReportError, ReportRow, Skipped, read_report
from models.outreach import Outreach
from models.store import Store

DAY_S = 86_400.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the InMail report exported from LinkedIn Recruiter (CSV)")
    parser.add_argument("--team", help="Slack team id (default: the only team in the database)")
    parser.add_argument("--map", type=Path, dest="map_file",
                        help="CSV of `email or name,Slack user id` rows naming the export's recruiters")


def _midnight(day: object) -> float:
    return datetime.combine(day, dtime(), tzinfo=timezone.utc).timestamp()  # type: ignore[arg-type]


def store_row(outreach: Outreach, team: str, user: str, row: ReportRow, window_days: int) -> str:
    """One report row as a send: at the period's start, its responses known by the period's end
    (the export does not say when each came; they are taken as within the response window)."""
    at = _midnight(row.start)
    period_end = _midnight(row.end + timedelta(days=1))
    return outreach.record_send(
        team, user, f"import:{user}:{row.start.isoformat()}:{row.end.isoformat()}", "import", sent=row.sent, at=at,
        bulk=False, accepted=row.accepted, declined=row.declined, pending=row.pending,
        responded_at=min(period_end, at + window_days * DAY_S), period_end=period_end)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        text = args.file.read_text(encoding="utf-8-sig")
        rows, skipped = read_report(text)
        aliases = list(csv.reader(args.map_file.read_text(encoding="utf-8-sig").splitlines())) if args.map_file else []
    except (OSError, UnicodeDecodeError, ReportError) as error:
        print(f"inmail-review: error: {args.file}: {error}", file=sys.stderr)
        return 2
    store = Store.open(settings.db_path)
    try:
        outreach = Outreach(store)
        try:
            team = outreach.team_or_only(args.team)
        except ValueError as error:
            print(f"inmail-review: error: {error}", file=sys.stderr)
            return 2
        for alias in aliases:
            if len(alias) >= 2 and alias[0].strip() and alias[1].strip():
                outreach.add_alias(team, alias[0], alias[1].strip())
        window = outreach.settings(team).policy.window_days
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        changed: set[str] = set()
        for row in rows:
            user = outreach.resolve_recruiter(team, row.email) if row.email else None
            user = user or (outreach.resolve_recruiter(team, row.recruiter) if row.recruiter else None)
            if user is None:
                skipped.append(_unknown(row))
                continue
            result = store_row(outreach, team, user, row, window)
            counts[result] += 1
            if result != "unchanged":
                changed.add(user)
        for user in sorted(changed):  # judged now, with an early warning where due, not at the next hourly tick
            outreach.reassess(team, user, time.time())
    finally:
        store.close()
    print(f"{args.file}: {sum(counts.values())} rows imported for team {team}: {counts['added']} added, "
          f"{counts['updated']} updated, {counts['unchanged']} unchanged; {len(skipped)} skipped")
    for skip in sorted(skipped, key=lambda s: s.line):
        print(f"  line {skip.line}: {skip.reason}")
    return 1 if skipped else 0


def _unknown(row: ReportRow) -> Skipped:
    who = row.email or row.recruiter
    return Skipped(row.line, f"unknown recruiter {who!r} (name their Slack user id with --map)")
