"""What every listener needs: the settings, the work queue, who and where; and, for the work the
listeners queue, what its handlers need (`Deps`) and how a draft's answer reaches the user.

The split that keeps acks fast: a listener (on the request thread) picks the fields out of
Slack's payload, `submit`s them as work and acks; the work's handler (on the worker pool) does
the database writes, the review and the Slack calls.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from slack_bolt import Ack, BoltContext, BoltRequest

from bot.admins import is_admin
from bot.i18n import N_, _, reading
from bot.readers import Readers
from bot.review_service import Answer, ReviewService, respond_to, slack_post
from bot.webhooks import Webhooks
from bot.settings import Settings
from bot.slack_client import NotInstalled, TeamClients, serving
from bot.work import BUSY, UNRECORDED, Retry, WorkQueue
from models.db import DB_ERRORS
from models.jobs import REVIEWED, Job
from models.outreach import Outreach
from models.records import Draft

log = logging.getLogger(__name__)

# Said in the reader's language where there is one (`_(BUSY_TEXT)`); an ack knows no reader: English.
BUSY_TEXT = N_("Busy right now: your draft is queued and will be answered here shortly.")
UNRECORDED_TEXT = N_("The database is not answering, so this draft cannot be kept; it will still be reviewed "
                     "and answered here.")
ADMIN_CACHE_S = 600.0
DB_ATTEMPTS = 3  # a draft the database keeps refusing is answered anyway, marked "not saved"
ANSWER_EVENT = "inmail_review_answer"


def settings(context: BoltContext) -> Settings:
    return context["settings"]


def work(context: BoltContext) -> WorkQueue:
    return context["work"]


def deps_of(context: BoltContext) -> "Deps":
    return context["deps"]


def team_id(context: BoltContext, body: Mapping[str, Any]) -> str:
    """The workspace of a request: every store row is keyed by it."""
    team = body.get("team")
    return (context.team_id or body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
            or context.enterprise_id or "")


def request_key(request: BoltRequest, fallback: str) -> str:
    """A key for one signed request: a hash of its signature (a replayed request has the same
    one), else — Socket Mode, unsigned — `fallback` (the trigger id)."""
    signature = (request.headers.get("x-slack-signature") or [""])[0]
    return hashlib.sha256(signature.encode()).hexdigest()[:32] if signature else fallback


def ack_receipt(ack: Ack, receipt: str) -> None:
    """Acks queued work; a full queue or a refusing database is said in the ack, plainly."""
    if receipt == BUSY:
        ack(response_type="ephemeral", text=_(BUSY_TEXT))
    elif receipt == UNRECORDED:
        ack(response_type="ephemeral", text=_(UNRECORDED_TEXT))
    else:
        ack()


@dataclass
class Deps:
    """What the work's handlers use, bound once by `create_app`."""

    service: ReviewService
    outreach: Outreach
    settings: Settings
    # The client of the workspace whose work is running (`for_its_reader` serves it): its token.
    client: TeamClients
    work: WorkQueue
    webhooks: Webhooks | None = None
    readers: Readers | None = None
    _admins: dict[str, tuple[bool, float]] = field(default_factory=dict)
    _answered_unsaved: set[str] = field(default_factory=set)

    @property
    def store(self) -> Any:
        return self.service.store

    def is_admin(self, user_id: str) -> bool:
        """An admin of the app (`bot/admins.py`), remembered for a while, so the settings form's
        submission can be checked in its ack."""
        admin = is_admin(self.client, self.settings.admins, user_id)
        self._admins[user_id] = (admin, time.monotonic())
        return admin

    def known_admin(self, user_id: str) -> bool | None:
        admin, at = self._admins.get(user_id, (False, -ADMIN_CACHE_S))
        return admin if time.monotonic() - at < ADMIN_CACHE_S else None


HandlerFn = Callable[[Job, Deps], None]


def for_its_reader(handler: Callable[..., None], job: Job, deps: Deps) -> None:
    """Runs a piece of work for its workspace (its Slack calls carry that workspace's token) and
    in the language of the person it answers (the team's when it answers no one in particular):
    every text it makes, in Python or a template, is in that language. Work for a workspace that
    has uninstalled the app meanwhile is dropped where it would call Slack: nobody can be answered."""
    user = job.payload.get("user")
    with serving(job.team_id):
        try:
            lang = deps.readers.language(job.team_id, user if isinstance(user, str) else None) if deps.readers else None
            with reading(lang):
                handler(job, deps=deps)
        except NotInstalled:
            log.info("%s work for team %s dropped: the app is not installed there any more", job.kind, job.team_id)


def figures_changed(deps: Deps, job: Job, what: str, draft_id: str | None = None,
                    figures: Mapping[str, Any] | None = None) -> None:
    """The work `job` changed a recruiter's sends or replies (`what`: "sent", "reply",
    "reply_accepted", "reply_declined", "bulk", "replies", "log"): the policy is evaluated now, not at the next hourly tick, a recruiter
    heading under the threshold gets the period's early warning, and the webhook hears of it
    (with the draft's send as recorded now, else `figures`) — all through the outbox."""
    user = job.payload["user"]
    deps.outreach.reassess(job.team_id, user, time.time())
    if deps.webhooks is not None:
        send = deps.outreach.sends.button_send(job.team_id, draft_id) if draft_id else None
        deps.webhooks.outcome(job.team_id, user, job.key, what, draft_id, send or figures)


def draft_id_for(job: Job) -> str:
    """The draft's id follows from the work's key, so work done twice finds one draft."""
    return "d_" + hashlib.sha256(f"{job.team_id}:{job.key}".encode()).hexdigest()[:16]


def answer_metadata(job: Job) -> dict[str, Any]:
    """Carried by every posted answer, so work taken over after a crash finds an answer already posted."""
    return {"event_type": ANSWER_EVENT, "event_payload": {"job": job.key}}


def reviewed(job: Job, deps: Deps, draft: Draft, review: Callable[[], Answer | None]) -> Answer | None:
    """Runs `review` (which stores); when the database refuses, tries again later, and after
    `DB_ATTEMPTS` (or for work it never kept) answers with a review marked "not saved"."""
    try:
        answer = review()
    except DB_ERRORS as error:
        if job.id is not None and job.attempts < DB_ATTEMPTS:
            raise Retry(0.0, f"database: {error}") from None
        deps._answered_unsaved.add(job.key)
        return deps.service.review_unsaved(job.team_id, draft)
    if answer is not None and job.id is not None:
        deps.work.jobs.advance(job, REVIEWED, draft_id=answer.draft_id)
    return answer


def answered_unsaved(job: Job, deps: Deps) -> bool:
    """This process already answered the work unsaved (the database could not mark it done)."""
    return job.key in deps._answered_unsaved and job.id is not None


def review_text_job(job: Job, deps: Deps, source: str) -> None:
    """The work of a draft that arrived as text (`/inmail …`, the message shortcut): review, store, answer."""
    if answered_unsaved(job, deps):
        return
    p = job.payload
    draft = Draft.from_text(p["text"])
    answer = reviewed(job, deps, draft, lambda: deps.service.review_new(
        team_id=job.team_id, user_id=p["user"], source=source, draft=draft, draft_id=draft_id_for(job),
        channel=p.get("channel")))
    reply(deps, job, answer.message if answer else deps.service.failure_message(), answer.draft_id if answer else None)


def reply(deps: Deps, job: Job, message: dict[str, Any], draft_id: str | None, *, replace_original: bool = False) -> None:
    """To where the work came from: its `response_url` (ephemeral), else a DM from the app."""
    url = job.payload.get("response_url")
    if url:
        respond_to(url, draft_id, {"response_type": "ephemeral", "replace_original": replace_original, **message})
    else:
        # To the user's DM with the app: a form may have been opened where the app cannot post.
        slack_post("chat.postMessage", draft_id, deps.client.chat_postMessage, channel=job.payload["user"], **message)
