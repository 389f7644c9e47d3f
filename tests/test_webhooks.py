"""Issue 15 item 4, webhooks: each stored review and recorded outcome reaches a loopback receiver
as signed JSON through the outbox, retried while the receiver fails, and never twice."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from bot.scheduler import Scheduler
from bot.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn

SECRET = "whsec-test-only"
DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
         "platform at Vipps. Would you be open to a 15-minute call next week?")


class Receiver:
    """A CRM's webhook endpoint on loopback: records every POST; answers `status` (200 unless told)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body, "status": receiver.status})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/inmail"

    def accepted(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.received if r["status"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def _signed_correctly(request: dict[str, Any]) -> bool:
    timestamp = request["headers"][TIMESTAMP_HEADER]
    expected = "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + request["body"],
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"][SIGNATURE_HEADER]) and abs(time.time() - int(timestamp)) < 60


def test_reviews_and_outcomes_reach_the_webhook_signed_once(make_app: Any, slack: SlackStandIn,
                                                            receiver: Receiver) -> None:
    app = make_app(webhook_url=receiver.url, webhook_secret=SECRET)
    slack.reset()
    scheduler = Scheduler(app.store, app.app.client, app.settings)
    assert app.command(DRAFT, response_url=slack.response_url("cmd")).status_code == 200
    [answer] = slack.wait_responses(1)
    app.drain()
    draft_id = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    receiver.status = 500  # the CRM is down: nothing is lost, it is tried again later
    scheduler.tick(time.time())
    assert len(receiver.received) == 1 and receiver.accepted() == []
    receiver.status = 200
    scheduler.tick(time.time() + 3600)
    [review] = receiver.accepted()
    assert review["event"] == "review" and (review["team_id"], review["user_id"], review["draft_id"]) == (TEAM, USER, draft_id)
    assert {"score", "verdict", "language", "category", "findings", "metrics"} <= set(review["review"])
    assert review["review"]["id"] == draft_id
    response = app.interaction({
        "type": "block_actions", "user": {"id": USER, "team_id": TEAM}, "trigger_id": "1.2.sent",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "CGENERAL", "is_ephemeral": True},
        "channel": {"id": "CGENERAL"}, "response_url": slack.response_url("sent"),
        "actions": [{"type": "button", "action_id": "mark_sent", "block_id": "review_actions", "value": draft_id,
                     "action_ts": str(time.time()), "text": {"type": "plain_text", "text": "Mark as sent"}}]})
    assert response.status_code == 200
    slack.wait_responses(2)
    app.drain()
    for later in (7200, 10800):  # a second tick posts nothing again
        scheduler.tick(time.time() + later)
    events = receiver.accepted()
    assert [e["event"] for e in events] == ["review", "outcome"]
    assert (events[1]["outcome"], events[1]["draft_id"], events[1]["figures"]["sent"]) == ("sent", draft_id, 1)
    assert all(_signed_correctly(r) for r in receiver.received)
    deliveries = [r["headers"][DELIVERY_HEADER] for r in receiver.received if r["status"] == 200]
    assert len(deliveries) == len(set(deliveries)) == 2
    kept = app.store.rows("SELECT payload FROM deliveries WHERE kind = 'webhook'", ())
    assert [r["payload"] for r in kept] == [None, None]  # nothing quoting a draft is kept once delivered


def test_without_a_webhook_url_nothing_is_queued(app: SlackAppServer, slack: SlackStandIn) -> None:
    assert app.command(DRAFT, response_url=slack.response_url("cmd")).status_code == 200
    slack.wait_responses(1)
    app.drain()
    assert app.store.rows("SELECT * FROM deliveries WHERE kind = 'webhook'", ()) == []
