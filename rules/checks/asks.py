"""Call to action: one clear, low-effort next step at the end — not none, not three."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from models.records import CATEGORIES, Finding
from rules.analysis import Analysis
from rules.checks.base import check, finding

if TYPE_CHECKING:
    from rules.packs import Rule

_WINDOW = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


@check("ask-missing", keys={"window": _WINDOW, "except_categories": {"type": "array", "items": {"enum": list(CATEGORIES)}}})
def ask_missing(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """No ask near the end; not for categories that need none (a reconnect, a thank-you)."""
    if a.category in rule.options.get("except_categories", []):
        return
    if a.words and not a.asks(rule.options.get("window", 0.4)):
        last = a.sentences[-1] if a.sentences else None
        yield finding(rule, a, "body", last)


@check("ask-count", keys={"max_asks": {"type": "integer", "minimum": 1}, "window": _WINDOW})
def ask_count(rule: Rule, a: Analysis) -> Iterator[Finding]:
    asks = a.asks(rule.options.get("window", 0.4))
    if len(asks) > rule.options.get("max_asks", 2):
        yield finding(rule, a, "body", (asks[0][0], asks[-1][1]), count=len(asks))
