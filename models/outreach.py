"""Outreach figures, policy status history, the delivery outbox and team settings, in SQLite.

The queries behind `/inmail stats`, the policy evaluation, the alerts and the digest live
here, next to the tables of `models.store._v2_outreach`; every one filters on `team_id`.
Sends are deduplicated by a key chosen by their source (`button:<draft>`,
`log:<trigger>`, `import:<recruiter>:<period>`), so a double click, a retried command or a
second import of the same file changes nothing.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable

from models.policy import (PolicyConfig, Send, Status, Transition, at_risk, current_period, earliest_send_needed,
                           initial_status, next_transition, with_overrides)
from models.store import Store

SOURCES = ("button", "log", "import")
DELIVERY_LEASE_S = 300.0
# A failed delivery is tried again after 1, 2, 4 … minutes, at most every 6 hours; after 16
# attempts (about two days) it is given up, logged, and left for `inmail-review outbox --retry`.
DELIVERY_MAX_ATTEMPTS = 16
DELIVERY_BACKOFF_S = 60.0
DELIVERY_BACKOFF_MAX_S = 6 * 3600.0
BY_TEAM_TIME = "idx_outreach_team_id_at_user_id_sent_replied_responded_at"  # made by _v2_outreach
# Each status change is announced twice: to the recruiter, and in the team's alert channel.
ALERT_DELIVERIES = (("alert_dm", "dm"), ("alert_channel", "channel"))


@dataclass(frozen=True)
class TeamSettings:
    """A team's own numbers and places; `None` channels fall back to the environment's."""

    alert_channel: str | None = None
    digest_channel: str | None = None
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    timezone: str = "UTC"
    retention_days: int = 30
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    language: str = "en"  # the interface language of the team's channels and of anyone who chose none

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_values(cls, values: dict[str, Any], base: "TeamSettings | None" = None) -> "TeamSettings":
        base = base or cls()
        policy = with_overrides(base.policy, values.get("policy") or {})
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__ and k != "policy"}
        return cls(**(asdict(base) | known | {"policy": policy}))


class Outreach:
    """Outreach queries over a `Store` (its connection, lock and transactions)."""

    def __init__(self, store: Store, defaults: TeamSettings | None = None, home_team: str | None = None) -> None:
        self.store = store
        self.defaults = defaults or TeamSettings()
        # The workspace whose channels the defaults name (the bot token's); None: not known, every team's.
        self.home_team = home_team

    # --- recording sends -------------------------------------------------------------------------
    def record_send(self, team_id: str, user_id: str, key: str, source: str, *, sent: int, at: float | None = None,
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
        figures = ("user_id", "at", "sent", "bulk", "accepted", "declined", "replied", "pending", "period_end")
        with self.store.transaction() as db:
            old = db.execute("SELECT " + ", ".join(figures) + " FROM outreach WHERE team_id = ? AND key = ?",
                             (team_id, key)).fetchone()
            if old is None:
                # The send is judged by the review it was sent with (models/effects.py), not a later one.
                traits = db.execute("SELECT trait_set FROM reviews WHERE team_id = ? AND draft_id = ? ORDER BY id DESC "
                                    "LIMIT 1", (team_id, draft_id)).fetchone() if draft_id else None
                db["outreach"].insert(row | {"created_at": time.time(), "updated_at": time.time(),
                                             "trait_set": traits[0] if traits else None})
                return "added"
            if source != "import" or tuple(old) == tuple(row[f] for f in figures):
                return "unchanged"
            db.execute("UPDATE outreach SET " + ", ".join(f"{f} = :{f}" for f in (*figures, "responded_at"))
                       + ", updated_at = :now WHERE team_id = :team_id AND key = :key", row | {"now": time.time()})
            return "updated"

    def record_reply(self, team_id: str, user_id: str, draft_id: str, kind: str | None,
                     at: float | None = None) -> bool:
        """A reply to a draft sent from its review ("Got a reply"); `kind` accepted/declined/None
        (not said yet). A reply implies a send. False when the reply was already recorded and
        `kind` adds nothing."""
        at = time.time() if at is None else at
        key = f"button:{draft_id}"
        self.record_send(team_id, user_id, key, "button", sent=1, at=at, draft_id=draft_id)
        set_kind = {"accepted": ", accepted = 1, declined = 0", "declined": ", declined = 1, accepted = 0"}.get(kind or "", "")
        cursor = self.store.execute(
            f"UPDATE outreach SET replied = 1, pending = sent - 1, responded_at = COALESCE(responded_at, :at){set_kind}, "
            "updated_at = :at WHERE team_id = :team AND key = :key AND (replied = 0 OR :kind IS NOT NULL)",
            {"at": at, "team": team_id, "key": key, "kind": kind})
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
            return self.record_send(team_id, user_id, key, "log", sent=sent, at=at, bulk=bulk, replied=replied,
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
            db["reply_logs"].insert({"team_id": team_id, "user_id": user_id, "key": key, "draft_id": draft_id,
                                     "accepted": accepted, "declined": declined, "replied": replied, "created_at": at})
            return "added", waiting

    def button_send(self, team_id: str, draft_id: str) -> dict[str, Any] | None:
        """The send recorded from a draft's review, if any (a bulk one takes its replies as counts)."""
        rows = self.store.rows("SELECT sent, bulk, replied, accepted, declined, pending FROM outreach "
                               "WHERE team_id = ? AND key = ?", (team_id, f"button:{draft_id}"))
        return rows[0] if rows else None

    def set_bulk(self, team_id: str, draft_id: str, count: int) -> bool:
        """A button send was a bulk send of `count` InMails (the "Sent in bulk" form)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        cursor = self.store.execute(
            "UPDATE outreach SET bulk = 1, sent = max(:count, replied), pending = max(:count, replied) - replied, "
            "updated_at = :now WHERE team_id = :team AND key = :key",
            {"count": count, "now": time.time(), "team": team_id, "key": f"button:{draft_id}"})
        return cursor.rowcount == 1

    def resolve_recruiter(self, team_id: str, name: str) -> str | None:
        """A Slack user id for a recruiter as an export names them (email or name), or the id itself."""
        value = name.strip()
        if value[:1] in ("U", "W") and value.isalnum() and value.upper() == value:
            return value
        rows = self.store.rows("SELECT user_id FROM recruiter_aliases WHERE team_id = ? AND alias = ?",
                               (team_id, value.lower()))
        return rows[0]["user_id"] if rows else None

    def add_alias(self, team_id: str, alias: str, user_id: str) -> None:
        self.store.execute("INSERT OR REPLACE INTO recruiter_aliases (team_id, alias, user_id) VALUES (?, ?, ?)",
                           (team_id, alias.strip().lower(), user_id))

    # --- reading figures -------------------------------------------------------------------------
    def sends(self, team_id: str, user_id: str, since: float, until: float | None = None) -> list[Send]:
        rows = self.store.execute(
            "SELECT at, sent, replied, responded_at FROM outreach WHERE team_id = ? AND user_id = ? AND at >= ? "
            "AND at < ? ORDER BY at", (team_id, user_id, since, until if until is not None else float("inf"))).fetchall()
        return [Send(at, sent, replied, responded_at) for at, sent, replied, responded_at in rows]

    def totals(self, team_id: str, start: float, end: float, as_of: float, window_days: int,
               user_id: str | None = None) -> dict[str, dict[str, int]]:
        """Per recruiter: sent in [start, end) and the responses known by `as_of` within the window.
        Only columns of the `(team_id, at, user_id, sent, replied, responded_at)` index are read,
        so SQLite answers from the index alone; it is named because, without statistics, the
        planner prefers the per-user index for the GROUP BY and reads the team's whole history."""
        who = "AND user_id = :user" if user_id else ""
        rows = self.store.rows(
            "SELECT user_id, SUM(sent) AS sent, SUM(CASE WHEN responded_at <= :as_of AND responded_at <= at + :window "
            "THEN replied ELSE 0 END) AS responses FROM outreach INDEXED BY " + BY_TEAM_TIME + " "
            f"WHERE team_id = :team AND at >= :start AND at < :end {who} GROUP BY user_id",
            {"as_of": as_of, "window": window_days * 86_400.0, "team": team_id, "start": start, "end": end,
             "user": user_id})
        return {row.pop("user_id"): row for row in rows}

    def first_seen(self, team_id: str) -> float | None:
        """When the team's first draft or send is from: no digest is owed for a week before it."""
        rows = self.store.rows("SELECT MIN(at) AS at FROM (SELECT MIN(created_at) AS at FROM drafts WHERE team_id = :t "
                               "UNION ALL SELECT MIN(at) FROM outreach WHERE team_id = :t)", {"t": team_id})
        return rows[0]["at"]

    def recruiters(self, team_id: str) -> list[str]:
        """Everyone with outreach or a status in the team (the policy's population)."""
        return [r["user_id"] for r in self.store.rows(
            "SELECT DISTINCT user_id FROM outreach WHERE team_id = ? UNION "
            "SELECT DISTINCT user_id FROM policy_status WHERE team_id = ?", (team_id, team_id))]

    def team_or_only(self, team: str | None) -> str:
        """`team`, or the database's one team (the CLI's default); ValueError when that is ambiguous."""
        if team:
            return team
        teams = self.teams()
        if len(teams) != 1:
            raise ValueError(f"--team is needed: the database has {len(teams)} teams")
        return teams[0]

    def teams(self) -> list[str]:
        return [r["team_id"] for r in self.store.rows(
            "SELECT team_id FROM team_settings UNION SELECT DISTINCT team_id FROM outreach UNION "
            "SELECT DISTINCT team_id FROM drafts", ())]

    # --- policy status ---------------------------------------------------------------------------
    def status(self, team_id: str, user_id: str, config: PolicyConfig) -> tuple[int, Status]:
        """The recruiter's current status and its row id (0 for the implicit initial normal)."""
        rows = self.store.rows("SELECT id, state, since, until FROM policy_status WHERE team_id = ? AND user_id = ? "
                               "ORDER BY id DESC LIMIT 1", (team_id, user_id))
        if not rows:
            return 0, initial_status(config)
        row = rows[0]
        return row["id"], Status(row["state"], row["since"], row["until"])

    def statuses(self, team_id: str) -> dict[str, dict[str, Any]]:
        """Every recruiter's latest status row."""
        rows = self.store.rows(
            "SELECT * FROM policy_status p WHERE team_id = ? AND id = (SELECT MAX(id) FROM policy_status "
            "WHERE team_id = p.team_id AND user_id = p.user_id)", (team_id,))
        return {row["user_id"]: row for row in rows}

    def history(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM policy_status WHERE team_id = ? AND user_id = ? ORDER BY id",
                               (team_id, user_id))

    def record_transition(self, team_id: str, user_id: str, prev_id: int, transition: Transition,
                          deliveries: Iterable[tuple[str, str]]) -> int | None:
        """Stores a transition after `prev_id` with its alert deliveries `(kind, key suffix)`, in one
        transaction; None when another process stored a successor of `prev_id` first."""
        figures = transition.assessment
        now = time.time()
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO policy_status (team_id, user_id, prev_id, state, since, until, period_start, "
                "period_end, sent, responses, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (team_id, user_id, prev_id, transition.status.state, transition.status.since, transition.status.until,
                 figures.start, figures.end, figures.sent, figures.responses, transition.reason, now))
            if cursor.rowcount != 1:
                return None
            status_id = int(cursor.lastrowid or 0)
            for kind, suffix in deliveries:
                db.execute("INSERT OR IGNORE INTO deliveries (team_id, key, kind, user_id, payload, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (team_id, f"status:{team_id}:{status_id}:{suffix}", kind, user_id,
                                                         json.dumps({"status_id": status_id}), now))
        return status_id

    def evaluate(self, team_id: str, user_id: str, config: PolicyConfig, now: float) -> list[int]:
        """Applies every policy transition due by `now`; returns the ids of the statuses this call
        stored (each with its two alert deliveries). Stops when another process got there first."""
        stored: list[int] = []
        prev_id, current = self.status(team_id, user_id, config)
        while True:
            sends = self.sends(team_id, user_id, earliest_send_needed(current, now, config))
            step = next_transition(current, sends, now, config)
            if step is None:
                return stored
            status_id = self.record_transition(team_id, user_id, prev_id, step, ALERT_DELIVERIES)
            if status_id is None:
                return stored
            stored.append(status_id)
            prev_id, current = status_id, step.status

    def reassess(self, team_id: str, user_id: str, now: float) -> list[int]:
        """After the recruiter's figures changed (and on the scheduler's tick): every transition
        due, then the early warning — once per period, a DM when the recruiter is at risk."""
        stored = self.evaluate(team_id, user_id, self.settings(team_id).policy, now)
        period = self.period_figures(team_id, user_id, now)
        if period.at_risk:
            self.enqueue(team_id, f"risk:{team_id}:{user_id}:{period.start:.0f}", "risk_dm", asdict(period),
                         user_id=user_id)
        return stored

    def period_figures(self, team_id: str, user_id: str, now: float) -> "PeriodFigures":
        """The current 14-day period as LinkedIn judges it: its sends, the responses known now."""
        config = self.settings(team_id).policy
        _, status = self.status(team_id, user_id, config)
        period = current_period(status, now, config)
        until = min(period.end, now + 1)  # sends so far (a clock moved back, or a simulation, has later ones)
        known = self.totals(team_id, period.start, until, now, config.window_days, user_id).get(user_id) or {}
        kinds = self.store.rows(
            "SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(declined), 0) AS declined FROM outreach "
            "WHERE team_id = ? AND user_id = ? AND at >= ? AND at < ?", (team_id, user_id, period.start, until))[0]
        sent, responses = int(known.get("sent") or 0), int(known.get("responses") or 0)
        return PeriodFigures(period.state, period.start, period.end, period.judged_at, sent, responses,
                             min(kinds["accepted"], responses), min(kinds["declined"], responses), sent - responses,
                             at_risk(sent, responses, config))

    def status_row(self, team_id: str, status_id: int) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM policy_status WHERE team_id = ? AND id = ?", (team_id, status_id))
        return rows[0] if rows else None

    # --- the outbox ------------------------------------------------------------------------------
    def enqueue(self, team_id: str, key: str, kind: str, payload: dict[str, Any], user_id: str | None = None) -> bool:
        """Adds a delivery unless one with `key` exists (the digest's once-per-week claim)."""
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO deliveries (team_id, key, kind, user_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (team_id, key, kind, user_id, json.dumps(payload), time.time()))
        return cursor.rowcount == 1

    def lease_due(self, now: float, lease_s: float = DELIVERY_LEASE_S) -> list[dict[str, Any]]:
        """Deliveries not yet posted whose lease is free, now leased to this caller (compare-and-set
        per row, so two processes never take the same one)."""
        candidates = self.store.rows(
            "SELECT * FROM deliveries WHERE posted_at IS NULL AND attempts < ? AND (lease_until IS NULL OR lease_until < ?) "
            "ORDER BY id", (DELIVERY_MAX_ATTEMPTS, now))
        leased = []
        for row in candidates:
            cursor = self.store.execute(
                "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ? AND posted_at IS NULL "
                "AND attempts = ? AND (lease_until IS NULL OR lease_until < ?)",
                (now + lease_s, row["id"], row["attempts"], now))
            if cursor.rowcount == 1:
                leased.append(row | {"payload": json.loads(row["payload"] or "{}")})
        return leased

    def mark_posted(self, delivery_id: int, ts: str | None, *, keep_payload: bool = True) -> None:
        """Posted; a payload that quotes drafts (a webhook's review) is not kept past its delivery."""
        self.store.execute("UPDATE deliveries SET posted_at = ?, posted_ts = ?, payload = CASE WHEN ? THEN payload END "
                           "WHERE id = ?", (time.time(), ts, keep_payload, delivery_id))

    def release(self, delivery_id: int, attempts: int, now: float) -> bool:
        """Posting failed (its `attempts`-th try): the next try waits twice as long as the last, up to
        hours, so an outage of any length ends with the post. False when this was the last try."""
        delay = min(DELIVERY_BACKOFF_MAX_S, DELIVERY_BACKOFF_S * 2 ** max(0, attempts - 1))
        self.store.execute("UPDATE deliveries SET lease_until = ? WHERE id = ?", (now + delay, delivery_id))
        return attempts < DELIVERY_MAX_ATTEMPTS

    def undelivered(self, team_id: str | None = None) -> list[dict[str, Any]]:
        """Deliveries not posted yet, failed ones (given up) included: for App Home and `inmail-review outbox`."""
        who = "AND team_id = :team" if team_id else ""
        return self.store.rows(
            "SELECT id, team_id, key, kind, user_id, created_at, attempts, lease_until, "
            f"attempts >= :max AS given_up FROM deliveries WHERE posted_at IS NULL {who} ORDER BY id",
            {"team": team_id, "max": DELIVERY_MAX_ATTEMPTS})

    def retry_undelivered(self, team_id: str | None = None) -> int:
        """Every undelivered delivery is due at the next tick, with its attempts counted afresh."""
        who = "AND team_id = :team" if team_id else ""
        return self.store.execute(f"UPDATE deliveries SET attempts = 0, lease_until = NULL WHERE posted_at IS NULL {who}",
                                  {"team": team_id}).rowcount

    def deliveries(self, team_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        if kind is None:
            return self.store.rows("SELECT * FROM deliveries WHERE team_id = ? ORDER BY id", (team_id,))
        return self.store.rows("SELECT * FROM deliveries WHERE team_id = ? AND kind = ? ORDER BY id", (team_id, kind))

    def forget_sends_under(self, team_id: str, prefix: str, keep: set[str]) -> int:
        """Deletes the sends keyed `prefix` or `prefix:…` other than `keep` (a re-imported period
        whose days changed, or stored the old way as one send); how many went."""
        keys = [r["key"] for r in self.store.rows(
            "SELECT key FROM outreach WHERE team_id = ? AND (key = ? OR substr(key, 1, ?) = ?)",
            (team_id, prefix, len(prefix) + 1, prefix + ":")) if r["key"] not in keep]
        for key in keys:
            self.store.execute("DELETE FROM outreach WHERE team_id = ? AND key = ?", (team_id, key))
        return len(keys)

    # --- channels the app cannot post in ----------------------------------------------------------
    def channel_problem(self, team_id: str, channel: str, error: str, purpose: str, now: float) -> bool:
        """Records that posting the `purpose` ("digest", "alerts") in `channel` was refused with
        `error`; True the first time, when the admins are to be told."""
        return self.store.execute(
            "INSERT OR IGNORE INTO channel_problems (team_id, channel, error, purpose, noticed_at) VALUES (?, ?, ?, ?, ?)",
            (team_id, channel, error, purpose, now)).rowcount == 1

    def channel_fixed(self, team_id: str, channel: str) -> None:
        self.store.execute("DELETE FROM channel_problems WHERE team_id = ? AND channel = ?", (team_id, channel))

    def channel_problems(self, team_id: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT channel, error, purpose, noticed_at FROM channel_problems WHERE team_id = ? "
                               "ORDER BY noticed_at", (team_id,))

    # --- team settings ---------------------------------------------------------------------------
    def settings(self, team_id: str) -> TeamSettings:
        """The team's saved settings over the defaults. The defaults' channels are one workspace's
        (`home_team`): another team without settings of its own gets no alert or digest channel
        rather than a post in a channel of someone else's workspace, or everyone's in one."""
        rows = self.store.rows("SELECT settings FROM team_settings WHERE team_id = ?", (team_id,))
        if rows:
            return TeamSettings.from_values(json.loads(rows[0]["settings"]), self.defaults)
        if self.home_team is None or team_id == self.home_team:
            return self.defaults
        return replace(self.defaults, alert_channel=None, digest_channel=None)

    def save_settings(self, team_id: str, settings: TeamSettings) -> None:
        self.store.execute("INSERT OR REPLACE INTO team_settings (team_id, settings, updated_at) VALUES (?, ?, ?)",
                           (team_id, settings.to_json(), time.time()))

    # --- drafts: retention, forget-me, tips -----------------------------------------------------
    def purge_text(self, team_id: str, older_than: float) -> int:
        """Forgets the text of drafts created before `older_than`, and the draft's words quoted in
        their findings; scores and findings stay. The caller checkpoints the WAL afterwards."""
        with self.store.transaction() as db:
            ids = [row[0] for row in db.execute("SELECT id FROM drafts WHERE team_id = ? AND created_at < ? "
                                                "AND text IS NOT NULL", (team_id, older_than)).fetchall()]
            db.execute("UPDATE drafts SET text = NULL, subject = NULL, details = NULL, updated_at = ? "
                       "WHERE team_id = ? AND created_at < ? AND text IS NOT NULL", (time.time(), team_id, older_than))
            self.store.drop_quotes(team_id, ids)
        return len(ids)

    def user_drafts_with_text(self, team_id: str, user_id: str) -> list[str]:
        return [r["id"] for r in self.store.rows(
            "SELECT id FROM drafts WHERE team_id = ? AND user_id = ? AND text IS NOT NULL", (team_id, user_id))]

    def frequent_findings(self, team_id: str, since: float, until: float | None = None, user_id: str | None = None,
                          limit: int = 3) -> list[dict[str, Any]]:
        """The finding rules of most drafts reviewed since `since` (one review per draft: its latest;
        `count` is how many drafts got the rule), with a message and suggestion of each."""
        who = "AND d.user_id = :user" if user_id else ""
        return self.store.rows(
            "SELECT json_extract(f.value, '$.rule') AS rule, COUNT(DISTINCT r.draft_id) AS count, "
            "MAX(json_extract(f.value, '$.message')) AS message, MAX(json_extract(f.value, '$.suggestion')) AS suggestion "
            "FROM reviews r JOIN drafts d ON d.team_id = r.team_id AND d.id = r.draft_id, json_each(r.findings) f "
            "WHERE r.team_id = :team AND r.created_at >= :since AND r.created_at < :until "
            f"AND r.id = (SELECT MAX(id) FROM reviews WHERE team_id = r.team_id AND draft_id = r.draft_id) {who} "
            "GROUP BY rule ORDER BY count DESC, rule LIMIT :limit",
            {"team": team_id, "since": since, "until": until if until is not None else float("inf"),
             "user": user_id, "limit": limit})

    def review_figures(self, team_id: str, start: float, end: float, user_id: str | None = None) -> dict[str, Any]:
        """Drafts reviewed in [start, end) and their average score (each draft's latest review there)."""
        who = "AND d.user_id = :user" if user_id else ""
        rows = self.store.rows(
            "SELECT COUNT(*) AS drafts, AVG(r.score) AS average FROM reviews r "
            "JOIN drafts d ON d.team_id = r.team_id AND d.id = r.draft_id "
            "WHERE r.team_id = :team AND r.created_at >= :start AND r.created_at < :end "
            "AND r.id = (SELECT MAX(id) FROM reviews WHERE team_id = r.team_id AND draft_id = r.draft_id "
            f"AND created_at < :end) {who}", {"team": team_id, "start": start, "end": end, "user": user_id})
        return rows[0]



@dataclass(frozen=True)
class PeriodFigures:
    """One recruiter's current period (`models.policy.current_period`) with its figures so far."""

    state: str
    start: float
    end: float
    judged_at: float
    sent: int
    responses: int
    accepted: int
    declined: int
    pending: int
    at_risk: bool


@dataclass(frozen=True)
class UserFigures:
    """One recruiter's figures over the last `days` (App Home, `/inmail stats`), and the team's."""

    days: int
    drafts: int
    average_score: float | None
    sent: int
    responses: int
    state: str
    until: float | None
    team_sent: int
    team_responses: int
    team_flagged: int
    period: PeriodFigures
    policy: PolicyConfig


def user_figures(outreach: Outreach, team_id: str, user_id: str, now: float) -> UserFigures:
    """Sends of the last response window, with the responses known now."""
    config = outreach.settings(team_id).policy
    start = now - config.window_days * 86_400.0
    reviews = outreach.review_figures(team_id, start, now + 1, user_id=user_id)
    team = outreach.totals(team_id, start, now + 1, now, config.window_days)
    mine = team.get(user_id) or {"sent": 0, "responses": 0}
    _, status = outreach.status(team_id, user_id, config)
    flagged = sum(1 for row in outreach.statuses(team_id).values() if row["state"] != "normal" and (row["until"] or 0) > now)
    return UserFigures(config.window_days, reviews["drafts"], reviews["average"], mine["sent"] or 0,
                       mine["responses"] or 0, status.state, status.until,
                       sum(r["sent"] or 0 for r in team.values()), sum(r["responses"] or 0 for r in team.values()), flagged,
                       outreach.period_figures(team_id, user_id, now), config)
