"""Near-duplicates: the same template sent to many people, found in the team's history."""
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
