"""Checks that look for words: phrase lists, substitutions, whole-field values, shouting."""
from __future__ import annotations

from typing import Iterator

from models.records import Finding
from rules.analysis import Analysis, fold
from rules.checks.base import finding, short
from rules.packs import Rule


def existence(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """One finding per match of the rule's phrases or patterns, up to `max_findings`."""
    limit = rule.options.get("max_findings")
    count = 0
    for field in rule.fields:
        for span, _ in a.matches(field).for_rule(rule.id):
            if limit and count >= limit:
                return
            count += 1
            yield finding(rule, a, field, span)


def substitution(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """Like existence, with the replacement for the matched phrase in the suggestion."""
    replacements = list(rule.options["swap"].values())
    for field in rule.fields:
        for span, index in a.matches(field).for_rule(rule.id):
            use = replacements[index]
            yield finding(rule, a, field, span, replacement=use["use"] if isinstance(use, dict) else use)


def whole_field(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The whole field (trimmed, case- and punctuation-insensitive) is one of `values`."""
    values = {fold(v).strip() for v in rule.options["values"]}
    for field in rule.fields:
        text = a.plain(field)
        core = fold(text).strip().strip(".!?:;,-–— ")
        if core and core in values:
            start = len(text) - len(text.lstrip())
            yield finding(rule, a, field, (start, len(text.rstrip())))


def required(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The field is empty or has no letters."""
    for field in rule.fields:
        if not any(ch.isalnum() for ch in a.plain(field)):
            yield finding(rule, a, field, None)


def shouting(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """Mostly capitals, or a run of exclamation marks."""
    min_letters = rule.options.get("min_letters", 6)
    max_upper = rule.options.get("max_upper_share", 0.6)
    max_bangs = rule.options.get("max_exclamations", 1)
    for field in rule.fields:
        text = a.plain(field)
        letters = [ch for ch in text if ch.isalpha()]
        upper = sum(ch.isupper() for ch in letters)
        if (len(letters) >= min_letters and upper / len(letters) > max_upper) or text.count("!") > max_bangs:
            stripped = text.strip()
            start = text.index(stripped) if stripped else 0
            yield finding(rule, a, field, (start, start + len(stripped)), match=short(stripped))
