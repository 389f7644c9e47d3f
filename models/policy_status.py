"""Each recruiter's policy status history: the `policy_status` table's owner (made by
`models.store._v2_outreach`). Append-only; the unique `(team_id, user_id, prev_id)` lets exactly
one successor follow each status, whichever process proposes it."""
from __future__ import annotations

import time
from typing import Any

from models.policy import PolicyConfig, Status, Transition, initial_status
from models.store import Store


class PolicyStatuses:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def current(self, team_id: str, user_id: str, config: PolicyConfig) -> tuple[int, Status]:
        """The recruiter's current status and its row id (0 for the implicit initial normal)."""
        rows = self.store.rows("SELECT id, state, since, until FROM policy_status WHERE team_id = ? AND user_id = ? "
                               "ORDER BY id DESC LIMIT 1", (team_id, user_id))
        if not rows:
            return 0, initial_status(config)
        row = rows[0]
        return row["id"], Status(row["state"], row["since"], row["until"])

    def latest(self, team_id: str) -> dict[str, dict[str, Any]]:
        """Every recruiter's latest status row."""
        rows = self.store.rows(
            "SELECT * FROM policy_status p WHERE team_id = ? AND id = (SELECT MAX(id) FROM policy_status "
            "WHERE team_id = p.team_id AND user_id = p.user_id) ORDER BY user_id", (team_id,))
        return {row["user_id"]: row for row in rows}

    def history(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM policy_status WHERE team_id = ? AND user_id = ? ORDER BY id",
                               (team_id, user_id))

    def row(self, team_id: str, status_id: int) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM policy_status WHERE team_id = ? AND id = ?", (team_id, status_id))
        return rows[0] if rows else None

    def record(self, team_id: str, user_id: str, prev_id: int, transition: Transition) -> int | None:
        """Stores `transition` as the successor of `prev_id`; its id, or None when another process
        stored one first. The caller's transaction (`Outreach.record_transition`) adds its alerts."""
        figures = transition.assessment
        rows = self.store.execute(
            "INSERT INTO policy_status (team_id, user_id, prev_id, state, since, until, period_start, period_end, sent, "
            "responses, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, user_id, prev_id) DO NOTHING RETURNING id",
            (team_id, user_id, prev_id, transition.status.state, transition.status.since, transition.status.until,
             figures.start, figures.end, figures.sent, figures.responses, transition.reason, time.time())).fetchall()
        return int(rows[0][0]) if rows else None
