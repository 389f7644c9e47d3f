"""Outgoing webhooks (`INMAIL_WEBHOOK_URL`): each stored review and each recorded outcome is
POSTed as JSON to the team's CRM, ATS or data warehouse.

They go through the outbox like alerts and digests (`models/outbox.py`, delivered by
`bot/scheduler.py`): written in SQLite when the review or outcome is, keyed by what caused them
(a review's id, the Slack work that recorded an outcome), so retried work adds none; leased by
one process, retried with growing pauses while the receiver fails, marked delivered on a 2xx.
A process that dies between the receiver's 2xx and the mark posts that one again once its lease
has run out, with the same `X-Inmail-Delivery` id: receivers drop a delivery id they have seen.

Signed like Slack signs its requests: `X-Inmail-Signature: v0=<hex HMAC-SHA256 of
"v0:<timestamp>:<body>">` with `INMAIL_WEBHOOK_SECRET`, and the timestamp in
`X-Inmail-Request-Timestamp`, so a receiver checks both who sent it and that it is recent.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.error import URLError

from models.outreach import Outreach
from models.records import Review

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Inmail-Signature"
TIMESTAMP_HEADER = "X-Inmail-Request-Timestamp"
DELIVERY_HEADER = "X-Inmail-Delivery"
TIMEOUT_S = 10.0
KIND = "webhook"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def post(url: str, secret: str | None, delivery: str, event: Mapping[str, Any]) -> bool:
    """One POST; True on a 2xx. Failures are logged by kind, never with the body (it quotes drafts)."""
    body = json.dumps(event, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery, TIMESTAMP_HEADER: timestamp}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method="POST"),
                                    timeout=TIMEOUT_S) as response:
            return 200 <= response.status < 300
    except (URLError, OSError) as error:
        log.warning("webhook delivery %s failed: %s", delivery, getattr(error, "code", type(error).__name__))
        return False


@dataclass(frozen=True)
class Webhooks:
    """Queues the events of one app (only when a webhook URL is configured)."""

    outreach: Outreach

    def review(self, team_id: str, user_id: str, draft_id: str, review_id: int, review: Review) -> None:
        event = {"event": "review", "team_id": team_id, "user_id": user_id, "draft_id": draft_id,
                 "at": time.time(), "review": review.to_dict() | {"id": draft_id}}
        self.outreach.outbox.enqueue(team_id, f"webhook:{team_id}:review:{review_id}", KIND, event, user_id=user_id)

    def outcome(self, team_id: str, user_id: str, cause: str, what: str, draft_id: str | None,
                figures: Mapping[str, Any] | None) -> None:
        """`cause`: the key of the work that recorded it; `what`: as `figures_changed` names it;
        `figures`: the draft's send as recorded now (sent, bulk, accepted, declined, replied, pending)."""
        keep = ("sent", "bulk", "accepted", "declined", "replied", "pending")
        event = {"event": "outcome", "team_id": team_id, "user_id": user_id, "draft_id": draft_id, "outcome": what,
                 "at": time.time(), "figures": {k: figures[k] for k in keep if k in figures} if figures else None}
        self.outreach.outbox.enqueue(team_id, f"webhook:{team_id}:outcome:{cause}", KIND, event, user_id=user_id)
