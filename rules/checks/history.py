"""The team's history: near-copies of earlier drafts, and the sender's response-rate restriction."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator

from models.policy import PolicyConfig
from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.i18n import DAY_PATTERN, N_, each_language

if TYPE_CHECKING:
    from rules.packs import Rule

# Translators: follows "a near-copy of drafts to N other recipients"; keep the leading space.
_SINCE = N_(" since {day}")


@check("near-duplicate", keys={"window_days": {"type": "number", "exclusiveMinimum": 0}})
def near_duplicate(rule: Rule, a: Analysis) -> Iterator[Finding]:
    history = a.context.history
    if history is None or a.fingerprint is None:
        return
    from rules.similarity import distinct_recipients  # with a history, similarity is loaded anyway
    window = rule.options.get("window_days", 14) * 86400
    now = a.context.now or time.time()
    matches = history.query(a.fingerprint, recipient=a.recipient_key, since=now - window,
                            exclude_key=a.context.history_key, author=a.context.author_key, now=now)
    if matches:
        since = a.context.history_scope
        if since is None:
            oldest = datetime.fromtimestamp(min(m.at for m in matches), tz=timezone.utc).date()
            since = each_language(lambda t: t.gettext(_SINCE, day=t.date(oldest, DAY_PATTERN)))
        yield finding(rule, a, "body", None, count=distinct_recipients(matches), since=since)


@check("one-to-one-only")
def one_to_one_only(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """A bulk draft from a recruiter in LinkedIn's one-to-one-only period (PRODUCT.md §5)."""
    until = a.context.one_to_one_until
    if a.draft.bulk and until is not None:
        policy = a.context.policy or PolicyConfig()  # the team's numbers, else LinkedIn's
        yield finding(rule, a, None, None, until=each_language(lambda t: t.date(until, DAY_PATTERN)),
                      threshold=each_language(lambda t: t.percent(policy.threshold)), days=policy.restrict_days)
