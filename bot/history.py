"""Each team's template history: an in-memory `TemplateIndex` per team, fed from the store.

The index is rebuilt from the fingerprints in SQLite the first time a team is seen, and
brought up to date before every review with the rows added since (by this process or any
other on the same file), so two processes see each other's drafts. Only the recent past is
loaded: the near-duplicate rule looks back `window_days` (14 by default), so a longer
history would cost memory (about 155 MiB per 100,000 drafts) for nothing.
"""
from __future__ import annotations

import logging
import threading
import time

from models.store import Store
from rules.similarity import Fingerprint, TemplateIndex

log = logging.getLogger(__name__)

HISTORY_DAYS = 30


class TeamHistory:
    def __init__(self, store: Store, days: float = HISTORY_DAYS) -> None:
        self.store = store
        self.days = days
        self._indexes: dict[str, TemplateIndex] = {}
        self._cursors: dict[str, int] = {}
        self._lock = threading.Lock()

    def index(self, team_id: str) -> TemplateIndex:
        """The team's index, with every draft reviewed so far in any process."""
        with self._lock:
            index = self._indexes.get(team_id)
            if index is None:
                index = self._indexes[team_id] = TemplateIndex()
            since = time.time() - self.days * 86400
            rows = self.store.fingerprints_since(team_id, self._cursors.get(team_id, 0), since)
            for row in rows:
                try:
                    fingerprint = Fingerprint.from_bytes(row["fingerprint"])
                except ValueError:  # written by another fingerprint format: skip, the text may be gone
                    log.info("skipping a fingerprint in an old format (draft %s)", row["draft_id"])
                    continue
                index.add(row["draft_id"], fingerprint, recipient=row["recipient_key"], at=row["created_at"],
                          author=row["user_id"])
            if rows:
                self._cursors[team_id] = rows[-1]["review_id"]
            return index

    def remove(self, team_id: str, draft_id: str) -> None:
        """Drops a deleted draft here; other processes stop loading it from the store."""
        with self._lock:
            if team_id in self._indexes:
                self._indexes[team_id].remove(draft_id)

    def warm(self) -> int:
        """Loads every team's history now (at start-up); returns how many drafts were indexed."""
        return sum(len(self.index(team_id)) for team_id in self.store.team_ids())
