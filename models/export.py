"""One row per draft for a CRM or ATS import (HubSpot, Salesforce, Greenhouse map columns by
name): who wrote it and when, what the review said, and what happened after it was sent.

Column names are snake_case and say their unit, so an importer's field mapping reads itself.
Draft text is left out unless asked for, and then only while it is within the team's retention
(a draft past it whose text the hourly purge has not reached yet is exported without it).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

from models.policy import DAY
from models.store import Store

COLUMNS = ("inmail_draft_id", "recruiter_slack_id", "created_at", "source", "language", "category", "score",
           "verdict", "finding_rules", "inmails_sent_one_to_one", "inmails_sent_bulk", "responses_accepted",
           "responses_declined", "responses_total", "responses_pending")
TEXT_COLUMNS = ("subject", "text")

_SQL = """
SELECT d.id, d.user_id, d.created_at, d.source, d.subject, d.text, r.language, r.category, r.score, r.verdict,
       r.findings, o.one_to_one, o.bulk, o.accepted, o.declined, o.replied, o.pending
FROM drafts d
LEFT JOIN (SELECT draft_id, MAX(id) AS id FROM reviews WHERE team_id = :team GROUP BY draft_id) latest
    ON latest.draft_id = d.id
LEFT JOIN reviews r ON r.id = latest.id
LEFT JOIN (SELECT draft_id, SUM(CASE WHEN bulk = 0 THEN sent ELSE 0 END) AS one_to_one,
                  SUM(CASE WHEN bulk = 1 THEN sent ELSE 0 END) AS bulk, SUM(accepted) AS accepted,
                  SUM(declined) AS declined, SUM(replied) AS replied, SUM(pending) AS pending
           FROM outreach WHERE team_id = :team AND draft_id IS NOT NULL GROUP BY draft_id) o ON o.draft_id = d.id
WHERE d.team_id = :team AND d.created_at >= :since
ORDER BY d.created_at, d.id
"""


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="seconds")


def draft_rows(store: Store, team_id: str, since: float, now: float, retention_days: int,
               with_text: bool = False) -> Iterator[dict[str, Any]]:
    """The team's drafts created from `since`, oldest first, as `COLUMNS` (+ `TEXT_COLUMNS`)."""
    kept_from = now - retention_days * DAY
    for row in store.rows(_SQL, {"team": team_id, "since": since}):
        rules = sorted({f["rule"] for f in json.loads(row["findings"] or "[]")})
        out = {"inmail_draft_id": row["id"], "recruiter_slack_id": row["user_id"], "created_at": _iso(row["created_at"]),
               "source": row["source"], "language": row["language"], "category": row["category"],
               "score": row["score"], "verdict": row["verdict"], "finding_rules": ";".join(rules),
               "inmails_sent_one_to_one": row["one_to_one"] or 0, "inmails_sent_bulk": row["bulk"] or 0,
               "responses_accepted": row["accepted"] or 0, "responses_declined": row["declined"] or 0,
               "responses_total": row["replied"] or 0, "responses_pending": row["pending"] or 0}
        if with_text:
            kept = row["created_at"] >= kept_from
            out |= {"subject": (row["subject"] or "") if kept else "", "text": (row["text"] or "") if kept else ""}
        yield out
