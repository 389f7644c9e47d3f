"""`inmail-review backup DEST`: a consistent copy of the database while the app keeps running.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step inside
one read transaction; in WAL mode writers go on meanwhile, and the copy is the database as of the
moment the step began (a step-by-step copy would start over at each write of another process and,
under steady traffic, might never end). The copy is written next to DEST, checked (`quick_check`,
its schema version read), switched out of WAL mode so it is one self-contained file, and only then
renamed to DEST: a backup that failed halfway never looks like a good one.

PostgreSQL (`INMAIL_DB=postgresql://…`): `pg_dump --format=custom` (restore with `pg_restore`),
found on PATH or in Debian's /usr/lib/postgresql/*/bin; the password goes to it in its environment,
not on its command line, where any user could read it.

DEST may be a folder: the file is then named after the time (`inmail-review-20250107T030000Z.db`,
`.dump` for PostgreSQL), and `--keep N` deletes all but the newest N such files there — what a
systemd timer needs, with no shell.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.i18n import _
from models.db import is_postgres, redacted

PREFIX = "inmail-review-"
PG_DUMP_TIMEOUT_S = 3600


class BackupFailed(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", metavar="DEST", help=_("the backup file, or a folder to put a dated one in"))
    parser.add_argument("--keep", type=int, metavar="N",
                        help=_("with a folder as DEST: delete all but the newest N backups there"))


def destination(dest: str, postgres: bool) -> Path:
    """DEST itself, or a file named after the time in the folder DEST."""
    path = Path(dest)
    if not path.is_dir():
        return path
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return path / f"{PREFIX}{stamp}{'.dump' if postgres else '.db'}"


def backup_sqlite(db_path: str, dest: Path) -> int:
    """Copies the SQLite database at `db_path` to `dest`; its schema version."""
    if not Path(db_path).is_file():
        raise BackupFailed(_("there is no database at {path}", path=db_path))
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(db_path, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupFailed(_("the copy of {path} failed its integrity check", path=db_path))
                version = copy.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, dest)
    except sqlite3.Error as error:
        raise BackupFailed(_("cannot back up {path}: {reason}", path=db_path, reason=error)) from None
    finally:
        partial.unlink(missing_ok=True)
    return int(version)


def pg_dump() -> str:
    """pg_dump on PATH, else the newest of Debian's; a clear error when there is none."""
    found = shutil.which("pg_dump")
    if found:
        return found
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if versions:
        return versions[-1]
    raise BackupFailed(_("pg_dump was not found on PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL's "
                         "client programs (Debian: apt-get install postgresql-client)"))


def without_password(url: str) -> tuple[str, str | None]:
    """The connection string with its password taken out, and the password."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    return make_conninfo(**params), (str(password) if password is not None else None)


def backup_postgres(url: str, dest: Path) -> None:
    """`pg_dump --format=custom` of the database at `url` into `dest`."""
    conninfo, password = without_password(url)
    partial = dest.with_name(f".{dest.name}.partial")
    env = os.environ | ({"PGPASSWORD": password} if password else {})
    try:
        done = subprocess.run([pg_dump(), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={conninfo}"],
                              env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_S)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise BackupFailed(_("pg_dump failed: {reason}", reason=last))
        os.replace(partial, dest)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupFailed(_("pg_dump failed: {reason}", reason=error)) from None
    finally:
        partial.unlink(missing_ok=True)


def prune(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups in `folder` (by their dated names); the deleted."""
    dated = sorted(p for p in folder.glob(f"{PREFIX}*") if p.suffix in (".db", ".dump"))
    gone = dated[:-keep] if keep > 0 else dated
    for path in gone:
        path.unlink()
    return gone


def run(args: argparse.Namespace) -> int:
    from bot.settings import Settings

    if args.keep is not None and (args.keep < 1 or not Path(args.dest).is_dir()):
        print(_("inmail-review: error: {message}", message=_("--keep needs a folder as DEST and a number of 1 or more")),
              file=sys.stderr)
        return 2
    url = Settings.from_env().db_path
    postgres = is_postgres(url)
    dest = destination(args.dest, postgres)
    try:
        if postgres:
            backup_postgres(url, dest)
            print(f"backed up {redacted(url)} to {dest}", file=sys.stderr)
        else:
            version = backup_sqlite(url, dest)
            print(f"backed up {url} to {dest} (schema version {version})", file=sys.stderr)
        if args.keep is not None:
            for path in prune(Path(args.dest), args.keep):
                print(f"deleted the older backup {path}", file=sys.stderr)
    except (BackupFailed, OSError) as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 1
    return 0
