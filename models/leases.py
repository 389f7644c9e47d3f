"""Named app-wide leases (the `leases` table, created by `models/store.py`'s `_v10_workers`): which
process holds a role, such as the scheduler's, until when.

Taking and renewing are one compare-and-set statement (`INSERT … ON CONFLICT DO UPDATE … WHERE`):
the row is written only when it is free, run out, or already ours, and both engines decide that
per row, so of several processes asking at once exactly one gets it. The rows belong to no
workspace: their `team_id` is ''. Times are the callers' clocks (`time.time()`), so hosts sharing
a database need their clocks kept in step (NTP) to well within a lease's length.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.store import Store

APP_WIDE = ""  # the team_id of a row that belongs to no workspace


class Leases:
    def __init__(self, store: "Store") -> None:
        self.store = store

    def take(self, name: str, owner: str, now: float, ttl_s: float) -> bool:
        """Takes `name` for `owner` until `now + ttl_s`, or renews it; False when another owner
        holds it and its lease has not run out."""
        cursor = self.store.execute(
            "INSERT INTO leases (name, team_id, owner, until) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
            "WHERE leases.owner = excluded.owner OR leases.until < ?",
            (name, APP_WIDE, owner, now + ttl_s, now))
        return cursor.rowcount == 1

    def release(self, name: str, owner: str) -> None:
        """Gives `name` up, if `owner` still holds it, so another process takes it at once."""
        self.store.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def holder(self, name: str, now: float) -> str | None:
        """Who holds `name` now, if anyone."""
        rows = self.store.rows("SELECT owner FROM leases WHERE name = ? AND until >= ?", (name, now))
        return rows[0]["owner"] if rows else None
