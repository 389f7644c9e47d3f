"""The document-level mass-template judgement: could this draft go unchanged to anyone with the
same title?

No single phrase decides that — "exciting opportunity" is a cliché in a personal message too —
so the check weighs signals and fires when their sum reaches the rule's `threshold`. Every
signal, its weight and its words are pack data (`signals:` in generic-template.yml); a signal
is one of:

- a phrase or pattern list of its own (`phrases`, `patterns`): template fallbacks that leaked
  ("your company", "Hi Hi"), content-free follow-ups, vague praise, buzzwords;
- the matches of other rules (`rules: [generic-template/boilerplate]`), counted;
- a fact the analysis knows (`fact:`): `no-fact` (nothing of the recipient's own: no skill of
  theirs, none of the language's `fact_cues` such as "your talk"), `no-name` (no name in the greeting or the
  text), `no-profile-match` (a profile was given and nothing of it is mentioned).

Each occurrence adds `weight`, up to `max` occurrences; `max_words` limits a signal to short
drafts (a follow-up is content-free only when nothing else is said). The finding names the
signals that fired, so the recruiter knows what to change.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from models.wording import SOURCE_LANGUAGE, Said, Text, languages_of, localized
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.matching import PhraseIndex
from rules.schema import MATCH_KEYS, PHRASE, STRS, TEXT

if TYPE_CHECKING:
    from rules.packs import Rule

FACTS = ("no-fact", "no-name", "no-profile-match")

_SIGNAL = {
    "type": "object",
    "properties": {
        "label": TEXT,
        "weight": {"type": "number"},
        "max": {"type": "integer", "minimum": 1},
        "max_words": {"type": "integer", "minimum": 1},
        "phrases": {"type": "array", "items": PHRASE},
        "patterns": STRS,
        "rules": STRS,
        "fact": {"enum": list(FACTS)},
    },
    "required": ["label", "weight"],
    "additionalProperties": False,
}


def _key(rule: Rule, signal: str) -> str:
    return f"{rule.id}:{signal}"


def _compile(rule: Rule, index: PhraseIndex) -> None:
    for name, signal in rule.options["signals"].items():
        index.add_phrases(_key(rule, name), signal.get("phrases", []), exceptions=rule.options.get("exceptions", []))
        index.add_patterns(_key(rule, name), signal.get("patterns", []), ignorecase=True)


def _fact(name: str, a: Analysis) -> bool:
    if name == "no-fact":
        return not a.cites_something_of_theirs
    if name == "no-name":
        return a.greeting_name is None and not a.name_used
    mentioned, items = a.references
    return bool(items) and not mentioned


def _count(name: str, signal: dict, rule: Rule, a: Analysis) -> int:
    if "fact" in signal:
        return int(_fact(signal["fact"], a))
    keys = [_key(rule, name)] + list(signal.get("rules", []))
    return sum(len(a.matches(field).for_rule(key)) for field in rule.fields for key in keys)


@check("mass-template", required=("signals", "threshold"), compile=_compile,
       keys={"signals": {"type": "object", "additionalProperties": _SIGNAL, "minProperties": 1},
             "threshold": {"type": "number", "exclusiveMinimum": 0},
             "exceptions": MATCH_KEYS["exceptions"]})
def mass_template(rule: Rule, a: Analysis) -> Iterator[Finding]:
    if not a.words:
        return
    total = 0.0
    fired: list[tuple[Text, int]] = []
    for name, signal in rule.options["signals"].items():
        if "max_words" in signal and len(a.words) > signal["max_words"]:
            continue
        n = min(_count(name, signal, rule, a), signal.get("max", 1))
        if n:
            total += signal["weight"] * n
            if signal["weight"] > 0:
                fired.append((signal["label"], n))
    if total >= rule.options["threshold"]:
        def said(lang: str) -> str:
            return "; ".join(localized(label, lang) + (f" (×{n})" if n > 1 else "") for label, n in fired)

        languages = (SOURCE_LANGUAGE, *languages_of(*(label for label, _ in fired)))
        yield finding(rule, a, "body", None, signals=Said({lang: said(lang) for lang in languages}), score=f"{total:g}")
