"""Language-level checks: grammar and spelling (through the configured checker), mixed languages."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from models.wording import Text
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.i18n import each_language
from rules.language import language_name

if TYPE_CHECKING:
    from rules.packs import Rule


@check("mixed-language")
def mixed_language(rule: Rule, a: Analysis) -> Iterator[Finding]:
    other = a.detection.mixed_with
    if other and other != a.language:
        yield finding(rule, a, None, None, other=_names(other), main=_names(a.language))


def _names(code: str) -> Text:
    """A draft language's name for each reader: the pack's short English name, CLDR's in the others."""
    return each_language(lambda t: language_name(code, short=True) if t.lang == "en" else t.language_name(code))


@check("grammar")
def grammar(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The configured checker's findings for the rule's fields; the rule's level caps them."""
    for result in a.grammar_results(rule.fields):
        for f in result.findings:
            yield f if f.severity == "suggestion" else replace(f, severity=rule.level)
