"""LinkedIn Recruiter's InMail report into the outreach figures: `inmail-review import FILE.csv`
and the upload in App Home's team settings form share `import_report` and `summary`.

A report row covers a period (often two weeks); its figures are spread evenly over the period's
days (`models.linkedin_import.spread`) and each day is stored under the key
`import:<user>:<start>:<end>:<day>`, so importing the same file again changes nothing and a newer
export of the same period (pending InMails answered since) updates those days. A row stored by
an earlier version under `import:<user>:<start>:<end>` (the whole period on its first day) is
replaced by the days, not counted beside them.

Recruiters are named by email or name in the export. Who is who is looked up in this order: an
alias stored before (`--map`, a CSV of `email-or-name,slack-user-id`, or an earlier lookup),
then Slack — `users.lookupByEmail` for an email, else a unique match of the name among
`users.list`'s display and real names — remembered as an alias, so the next import asks Slack
nothing. A recruiter still unknown is skipped, asking for `--map`. Slack failing (no token, a
network error, a rate limit) never fails the import: the row is skipped the same way.

What the Slack upload shows (`summary`, the notes, a skipped recruiter) is in its reader's
language (`bot.i18n`); the command's output is English, the default when nobody is being read to.
The report's own problems (`models/linkedin_import.py`) stay in English.

Exit status of the command: 0 when every row was imported (blank lines and totals rows are not
rows), 1 when rows were skipped for a reason to look at, 2 when the file cannot be read.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path
from typing import Any, Iterable, Protocol

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.command_db import CommandFailed, fail, team_data
from bot.i18n import _, ngettext
from bot.oauth import team_clients
from bot.settings import Settings
from bot.slack_client import make_client
from models.linkedin_import import AmbiguousDates, DateOrder, ReportError, ReportRow, Skipped, read_report, spread
from models.outreach import Outreach
from rules.i18n import N_

DAY_S = 86_400.0
SPREAD_NOTE = N_("each period's figures were spread evenly over its days")
NO_TOKEN_NOTE = N_("recruiters not known yet were not looked up in Slack: SLACK_BOT_TOKEN is not set")
USERS_PAGE = 200


class Lookup(Protocol):
    """Finds a recruiter's Slack user id; None when not found or Slack could not be asked."""

    problem: str | None

    def by_email(self, email: str) -> str | None: ...

    def by_name(self, name: str) -> str | None: ...


class SlackDirectory:
    """`Lookup` through the Web API. A failing call is remembered as `problem` (the error code
    only) and answers None, so one bad row never stops the import."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.problem: str | None = None
        self._members: list[dict[str, Any]] | None = None

    def _call(self, method: str, **kwargs: Any) -> Any | None:
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code != "users_not_found":
                self.problem = code or f"HTTP {error.response.status_code}"
        except (SlackClientError, OSError, ValueError) as error:
            self.problem = type(error).__name__
        return None

    def by_email(self, email: str) -> str | None:
        found = self._call("users_lookupByEmail", email=email)
        user = found["user"] if found else {}
        return None if not user or user.get("deleted") or user.get("is_bot") else user["id"]

    def by_name(self, name: str) -> str | None:
        wanted = name.strip().casefold()
        ids = {member["id"] for member in self._list() if wanted in _names(member)}
        return ids.pop() if len(ids) == 1 else None

    def _list(self) -> list[dict[str, Any]]:
        """Every person in the workspace, page by page (once per import)."""
        if self._members is None:
            members: list[dict[str, Any]] = []
            cursor = ""
            while True:
                page = self._call("users_list", limit=USERS_PAGE, cursor=cursor or None)
                if page is None:
                    break
                members += [m for m in page.get("members") or [] if not m.get("deleted") and not m.get("is_bot")]
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    break
            self._members = members
        return self._members


def _names(member: dict[str, Any]) -> set[str]:
    profile = member.get("profile") or {}
    values = (profile.get("display_name"), profile.get("real_name"), member.get("real_name"), member.get("name"))
    return {value.strip().casefold() for value in values if value and value.strip()}


@dataclass
class ImportResult:
    """What an import did, for both surfaces (`summary`)."""

    team: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    found_in_slack: dict[str, str] = field(default_factory=dict)  # name or email → user id
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def problems(self) -> list[Skipped]:
        """Skipped rows an admin should look at (totals rows are expected)."""
        return [skip for skip in self.skipped if not skip.totals]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def summary(result: ImportResult, limit: int | None = None) -> str:
    """The result in lines: counts, how figures were stored, each skipped row; after `limit`
    row lines, "… and N more"."""
    head = ngettext("{rows} row imported for team {team}: {added} added, {updated} updated, {unchanged} unchanged; "
                    "{skipped} skipped",
                    "{rows} rows imported for team {team}: {added} added, {updated} updated, {unchanged} unchanged; "
                    "{skipped} skipped", result.rows, rows=result.rows, team=result.team, added=result.added,
                    updated=result.updated, unchanged=result.unchanged, skipped=len(result.problems))
    found = ["  " + _("{who} is {user} (found in Slack)", who=repr(who), user=user)
             for who, user in result.found_in_slack.items()]
    skips = ["  " + _("line {line}: {reason}", line=skip.line,
                      reason=_("skipped (totals row)") if skip.totals else skip.reason)
             for skip in sorted(result.skipped, key=lambda s: s.line)]
    details = found + skips
    if limit is not None and len(details) > limit:
        details = details[:limit] + ["  " + ngettext("… and {count} more", "… and {count} more", len(details) - limit)]
    notes = ([_(SPREAD_NOTE)] if result.rows else []) + result.notes
    return "\n".join([head, *(f"  {note}" for note in notes), *details])


def _midnight(day: date) -> float:
    return datetime.combine(day, dtime(), tzinfo=timezone.utc).timestamp()


def _period_key(user: str, row: ReportRow) -> str:
    return f"import:{user}:{row.start.isoformat()}:{row.end.isoformat()}"


def store_row(outreach: Outreach, team: str, user: str, row: ReportRow, window_days: int) -> str:
    """One report row as one send per day of its period ("added", "updated" or "unchanged" for
    the row as a whole). Each day's responses are known by the period's end (the export does not
    say when each came; they are taken as within the response window). Keys of this period no
    longer in the row — the old whole-period key, a day with no sends now — are deleted."""
    prefix = _period_key(user, row)
    period_end = _midnight(row.end + timedelta(days=1))
    outcomes: set[str] = set()
    keys: set[str] = set()
    for day in spread(row):
        at = _midnight(day.day)
        key = f"{prefix}:{day.day.isoformat()}"
        keys.add(key)
        outcomes.add(outreach.sends.record(
            team, user, key, "import", sent=day.sent, at=at, bulk=False, accepted=day.accepted,
            declined=day.declined, pending=day.pending, responded_at=min(period_end, at + window_days * DAY_S),
            period_end=period_end))
    stale = outreach.sends.forget_under(team, prefix, keep=keys)
    if outcomes == {"added"} and not stale:
        return "added"
    return "unchanged" if outcomes == {"unchanged"} and not stale else "updated"


def _recruiter(outreach: Outreach, team: str, row: ReportRow, lookup: Lookup | None,
               result: ImportResult) -> str | None:
    """The row's Slack user id: a stored alias, else Slack (remembered as an alias)."""
    names = [name for name in (row.email, row.recruiter) if name]
    for name in names:
        user = outreach.aliases.resolve(team, name)
        if user:
            return user
    if lookup is None:
        if _(NO_TOKEN_NOTE) not in result.notes:
            result.notes.append(_(NO_TOKEN_NOTE))
        return None
    user = lookup.by_email(row.email) if row.email else None
    name = row.email
    if user is None and row.recruiter:
        user, name = lookup.by_name(row.recruiter), row.recruiter
    if user:
        outreach.aliases.add(team, name, user)
        result.found_in_slack[name] = user
    return user


CLI_UNKNOWN_HINT = "name their Slack user id with --map"


def import_report(outreach: Outreach, team: str, data: bytes, *, aliases: Iterable[tuple[str, str]] = (),
                  date_order: DateOrder | None = None, lookup: Lookup | None = None,
                  unknown_hint: str = CLI_UNKNOWN_HINT) -> ImportResult:
    """Reads the report and stores its rows for `team` (ReportError when the file cannot be
    read: then nothing is stored); the recruiters whose figures changed are judged at once."""
    rows, skipped = read_report(data, date_order)
    for alias, user in aliases:
        outreach.aliases.add(team, alias, user)
    result = ImportResult(team, skipped=skipped)
    window = outreach.settings.get(team).policy.window_days
    for row in rows:
        user = _recruiter(outreach, team, row, lookup, result)
        if user is None:
            who = row.email or row.recruiter
            result.skipped.append(Skipped(row.line, _("unknown recruiter {who} ({hint})", who=repr(who), hint=unknown_hint)))
            continue
        outcome = store_row(outreach, team, user, row, window)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome != "unchanged":
            result.changed.add(user)
    if lookup is not None and lookup.problem:
        result.notes.append(_("Slack could not be asked about every recruiter ({problem})", problem=lookup.problem))
    for user in sorted(result.changed):  # judged now, with an early warning where due, not at the next hourly tick
        outreach.reassess(team, user, time.time())
    return result


# --- the command -------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help=_("the InMail report exported from LinkedIn Recruiter (CSV)"))
    parser.add_argument("--team", help=_("Slack team id (default: the only team in the database)"))
    parser.add_argument("--map", type=Path, dest="map_file",
                        help=_("CSV of `email or name,Slack user id` rows naming the export's recruiters"))
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="date_order", action="store_const", const="day",
                       help=_("numeric dates are day first (01/10/2026 is 1 October)"))
    order.add_argument("--monthfirst", dest="date_order", action="store_const", const="month",
                       help=_("numeric dates are month first (01/10/2026 is 10 January)"))


def _aliases(path: Path | None) -> list[tuple[str, str]]:
    rows = csv.reader(path.read_text(encoding="utf-8-sig").splitlines()) if path else []
    return [(row[0], row[1].strip()) for row in rows if len(row) >= 2 and row[0].strip() and row[1].strip()]


def _lookup(settings: Settings, outreach: Outreach, team: str) -> SlackDirectory | None:
    """The team's Slack directory, through its token: the bot token, or in OAuth mode the team's own."""
    clients = team_clients(settings, outreach.store, make_client(settings))
    if not (settings.slack_bot_token or clients.distributed and clients.installed(team)):
        return None
    return SlackDirectory(clients.for_team(team))


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        data = args.file.read_bytes()
        read_report(data, args.date_order)  # an unreadable file is refused before the database is opened
        aliases = _aliases(args.map_file)
    except AmbiguousDates as error:
        print(_("inmail-review: error: {message}", message=_(
            "{path}: {problem}: import again with --dayfirst or --monthfirst", path=args.file, problem=error)),
              file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, ReportError) as error:
        problem = f"{args.file}: {error}"
        print(_("inmail-review: error: {message}", message=problem), file=sys.stderr)
        return 2
    try:
        with team_data(settings, args.team) as (outreach, team):
            result = import_report(outreach, team, data, aliases=aliases, date_order=args.date_order,
                                   lookup=_lookup(settings, outreach, team))
    except CommandFailed as error:
        return fail(error)
    print(f"{args.file}: {summary(result)}")
    return result.exit_code
