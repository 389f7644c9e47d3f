"""The work `serve` does on a clock: policy evaluation, the weekly digest, the retention purge
(then a WAL checkpoint, so purged text is not left in the `-wal` file), the purge of old
exactly-once keys, and delivering the outbox (alerts and digests).

A plain daemon thread calls `tick()` every `interval_s`; `tick(now)` is also what the tests
call with a clock they move. Of several processes on one database, one ticks: before each tick
the thread takes or renews the scheduler's lease (`models/leases.py`, one compare-and-set row),
which lasts `LEASE_TICKS` intervals; a process that does not get it, or loses it, waits and asks
again at its next interval, and one that stops gives it up, so another takes over at once (after
a `kill -9`, when the lease runs out). `leader` says which it is, for `/healthz` and `/metrics`.
The lease makes each tick happen once; it is not what keeps posts single, since a tick that
outlasts its lease can overlap the next leader's.

Nothing here needs to be the only process: policy transitions are stored once (a unique
successor per status), a digest is claimed once per team and week (a unique key), and each delivery is leased by compare-and-set before it is posted and marked
posted after, so two processes, or one restarted, post each thing once. Every post carries its delivery key
as message metadata; a delivery taken over after a lease ran out is first looked for in the
channel's recent history, so a process that died between Slack's answer and the mark does not
cause a second post (when the history cannot be read, it posts again rather than lose it).

Each post is made in its reader's language (`bot.i18n.reading`): what goes to a team's channel
(an alert, the digest and its chart) in the team's, a DM (a recruiter's alert or early warning, an
admin's notice about a channel) in that person's (`bot/readers.py`); and with its team's token
(`serving`, `TeamClients`): in OAuth mode each workspace's digest is posted by its own bot, and a
workspace that uninstalled the app gets no digest (what was queued for it is dropped).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any, Callable

from bot.admins import admin_ids
from bot.alerts import alert_messages, risk_message
from bot.blocks import NOT_POSTABLE, channel_problem_text, text_message
from bot.digest import post_digest
from bot import webhooks
from bot.i18n import reading
from bot.readers import Readers
from bot.settings import Settings
from bot.slack_client import NotInstalled, TeamClients, serving, slack_call
from models.digest import Week, compute, digest_due
from models.db import DB_ERRORS
from models.dismissals import Dismissals
from models.jobs import Jobs
from models.leases import Leases
from models.outreach import Outreach
from models.policy import DAY
from models.store import Store

log = logging.getLogger(__name__)

TICK_S = 60.0
EVALUATE_EVERY_S = 3600.0
METADATA_EVENT = "inmail_review_delivery"
HISTORY_LOOKBACK = 100
CLAIMS_KEPT_DAYS = 7
SCHEDULER_LEASE = "scheduler"
LEASE_TICKS = 3  # a leader that missed this many renewals (dead, cut off) is replaced


class Scheduler:
    def __init__(self, store: Store, client: Any, settings: Settings, *, interval_s: float = TICK_S,
                 evaluate_every_s: float = EVALUATE_EVERY_S, lease_s: float | None = None,
                 outreach: Outreach | None = None) -> None:
        self.store = store
        self.outreach = outreach or Outreach(store, settings.team_defaults())
        self.client = client if client is None or isinstance(client, TeamClients) else TeamClients(client)
        self.readers = Readers(self.outreach, self.client)
        self.admins = settings.admins
        self.webhook = (settings.webhook_url, settings.webhook_secret)
        self.interval_s = interval_s
        self.evaluate_every_s = evaluate_every_s
        self.leases = Leases(store)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_s = LEASE_TICKS * interval_s if lease_s is None else lease_s
        self.leader = False
        self._last_evaluation: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one step --------------------------------------------------------------------------------
    def tick(self, now: float | None = None) -> None:
        """Evaluates (at most every `evaluate_every_s`), claims due digests, delivers the outbox."""
        now = time.time() if now is None else now
        teams = self.outreach.teams()
        if self._last_evaluation is None or now - self._last_evaluation >= self.evaluate_every_s:
            self._last_evaluation = now
            for team in teams:
                self.evaluate_team(team, now)
                purged = self.store.purge_text(team, now - self.outreach.settings.get(team).retention_days * DAY)
                unquoted = Dismissals(self.store).drop_quotes(team)  # dismissals' quotes go with the drafts' text
                if purged or unquoted:
                    log.info("team %s: text of %d drafts past retention forgotten", team, purged)
                    self.store.checkpoint()  # and out of the -wal file
            self.purge_claims(now)
        if not teams or not self.knows_home_team():
            return  # nothing to post yet, or Slack is not answering: digests and alerts wait for the next tick
        for team in teams:
            self.claim_digest(team, now)
        self.deliver(now)

    def knows_home_team(self) -> bool:
        """The bot token's workspace (`auth.test`, asked once), whose channels the environment's are.
        In OAuth mode no workspace's are (`Settings.team_defaults`): nothing to ask."""
        if self.client is not None and self.client.distributed:
            return True
        if self.outreach.settings.home_team is None and self.client is not None:
            answer = slack_call("auth.test", None, self.client.auth_test)
            self.outreach.settings.home_team = str(answer["team_id"]) if answer else None
        return self.outreach.settings.home_team is not None

    def purge_claims(self, now: float) -> None:
        """Keys that only guard against Slack's retries and replays (minutes) are kept a week, then go."""
        events = self.store.purge_claims(now - CLAIMS_KEPT_DAYS * DAY)
        work = Jobs(self.store).purge(now - CLAIMS_KEPT_DAYS * DAY)
        if events or work:
            log.info("purged %d processed-event claims and %d finished pieces of work", events, work)

    def evaluate_team(self, team_id: str, now: float) -> list[int]:
        return [status_id for user in self.outreach.recruiters(team_id)
                for status_id in self.outreach.reassess(team_id, user, now)]

    def claim_digest(self, team_id: str, now: float) -> bool:
        team = self.outreach.settings.get(team_id)
        week = digest_due(now, team)
        if week is None or not team.digest_channel or not (self.client is None or self.client.installed(team_id)):
            return False
        first = self.outreach.first_seen(team_id)
        if first is None or week.end <= first:  # nothing yet, or a week from before the app was installed
            return False
        return self.outreach.outbox.enqueue(team_id, f"digest:{team_id}:{week.label}", "digest",
                                            {"label": week.label, "start": week.start, "end": week.end})

    def deliver(self, now: float) -> None:
        for row in self.outreach.outbox.lease_due(now):
            try:
                with serving(row["team_id"]):
                    ts = self._post(row, now)
            except NotInstalled:
                log.info("delivery %s (%s) dropped: the app is not installed in team %s any more", row["id"],
                         row["kind"], row["team_id"])
                ts = ""
            except Exception as error:  # noqa: BLE001 - one bad delivery must not stop the others
                log.error("delivery %s (%s) failed: %s", row["id"], row["kind"], type(error).__name__)
                ts = None
            if ts is None:
                if not self.outreach.outbox.release(row["id"], row["attempts"] + 1, now):
                    log.warning("delivery %s (%s) given up after %d attempts; `inmail-review outbox --retry` tries "
                                "it again", row["id"], row["kind"], row["attempts"] + 1)
            else:
                self.outreach.outbox.mark_posted(row["id"], ts or None, keep_payload=row["kind"] != webhooks.KIND)

    def _post(self, row: dict[str, Any], now: float) -> str | None:
        """Posts one delivery; its ts ("" when there was nowhere to post), or None to retry later."""
        team_id, team = row["team_id"], self.outreach.settings.get(row["team_id"])
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"delivery": row["key"]}}
        if row["kind"] == webhooks.KIND:  # no webhook configured any more: nothing to deliver
            url, secret = self.webhook
            return "" if not url or webhooks.post(url, secret, row["key"], row["payload"]) else None
        if row["kind"] == "digest":
            if not team.digest_channel:
                return ""
            if row["attempts"] and (ts := self._posted_before(team.digest_channel, row["key"])):
                return ts
            figures = compute(self.outreach, team_id, Week(**row["payload"]), now)
            refused = self._refusal(team_id, team.digest_channel, "digest", now)
            with reading(self.readers.team_language(team_id)):
                ts = post_digest(self.client, self.outreach, team_id, team.digest_channel, figures, on_refusal=refused,
                                 metadata=metadata)
            return self._fixed(team_id, team.digest_channel, ts)
        if row["kind"] == "risk_dm":
            channel = row["user_id"]
            with reading(self.readers.language(team_id, channel)):
                message = risk_message(self.outreach, team_id, channel, row["payload"])
        elif row["kind"] == "admin_notice":
            channel = row["user_id"]
            with reading(self.readers.language(team_id, channel)):
                message = text_message(channel_problem_text(row["payload"]))
        else:
            status = self.outreach.statuses.row(team_id, row["payload"]["status_id"])
            if status is None:
                return ""
            to_channel = row["kind"] == "alert_channel"
            channel = team.alert_channel if to_channel else status["user_id"]
            if not channel:
                return ""
            reader = self.readers.team_language(team_id) if to_channel else self.readers.language(team_id, channel)
            with reading(reader):
                dm, channel_post = alert_messages(self.outreach, team_id, status, now)
            message = channel_post if to_channel else dm
        if row["kind"] != "alert_channel":  # a DM: to the recruiter's conversation with the app
            opened = slack_call("conversations.open", None, self.client.conversations_open, users=channel)
            if opened is None:
                return None
            channel = opened["channel"]["id"]
        if row["attempts"] and (ts := self._posted_before(channel, row["key"])):
            return ts
        refused = self._refusal(team_id, channel, "alerts", now) if row["kind"] == "alert_channel" else None
        posted = slack_call("chat.postMessage", None, self.client.chat_postMessage, on_refusal=refused, channel=channel,
                            metadata=metadata, **message)
        return self._fixed(team_id, channel, str(posted["ts"]) if posted else None)

    def _refusal(self, team_id: str, channel: str, purpose: str, now: float) -> Callable[[str], None]:
        """What to do when Slack refuses a post in a team's channel: a channel the app cannot post
        in is recorded (App Home shows it to admins) and, the first time, each admin gets a DM."""
        def refused(code: str) -> None:
            if code in NOT_POSTABLE and self.outreach.channel_problems.record(team_id, channel, code, purpose, now):
                payload = {"channel": channel, "error": code, "purpose": purpose}
                for admin in admin_ids(self.client, self.admins):
                    self.outreach.outbox.enqueue(team_id, f"notice:{team_id}:{channel}:{code}:{admin}", "admin_notice",
                                                 payload, user_id=admin)
        return refused

    def _fixed(self, team_id: str, channel: str, ts: str | None) -> str | None:
        """A post in `channel` went through: whatever stopped posts there is over."""
        if ts:
            self.outreach.channel_problems.fixed(team_id, channel)
        return ts

    def _posted_before(self, channel: str, key: str) -> str | None:
        """A delivery leased before (its process may have died after posting, before marking it):
        its message's ts if the channel's recent history has it, found by the metadata every post
        carries. When history cannot be read, None: post again rather than lose it."""
        history = slack_call("conversations.history", None, self.client.conversations_history, channel=channel,
                             limit=HISTORY_LOOKBACK, include_all_metadata=True)
        for message in (history or {}).get("messages", []):
            if ((message.get("metadata") or {}).get("event_payload") or {}).get("delivery") == key:
                return str(message["ts"])
        return None

    # --- the thread --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="inmail-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ends the loop after the tick under way and gives the lease up."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self.leader:
            self.leader = False
            try:
                self.leases.release(SCHEDULER_LEASE, self.owner)
            except DB_ERRORS as error:  # it runs out by itself
                log.warning("scheduler: could not give the lease up: %s", type(error).__name__)

    def elect(self, now: float | None = None) -> bool:
        """Takes or renews the scheduler's lease: whether this process is the one that ticks."""
        try:
            leading = self.leases.take(SCHEDULER_LEASE, self.owner, time.time() if now is None else now, self.lease_s)
        except DB_ERRORS as error:
            log.warning("scheduler: the lease could not be taken or renewed: %s", type(error).__name__)
            leading = False
        if leading != self.leader:
            log.info("scheduler: this process leads" if leading else "scheduler: another process leads; this one waits")
        self.leader = leading
        return leading

    def _loop(self) -> None:
        while True:
            try:
                if self.elect():
                    self.tick()
            except Exception as error:  # noqa: BLE001 - the loop outlives a bad tick (e.g. a locked database)
                log.error("scheduler tick failed: %s", type(error).__name__)
            if self._stop.wait(self.interval_s):
                return
