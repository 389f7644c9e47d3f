"""Turning a rule plus what a check found into a Finding."""
from __future__ import annotations

import string
from typing import Any

from models.records import Finding
from rules.analysis import Analysis
from rules.matching import Span
from rules.packs import Rule

_QUOTE_MAX = 60


class _Values(dict[str, Any]):
    """Leaves unknown {placeholders} in a message as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Values(values))


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_MAX else text[: _QUOTE_MAX - 1] + "…"


def finding(rule: Rule, analysis: Analysis, field: str | None, span: Span | None, *,
            level: str | None = None, message: str | None = None, suggestion: str | None = None,
            **values: Any) -> Finding:
    """A Finding for `rule`; `{match}` is the quoted span, other {names} come from `values`."""
    filled = analysis.format_values()
    if span is not None and field is not None and "match" not in values:
        values["match"] = short(analysis.plain(field)[span[0] : span[1]])
    filled.update(values)
    text = _fill(message or rule.message, filled)
    if rule.why:
        text = f"{text} {_fill(rule.why, filled)}"
    return Finding(
        rule=rule.id,
        severity=level or rule.level,  # type: ignore[arg-type]
        message=text,
        suggestion=_fill(suggestion or rule.suggestion, filled),
        field=field,  # type: ignore[arg-type]
        span=span,
    )
