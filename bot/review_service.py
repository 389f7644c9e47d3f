"""The glue between Slack and the engine: payload → Draft → review → store → blocks → Slack.

Listeners stay thin: they acknowledge, pick the fields out of Slack's payload and call one
method here. Everything that must hold whatever Slack does lives here instead:

- the draft and its review are stored *before* anything is posted, so a Slack outage costs the
  answer, never the record;
- every Slack call goes through `bot.slack_client.slack_call` (or, in the worker pool, `slack_post`, which turns
  a failure Slack may get over into `Retry`), which logs a failure with the method, the draft
  id and Slack's error code, never the draft text, and keeps the process going;
- when the database refuses the draft, the review is still answered, saying it was not saved;
- a review that fails (a bug, a bad rule pack) becomes a short apology to the user and a log
  line with the exception type, not a traceback carrying the draft;
- each review uses the team's rules as its leads changed them in App Home (`bot/team_rules.py`,
  checked against the team's version before every review), and leaves out what was dismissed as
  "not applicable here" on the draft or an earlier version of it (`bot/dismiss.py`), after the
  engine reviewed: `rules/` stays pure.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Protocol
from urllib.error import URLError

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.blocks import review_message, text_message
from bot.dismiss import CARRY_DAYS, carried, dismissable, phrase_key, quote_of, token, without_dismissed
from bot.history import DraftHistory, TeamHistory
from bot.i18n import N_, _, everywhere
from bot.metrics import Metrics
from bot.team_rules import TeamRules
from bot.webhooks import Webhooks
from bot.work import Retry
from models.db import DB_ERRORS
from models.dismissals import Dismissals
from models.records import Draft, Recipient, Review, SequenceReview
from models.outreach import Outreach
from models.policy import ONE_TO_ONE
from models.store import Store
from rules import ReviewContext

log = logging.getLogger(__name__)

# In the reader's language where they are said: `_(TEXT_GONE)`.
REVIEW_FAILED = N_("Sorry, this draft could not be reviewed (an internal error was logged). Please try again later.")
TEXT_GONE = N_("This draft's text is no longer kept, so it cannot be reviewed again. Paste it again with `/inmail`.")
NOT_SAVED = N_("Not saved: the database was not answering, so this draft and its review are not kept "
               "(no buttons, not in your figures). Paste it again later to keep it.")
RESPONSE_URL_TIMEOUT_S = 10


class ReviewerLike(Protocol):
    """What the app needs of `rules.Reviewer` (tests may wrap the real one, e.g. to slow it down)."""

    def review(self, draft: Draft, context: ReviewContext | None = None) -> Review: ...


@dataclass(frozen=True)
class Answer:
    """A stored draft's latest review and the message that shows it (buttons included)."""

    draft_id: str
    review: Review
    message: dict[str, Any]


def slack_post(what: str, draft_id: str | None, call: Callable[..., Any], **kwargs: Any) -> Any | None:
    """A Slack call made by queued work: a rate limit, a 5xx or no connection raises `Retry` (the
    work is tried again later, after `Retry-After`); any other refusal is logged and gives None."""
    try:
        return call(**kwargs)
    except SlackApiError as error:
        status = error.response.status_code
        code = error.response.get("error") if isinstance(error.response.data, dict) else status
        log.warning("Slack %s failed for draft %s: %s (HTTP %s)", what, draft_id, code, status)
        if status == 429 or status >= 500:
            raise Retry(_retry_after(error.response.headers), f"Slack {what}: HTTP {status}") from None
    except (SlackClientError, URLError, OSError) as error:
        log.warning("Slack %s failed for draft %s: %s", what, draft_id, type(error).__name__)
        raise Retry(0.0, f"Slack {what}: {type(error).__name__}") from None
    return None


def _retry_after(headers: Mapping[str, Any]) -> float:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), "0")
    value = value[0] if isinstance(value, list) else value
    return float(value) if str(value).isdigit() else 0.0


def respond_to(url: str, draft_id: str | None, message: dict[str, Any]) -> bool:
    """Posts to a `response_url` from queued work; `Retry` when Slack may take it later."""
    try:
        response = WebhookClient(url, timeout=RESPONSE_URL_TIMEOUT_S).send_dict(message)
    except (URLError, OSError) as error:
        log.warning("Slack response_url failed for draft %s: %s", draft_id, type(error).__name__)
        raise Retry(0.0, f"response_url: {type(error).__name__}") from None
    if response.status_code == 429 or response.status_code >= 500:
        log.warning("Slack response_url failed for draft %s: HTTP %s", draft_id, response.status_code)
        raise Retry(_retry_after(response.headers), f"response_url: HTTP {response.status_code}")
    if response.status_code >= 400:
        log.warning("Slack response_url failed for draft %s: HTTP %s", draft_id, response.status_code)
        return False
    return True


def draft_details(draft: Draft) -> dict[str, Any]:
    """What a form adds to the text, in the store's `details` column."""
    details: dict[str, Any] = {}
    if draft.recipient:
        details["recipient"] = draft.recipient.to_dict()
    if draft.category:
        details["category"] = draft.category
    if draft.lang:
        details["lang"] = draft.lang
    if draft.bulk:
        details["bulk"] = True
    return details


def _draft_from_row(row: Mapping[str, Any]) -> Draft:
    details = row["details"] or {}
    recipient = details.get("recipient")
    return Draft(body=row["text"], subject=row["subject"] or "", id=row["id"], lang=details.get("lang"),
                 category=details.get("category"), bulk=bool(details.get("bulk")),
                 recipient=Recipient.from_dict(recipient) if recipient else None)


def recipient_key(draft: Draft) -> str | None:
    return draft.recipient.key if draft.recipient else None


class ReviewService:
    """Reviews drafts for one app; shared by every listener (thread-safe: the store and reviewer are)."""

    def __init__(self, store: Store, reviewer: ReviewerLike, outreach: Outreach, history: TeamHistory | None = None,
                 webhooks: Webhooks | None = None, metrics: Metrics | None = None) -> None:
        self.store = store
        self.metrics = metrics or Metrics()  # each review counted, with its time (`/metrics`)
        self.reviewer = reviewer
        self.outreach = outreach
        self.history = history or TeamHistory(store)
        self.webhooks = webhooks
        self.team_rules = TeamRules(store, reviewer)  # each team's reviewer, with its leads' changes
        self.dismissals = Dismissals(store)

    def review_new(self, *, team_id: str, user_id: str, source: str, draft: Draft, draft_id: str | None = None,
                   channel: str | None = None, message_ts: str | None = None) -> Answer | None:
        """Stores and reviews a new draft under `draft_id` (derived from the work's key); None on failure.

        Work done again after a crash finds its draft: it is reviewed again for the answer, and a
        review is stored only if none was (so a retry adds nothing to the figures)."""
        stored = self.store.add_draft(team_id, user_id, source, draft.body, subject=draft.subject,
                                      channel=channel, message_ts=message_ts, draft_id=draft_id,
                                      recipient_key=recipient_key(draft), details=draft_details(draft))
        if stored is None:
            row = self.store.draft(team_id, draft_id) if draft_id else None
            if row is None or row["text"] is None:
                log.info("draft %s exists without its text; not reviewed again", draft_id)
                return None
            return self._review(team_id, user_id, _draft_from_row(row), keep=not self.store.reviews(team_id, draft_id))
        return self._review(team_id, user_id, replace(draft, id=stored))

    def review_unsaved(self, team_id: str, draft: Draft) -> Answer | None:
        """The database refused the draft: review it anyway and say plainly that nothing was kept."""
        try:
            review = self.reviewer.review(replace(draft, id=None), ReviewContext(now=time.time()))
        except Exception as error:  # noqa: BLE001 - as in _review
            log.error("review of an unsaved draft failed: %s", type(error).__name__)
            return None
        review = replace(review, notes=(everywhere(NOT_SAVED),) + review.notes)
        return Answer("", review, review_message(review))

    def review_stored(self, team_id: str, row: Mapping[str, Any], keep: bool = True) -> Answer | None:
        """Reviews a stored draft again (after an edit, or "Review again"); `keep=False` only
        answers (work redone after a crash, whose review is stored already)."""
        return self._review(team_id, row["user_id"], _draft_from_row(row), keep)

    def review_edit(self, team_id: str, row: Mapping[str, Any], draft: Draft) -> Answer | None:
        """The user edited a draft's Slack message: store the new text, review it."""
        self.store.update_draft_text(team_id, row["id"], draft.body, draft.subject)
        return self.review_stored(team_id, {**row, "text": draft.body, "subject": draft.subject})

    def one_to_one_until(self, team_id: str, user_id: str) -> datetime | None:
        """When the user's one-to-one-only period ends, if they are in one (PRODUCT.md §5)."""
        _, status = self.outreach.statuses.current(team_id, user_id, self.outreach.settings.get(team_id).policy)
        if status.state == ONE_TO_ONE and status.until and status.until > time.time():
            return datetime.fromtimestamp(status.until, tz=timezone.utc)
        return None

    def _context(self, team_id: str, user_id: str, draft: Draft, history: DraftHistory) -> ReviewContext:
        return ReviewContext(history=history, history_key=draft.id,
                             recipient_key=recipient_key(draft), author_key=user_id, now=time.time(),
                             one_to_one_until=self.one_to_one_until(team_id, user_id) if draft.bulk else None,
                             policy=self.outreach.settings.get(team_id).policy)

    def _dismissed_before(self, team_id: str, user_id: str, draft_id: str) -> Callable[[Review], set[tuple[str, str]]]:
        """Reads what was dismissed on this draft and on the author's recent drafts (before the
        review, so a database failure is a database failure); gives, for the review, what of it
        stays dismissed: this draft's own, and those of earlier versions of the same message."""
        own = self.dismissals.for_draft(team_id, draft_id)
        earlier = self.dismissals.of_author(team_id, user_id, time.time() - CARRY_DAYS * 86400)
        return lambda review: own | carried(earlier, review, draft_id, time.time())

    def _review(self, team_id: str, user_id: str, draft: Draft, keep: bool = True) -> Answer | None:
        assert draft.id is not None
        started = time.perf_counter()
        reviewer = self.team_rules.reviewer(team_id)
        dismissed = self._dismissed_before(team_id, user_id, draft.id)
        history = self.history.for_review(team_id, draft.id)
        try:
            review = reviewer.review(draft, self._context(team_id, user_id, draft, history))
            review = without_dismissed(review, dismissed(review), reviewer)
        except DB_ERRORS:
            raise  # the history's write in the review: a database failure, handled as one (the work is kept)
        except Exception as error:  # noqa: BLE001 - any failure becomes an apology, not a lost request
            log.error("review of draft %s failed: %s", draft.id, type(error).__name__)
            return None
        return self._answer(team_id, user_id, draft, review, keep, started, history)

    def dismiss(self, team_id: str, row: Mapping[str, Any], finding_token: str, by: str) -> tuple[str, Answer | None]:
        """Dismisses the finding named `finding_token` (`bot.dismiss.token`) on a stored draft as
        not applicable here, and reviews the draft again without it: ("dismissed", answer),
        ("already", answer), ("gone", None) when the draft's review no longer has that finding,
        or ("failed", None)."""
        draft, author = _draft_from_row(row), row["user_id"]
        assert draft.id is not None
        started = time.perf_counter()
        reviewer = self.team_rules.reviewer(team_id)
        dismissed = self._dismissed_before(team_id, author, draft.id)
        history = self.history.for_review(team_id, draft.id)
        try:
            raw = reviewer.review(draft, self._context(team_id, author, draft, history))
            finding = next((f for f in raw.findings if token(raw, f) == finding_token and dismissable(f)), None)
            key = phrase_key(reviewer, raw, finding) if finding is not None else None
        except DB_ERRORS:
            raise  # as in _review
        except Exception as error:  # noqa: BLE001 - as in _review
            log.error("review of draft %s failed: %s", draft.id, type(error).__name__)
            return "failed", None
        if finding is None or key is None:
            return "gone", None
        added = self.dismissals.add(team_id, by, author, draft.id, finding.rule, key[0], key[1],
                                    quote=quote_of(raw, finding), language=raw.language, field=finding.field)
        review = without_dismissed(raw, dismissed(raw) | {(finding.rule, key[0])}, reviewer)
        answer = self._answer(team_id, author, draft, review, True, started, history)
        return ("dismissed" if added else "already"), answer

    def _answer(self, team_id: str, user_id: str, draft: Draft, review: Review, keep: bool, started: float,
                history: DraftHistory) -> Answer:
        assert draft.id is not None
        if keep:
            review_id = self.store.add_review(team_id, draft.id, review)
            history.stored(review)
            if self.webhooks is not None:
                self.webhooks.review(team_id, user_id, draft.id, review_id, review)
        took = time.perf_counter() - started
        self.metrics.reviewed(review.verdict, review.language, took)
        log.info("draft %s reviewed in %.0f ms: score %s, %s", draft.id, 1000 * took, review.score, review.verdict)
        return Answer(draft.id, review, review_message(review, draft_key=draft.id))

    def review_sequence(self, first: Draft, first_review: Review, follow_ups: list[dict[str, Any]],
                        team_id: str | None = None) -> SequenceReview:
        """The form's follow-ups reviewed as the first message was (its recipient, language and
        category; not stored: only what is sent is a draft), and the sequence judged as a whole."""
        from rules.sequence import judge

        # A follow-up is a reply in the first message's conversation: it keeps its subject.
        steps = [first] + [replace(first, body=f["body"], id=None, bulk=False) for f in follow_ups]
        reviewer = self.team_rules.reviewer(team_id) if team_id else self.reviewer
        reviews = [first_review] + [reviewer.review(step, ReviewContext(now=time.time())) for step in steps[1:]]
        return judge(steps, reviews, [None] + [f.get("after_days") for f in follow_ups])

    def forget_deleted(self, team_id: str, draft_id: str, *, keep_answer: bool = False) -> None:
        """The user deleted the draft: its text goes, and it no longer counts as a sent template."""
        self.store.mark_deleted(team_id, draft_id, keep_answer=keep_answer)
        self.dismissals.drop_quotes(team_id)  # the words its dismissals quoted go with the text

    @staticmethod
    def failure_message() -> dict[str, Any]:
        return text_message(_(REVIEW_FAILED))
