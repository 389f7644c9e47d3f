"""Each team's template history, shared by every process on the database: its drafts'
fingerprints and their LSH band keys in indexed tables (models/template_bands.py), looked up per
review, and the judgement of rules/similarity.py (`near_copies`) over the drafts found.

Why nothing is kept in memory. An index per process, topped up before each review with the
rows added since, holds the whole window in every worker (about 155 MiB per 100,000 drafts),
and a cursor over review ids skips rows on PostgreSQL, where ids are handed out in one order and
committed in another. Here each review reads only the drafts sharing one of its 12 band keys,
through indexes, however long the history, and no cursor is needed.

Write first, then read. A review writes its draft's fingerprint and band keys, committed in a
transaction of their own, before it looks for earlier copies (two statements: prints, drafts). So two copies of one template
reviewed at the same moment on two workers see each other: if A's lookup missed B's draft,
B's write committed after A's lookup began, so after A's own write had committed; B's lookup
began after B's write, so it finds A (each engine reads, in a statement outside a transaction,
what had committed when the statement began: SQLite's WAL snapshot, PostgreSQL's READ
COMMITTED). At least one of the two is told about the other, as the second would be if they
came one after the other; both may be. A draft counts from that write on, also if its review
then fails: it is in the database, the same template all the same.

The keys are written again when the review is stored, in case the engine did not ask (no
near-duplicate rule in the team's packs), and go with the draft when it is deleted, forgotten
or purged (models/store.py).
"""
from __future__ import annotations

import logging

from models.records import Review
from models.store import Store
from models.template_bands import TemplateBands
from rules.similarity import EarlierDraft, Fingerprint, Match, band_buckets, near_copies

log = logging.getLogger(__name__)


class DraftHistory:
    """One review's view of its team's history, a `rules.similarity.TemplateHistory`: the engine
    asks it what `TemplateIndex.query` would answer."""

    def __init__(self, bands: TemplateBands, team_id: str, draft_id: str) -> None:
        self.bands = bands
        self.team_id = team_id
        self.draft_id = draft_id
        self._written: bytes | None = None

    def query(self, fp: Fingerprint, *, recipient: str | None, since: float | None = None,
              exclude_key: str | None = None, author: str | None = None, now: float | None = None) -> list[Match]:
        """Writes this draft's keys, then judges the team's drafts that share one with it."""
        self._write(fp, recipient)
        if fp.too_short:
            return []
        stored, drafts = self.bands.candidates(self.team_id, band_buckets(fp), 0.0 if since is None else since)
        prints = {}
        for digest, data in stored.items():
            try:
                prints[digest] = Fingerprint.from_bytes(data)
            except ValueError:  # written by another fingerprint format: skip, the text may be gone
                log.info("skipping a fingerprint in an old format (team %s)", self.team_id)
        earlier = [EarlierDraft(row["draft_id"], prints[bytes(row["digest"])], row["recipient_key"], row["user_id"],
                                row["at"])
                   for row in drafts if row["draft_id"] != self.draft_id and bytes(row["digest"]) in prints]
        return near_copies(fp, earlier, recipient=recipient, since=since, exclude_key=exclude_key, author=author,
                           now=now)

    def stored(self, review: Review) -> None:
        """The review was stored: its fingerprint's keys are written, unless `query` wrote them."""
        if review.fingerprint is not None and review.fingerprint != self._written:
            self._write(Fingerprint.from_bytes(review.fingerprint), review.recipient_key)

    def _write(self, fp: Fingerprint, recipient: str | None) -> None:
        self._written = fp.to_bytes()
        self.bands.put(self.team_id, self.draft_id, self._written, recipient, [] if fp.too_short else band_buckets(fp))


class TeamHistory:
    """The template histories of the teams in one database, one view per review."""

    def __init__(self, store: Store) -> None:
        self.bands = TemplateBands(store)

    def for_review(self, team_id: str, draft_id: str) -> DraftHistory:
        return DraftHistory(self.bands, team_id, draft_id)
