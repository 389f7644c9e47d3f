"""Checks that look for words: phrase lists, substitutions, whole-field values, shouting."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from rules.analysis import Analysis, fold
from rules.checks.base import check, finding, short
from rules.matching import PhraseIndex
from rules.schema import MATCH_KEYS, PHRASE, STR, STRS

if TYPE_CHECKING:
    from rules.packs import Rule

_SWAP_VALUE = {
    "oneOf": [
        STR,
        {"type": "object", "properties": {"use": STR, "except": STRS}, "required": ["use"], "additionalProperties": False},
    ]
}


def _compile_existence(rule: Rule, index: PhraseIndex) -> None:
    opts = rule.options
    index.add_phrases(rule.id, opts.get("phrases", []), inflections=opts.get("inflections", True),
                      exceptions=opts.get("exceptions", []))
    index.add_patterns(rule.id, opts.get("patterns", []), ignorecase=opts.get("ignorecase", False))


def _compile_substitution(rule: Rule, index: PhraseIndex) -> None:
    phrases = [
        {"phrase": k, "except": v.get("except", [])} if isinstance(v, dict) else k
        for k, v in rule.options["swap"].items()
    ]
    index.add_phrases(rule.id, phrases, inflections=rule.options.get("inflections", True),
                      exceptions=rule.options.get("exceptions", []))


@check("existence", keys={"phrases": {"type": "array", "items": PHRASE}, "patterns": STRS, **MATCH_KEYS},
       compile=_compile_existence, phrase_list="phrases")
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


@check("substitution", required=("swap",), compile=_compile_substitution, phrase_list="swap",
       keys={"swap": {"type": "object", "additionalProperties": _SWAP_VALUE}, **MATCH_KEYS})
def substitution(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """Like existence, with the replacement for the matched phrase in the suggestion."""
    replacements = list(rule.options["swap"].values())
    for field in rule.fields:
        for span, index in a.matches(field).for_rule(rule.id):
            use = replacements[index]
            yield finding(rule, a, field, span, replacement=use["use"] if isinstance(use, dict) else use)


@check("whole-field", required=("values",), keys={"values": STRS})
def whole_field(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The whole field (trimmed, case- and punctuation-insensitive) is one of `values`."""
    values = _folded(tuple(rule.options["values"]))
    for field in rule.fields:
        text = a.plain(field)
        core = fold(text).strip().strip(".!?:;,-–— ")
        if core and core in values:
            start = len(text) - len(text.lstrip())
            yield finding(rule, a, field, (start, len(text.rstrip())))


@lru_cache(maxsize=256)
def _folded(values: tuple[str, ...]) -> frozenset[str]:
    """A rule's values as `whole-field` compares them, folded once (not once per review)."""
    return frozenset(fold(v).strip() for v in values)


@check("required")
def required(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The field is empty or has no letters."""
    for field in rule.fields:
        if not any(ch.isalnum() for ch in a.plain(field)):
            yield finding(rule, a, field, None)


@check("shouting", keys={"min_letters": {"type": "integer", "minimum": 1}, "max_upper_share": {"type": "number"},
                         "max_exclamations": {"type": "integer", "minimum": 1}})
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
