"""Figures read from reviews (the digest, App Home, alert tips): how many drafts, their average
score, the findings they got most. Reads `reviews` and `drafts` (models/store.py owns both) and
writes nothing; kept apart from the store so the store stays its tables' reads and writes."""
from __future__ import annotations

import json
from typing import Any

from models.store import Store

# Each draft's latest review in a window: `r` over `d`, the window bound as `:end`.
_LATEST = ("FROM reviews r JOIN drafts d ON d.team_id = r.team_id AND d.id = r.draft_id "
           "WHERE r.team_id = :team AND r.created_at >= :start AND r.created_at < :end "
           "AND r.id = (SELECT MAX(id) FROM reviews WHERE team_id = r.team_id AND draft_id = r.draft_id{until})")


class ReviewFigures:
    """Queries over a `Store`; every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def reviewed(self, team_id: str, start: float, end: float, user_id: str | None = None) -> dict[str, Any]:
        """Drafts reviewed in [start, end) and their average score (each draft's latest review there)."""
        who = " AND d.user_id = :user" if user_id else ""
        row = self.store.rows("SELECT COUNT(*) AS drafts, AVG(r.score) AS average "
                              + _LATEST.format(until=" AND created_at < :end") + who,
                              {"team": team_id, "start": start, "end": end, "user": user_id})[0]
        return {"drafts": int(row["drafts"]), "average": float(row["average"]) if row["average"] is not None else None}

    def frequent_findings(self, team_id: str, since: float, until: float | None = None, user_id: str | None = None,
                          limit: int = 3) -> list[dict[str, Any]]:
        """The finding rules of most drafts reviewed since `since` (one review per draft: its latest;
        `count` is how many drafts got the rule), with a message and suggestion of each.

        The findings are JSON in each review: they are read and counted here rather than unpacked
        by the database, the same in SQLite and PostgreSQL — one row per draft of the window (a
        week's or a month's drafts), each a few findings."""
        who = " AND d.user_id = :user" if user_id else ""
        rows = self.store.rows("SELECT r.draft_id, r.findings " + _LATEST.format(until="") + who,
                               {"team": team_id, "start": since, "end": until if until is not None else float("inf"),
                                "user": user_id})
        drafts: dict[str, set[str]] = {}
        texts: dict[str, dict[str, str]] = {}
        for row in rows:
            for finding in json.loads(row["findings"] or "[]"):
                rule = finding.get("rule")
                if rule is None:
                    continue
                drafts.setdefault(rule, set()).add(row["draft_id"])
                kept = texts.setdefault(rule, {})
                for name in ("message", "suggestion"):  # the greatest of each, as SQL's MAX would pick
                    if isinstance(finding.get(name), str) and (name not in kept or finding[name] > kept[name]):
                        kept[name] = finding[name]
        ranked = sorted(drafts, key=lambda rule: (-len(drafts[rule]), rule))[:limit]
        return [{"rule": rule, "count": len(drafts[rule]), "message": texts[rule].get("message"),
                 "suggestion": texts[rule].get("suggestion")} for rule in ranked]
