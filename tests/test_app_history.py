"""The team's template history through the real app: the same text to many people is caught
from the second copy on, across two processes on one database and across a restart."""
from __future__ import annotations

import json
from typing import Any

from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn

TEMPLATE = (
    "Hi {name},\n\nI came across your profile and was impressed by your background in backend development. "
    "Kolonial is building a new logistics platform in Oslo and we are looking for senior engineers who enjoy "
    "owning services end to end, from design reviews to on-call. The team works with Kotlin, PostgreSQL and "
    "Kafka, ships several times a day, and has a generous budget for conferences and courses.\n\n"
    "Would you be open to a 20-minute call next week?"
)
PERSONAL = [
    "Hi Ingrid,\n\nYour JavaZone talk on idempotent Kafka consumers answered a question our payments team had "
    "argued about for a month. Kolonial's checkout team needs someone to own exactly that. Open to a call?",
    "Hi Tor,\n\nThe open-source PostgreSQL partitioning tool you maintain is the reason our order history "
    "queries are fast. We would love you to shape the data layer of our new warehouse system. Coffee in Oslo?",
    "Hi Sara,\n\nYou led the migration from a monolith to services at Finn without a single outage, according "
    "to your blog series. Our logistics platform is at that same point now. Could we talk on Thursday?",
]


def _review_of(app: SlackAppServer, slack: SlackStandIn, text: str) -> list[dict[str, Any]]:
    """Posts a draft in the drafts channel and returns the findings stored for its review."""
    message = slack.add_message(DRAFTS, text, user=USER)
    assert app.event(message_event(text, ts=message["ts"])).status_code == 200
    app.drain()
    row = app.store.draft_for_message(TEAM, DRAFTS, message["ts"])
    [review] = app.store.reviews(TEAM, row["id"])
    return review["findings"]


def _copies(findings: list[dict[str, Any]]) -> str | None:
    found = [f["message"] for f in findings if f["rule"] == "generic-template/near-duplicate"]
    return found[0] if found else None


def test_name_swapped_template_is_caught_from_the_second_copy(app: SlackAppServer, slack: SlackStandIn) -> None:
    names = ["Kari", "Ola", "Nora", "Jonas", "Emma", "Lars"]
    results = [_copies(_review_of(app, slack, TEMPLATE.format(name=name))) for name in names]
    assert results[0] is None
    for k, message in enumerate(results[1:], start=1):
        assert message is not None and f"near-copy of drafts for {k} other" in message, (k, message)
    assert slack.violations == []


def test_different_personal_drafts_are_not_templates(app: SlackAppServer, slack: SlackStandIn) -> None:
    assert [_copies(_review_of(app, slack, text)) for text in PERSONAL] == [None, None, None]


def test_two_processes_see_each_others_drafts(make_app: Any, slack: SlackStandIn) -> None:
    first, second = make_app(), make_app()  # one database (`db_url`)
    assert _copies(_review_of(first, slack, TEMPLATE.format(name="Kari"))) is None
    assert "near-copy of drafts for 1 other" in _copies(_review_of(second, slack, TEMPLATE.format(name="Ola")))
    assert "near-copy of drafts for 2 other" in _copies(_review_of(first, slack, TEMPLATE.format(name="Nora")))


def test_history_survives_a_restart_and_forgets_deleted_drafts(make_app: Any, slack: SlackStandIn) -> None:
    before = make_app()
    _review_of(before, slack, TEMPLATE.format(name="Kari"))
    _review_of(before, slack, TEMPLATE.format(name="Ola"))
    deleted = slack.add_message(DRAFTS, TEMPLATE.format(name="Nora"), user=USER)
    before.event(message_event(TEMPLATE.format(name="Nora"), ts=deleted["ts"]))
    before.drain()
    before.event({"type": "message", "subtype": "message_deleted", "channel": DRAFTS, "hidden": True,
                  "ts": "1732350500.000001", "deleted_ts": deleted["ts"], "previous_message": deleted})
    before.drain()
    before.close()
    after = make_app()  # a new process on the same database: its history is read from there
    assert "near-copy of drafts for 2 other" in _copies(_review_of(after, slack, TEMPLATE.format(name="Jonas")))


def _command_copies(app: SlackAppServer, slack: SlackStandIn, text: str, user: str, n: int) -> bool:
    """Sends `/inmail <text>` as `user`; True when the answer calls it a near-copy."""
    assert app.command(text, response_url=slack.response_url(f"r{n}"), user=user).status_code == 200
    app.drain()
    answer = slack.wait_responses(n)[n - 1]
    return "near-copy" in json.dumps(answer)


def test_rechecking_ones_own_draft_is_not_a_template(app: SlackAppServer, slack: SlackStandIn) -> None:
    text = TEMPLATE.format(name="Kari")
    assert not _command_copies(app, slack, text, USER, 1)
    assert not _command_copies(app, slack, text, USER, 2)  # the same recruiter, revising
    # A colleague sending the same text to someone else is a copy.
    assert _command_copies(app, slack, TEMPLATE.format(name="Ola"), "UOTHER", 3)
