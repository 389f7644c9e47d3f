"""Sends and the replies counted to them: the `outreach` and `reply_logs` tables' owner (made by
`models.store._v2_outreach` and `_v4_reply_logs`); every query filters on `team_id`.

Sends are deduplicated by a key chosen by their source (`button:<draft>`, `log:<trigger>`,
`import:<recruiter>:<period>`), so a double click, a retried command or a second import of the
same file changes nothing; `reply_logs`, keyed the same way, does that for replies.
"""
from __future__ import annotations

import time
from typing import Any

from models.policy import Send
from models.store import Store

SOURCES = ("button", "log", "import")
_FIGURES = ("user_id", "at", "sent", "bulk", "accepted", "declined", "replied", "pending", "period_end")


class Sends:
    """Queries over a `Store` (its connection, lock and transactions)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- recording -------------------------------------------------------------------------------
    def record(self, team_id: str, user_id: str, key: str, source: str, *, sent: int, at: float | None = None,
               bulk: bool = False, draft_id: str | None = None, accepted: int = 0, declined: int = 0,
               replied: int | None = None, pending: int | None = None, responded_at: float | None = None,
               period_end: float | None = None) -> str:
        """Stores a send under `key`: "added", "updated" (an import row whose figures changed) or
        "unchanged" (the key exists with the same figures, e.g. a double click)."""
        if source not in SOURCES:
            raise ValueError(f"unknown outreach source {source!r}")
        replied = accepted + declined if replied is None else replied
        if sent < 1 or replied < 0 or accepted + declined > replied or replied > sent:
            raise ValueError("figures must satisfy 0 ≤ accepted + declined ≤ replies ≤ sent and sent ≥ 1")
        at = time.time() if at is None else at
        pending = sent - replied if pending is None else pending
        row = {"team_id": team_id, "user_id": user_id, "key": key, "source": source, "draft_id": draft_id, "at": at,
               "sent": sent, "bulk": int(bulk), "accepted": accepted, "declined": declined, "replied": replied,
               "pending": pending, "responded_at": responded_at if replied else None, "period_end": period_end}
        with self.store.transaction() as db:
            old = db.execute("SELECT " + ", ".join(_FIGURES) + " FROM outreach WHERE team_id = ? AND key = ?",
                             (team_id, key)).fetchone()
            if old is None:
                # The send is judged by the review it was sent with (models/effects.py), not a later one.
                traits = db.execute("SELECT trait_set FROM reviews WHERE team_id = ? AND draft_id = ? ORDER BY id DESC "
                                    "LIMIT 1", (team_id, draft_id)).fetchone() if draft_id else None
                values = row | {"created_at": time.time(), "updated_at": time.time(),
                                "trait_set": traits[0] if traits else None}
                db.execute(f"INSERT INTO outreach ({', '.join(values)}) VALUES ({', '.join(':' + c for c in values)}) "
                           "ON CONFLICT (team_id, key) DO NOTHING", values)
                return "added"
            if source != "import" or tuple(old) == tuple(row[f] for f in _FIGURES):
                return "unchanged"
            db.execute("UPDATE outreach SET " + ", ".join(f"{f} = :{f}" for f in (*_FIGURES, "responded_at"))
                       + ", updated_at = :now WHERE team_id = :team_id AND key = :key", row | {"now": time.time()})
            return "updated"

    def record_reply(self, team_id: str, user_id: str, draft_id: str, kind: str | None,
                     at: float | None = None) -> bool:
        """A reply to a draft sent from its review ("Got a reply"); `kind` accepted/declined/None
        (not said yet). A reply implies a send. False when the reply was already recorded and
        `kind` adds nothing."""
        at = time.time() if at is None else at
        key = f"button:{draft_id}"
        self.record(team_id, user_id, key, "button", sent=1, at=at, draft_id=draft_id)
        set_kind = {"accepted": ", accepted = 1, declined = 0", "declined": ", declined = 1, accepted = 0"}.get(kind or "", "")
        cursor = self.store.execute(
            f"UPDATE outreach SET replied = 1, pending = sent - 1, responded_at = COALESCE(responded_at, :at){set_kind}, "
            "updated_at = :at WHERE team_id = :team AND key = :key AND (replied = 0 OR :has_kind = 1)",
            {"at": at, "team": team_id, "key": key, "has_kind": int(kind is not None)})
        return cursor.rowcount == 1

    def record_log(self, team_id: str, user_id: str, key: str, *, sent: int, replied: int, bulk: bool, at: float,
                   repeat_window_s: float, accepted: int = 0, declined: int = 0) -> str:
        """`/inmail log`: "added", "unchanged" (this very command again) or "repeat" — the same
        user logged the same figures within `repeat_window_s`, which is taken as a retry of a
        command whose ack went missing, not a second batch. Checked and stored in one transaction."""
        with self.store.transaction() as db:
            repeat = db.execute(
                "SELECT 1 FROM outreach WHERE team_id = ? AND user_id = ? AND source = 'log' AND key != ? AND sent = ? "
                "AND replied = ? AND bulk = ? AND created_at >= ? LIMIT 1",
                (team_id, user_id, key, sent, replied, int(bulk), at - repeat_window_s)).fetchone()
            if repeat:
                return "repeat"
            return self.record(team_id, user_id, key, "log", sent=sent, at=at, bulk=bulk, replied=replied,
                               accepted=accepted, declined=declined, responded_at=at)

    def add_replies(self, team_id: str, user_id: str, key: str, *, accepted: int, declined: int, replied: int,
                    at: float, since: float, draft_id: str | None = None,
                    repeat_window_s: float | None = None) -> tuple[str, int]:
        """Replies counted to sends already recorded (`/inmail log replied 30`, a bulk draft's reply
        form): added to the user's button and log sends since `since` (or to `draft_id`'s send) that
        still wait for replies, oldest first — accepted ones first, then declined, then replies of
        no stated kind. Imported rows are left to their next import. Replies never exceed sends: when
        fewer are waiting, nothing is recorded. Returns the outcome ("added", "unchanged" for this
        very key again, "repeat" for the same figures within `repeat_window_s`, "exceeds") and how
        many sends were waiting for a reply before."""
        if replied < 1 or accepted < 0 or declined < 0 or accepted + declined > replied:
            raise ValueError("replies must satisfy 0 ≤ accepted + declined ≤ replies and replies ≥ 1")
        which = "AND draft_id = :draft" if draft_id else ""
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM reply_logs WHERE team_id = ? AND key = ?", (team_id, key)).fetchone():
                return "unchanged", 0
            if repeat_window_s is not None and db.execute(
                    "SELECT 1 FROM reply_logs WHERE team_id = ? AND user_id = ? AND accepted = ? AND declined = ? "
                    "AND replied = ? AND created_at >= ? LIMIT 1",
                    (team_id, user_id, accepted, declined, replied, at - repeat_window_s)).fetchone():
                return "repeat", 0
            rows = db.execute(
                "SELECT id, pending FROM outreach WHERE team_id = :team AND user_id = :user AND source != 'import' "
                f"AND pending > 0 AND at >= :since {which} ORDER BY at, id",
                {"team": team_id, "user": user_id, "since": since, "draft": draft_id}).fetchall()
            waiting = sum(pending for _, pending in rows)
            if replied > waiting:
                return "exceeds", waiting
            left = [accepted, declined, replied - accepted - declined]
            for row_id, pending in rows:
                take = [0, 0, 0]
                for kind in range(3):
                    take[kind] = min(left[kind], pending - sum(take))
                    left[kind] -= take[kind]
                if not sum(take):
                    break
                db.execute("UPDATE outreach SET accepted = accepted + ?, declined = declined + ?, replied = replied + ?, "
                           "pending = pending - ?, responded_at = COALESCE(responded_at, ?), updated_at = ? WHERE id = ?",
                           (take[0], take[1], sum(take), sum(take), at, time.time(), row_id))
            db.execute("INSERT INTO reply_logs (team_id, user_id, key, draft_id, accepted, declined, replied, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (team_id, user_id, key, draft_id, accepted, declined, replied, at))
            return "added", waiting

    def set_bulk(self, team_id: str, draft_id: str, count: int) -> bool:
        """A button send was a bulk send of `count` InMails (the "Sent in bulk" form)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        cursor = self.store.execute(
            "UPDATE outreach SET bulk = 1, sent = CASE WHEN :count > replied THEN :count ELSE replied END, "
            "pending = CASE WHEN :count > replied THEN :count - replied ELSE 0 END, "
            "updated_at = :now WHERE team_id = :team AND key = :key",
            {"count": count, "now": time.time(), "team": team_id, "key": f"button:{draft_id}"})
        return cursor.rowcount == 1

    def forget_under(self, team_id: str, prefix: str, keep: set[str]) -> int:
        """Deletes the sends keyed `prefix` or `prefix:…` other than `keep` (a re-imported period
        whose days changed, or stored the old way as one send); how many went."""
        keys = [r["key"] for r in self.store.rows(
            "SELECT key FROM outreach WHERE team_id = ? AND (key = ? OR substr(key, 1, ?) = ?)",
            (team_id, prefix, len(prefix) + 1, prefix + ":")) if r["key"] not in keep]
        for key in keys:
            self.store.execute("DELETE FROM outreach WHERE team_id = ? AND key = ?", (team_id, key))
        return len(keys)

    # --- reading ---------------------------------------------------------------------------------
    def button_send(self, team_id: str, draft_id: str) -> dict[str, Any] | None:
        """The send recorded from a draft's review, if any (a bulk one takes its replies as counts)."""
        rows = self.store.rows("SELECT sent, bulk, replied, accepted, declined, pending FROM outreach "
                               "WHERE team_id = ? AND key = ?", (team_id, f"button:{draft_id}"))
        return rows[0] if rows else None

    def since(self, team_id: str, user_id: str, since: float, until: float | None = None) -> list[Send]:
        """The recruiter's sends in [since, until), oldest first: what the policy judges."""
        rows = self.store.execute(
            "SELECT at, sent, replied, responded_at FROM outreach WHERE team_id = ? AND user_id = ? AND at >= ? "
            "AND at < ? ORDER BY at, id", (team_id, user_id, since, until if until is not None else float("inf"))).fetchall()
        return [Send(at, sent, replied, responded_at) for at, sent, replied, responded_at in rows]

    def totals(self, team_id: str, start: float, end: float, as_of: float, window_days: int,
               user_id: str | None = None) -> dict[str, dict[str, int]]:
        """Per recruiter: sent in [start, end) and the responses known by `as_of` within the window.

        The period's rows are read first (a materialised CTE, in SQLite and PostgreSQL alike), then
        grouped: only columns of the `(team_id, at, user_id, sent, replied, responded_at)` index are
        read, so SQLite answers from the index alone. Grouping in one query instead lets SQLite's
        planner, without statistics, take the per-user index for the GROUP BY and read the team's
        whole history."""
        who = "AND user_id = :user" if user_id else ""
        rows = self.store.rows(
            "WITH period AS MATERIALIZED (SELECT user_id, at, sent, replied, responded_at FROM outreach "
            f"WHERE team_id = :team AND at >= :start AND at < :end {who}) "
            "SELECT user_id, SUM(sent) AS sent, SUM(CASE WHEN responded_at <= :as_of AND responded_at <= at + :window "
            "THEN replied ELSE 0 END) AS responses FROM period GROUP BY user_id ORDER BY user_id",
            {"as_of": as_of, "window": window_days * 86_400.0, "team": team_id, "start": start, "end": end,
             "user": user_id})
        return {row["user_id"]: {"sent": int(row["sent"] or 0), "responses": int(row["responses"] or 0)} for row in rows}

    def kinds(self, team_id: str, user_id: str, start: float, end: float) -> dict[str, int]:
        """How many of the recruiter's replies to sends in [start, end) were accepted and declined."""
        row = self.store.rows(
            "SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(declined), 0) AS declined FROM outreach "
            "WHERE team_id = ? AND user_id = ? AND at >= ? AND at < ?", (team_id, user_id, start, end))[0]
        return {"accepted": int(row["accepted"]), "declined": int(row["declined"])}
