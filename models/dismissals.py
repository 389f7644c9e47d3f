"""Findings dismissed as "not applicable here" (the `dismissals` table's owner; made by
`models.store._v7_dismissals_and_team_rules`).

A recruiter (or a lead) dismisses one finding of one draft; the review service leaves it out of
that draft's reviews from then on, and of the author's later revisions of the same message.
Leads see which rules and phrases the team dismisses most. Each dismissal keeps who, which
draft, which rule, the phrase that matched (the rule's own phrase, else the quoted words) and
when; the quoted words are the draft's, so they go when the draft's text goes (retention,
forget-me, deletion) — `drop_quotes`, and every read shows a quote only while the text is kept.
"""
from __future__ import annotations

import time
from typing import Any

from models.store import Store

PHRASE_SOURCES = ("pack", "quote")


class Dismissals:
    """Dismissal queries over a `Store` (its connection, lock and transactions); every one filters on `team_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, team_id: str, user_id: str, author_id: str, draft_id: str, rule: str, phrase: str,
            phrase_source: str, *, quote: str = "", language: str | None = None, field: str | None = None,
            at: float | None = None) -> bool:
        """Records a dismissal; False when this draft's rule and phrase were dismissed before."""
        if phrase_source not in PHRASE_SOURCES:
            raise ValueError(f"unknown phrase source {phrase_source!r}")
        cursor = self.store.execute(
            "INSERT INTO dismissals (team_id, user_id, author_id, draft_id, rule, phrase, phrase_source, "
            "quote, language, field, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (team_id, user_id, author_id, draft_id, rule, phrase, phrase_source, quote or None, language, field,
             time.time() if at is None else at))
        return cursor.rowcount == 1

    def for_draft(self, team_id: str, draft_id: str) -> set[tuple[str, str]]:
        """(rule, phrase) of everything dismissed on this draft."""
        return {(r["rule"], r["phrase"] or "") for r in self.store.rows(
            "SELECT rule, phrase FROM dismissals WHERE team_id = ? AND draft_id = ?", (team_id, draft_id))}

    def of_author(self, team_id: str, author_id: str, since: float) -> list[dict[str, Any]]:
        """Dismissals on the author's drafts since `since`, each with what tells whether a new draft
        is a revision of that one (its recipient, fingerprint and time)."""
        return self.store.rows(
            "SELECT x.draft_id, x.rule, x.phrase, d.recipient_key, d.fingerprint, d.created_at "
            "FROM dismissals x JOIN drafts d ON d.team_id = x.team_id AND d.id = x.draft_id "
            "WHERE x.team_id = ? AND x.author_id = ? AND x.at >= ? AND d.deleted_at IS NULL AND x.phrase IS NOT NULL",
            (team_id, author_id, since))

    def ranking(self, team_id: str, since: float, limit: int = 5) -> list[dict[str, Any]]:
        """What the team dismissed most since `since`: one row per rule and phrase of the rule's own
        (per language), and per rule for the quoted words of rules without phrases (spelling),
        with how often, on how many drafts, by how many people, and when last."""
        return self.store.rows(
            "SELECT rule, language, CASE WHEN phrase_source = 'pack' THEN phrase END AS phrase, "
            "COUNT(*) AS dismissals, COUNT(DISTINCT draft_id) AS drafts, COUNT(DISTINCT user_id) AS people, "
            "MAX(at) AS last_at FROM dismissals WHERE team_id = :team AND at >= :since "
            "GROUP BY rule, language, CASE WHEN phrase_source = 'pack' THEN phrase END "
            "ORDER BY dismissals DESC, drafts DESC, last_at DESC LIMIT :limit",
            {"team": team_id, "since": since, "limit": limit})

    def examples(self, team_id: str, rule: str, language: str | None, phrase: str | None, since: float,
                 limit: int = 2) -> list[str]:
        """A few distinct quotes of a ranking row, newest first, from drafts whose text is still kept."""
        rows = self.store.rows(
            "SELECT x.quote FROM dismissals x JOIN drafts d ON d.team_id = x.team_id AND d.id = x.draft_id "
            "WHERE x.team_id = :team AND x.rule = :rule AND x.language IS NOT DISTINCT FROM :language AND x.at >= :since "
            "AND x.quote IS NOT NULL AND d.text IS NOT NULL "
            "AND (:phrase IS NULL AND x.phrase_source = 'quote' OR x.phrase_source = 'pack' AND x.phrase = :phrase) "
            "GROUP BY x.quote ORDER BY MAX(x.at) DESC LIMIT :limit",
            {"team": team_id, "rule": rule, "language": language, "phrase": phrase, "since": since, "limit": limit})
        return [r["quote"] for r in rows]

    def drop_quotes(self, team_id: str) -> int:
        """Forgets the draft's words in dismissals whose draft text is gone: the quote, and the
        phrase where it was the quoted words. Returns how many dismissals changed."""
        with self.store.transaction() as db:
            return db.execute(
                "UPDATE dismissals SET quote = NULL, phrase = CASE WHEN phrase_source = 'quote' THEN NULL ELSE phrase END "
                "WHERE team_id = :team AND (quote IS NOT NULL OR phrase_source = 'quote' AND phrase IS NOT NULL) "
                "AND EXISTS (SELECT 1 FROM drafts d WHERE d.team_id = dismissals.team_id AND d.id = dismissals.draft_id "
                "AND d.text IS NULL)", {"team": team_id}).rowcount
