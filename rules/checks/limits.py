"""Length limits on characters, words, paragraphs and sentences."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from models.wording import Said
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.i18n import each_language
from rules.matching import Span
from rules.schema import LEVEL, TEXT

if TYPE_CHECKING:
    from rules.packs import Rule

_TIER = {
    "type": "object",
    "properties": {"above": {"type": "number"}, "below": {"type": "number"}, "level": LEVEL, "message": TEXT, "suggestion": TEXT},
    "required": ["level", "message"],
    "additionalProperties": False,
}
_METRICS = ["body_chars", "subject_chars", "words", "paragraph_chars", "sentence_words"]


def _measure(metric: str, a: Analysis) -> tuple[int, Span | None, str]:
    """(value, the span it applies to, field) of a metric; the span is the worst offender."""
    if metric == "subject_chars":
        return len(a.subject.text), None, "subject"
    if metric == "body_chars":
        return len(a.body.text.strip()), None, "body"
    if metric == "words":
        return len(a.words), None, "body"
    if metric == "paragraph_chars":
        spans = a.paragraphs
        worst = max(spans, key=lambda s: s[1] - s[0], default=None)
        return (worst[1] - worst[0] if worst else 0), worst, "body"
    spans = a.sentences
    worst = max(spans, key=a.sentence_words, default=None)
    return (a.sentence_words(worst) if worst else 0), worst, "body"


@check("limit", required=("metric",), keys={"metric": {"enum": _METRICS}, "max": {"type": "number"}, "min": {"type": "number"},
                                           "tiers": {"type": "array", "items": _TIER, "minItems": 1}})
def limit(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """`max`/`min` at the rule's level, or `tiers`: the highest tier crossed wins."""
    metric = rule.options["metric"]
    value, span, field = _measure(metric, a)
    if metric == "body_chars" and "max" in rule.options and value > rule.options["max"]:
        text = a.body.text
        span = (min(int(rule.options["max"]), len(text)), len(text))  # the part that would be cut
    if "max" in rule.options and value > rule.options["max"]:
        yield finding(rule, a, field, span, value=_number(value), limit=_number(rule.options["max"]))
    elif "min" in rule.options and value < rule.options["min"]:
        yield finding(rule, a, field, span, value=_number(value), limit=_number(rule.options["min"]))
    crossed = [
        t for t in rule.options.get("tiers", [])
        if ("above" in t and value > t["above"]) or ("below" in t and value < t["below"])
    ]
    if crossed:
        tier = crossed[-1]
        yield finding(rule, a, field, span, level=tier["level"], message=tier["message"],
                      suggestion=tier.get("suggestion"), value=_number(value))


def _number(value: float) -> Said:
    """A count written each reader's way ("1,900", "1 900", "1.900")."""
    return each_language(lambda t: t.number(value))
