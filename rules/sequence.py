"""An InMail sequence (the first message and its follow-ups) judged as a whole, beside each
step's own review: a follow-up that adds nothing or repeats the first message, too many
follow-ups, follow-ups too close together, a sequence too long in all. The thresholds and texts
are data (`rules/packs/sequence.yml`); nothing here depends on the language but its stop words.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Sequence

import yaml

from models.records import Draft, Finding, Review, SequenceReview
from models.wording import SOURCE_LANGUAGE, languages_of, localized, values_in
from rules.i18n import each_language, everywhere_n
from rules.language import stop_words

RULES_FILE = Path(__file__).parent / "packs" / "sequence.yml"
_WORD = re.compile(r"[^\W\d_]{4,}")


@cache
def _rules() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def _words(text: str, lang: str) -> set[str]:
    return {w for w in (m.casefold() for m in _WORD.findall(text)) if w not in stop_words(lang)}


def _finding(name: str, **values: Any) -> Finding:
    rule = _rules()[name]

    languages = (SOURCE_LANGUAGE, *languages_of(rule["message"], rule["suggestion"], *values.values()))

    def said(lang: str) -> str:
        return localized(rule["message"], lang).format(**values_in(values, lang))

    return Finding.worded(f"sequence/{name}", rule["level"], {lang: said(lang) for lang in languages},
                          rule["suggestion"])


def _overlap(first: str, later: str) -> float:
    from rules.similarity import mask_personal, shingles

    a, b = shingles(mask_personal(first)), shingles(mask_personal(later))
    return len(a & b) / len(a | b) if a and b else 0.0


def judge(steps: Sequence[Draft], reviews: Sequence[Review], after_days: Sequence[int | None]) -> SequenceReview:
    """The sequence's own findings; `after_days[i]`: days between step i−1 and step i (None: unknown)."""
    rules = _rules()
    findings: list[Finding] = []
    seen: set[str] = set()
    for n, (step, review) in enumerate(zip(steps, reviews, strict=True)):
        words = _words(step.subject + " " + step.body, review.language)
        new, seen = words - seen, seen | words
        if n == 0:
            continue
        overlap = _overlap(steps[0].body, step.body)
        if overlap >= rules["repeats-first"]["max_overlap"]:
            findings.append(_finding("repeats-first", step=n, overlap=overlap))
        elif len(new) < rules["adds-nothing"]["min_new_words"]:
            findings.append(_finding("adds-nothing", step=n, new=everywhere_n("{count} word", "{count} words", len(new))))
        days = after_days[n] if n < len(after_days) else None
        if days is not None and days < rules["too-soon"]["min_days"]:
            findings.append(_finding("too-soon", step=n, days=everywhere_n("{count} day", "{count} days", days), min=rules["too-soon"]["min_days"]))
    follow_ups = len(steps) - 1
    if follow_ups > rules["too-many-follow-ups"]["max"]:
        findings.append(_finding("too-many-follow-ups", count=follow_ups, max=rules["too-many-follow-ups"]["max"]))
    chars = sum(r.metrics.body_chars for r in reviews)
    if chars > rules["too-long"]["max_chars"]:
        findings.append(_finding("too-long", chars=each_language(lambda t: t.number(chars))))
    return SequenceReview(steps=tuple(reviews), after_days=tuple(after_days), findings=tuple(findings))
