"""The store's own tables — drafts, their reviews, button outcomes, the processed-event ledger of
issues 4–9 (since issue 10 the `jobs` table of `models/jobs.py` keys the work; the old claims
are only purged) — and the schema of every table (`MIGRATIONS`).

A SQLite file in WAL mode (the default), or PostgreSQL for several workers (`models/db.py` says
how one SQL serves both). The schema is an ordered list of migrations; each one that a database
has not seen runs once at open, inside a transaction under the database-wide write lock, and its
number is written to `schema_migrations` — so two processes starting on the same database do
not both migrate, and later issues add a table by appending a function. The other tables each
have one owner module (named in their migration's docstring). Every row carries the Slack
`team_id` and every query filters on it: one workspace never sees another's data.

The connection is shared by the app's threads behind a lock: SQLite serialises writers anyway,
and a single connection keeps `ON CONFLICT DO NOTHING` claims and the reads after them
consistent. Across processes the same claims are atomic because a unique index decides. The work
queue opens a second connection of its own with a short busy timeout (`busy_timeout_s`), so
recording work in an ack never waits behind this lock.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterator

from models.db import BackendError, Connection, PostgresSchema, connect, is_postgres
from models.effects import review_traits
from models.records import Review
from models.template_bands import TemplateBands, write_print

if TYPE_CHECKING:
    import sqlite_utils  # imported where a migration runs: `check`, which opens no store, skips its 0.2 s

DRAFT_SOURCES = ("command", "channel", "shortcut", "modal")
QUOTED = re.compile(r"“[^”]*”")  # how rule messages quote the draft (`{match}` in the packs)
OUTCOME_KINDS = ("sent", "replied")
# How long a write waits for another process's write lock before it fails (and its work is retried).
BUSY_TIMEOUT_S = 5.0


def _v1_slack_app(db: sqlite_utils.Database) -> None:
    """Issue 4: the Slack app's tables."""
    db["processed_events"].create(
        {"team_id": str, "key": str, "kind": str, "at": float}, pk=("team_id", "key"))
    db["drafts"].create({
        "id": str, "team_id": str, "user_id": str, "source": str, "channel": str, "message_ts": str,
        "subject": str, "text": str, "details": str, "recipient_key": str, "fingerprint": bytes,
        "answer_channel": str, "answer_ts": str, "created_at": float, "updated_at": float, "deleted_at": float,
    }, pk="id", not_null={"team_id", "user_id", "source", "created_at", "updated_at"})
    # One draft per Slack message: a redelivered event cannot create a second one.
    db["drafts"].create_index(["team_id", "channel", "message_ts"], unique=True)
    db["drafts"].create_index(["team_id", "user_id", "created_at"])
    db["reviews"].create({
        "id": int, "team_id": str, "draft_id": str, "score": int, "verdict": str, "language": str,
        "category": str, "findings": str, "created_at": float,
    }, pk="id", foreign_keys=[("draft_id", "drafts", "id")], not_null={"team_id", "draft_id"})
    db["reviews"].create_index(["team_id", "draft_id", "created_at"])
    db["outcomes"].create({
        "id": int, "team_id": str, "user_id": str, "draft_id": str, "kind": str, "at": float,
    }, pk="id", foreign_keys=[("draft_id", "drafts", "id")], not_null={"team_id", "user_id", "draft_id", "kind"})
    # A double click on "Mark as sent" records one send.
    db["outcomes"].create_index(["team_id", "draft_id", "kind"], unique=True)


def _v2_outreach(db: sqlite_utils.Database) -> None:
    """Issue 5: outreach figures, policy status history, the delivery outbox, team settings.

    `outreach` holds sends with their responses (one row per button click, `/inmail log` or
    imported recruiter-period), deduplicated by `key`. `policy_status` is append-only; its
    unique `prev_id` lets exactly one successor follow each status whichever process proposes
    it. `deliveries` is an outbox: a row is written in the same transaction as what it
    announces, then leased and posted, so a restart neither loses nor repeats it. Owners:
    models/sends.py, models/policy_status.py, models/outbox.py, models/team_settings.py,
    models/aliases.py.
    """
    db["outreach"].create({
        "id": int, "team_id": str, "user_id": str, "key": str, "source": str, "draft_id": str, "at": float,
        "sent": int, "bulk": int, "accepted": int, "declined": int, "replied": int, "pending": int,
        "responded_at": float, "period_end": float, "created_at": float, "updated_at": float,
    }, pk="id", not_null={"team_id", "user_id", "key", "source", "at", "sent"},
        defaults={"bulk": 0, "accepted": 0, "declined": 0, "replied": 0, "pending": 0})
    db["outreach"].create_index(["team_id", "key"], unique=True)
    db["outreach"].create_index(["team_id", "user_id", "at", "sent", "replied", "responded_at"])
    db["outreach"].create_index(["team_id", "at", "user_id", "sent", "replied", "responded_at"])
    db["policy_status"].create({
        "id": int, "team_id": str, "user_id": str, "prev_id": int, "state": str, "since": float, "until": float,
        "period_start": float, "period_end": float, "sent": int, "responses": int, "reason": str,
        "recorded_at": float,
    }, pk="id", not_null={"team_id", "user_id", "prev_id", "state", "since"})
    db["policy_status"].create_index(["team_id", "user_id", "prev_id"], unique=True)
    db["deliveries"].create({
        "id": int, "team_id": str, "key": str, "kind": str, "user_id": str, "payload": str, "created_at": float,
        "lease_until": float, "attempts": int, "posted_at": float, "posted_ts": str,
    }, pk="id", not_null={"team_id", "key", "kind", "created_at"}, defaults={"attempts": 0})
    db["deliveries"].create_index(["team_id", "key"], unique=True)
    db["deliveries"].create_index(["posted_at", "lease_until"])
    db["team_settings"].create({"team_id": str, "settings": str, "updated_at": float}, pk="team_id")
    db["recruiter_aliases"].create({"team_id": str, "alias": str, "user_id": str}, pk=("team_id", "alias"))
    db["reviews"].create_index(["team_id", "created_at"])
    # The retention purge looks only at drafts that still have text.
    db.execute("CREATE INDEX idx_drafts_text_kept ON drafts (team_id, created_at) WHERE text IS NOT NULL")


def _v3_jobs(db: sqlite_utils.Database) -> None:
    """Issue 10: acknowledged work as leases with their state (models/jobs.py owns the table).

    A row is written before Slack is acknowledged; `state` goes received → reviewed → answered;
    `lease_until`/`owner` say who works on it until when, so work whose process died is picked up
    again once its lease has run out. `version` orders the changes to one Slack message (its ts,
    then each edit's ts), so an edit racing the original is applied once, newest text last.
    """
    db["jobs"].create({
        "id": int, "team_id": str, "key": str, "kind": str, "state": str, "payload": str, "version": str,
        "draft_id": str, "owner": str, "lease_until": float, "attempts": int, "created_at": float,
        "updated_at": float,
    }, pk="id", not_null={"team_id", "key", "kind", "state", "created_at", "updated_at"},
        defaults={"attempts": 0, "lease_until": 0.0})
    db["jobs"].create_index(["team_id", "key"], unique=True)
    db["jobs"].create_index(["state", "lease_until"])
    db["jobs"].create_index(["updated_at"])
    db["processed_events"].create_index(["at"])


def _v4_reply_logs(db: sqlite_utils.Database) -> None:
    """Issue 11: replies recorded as counts to earlier sends (`/inmail log replied 30`, a bulk
    draft's replies). The replies themselves are added to the `outreach` rows they answer; this
    ledger, keyed like `outreach`, makes a retried command or form add nothing the second time
    (models/sends.py owns both tables)."""
    db["reply_logs"].create({
        "id": int, "team_id": str, "user_id": str, "key": str, "draft_id": str, "accepted": int, "declined": int,
        "replied": int, "created_at": float,
    }, pk="id", not_null={"team_id", "user_id", "key", "replied", "created_at"})
    db["reply_logs"].create_index(["team_id", "key"], unique=True)
    db["reply_logs"].create_index(["team_id", "user_id", "created_at"])


def _v5_channel_problems(db: sqlite_utils.Database) -> None:
    """Issue 11: a channel the app could not post in (not a member, gone, archived), kept until a
    post there succeeds, so admins see it in App Home and are told once (models/channel_problems.py owns it)."""
    db["channel_problems"].create({"team_id": str, "channel": str, "error": str, "purpose": str, "noticed_at": float},
                                  pk=("team_id", "channel"), not_null={"error", "noticed_at"})


def _v6_review_traits(db: sqlite_utils.Database) -> None:
    """Issue 15: what a review says about its draft as `models/effects.py` compares outcomes by
    (its rules, verdict, score band, length band, category), kept with the review and copied onto
    the send when the draft is marked sent — so each send is judged by the review it was sent
    with, and the report is one grouped scan of `outreach`, no draft text and no unpacking of
    findings. Reviews and sends stored before get their traits now, without a length band (the
    length was not kept)."""
    db["trait_sets"].create({"id": int, "traits": str}, pk="id", not_null={"traits"})
    db["trait_sets"].create_index(["traits"], unique=True)
    db["reviews"].add_column("body_chars", int)
    db["reviews"].add_column("trait_set", int)
    db["outreach"].add_column("trait_set", int)
    # The report's one grouped scan: a team's sends in trait-set order, with what it adds up.
    db["outreach"].create_index(["team_id", "trait_set", "at", "sent", "replied"])
    for review_id, findings, verdict, score, category in db.execute(
            "SELECT id, findings, verdict, score, category FROM reviews").fetchall():
        traits = review_traits({f["rule"] for f in json.loads(findings or "[]")}, verdict, score, None, category)
        db.execute("UPDATE reviews SET trait_set = ? WHERE id = ?", (trait_set_id(db.conn, traits), review_id))
    db.execute("UPDATE outreach SET trait_set = (SELECT trait_set FROM reviews r WHERE r.team_id = outreach.team_id "
               "AND r.draft_id = outreach.draft_id ORDER BY r.id DESC LIMIT 1) WHERE draft_id IS NOT NULL")


def _v7_dismissals_and_team_rules(db: sqlite_utils.Database) -> None:
    """Issue 14: findings dismissed as "not applicable here" (models/dismissals.py owns the
    table) and the rule changes leads make in App Home, with the version counter every process
    checks before a review (models/team_rules.py owns both).

    A dismissal is one per draft, rule and phrase (a double click records one). `phrase` is the
    rule's own phrase that matched when there is one (`phrase_source` "pack"), else the quoted
    words (`"quote"`, the draft's words: forgotten with its text, as `quote` always is).
    A rule change is never deleted: undoing it stamps `undone_at`, so the list shows who changed
    what and when; one active change of each kind per rule, language and phrase."""
    db["dismissals"].create({
        "id": int, "team_id": str, "user_id": str, "author_id": str, "draft_id": str, "rule": str, "phrase": str,
        "phrase_source": str, "quote": str, "language": str, "field": str, "at": float,
    }, pk="id", not_null={"team_id", "user_id", "author_id", "draft_id", "rule", "phrase_source", "at"})
    db["dismissals"].create_index(["team_id", "draft_id", "rule", "phrase"], unique=True)
    db["dismissals"].create_index(["team_id", "author_id", "at"])
    db["dismissals"].create_index(["team_id", "at"])
    db["team_rule_changes"].create({
        "id": int, "team_id": str, "user_id": str, "kind": str, "rule": str, "language": str, "phrase": str,
        "level": str, "suggestion": str, "created_at": float, "undone_by": str, "undone_at": float,
    }, pk="id", not_null={"team_id", "user_id", "kind", "rule", "language", "phrase", "level", "suggestion",
                          "created_at"})
    db.execute("CREATE UNIQUE INDEX idx_team_rule_changes_active ON team_rule_changes "
               "(team_id, kind, rule, language, phrase) WHERE undone_at IS NULL")
    db["team_rule_versions"].create({"team_id": str, "version": int}, pk="team_id", not_null={"version"})


def _v8_reader_languages(db: sqlite_utils.Database) -> None:
    """Issue 14: the interface language each person chose in App Home (models/readers.py owns the
    table). No row means "automatic": Slack's locale for them, else the team's language."""
    db["reader_languages"].create({"team_id": str, "user_id": str, "language": str, "updated_at": float},
                                  pk=("team_id", "user_id"), not_null={"language", "updated_at"})


def _v9_installations(db: sqlite_utils.Database) -> None:
    """Issue 13: the app distributed to many workspaces through Slack's OAuth (models/installations.py
    owns the tables). `installations` keeps every install, latest wins; `installation_bots` one bot
    token per workspace, replaced on reinstall and on token rotation; `oauth_states` the install
    flow's one-use states. Keys are never NULL: `enterprise_id` '' when there is none, `team_id` ''
    for an org-wide install and for the states, which belong to no workspace yet."""
    db["installations"].create({
        "id": int, "team_id": str, "enterprise_id": str, "user_id": str, "app_id": str, "team_name": str,
        "enterprise_name": str, "enterprise_url": str, "is_enterprise_install": int, "user_token": str,
        "user_scopes": str, "user_refresh_token": str, "user_token_expires_at": float, "token_type": str,
        "installed_at": float,
    }, pk="id", not_null={"team_id", "enterprise_id", "user_id", "is_enterprise_install", "installed_at"},
        defaults={"is_enterprise_install": 0})
    db["installations"].create_index(["team_id", "enterprise_id", "user_id", "installed_at"])
    db["installation_bots"].create({
        "team_id": str, "enterprise_id": str, "app_id": str, "team_name": str, "enterprise_name": str,
        "bot_token": str, "bot_id": str, "bot_user_id": str, "bot_scopes": str, "bot_refresh_token": str,
        "bot_token_expires_at": float, "is_enterprise_install": int, "installed_at": float, "saved_at": float,
    }, pk=("team_id", "enterprise_id"), not_null={"bot_token", "is_enterprise_install", "installed_at", "saved_at"},
        defaults={"is_enterprise_install": 0})
    db["oauth_states"].create({"state": str, "team_id": str, "expires_at": float}, pk="state",
                              not_null={"team_id", "expires_at"})
    db["oauth_states"].create_index(["expires_at"])


def _v10_workers(db: sqlite_utils.Database) -> None:
    """Issue 13: several `serve` processes on one database.

    `leases` (models/leases.py owns it): named app-wide leases, such as the scheduler's leader.
    Every row carries a `team_id`; these belong to no workspace, so theirs is ''.
    `template_prints`, `template_bands`, `draft_prints` (models/template_bands.py owns them): the
    template history every process queries instead of keeping it in memory. The drafts
    fingerprinted before get theirs here, their band keys cut out of the stored bytes: in the 530
    bytes of FORMAT 1, band b is the 12 bytes from byte 18 + 12 b (`VALUES_OFFSET` in
    rules/similarity.py, which models/ cannot import; tests/test_workers.py checks that the two
    agree). Drafts deleted, or whose text was purged, get none, as they would now; drafts too short
    to match get keys too (their shingle count is the engine's to read), and the judgement leaves
    them out."""
    db["leases"].create({"name": str, "team_id": str, "owner": str, "until": float}, pk="name",
                        not_null={"team_id", "owner", "until"}, defaults={"team_id": ""})
    db["template_prints"].create({"team_id": str, "digest": bytes, "fingerprint": bytes}, pk=("team_id", "digest"),
                                 not_null={"fingerprint"})
    db["template_bands"].create({"team_id": str, "band": int, "bucket": bytes, "digest": bytes},
                                pk=("team_id", "band", "bucket", "digest"))
    db["draft_prints"].create({"team_id": str, "draft_id": str, "digest": bytes, "recipient_key": str, "user_id": str,
                               "at": float}, pk=("team_id", "draft_id"), not_null={"digest", "user_id", "at"})
    db["draft_prints"].create_index(["team_id", "digest", "at"])
    for team_id, draft_id, fingerprint, recipient_key, user_id, at in db.execute(
            "SELECT team_id, id, fingerprint, recipient_key, user_id, created_at FROM drafts WHERE fingerprint IS NOT NULL "
            "AND deleted_at IS NULL AND text IS NOT NULL ORDER BY team_id, id").fetchall():
        fingerprint = bytes(fingerprint)
        if len(fingerprint) == 530:
            keys = [fingerprint[18 + 12 * band:30 + 12 * band] for band in range(12)]
            write_print(db.execute, team_id, draft_id, fingerprint, keys, recipient_key, user_id, at)


def trait_set_id(conn: Connection | sqlite3.Connection, traits: str) -> int:
    """The id of a set of traits (`models/effects.py:review_traits`), added the first time it is seen."""
    conn.execute("INSERT INTO trait_sets (traits) VALUES (?) ON CONFLICT DO NOTHING", (traits,))
    return int(conn.execute("SELECT id FROM trait_sets WHERE traits = ?", (traits,)).fetchone()[0])


# Append only; never edit a migration that has shipped.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1_slack_app, _v2_outreach, _v3_jobs,
                                                                     _v4_reply_logs, _v5_channel_problems,
                                                                     _v6_review_traits, _v7_dismissals_and_team_rules,
                                                                     _v8_reader_languages, _v9_installations,
                                                                     _v10_workers)


def new_draft_id() -> str:
    return "d_" + uuid.uuid4().hex[:16]


class Store:
    """Plain methods over one database; open with `Store.open(path or URL)`, close with `close()`."""

    def __init__(self, db: Connection) -> None:
        self.db = db
        self._lock = threading.RLock()

    @classmethod
    def open(cls, target: str | Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S, migrate: bool = True) -> "Store":
        """Opens (creating and migrating as needed) the SQLite file at `target`, or the
        PostgreSQL database at a `postgresql://` URL.

        `busy_timeout_s` bounds how long a statement waits for another process's write lock
        (PostgreSQL: `lock_timeout`): the request path opens its own connection with a short one,
        so an ack never waits long. SQLite's `secure_delete` overwrites deleted and purged text in
        the file instead of leaving it in free pages.
        """
        if not is_postgres(target) and str(target) != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        db = connect(str(target), busy_timeout_s)
        if db.dialect == "sqlite":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA secure_delete = ON")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
            # nothing committed (only a power cut may lose the last commits), and an ack's write is fast.
            db.execute("PRAGMA synchronous = NORMAL")
        store = cls(db)
        if migrate:
            store._migrate()
        return store

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # --- schema --------------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Runs the migrations this database has not seen, once, whichever process starts first:
        the transaction's write lock makes a second process wait and then find them done."""
        with self._lock, self.db.transaction():
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                            "name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)")
            done = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations").fetchall()}
            import sqlite_utils

            schema = sqlite_utils.Database(self.db.raw) if self.db.dialect == "sqlite" else PostgresSchema(self.db)
            for version, migration in enumerate(MIGRATIONS, start=1):
                if version not in done:
                    migration(schema)
                    self.db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                    (version, migration.__name__.lstrip("_"), time.time()))

    def probe_write(self) -> None:
        """Raises when the database takes no writes (a read-only file, a standby server)."""
        with self._lock:
            if self.db.dialect == "sqlite":
                self.db.execute("PRAGMA user_version = 0")
            elif self.db.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise BackendError("the database is a read-only standby")

    def tables(self) -> list[str]:
        """Every table of ours (for the tests, and for purging a team from all of them)."""
        if self.db.dialect == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        else:
            sql = ("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() "
                   "ORDER BY table_name")
        return [row["name"] for row in self._rows(sql, ())]

    def columns(self, table: str) -> dict[str, str]:
        """A table's columns and their declared types, lower case (`text`, `bytea`/`blob`, …)."""
        if self.db.dialect == "sqlite":
            return {row["name"]: row["type"].lower() for row in self._rows(f"PRAGMA table_info([{table}])", ())}
        return {row["column_name"]: row["data_type"] for row in self._rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))}

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]

    def checkpoint(self) -> None:
        """Makes forgotten text leave the disk after a purge or forget-me. SQLite copies the WAL
        into the main file and truncates it (so nothing is left in `-wal`). PostgreSQL keeps an
        updated row's old version, and a plain VACUUM leaves its bytes in the page's free space,
        so the tables that hold text are rewritten (`VACUUM FULL`: an exclusive lock for the
        rewrite; docs/decisions.md says what remains in PostgreSQL's WAL and backups)."""
        with self._lock:
            if self.db.dialect == "sqlite":
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                self.db.execute("VACUUM FULL drafts, reviews, jobs, dismissals")

    def purge_claims(self, older_than: float) -> int:
        """Forgets processed-event claims older than `older_than` (Slack retries within minutes)."""
        with self._lock:
            return self.db.execute("DELETE FROM processed_events WHERE at < ?", (older_than,)).rowcount

    def _transaction(self) -> ContextManager[Connection]:
        return self.db.transaction()

    def _rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            return self.db.query(sql, params)

    # Public for the modules that add their own queries (the other tables' owners): same lock, same rules.
    rows = _rows

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        """One statement; the cursor has `rowcount`, `fetchone()`, `fetchall()` on both engines."""
        with self._lock:
            return self.db.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Several writes as one, under the database-wide write lock (`models/db.py`)."""
        with self._lock, self._transaction():
            yield self.db

    # --- drafts ----------------------------------------------------------------------------------
    def add_draft(self, team_id: str, user_id: str, source: str, text: str, *, subject: str = "",
                  channel: str | None = None, message_ts: str | None = None, recipient_key: str | None = None,
                  details: dict[str, Any] | None = None, draft_id: str | None = None) -> str | None:
        """Stores a new draft and returns its id; None when that Slack message (or `draft_id`) already has one.

        `details` holds what the form added besides the text (recipient, category, language),
        so "Review again" reviews the same draft, not just its text. A `draft_id` derived from
        the work's key makes a retried piece of work find its draft instead of adding a second.
        """
        if source not in DRAFT_SOURCES:
            raise ValueError(f"unknown draft source {source!r}")
        now = time.time()
        draft_id = draft_id or new_draft_id()
        with self._lock:
            cursor = self.db.execute(
                "INSERT INTO drafts (id, team_id, user_id, source, channel, message_ts, subject, text, "
                "details, recipient_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (draft_id, team_id, user_id, source, channel, message_ts, subject, text,
                 json.dumps(details) if details else None, recipient_key, now, now))
        return draft_id if cursor.rowcount == 1 else None

    def draft(self, team_id: str, draft_id: str) -> dict[str, Any] | None:
        return self._draft("id = ?", (team_id, draft_id))

    def draft_for_message(self, team_id: str, channel: str, message_ts: str) -> dict[str, Any] | None:
        return self._draft("channel = ? AND message_ts = ?", (team_id, channel, message_ts))

    def _draft(self, where: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT * FROM drafts WHERE team_id = ? AND {where}", params)
        if not rows:
            return None
        return rows[0] | {"details": json.loads(rows[0]["details"]) if rows[0]["details"] else {}}

    def update_draft_text(self, team_id: str, draft_id: str, text: str, subject: str = "") -> None:
        self._update_draft(team_id, draft_id, text=text, subject=subject)

    def set_answer(self, team_id: str, draft_id: str, channel: str, ts: str) -> None:
        """Where the review of this draft was posted, so an edit updates it and a deletion removes it."""
        self._update_draft(team_id, draft_id, answer_channel=channel, answer_ts=ts)

    def mark_deleted(self, team_id: str, draft_id: str, *, keep_answer: bool = False) -> None:
        """The draft was deleted (by the user in Slack, or by forget-me): forget its text, the
        draft's words quoted in its findings and, unless `keep_answer` (forget-me offers to delete
        the answers next), where its answer is; its reviews and outcomes stay."""
        answer = {} if keep_answer else {"answer_channel": None, "answer_ts": None}
        with self._lock, self._transaction():
            self._update_draft(team_id, draft_id, text=None, subject=None, details=None, deleted_at=time.time(), **answer)
            self.drop_quotes(team_id, [draft_id])
            TemplateBands(self).forget(team_id, draft_id)  # no longer an earlier copy

    def drop_quotes(self, team_id: str, draft_ids: list[str]) -> None:
        """Findings quote the draft (“rockstar” is exclusionary): once its text is gone, so are the quotes."""
        with self._lock, self._transaction():
            for draft_id in draft_ids:
                for review_id, findings in self.db.execute(
                        "SELECT id, findings FROM reviews WHERE team_id = ? AND draft_id = ?", (team_id, draft_id)).fetchall():
                    unquoted = [f | {"message": QUOTED.sub("“…”", f.get("message") or "")} for f in json.loads(findings)]
                    self.db.execute("UPDATE reviews SET findings = ? WHERE id = ?",
                                    (json.dumps(unquoted, ensure_ascii=False), review_id))

    def answers_of_forgotten(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        """The app's answers still in drafts-channel threads for this user's drafts whose text is gone."""
        return self._rows("SELECT id, answer_channel, answer_ts FROM drafts WHERE team_id = ? AND user_id = ? "
                          "AND text IS NULL AND answer_ts IS NOT NULL", (team_id, user_id))

    def forget_answer(self, team_id: str, draft_id: str) -> None:
        self._update_draft(team_id, draft_id, answer_channel=None, answer_ts=None)

    def _update_draft(self, team_id: str, draft_id: str, **values: Any) -> None:
        values["updated_at"] = time.time()
        assignments = ", ".join(f"[{name}] = :{name}" for name in values)
        with self._lock:
            self.db.execute(f"UPDATE drafts SET {assignments} WHERE team_id = :team_id AND id = :draft_id",
                            {**values, "team_id": team_id, "draft_id": draft_id})

    def purge_text(self, team_id: str, older_than: float) -> int:
        """The retention purge: forgets the text of drafts created before `older_than`, and the
        draft's words quoted in their findings; scores and findings stay. The caller checkpoints
        the WAL afterwards."""
        with self.transaction() as db:
            ids = [row[0] for row in db.execute("SELECT id FROM drafts WHERE team_id = ? AND created_at < ? "
                                                "AND text IS NOT NULL ORDER BY id", (team_id, older_than)).fetchall()]
            db.execute("UPDATE drafts SET text = NULL, subject = NULL, details = NULL, updated_at = ? "
                       "WHERE team_id = ? AND created_at < ? AND text IS NOT NULL", (time.time(), team_id, older_than))
            self.drop_quotes(team_id, ids)
            TemplateBands(self).forget_created_before(team_id, older_than)
        return len(ids)

    def drafts_with_text(self, team_id: str, user_id: str) -> list[str]:
        """The user's drafts whose text is still kept (what forget-me forgets)."""
        return [r["id"] for r in self.rows("SELECT id FROM drafts WHERE team_id = ? AND user_id = ? "
                                           "AND text IS NOT NULL ORDER BY id", (team_id, user_id))]

    # --- reviews ---------------------------------------------------------------------------------
    def add_review(self, team_id: str, draft_id: str, review: Review) -> int:
        """Stores a review (findings as the JSON contract) and the draft's template fingerprint."""
        row = {"team_id": team_id, "draft_id": draft_id, "score": review.score, "verdict": review.verdict,
               "language": review.language, "category": review.category,
               "findings": json.dumps([f.to_dict() for f in review.findings], ensure_ascii=False),
               "body_chars": review.metrics.body_chars, "created_at": time.time()}
        traits = review_traits({f.rule for f in review.findings}, review.verdict, review.score,
                               review.metrics.body_chars, review.category)
        with self._lock, self._transaction():
            row["trait_set"] = trait_set_id(self.db, traits)
            review_id = self.db.execute(
                f"INSERT INTO reviews ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
                tuple(row.values())).fetchone()[0]
            self.db.execute("UPDATE drafts SET fingerprint = ?, recipient_key = coalesce(recipient_key, ?), updated_at = ? "
                            "WHERE team_id = ? AND id = ?",
                            (review.fingerprint, review.recipient_key, row["created_at"], team_id, draft_id))
        return int(review_id)

    def reviews(self, team_id: str, draft_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM reviews WHERE team_id = ? AND draft_id = ? ORDER BY id", (team_id, draft_id))
        return [row | {"findings": json.loads(row["findings"])} for row in rows]

    def recent_reviews(self, team_id: str, user_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """The user's latest drafts with their latest review each, newest first (for App Home)."""
        return self._rows(
            "SELECT d.id AS draft_id, d.source, d.subject, substr(d.text, 1, 80) AS excerpt, d.deleted_at, r.score, r.verdict, r.language, "
            "r.category, r.created_at FROM drafts d JOIN reviews r ON r.id = ("
            "  SELECT MAX(id) FROM reviews WHERE team_id = d.team_id AND draft_id = d.id) "
            "WHERE d.team_id = ? AND d.user_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
            (team_id, user_id, limit))

    # --- template history ------------------------------------------------------------------------
    def template_drafts(self, team_id: str, created_since: float) -> list[dict[str, Any]]:
        """The team's live fingerprinted drafts from `created_since`, oldest first, each with its
        send (if any) and the trait set of its latest review: what templates are grouped from."""
        return self._rows(
            "SELECT d.id, d.user_id, d.recipient_key, d.fingerprint, d.created_at, d.text, o.sent, o.replied, o.at, "
            "(SELECT t.traits FROM reviews r JOIN trait_sets t ON t.id = r.trait_set WHERE r.team_id = d.team_id "
            " AND r.draft_id = d.id ORDER BY r.id DESC LIMIT 1) AS traits "
            "FROM drafts d LEFT JOIN outreach o ON o.team_id = d.team_id AND o.key = 'button:' || d.id "
            "WHERE d.team_id = ? AND d.created_at >= ? AND d.fingerprint IS NOT NULL AND d.deleted_at IS NULL "
            "ORDER BY d.created_at, d.id", (team_id, created_since))

    # --- outcomes --------------------------------------------------------------------------------
    def record_outcome(self, team_id: str, user_id: str, draft_id: str, kind: str) -> bool:
        """Records "sent" or "replied" for a draft; False when it was already recorded."""
        if kind not in OUTCOME_KINDS:
            raise ValueError(f"unknown outcome {kind!r}")
        with self._lock:
            cursor = self.db.execute(
                "INSERT INTO outcomes (team_id, user_id, draft_id, kind, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (team_id, user_id, draft_id, kind, time.time()))
            return cursor.rowcount == 1

    def outcomes(self, team_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
        if user_id is None:
            return self._rows("SELECT * FROM outcomes WHERE team_id = ? ORDER BY id", (team_id,))
        return self._rows("SELECT * FROM outcomes WHERE team_id = ? AND user_id = ? ORDER BY id", (team_id, user_id))
