"""Call to action: one clear, low-effort next step at the end — not none, not three."""
from __future__ import annotations

from typing import Iterator

from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import finding
from rules.packs import Rule


def ask_missing(rule: Rule, a: Analysis) -> Iterator[Finding]:
    if a.words and not a.asks(rule.options.get("window", 0.4)):
        last = a.sentences[-1] if a.sentences else None
        yield finding(rule, a, "body", last)


def ask_count(rule: Rule, a: Analysis) -> Iterator[Finding]:
    asks = a.asks(rule.options.get("window", 0.4))
    if len(asks) > rule.options.get("max_asks", 2):
        yield finding(rule, a, "body", (asks[0][0], asks[-1][1]), count=len(asks))
