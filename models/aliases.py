"""Who a recruiter is in an export: the `recruiter_aliases` table's owner (made by
`models.store._v2_outreach`), emails and names mapped to Slack user ids per team."""
from __future__ import annotations

from models.store import Store


class Aliases:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def resolve(self, team_id: str, name: str) -> str | None:
        """A Slack user id for a recruiter as an export names them (email or name), or the id itself."""
        value = name.strip()
        if value[:1] in ("U", "W") and value.isalnum() and value.upper() == value:
            return value
        rows = self.store.rows("SELECT user_id FROM recruiter_aliases WHERE team_id = ? AND alias = ?",
                               (team_id, value.lower()))
        return rows[0]["user_id"] if rows else None

    def add(self, team_id: str, alias: str, user_id: str) -> None:
        self.store.execute("INSERT INTO recruiter_aliases (team_id, alias, user_id) VALUES (?, ?, ?) "
                           "ON CONFLICT (team_id, alias) DO UPDATE SET user_id = excluded.user_id",
                           (team_id, alias.strip().lower(), user_id))
