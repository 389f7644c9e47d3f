"""The generic checks. Each takes (rule, analysis) and yields findings; the rule's YAML data
says what to look for. `CHECKS` maps a pack's `check:` value to its function."""
from __future__ import annotations

from typing import Callable, Iterable

from models.records import Finding
from rules.analysis import Analysis
from rules.packs import Rule

Check = Callable[[Rule, Analysis], Iterable[Finding]]

from rules.checks import asks, history, language, limits, phrases, recipient, wording  # noqa: E402

CHECKS: dict[str, Check] = {
    "existence": phrases.existence,
    "substitution": phrases.substitution,
    "whole-field": phrases.whole_field,
    "required": phrases.required,
    "shouting": phrases.shouting,
    "limit": limits.limit,
    "recipient-name": recipient.name_missing,
    "recipient-name-spelling": recipient.name_misspelt,
    "recipient-reference": recipient.reference,
    "profile-missing": recipient.profile_missing,
    "you-we-balance": recipient.you_we_balance,
    "category-open-to": recipient.category_open_to,
    "category-declared": recipient.category_declared,
    "gender-coded": wording.gender_coded,
    "ask-missing": asks.ask_missing,
    "ask-count": asks.ask_count,
    "near-duplicate": history.near_duplicate,
    "one-to-one-only": history.one_to_one_only,
    "mixed-language": language.mixed_language,
    "grammar": language.grammar,
}
