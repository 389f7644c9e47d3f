"""The delivery outbox: the `deliveries` table's owner (made by `models.store._v2_outreach`).

A row is written in the same transaction as what it announces, then leased and posted, so a
restart neither loses nor repeats it. Its unique `(team_id, key)` is also a claim: the digest's
once per team and week, a status's alerts once per status.
"""
from __future__ import annotations

import json
import time
from typing import Any

from models.store import Store

DELIVERY_LEASE_S = 300.0
# A failed delivery is tried again after 1, 2, 4 … minutes, at most every 6 hours; after 16
# attempts (about two days) it is given up, logged, and left for `inmail-review outbox --retry`.
DELIVERY_MAX_ATTEMPTS = 16
DELIVERY_BACKOFF_S = 60.0
DELIVERY_BACKOFF_MAX_S = 6 * 3600.0


class Outbox:
    """Queries over a `Store`; a caller's transaction, if any, is joined (`Store.transaction`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(self, team_id: str, key: str, kind: str, payload: dict[str, Any], user_id: str | None = None) -> bool:
        """Adds a delivery unless one with `key` exists (the digest's once-per-week claim)."""
        cursor = self.store.execute(
            "INSERT INTO deliveries (team_id, key, kind, user_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, key) DO NOTHING",
            (team_id, key, kind, user_id, json.dumps(payload), time.time()))
        return cursor.rowcount == 1

    def lease_due(self, now: float, lease_s: float = DELIVERY_LEASE_S) -> list[dict[str, Any]]:
        """Deliveries not yet posted whose lease is free, now leased to this caller (compare-and-set
        per row, so two processes never take the same one)."""
        candidates = self.store.rows(
            "SELECT * FROM deliveries WHERE posted_at IS NULL AND attempts < ? AND (lease_until IS NULL OR lease_until < ?) "
            "ORDER BY id", (DELIVERY_MAX_ATTEMPTS, now))
        leased = []
        for row in candidates:
            cursor = self.store.execute(
                "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND posted_at IS NULL "
                "AND attempts = ? AND (lease_until IS NULL OR lease_until < ?)",
                (now + lease_s, row["id"], row["attempts"], now))
            if cursor.rowcount == 1:
                leased.append(row | {"payload": json.loads(row["payload"] or "{}")})
        return leased

    def mark_posted(self, delivery_id: int, ts: str | None, *, keep_payload: bool = True) -> None:
        """Posted; a payload that quotes drafts (a webhook's review) is not kept past its delivery."""
        self.store.execute("UPDATE deliveries SET posted_at = ?, posted_ts = ?, payload = CASE WHEN ? = 1 THEN payload END "
                           "WHERE id = ?", (time.time(), ts, int(keep_payload), delivery_id))

    def release(self, delivery_id: int, attempts: int, now: float) -> bool:
        """Posting failed (its `attempts`-th try): the next try waits twice as long as the last, up to
        hours, so an outage of any length ends with the post. False when this was the last try."""
        delay = min(DELIVERY_BACKOFF_MAX_S, DELIVERY_BACKOFF_S * 2 ** max(0, attempts - 1))
        self.store.execute("UPDATE deliveries SET lease_until = ? WHERE id = ?", (now + delay, delivery_id))
        return attempts < DELIVERY_MAX_ATTEMPTS

    def undelivered(self, team_id: str | None = None) -> list[dict[str, Any]]:
        """Deliveries not posted yet, failed ones (given up) included: for App Home and `inmail-review outbox`."""
        who = "AND team_id = :team" if team_id else ""
        return self.store.rows(
            "SELECT id, team_id, key, kind, user_id, created_at, attempts, lease_until, "
            "CASE WHEN attempts >= :max THEN 1 ELSE 0 END AS given_up "
            f"FROM deliveries WHERE posted_at IS NULL {who} ORDER BY id",
            {"team": team_id, "max": DELIVERY_MAX_ATTEMPTS})

    def backlog(self) -> tuple[int, float | None]:
        """How many deliveries are not posted yet (given-up ones too), and when the oldest of them
        was made (`/metrics`)."""
        row = self.store.rows("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE posted_at IS NULL", ())[0]
        return int(row["n"]), row["oldest"]

    def retry_undelivered(self, team_id: str | None = None) -> int:
        """Every undelivered delivery is due at the next tick, with its attempts counted afresh."""
        who = "AND team_id = :team" if team_id else ""
        return self.store.execute(f"UPDATE deliveries SET attempts = 0, lease_until = NULL WHERE posted_at IS NULL {who}",
                                  {"team": team_id}).rowcount

    def deliveries(self, team_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        if kind is None:
            return self.store.rows("SELECT * FROM deliveries WHERE team_id = ? ORDER BY id", (team_id,))
        return self.store.rows("SELECT * FROM deliveries WHERE team_id = ? AND kind = ? ORDER BY id", (team_id, kind))
