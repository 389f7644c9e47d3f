"""Channels the app cannot post in (not a member, gone, archived): the `channel_problems`
table's owner (made by `models.store._v5_channel_problems`). A row stays until a post there
succeeds, so admins see it in App Home and are told once."""
from __future__ import annotations

from typing import Any

from models.store import Store


class ChannelProblems:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, team_id: str, channel: str, error: str, purpose: str, now: float) -> bool:
        """Records that posting the `purpose` ("digest", "alerts") in `channel` was refused with
        `error`; True the first time, when the admins are to be told."""
        return self.store.execute(
            "INSERT INTO channel_problems (team_id, channel, error, purpose, noticed_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, channel) DO NOTHING", (team_id, channel, error, purpose, now)).rowcount == 1

    def fixed(self, team_id: str, channel: str) -> None:
        self.store.execute("DELETE FROM channel_problems WHERE team_id = ? AND channel = ?", (team_id, channel))

    def of(self, team_id: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT channel, error, purpose, noticed_at FROM channel_problems WHERE team_id = ? "
                               "ORDER BY noticed_at, channel", (team_id,))
