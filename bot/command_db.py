"""The database as the commands that read a team's figures open it (`report`, `export`, `import`,
`outbox`): one line on stderr and the exit status a user expects when it cannot be used, or
when `--team` is missing and the database holds several teams."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from bot.i18n import _
from bot.settings import Settings
from models.db import DB_ERRORS, redacted
from models.outreach import Outreach
from models.store import Store


class CommandFailed(Exception):
    """Said on stderr by `fail()`; `code` is the command's exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def fail(error: CommandFailed) -> int:
    print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
    return error.code


def open_store(settings: Settings, *, writable: bool = False) -> Store:
    """The settings' database, migrated; exit 1 (`CommandFailed`) when it cannot be used, or with
    `writable` when it takes no writes (a read-only file, a standby), so a server fails at start
    and not at its first draft."""
    try:
        store = Store.open(settings.db_path)
        if writable:
            store.probe_write()
    except (*DB_ERRORS, OSError) as error:
        raise CommandFailed(_("cannot use the database {path}: {reason}", path=redacted(settings.db_path),
                               reason=error), 1) from None
    return store


@contextmanager
def opened(settings: Settings) -> Iterator[Outreach]:
    """The store behind an `Outreach`, closed afterwards; exit 1 when the file cannot be used."""
    store = open_store(settings)
    try:
        yield Outreach(store)
    finally:
        store.close()


@contextmanager
def team_data(settings: Settings, team: str | None) -> Iterator[tuple[Outreach, str]]:
    """As `opened`, with the team named by `--team` (or the only one); exit 2 when it is unclear."""
    with opened(settings) as outreach:
        try:
            chosen = outreach.team_or_only(team)
        except ValueError as error:
            raise CommandFailed(str(error), 2) from None
        yield outreach, chosen
