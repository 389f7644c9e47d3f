"""The rule changes leads make in App Home, and the version counter that makes every process
see them (the `team_rule_changes` and `team_rule_versions` tables' owner; made by
`models.store._v7_dismissals_and_team_rules`).

A change is a row: switch a phrase off (`phrase-off`: rule, language, phrase), change a rule's
level (`level`: rule, level; every language) or add a phrase (`add-phrase`: family as `rule`,
language, phrase, level, suggestion). Rows are never deleted: undoing stamps `undone_at` and
`undone_by`, so the list says who changed what and when. Every change and undo adds one to the
team's version in the same transaction; a process compares that one number with the version it
built its reviewer from before each review, and rebuilds only when it moved. What a change
means for the rules (and whether it is valid) is the engine's business (`rules/packs.py`):
this module stores plain values and imports nothing from `rules`.
"""
from __future__ import annotations

import json
import time
from typing import Any

from models.store import Store

KINDS = ("phrase-off", "level", "add-phrase")


class TeamRuleChanges:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def version(self, team_id: str) -> int:
        """The team's rule version: 0 before any change; read before every review (one primary-key lookup)."""
        rows = self.store.rows("SELECT version FROM team_rule_versions WHERE team_id = ?", (team_id,))
        return int(rows[0]["version"]) if rows else 0

    def add(self, team_id: str, user_id: str, kind: str, rule: str, *, language: str = "", phrase: str = "",
            level: str = "", suggestion: str = "", at: float | None = None) -> int | None:
        """Stores a change and moves the version on; None when the same change is active already."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of rule change {kind!r}")
        with self.store.transaction() as db:
            row = db.execute(
                "INSERT INTO team_rule_changes (team_id, user_id, kind, rule, language, phrase, level, "
                "suggestion, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (team_id, user_id, kind, rule, language, phrase, level, suggestion,
                 time.time() if at is None else at)).fetchone()
            if row is None:
                return None
            self._bump(db, team_id)
            return int(row[0])

    def undo(self, team_id: str, change_id: int, user_id: str) -> dict[str, Any] | None:
        """Undoes an active change (and moves the version on); None when it is not active."""
        with self.store.transaction() as db:
            cursor = db.execute("UPDATE team_rule_changes SET undone_by = ?, undone_at = ? "
                                "WHERE team_id = ? AND id = ? AND undone_at IS NULL",
                                (user_id, time.time(), team_id, change_id))
            if cursor.rowcount != 1:
                return None
            self._bump(db, team_id)
        return self.change(team_id, change_id)

    @staticmethod
    def _bump(db: Any, team_id: str) -> None:
        db.execute("INSERT INTO team_rule_versions (team_id, version) VALUES (?, 1) "
                   "ON CONFLICT (team_id) DO UPDATE SET version = team_rule_versions.version + 1", (team_id,))

    def change(self, team_id: str, change_id: int) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM team_rule_changes WHERE team_id = ? AND id = ?", (team_id, change_id))
        return rows[0] if rows else None

    def active(self, team_id: str) -> list[dict[str, Any]]:
        """The changes in force, in the order they were made (the order they are applied in)."""
        return self.store.rows("SELECT * FROM team_rule_changes WHERE team_id = ? AND undone_at IS NULL ORDER BY id",
                               (team_id,))

    def listed(self, team_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """The latest changes, undone ones included, newest first (App Home's list)."""
        return self.store.rows("SELECT * FROM team_rule_changes WHERE team_id = ? ORDER BY id DESC LIMIT ?",
                               (team_id, limit))

    def preview_drafts(self, team_id: str, since: float, limit: int = 20) -> list[dict[str, Any]]:
        """The team's latest drafts whose text is still kept (created since `since`, the retention
        limit, even before the hourly purge has run), newest first: what a new phrase is tried on."""
        rows = self.store.rows(
            "SELECT id, user_id, subject, text, details FROM drafts WHERE team_id = ? AND text IS NOT NULL "
            "AND deleted_at IS NULL AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (team_id, since, limit))
        return [row | {"details": json.loads(row["details"]) if row["details"] else {}} for row in rows]
