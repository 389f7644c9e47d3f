"""The interface language each person chose (the `reader_languages` table's owner; made by
`models.store._v8_reader_languages`). No row is the default, "automatic"."""
from __future__ import annotations

import time

from models.store import Store


class ReaderLanguages:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def chosen(self, team_id: str, user_id: str) -> str | None:
        rows = self.store.rows("SELECT language FROM reader_languages WHERE team_id = ? AND user_id = ?",
                               (team_id, user_id))
        return rows[0]["language"] if rows else None

    def choose(self, team_id: str, user_id: str, language: str | None) -> None:
        """Stores a person's choice; None goes back to automatic."""
        if language is None:
            self.store.execute("DELETE FROM reader_languages WHERE team_id = ? AND user_id = ?", (team_id, user_id))
            return
        self.store.execute(
            "INSERT INTO reader_languages (team_id, user_id, language, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (team_id, user_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
            (team_id, user_id, language, time.time()))
