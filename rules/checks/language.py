"""Language-level checks: grammar and spelling (through the configured checker), mixed languages."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import check, finding

if TYPE_CHECKING:
    from rules.packs import Rule

_NAMES = {"en": "English", "nb": "Norwegian", "it": "Italian"}


@check("mixed-language")
def mixed_language(rule: Rule, a: Analysis) -> Iterator[Finding]:
    other = a.detection.mixed_with
    if other and other != a.language:
        yield finding(rule, a, None, None, other=_NAMES.get(other, other), main=_NAMES.get(a.language, a.language))


@check("grammar")
def grammar(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The configured checker's findings for the rule's fields; the rule's level caps them."""
    for result in a.grammar_results(rule.fields):
        for f in result.findings:
            yield f if f.severity == "suggestion" else replace(f, severity=rule.level)
