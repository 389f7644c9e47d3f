"""Acknowledged work in the database: each piece is a lease with its state (the `jobs` table's owner).

Why: an ack tells Slack "got it", after which Slack never redelivers. So a row is written
before the ack, and the work is done at least once inside — any process may pick up work whose
lease ran out (its process died or was killed) — and exactly once outside, because every step
is keyed: the draft by an id derived from the job's key, the answer by the job's key in the
message metadata, and the state only moves forward (received → reviewed → answered).

Changes to one Slack message (the original, each edit, the deletion) share one job keyed by the
message; `version` (Slack's ts of the change) lets only a newer change replace the payload, and
finishing is a compare-and-set on the version, so a change that arrived while the work ran is
worked on again instead of being lost or answered twice.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from models.store import Store

RECEIVED, REVIEWED, ANSWERED, FAILED = "received", "reviewed", "answered", "failed"
# A deletion's version: after every ts, so no late edit can bring a deleted draft back.
DELETED_VERSION = "~"
UNFINISHED = (RECEIVED, REVIEWED)


@dataclass(frozen=True)
class Job:
    """One piece of work as a worker sees it (`id` is None for work the database could not keep)."""

    team_id: str
    key: str
    kind: str
    payload: dict[str, Any]
    id: int | None = None
    state: str = RECEIVED
    version: str = ""
    draft_id: str | None = None
    attempts: int = 0


def _job(row: dict[str, Any]) -> Job:
    return Job(row["team_id"], row["key"], row["kind"], json.loads(row["payload"] or "{}"), row["id"], row["state"],
               row["version"] or "", row["draft_id"], row["attempts"])


class Jobs:
    """The queries over `jobs`; every write is one short statement (the ack waits on them)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, team_id: str, key: str, kind: str, payload: dict[str, Any], *, owner: str, lease_until: float,
            version: str = "") -> int | None:
        """Records new work leased to `owner`; None when work with this key exists (a retry, a replay)."""
        now = time.time()
        row = self.store.execute(
            "INSERT INTO jobs (team_id, key, kind, state, payload, version, owner, lease_until, attempts, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (team_id, key, kind, RECEIVED, json.dumps(payload), version, owner, lease_until, now, now)).fetchone()
        return int(row[0]) if row else None

    def supersede(self, team_id: str, key: str, payload: dict[str, Any], version: str) -> int | None:
        """A newer change to the same Slack message: its payload replaces the older one and the work
        is to be done again; None when the stored change is as new or newer (it wins)."""
        cursor = self.store.execute(
            "UPDATE jobs SET payload = ?, version = ?, state = ?, updated_at = ? "
            "WHERE team_id = ? AND key = ? AND version < ? AND state != ?",
            (json.dumps(payload), version, RECEIVED, time.time(), team_id, key, version, FAILED))
        if cursor.rowcount != 1:
            return None
        return self.id_of(team_id, key)

    def id_of(self, team_id: str, key: str) -> int | None:
        rows = self.store.rows("SELECT id FROM jobs WHERE team_id = ? AND key = ?", (team_id, key))
        return rows[0]["id"] if rows else None

    def lease(self, job_id: int, owner: str, until: float) -> Job | None:
        """Takes unfinished work for `owner` (compare-and-set: its own, or anyone's whose lease ran out)."""
        now = time.time()
        cursor = self.store.execute(
            "UPDATE jobs SET owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? "
            "WHERE id = ? AND state IN (?, ?) AND (owner = ? OR lease_until < ?)",
            (owner, until, now, job_id, *UNFINISHED, owner, now))
        if cursor.rowcount != 1:
            return None
        rows = self.store.rows("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def advance(self, job: Job, state: str, *, draft_id: str | None = None, lease_until: float | None = None) -> None:
        """Moves the work forward (never back) and renews the lease for the next step."""
        self.store.execute(
            "UPDATE jobs SET state = ?, draft_id = COALESCE(?, draft_id), lease_until = COALESCE(?, lease_until), "
            "updated_at = ? WHERE id = ? AND version = ? AND state IN (?, ?)",
            (state, draft_id, lease_until, time.time(), job.id, job.version, *UNFINISHED))

    def finish(self, job: Job, state: str = ANSWERED) -> bool:
        """Done; the payload (draft text among it) is dropped. False when a newer change arrived
        meanwhile: the work must be done again with it."""
        cursor = self.store.execute(
            "UPDATE jobs SET state = ?, payload = NULL, lease_until = 0, updated_at = ? WHERE id = ? AND version = ?",
            (state, time.time(), job.id, job.version))
        return cursor.rowcount == 1

    def postpone(self, job: Job, until: float, owner: str) -> None:
        """Try again from `until` (a rate limit, an outage, a locked database)."""
        self.store.execute("UPDATE jobs SET lease_until = ?, owner = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)",
                           (until, owner, time.time(), job.id, *UNFINISHED))

    def free(self, job_id: int) -> None:
        """Recorded work that no worker here will take soon: any process's recovery may take it now."""
        self.store.execute("UPDATE jobs SET lease_until = 0 WHERE id = ? AND state IN (?, ?)", (job_id, *UNFINISHED))

    def due(self, now: float, limit: int) -> list[int]:
        """Unfinished work whose lease has run out, oldest first."""
        return [row["id"] for row in self.store.rows(
            "SELECT id FROM jobs WHERE state IN (?, ?) AND lease_until < ? ORDER BY id LIMIT ?",
            (*UNFINISHED, now, limit))]

    def unfinished(self, team_id: str | None = None) -> list[dict[str, Any]]:
        """Work not answered yet (for tests, the bench and operators); payloads left out."""
        who = "AND team_id = :team" if team_id else ""
        return self.store.rows(
            f"SELECT id, team_id, key, kind, state, attempts, lease_until FROM jobs WHERE state IN (:a, :b) {who} ORDER BY id",
            {"a": UNFINISHED[0], "b": UNFINISHED[1], "team": team_id})

    def count_unfinished(self) -> int:
        """How much work is recorded and not finished, in every process (`/healthz`, `/metrics`)."""
        return int(self.store.rows("SELECT COUNT(*) AS n FROM jobs WHERE state IN (?, ?)", UNFINISHED)[0]["n"])

    def purge(self, older_than: float) -> int:
        """Forgets finished work not touched since `older_than` (the keys only guard against retries)."""
        return self.store.execute("DELETE FROM jobs WHERE state NOT IN (?, ?) AND updated_at < ?",
                                  (*UNFINISHED, older_than)).rowcount
