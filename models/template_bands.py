"""The template history in the database (tables created by `models/store.py`'s `_v10_workers`):
each distinct fingerprint once with its LSH band keys, and which drafts have it.

- `template_prints`: a fingerprint (rules/similarity.py's bytes) under its digest;
- `template_bands`: the print's 12 band keys, each the band's 12 bytes themselves (so different
  bands never collide, and the keys of drafts stored before the table could be cut out of their
  stored bytes), keyed `(team_id, band, bucket, digest)` so the lookup reads the key alone;
- `draft_prints`: per live draft its print's digest and what the judgement reads — recipient,
  author, `at` (the draft's `created_at`, which the near-duplicate window is measured from).

A near-copy of a draft shares at least one band key with it (12 bands of 3 MinHash values: a
pair at Jaccard 0.6 shares one with probability 0.95). A review looks up the prints sharing
one of its keys, then the drafts that have those prints, and the caller judges them on the
whole fingerprints: every process on the database sees the same history, and none keeps a copy
of it. Why prints and not the keys of each draft: the copies of a mass template are the same
fingerprint once the names are masked, so with 1,000 copies in the window a review reads one
print's keys and 1,000 short rows, not 12,000 keys and 1,000 fingerprints.

A draft's row is written, with its print and the print's keys the first time that print is
seen, in one transaction before its review looks for candidates (bot/history.py says why);
it is replaced when the draft is reviewed again and deleted when the draft is deleted or
forgotten, and with the retention purge, which also drops the prints no draft has any more.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from models.store import Store

# The lookups of a review's prints, one per band, each a range of the index alone; UNION drops a
# print found twice.
_LOOKUP = "SELECT digest FROM template_bands WHERE team_id = ? AND band = ? AND bucket = ?"


def print_digest(fingerprint: bytes) -> bytes:
    """The key a fingerprint is kept under: 8 bytes of BLAKE2b, the same in every process."""
    return hashlib.blake2b(fingerprint, digest_size=8).digest()


def write_print(execute: Callable[..., Any], team_id: str, draft_id: str, fingerprint: bytes,
                keys: Sequence[bytes], recipient_key: str | None, user_id: str, at: float) -> None:
    """The draft's row, its print and, for a print not seen before, its band keys (none for a
    draft too short to match): the statements `TemplateBands.put` and the migration share."""
    digest = print_digest(fingerprint)
    new = execute("INSERT INTO template_prints (team_id, digest, fingerprint) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                  (team_id, digest, fingerprint)).rowcount == 1
    if new and keys:
        values = ", ".join(["(?, ?, ?, ?)"] * len(keys))
        execute(f"INSERT INTO template_bands (team_id, band, bucket, digest) VALUES {values} ON CONFLICT DO NOTHING",
                tuple(v for band, key in enumerate(keys) for v in (team_id, band, key, digest)))
    execute("INSERT INTO draft_prints (team_id, draft_id, digest, recipient_key, user_id, at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, draft_id) DO UPDATE SET digest = excluded.digest, "
            "recipient_key = excluded.recipient_key, user_id = excluded.user_id, at = excluded.at",
            (team_id, draft_id, digest, recipient_key, user_id, at))


class TemplateBands:
    def __init__(self, store: "Store") -> None:
        self.store = store

    def put(self, team_id: str, draft_id: str, fingerprint: bytes, recipient_key: str | None,
            keys: Sequence[bytes]) -> None:
        """Writes the draft's print as one committed transaction; nothing when the draft is gone
        or deleted. Its recipient is the stored one, else `recipient_key` (as `add_review` keeps it)."""
        with self.store.transaction():
            draft = self.store.draft(team_id, draft_id)
            if draft is None or draft["deleted_at"] is not None:
                return
            stored_recipient = draft["recipient_key"]
            write_print(self.store.execute, team_id, draft_id, fingerprint, keys,
                        recipient_key if stored_recipient is None else stored_recipient, draft["user_id"],
                        draft["created_at"])

    def candidates(self, team_id: str, keys: Sequence[bytes], since: float) -> tuple[dict[bytes, bytes],
                                                                                     list[dict[str, Any]]]:
        """The prints sharing a band key with `keys` (digest → fingerprint), and the team's drafts
        created from `since` that have one of them (draft_id, digest, recipient_key, user_id, at)."""
        if not keys:
            return {}, []
        lookups = " UNION ".join([_LOOKUP] * len(keys))
        prints = {bytes(row["digest"]): bytes(row["fingerprint"]) for row in self.store.rows(
            f"SELECT digest, fingerprint FROM template_prints WHERE team_id = ? AND digest IN ({lookups}) ORDER BY digest",
            (team_id, *(v for band, key in enumerate(keys) for v in (team_id, band, key))))}
        if not prints:
            return {}, []
        drafts = self.store.rows(
            f"SELECT draft_id, digest, recipient_key, user_id, at FROM draft_prints WHERE team_id = ? "
            f"AND digest IN ({', '.join('?' * len(prints))}) AND at >= ? ORDER BY draft_id",
            (team_id, *prints, since))
        return prints, drafts

    def forget(self, team_id: str, draft_id: str) -> None:
        """The draft no longer counts as an earlier copy (deleted, forgotten)."""
        self.store.execute("DELETE FROM draft_prints WHERE team_id = ? AND draft_id = ?", (team_id, draft_id))

    def forget_created_before(self, team_id: str, older_than: float) -> None:
        """The retention purge: drafts created before `older_than` have lost their text, and their
        rows go with it, and so do the prints (and keys) no draft has any more."""
        self.store.execute("DELETE FROM draft_prints WHERE team_id = ? AND at < ?", (team_id, older_than))
        for table in ("template_bands", "template_prints"):
            self.store.execute(f"DELETE FROM {table} WHERE team_id = ? AND NOT EXISTS (SELECT 1 FROM draft_prints d "
                               f"WHERE d.team_id = {table}.team_id AND d.digest = {table}.digest)", (team_id,))
