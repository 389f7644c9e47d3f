"""A recruiter in the one-to-one-only period cannot review a bulk draft as sendable (PRODUCT.md §5)."""
from __future__ import annotations

import time

from bot.review_service import ReviewService
from models.outreach import Outreach
from models.policy import ONE_TO_ONE, Assessment, Status, Transition
from models.records import Draft
from models.store import Store
from rules import Reviewer

TEAM = "T0TEAM"
DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was the clearest I have heard. "
         "We are building the payments platform at Vipps. Would you be open to a 15-minute call?")


def test_bulk_drafts_are_blocked_until_the_period_ends(db_url: str, reviewer: Reviewer) -> None:
    store = Store.open(db_url)
    try:
        outreach = Outreach(store)
        service = ReviewService(store, reviewer, outreach)
        now = time.time()
        until = now + 10 * 86400
        figures = Assessment(start=now - 14 * 86400, end=now, as_of=now, sent=120, responses=9, judged=True)
        assert outreach.record_transition(TEAM, "U1", 0, Transition(Status(ONE_TO_ONE, now, until), figures,
                                                                   "under 13% again"), ()) is not None

        def rules(user: str, bulk: bool) -> set[str]:
            answer = service.review_new(team_id=TEAM, user_id=user, source="modal",
                                        draft=Draft(body=DRAFT, subject="Kafka role", bulk=bulk))
            return {f.rule for f in answer.review.findings}

        assert "generic-template/bulk-restricted" in rules("U1", bulk=True)
        assert "generic-template/bulk-restricted" not in rules("U1", bulk=False)
        assert "generic-template/bulk-restricted" not in rules("U2", bulk=True)  # not restricted
        row = store.rows("SELECT * FROM drafts WHERE team_id = ? AND user_id = 'U1' ORDER BY created_at LIMIT 1",
                         (TEAM,))[0]
        again = service.review_stored(TEAM, store.draft(TEAM, row["id"]))  # "Review again" keeps the bulk flag
        assert "generic-template/bulk-restricted" in {f.rule for f in again.review.findings}
    finally:
        store.close()
