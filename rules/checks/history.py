"""The team's history: near-copies of earlier drafts, and the sender's response-rate restriction."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Iterator

from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import finding
from rules.packs import Rule


def near_duplicate(rule: Rule, a: Analysis) -> Iterator[Finding]:
    history = a.context.history
    if history is None or a.fingerprint is None:
        return
    window = rule.options.get("window_days", 14) * 86400
    now = a.context.now or time.time()
    matches = history.query(a.fingerprint, recipient=a.context.recipient_key, since=now - window,
                            exclude_key=a.context.history_key)
    if matches:
        since = a.context.history_scope
        if since is None:
            oldest = datetime.fromtimestamp(min(m.at for m in matches), tz=timezone.utc)
            since = f" since {oldest:%-d %b %Y}"
        yield finding(rule, a, "body", None, count=len(matches), since=since)


def one_to_one_only(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """A bulk draft from a recruiter in LinkedIn's one-to-one-only period (PRODUCT.md §5)."""
    until = a.context.one_to_one_until
    if a.draft.bulk and until is not None:
        yield finding(rule, a, None, None, until=f"{until:%-d %b %Y}")
