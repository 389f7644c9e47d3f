"""Checks against the recipient's profile: name, references to their work, you/we balance,
and whether they are open to this category of message."""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from models.wording import Text
from rules.analysis import Analysis, fold
from rules.checks.base import check, finding
from rules.i18n import N_, category_name, category_names, each_language, everywhere, quoted_list
from rules.kept import WORDS_KEPT
from rules.schema import STRS

if TYPE_CHECKING:
    from rules.packs import Rule


@check("recipient-name")
def recipient_name(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The profile has a name and the body uses neither first nor last name in any spelling."""
    if a.name_parts and not a.name_used and not _misspelt_names(a, 0.75):
        yield finding(rule, a, "body", None)


def _misspelt_names(a: Analysis, min_similarity: float) -> list[tuple[tuple[int, int], str]]:
    """Words that look like the recipient's name but are not spelt as in the profile."""
    if a.name_used or not a.name_parts:
        return []
    parts = [(part, fold(part)) for part in a.name_parts if len(part) >= 3]
    folded: dict[str, str] = {}
    out = []
    for m in re.finditer(r"[^\W\d_][\w'’-]*", a.body.text):
        word = m.group()
        folded_word = folded.get(word) or folded.setdefault(word, fold(word))
        for part, folded_part in parts:
            if word == part:
                continue
            # A near miss counts only where a name would stand: capitalised, or after the greeting.
            if folded_word == folded_part or ((word[:1].isupper() or m.span() == a.greeting_name)
                                              and _similar(folded_word, folded_part, min_similarity)):
                out.append((m.span(), part))
                break
    return out


@lru_cache(maxsize=WORDS_KEPT)
def _similar(a: str, b: str, at_least: float) -> bool:
    """difflib's ratio() >= at_least, asking its cheap upper bounds first (the same answer: a
    body's hundreds of words against the name cost milliseconds with ratio() alone), once per
    pair of words and process: a review asks twice, and a batch's names and words repeat."""
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= at_least and matcher.quick_ratio() >= at_least and matcher.ratio() >= at_least


@check("recipient-name-spelling", keys={"min_similarity": {"type": "number", "minimum": 0, "maximum": 1}})
def recipient_name_spelling(rule: Rule, a: Analysis) -> Iterator[Finding]:
    for span, expected in _misspelt_names(a, rule.options.get("min_similarity", 0.75))[:3]:
        yield finding(rule, a, "body", span, expected=expected)


@check("recipient-reference")
def recipient_reference(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The profile lists title/company/skills and the body mentions none of them, nor cites
    anything else of theirs ("your talk at JavaZone")."""
    mentioned, items = a.references
    if items and not mentioned and not a.cites_something_of_theirs:
        yield finding(rule, a, "body", None, examples=quoted_list(items[:3]))


@check("recipient-fact", keys={"only_with": STRS})
def recipient_fact(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The body names their company or title, which a mail merge fills in, but nothing only they
    could be told (no skill of theirs, no talk, post or shared past: the language's fact cues),
    and it uses the stock phrases of the rules in `only_with` (praise that fits anyone): a
    personal note that simply names the employer is not a mail merge."""
    mentioned, _ = a.references
    stock = any(a.matches(f).for_rule(r) for r in rule.options.get("only_with", []) for f in ("subject", "body"))
    if mentioned and not a.cites_something_of_theirs and stock:
        yield finding(rule, a, "body", None, mentioned=quoted_list(mentioned[:2]))


@check("profile-missing")
def profile_missing(rule: Rule, a: Analysis) -> Iterator[Finding]:
    if not a.has_profile and a.words:
        yield finding(rule, a, None, None)


@check("you-we-balance", keys={"max_we_share": {"type": "number"}, "min_pronouns": {"type": "integer", "minimum": 1}})
def you_we_balance(rule: Rule, a: Analysis) -> Iterator[Finding]:
    you, we = a.pronouns
    total = you + we
    if total >= rule.options.get("min_pronouns", 6) and we / total > rule.options.get("max_we_share", 0.6):
        yield finding(rule, a, "body", None, you=you, we=we)




@check("category-open-to", keys={"min_confidence": {"type": "number", "minimum": 0, "maximum": 1}})
def category_open_to(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The (declared or detected) category is not among those the recipient is open to, and the
    detection is sure enough (`min_confidence`) that it is none of those: a wrong "not open to"
    on a draft that fits is worse than a missed one."""
    open_to = a.recipient.open_to if a.recipient else ()
    if not (open_to and a.category and a.category not in open_to):
        return
    sure = a.outside(open_to)
    if sure >= rule.options.get("min_confidence", 0):
        yield finding(
            rule, a, None, None,
            reason=_declared() if a.draft.category else each_language(lambda t: "; ".join(filter(None, [
                t.gettext(N_("{sure} sure it is none of those"), sure=t.percent(sure)),
                a.category_guess.signals_for(t)]))),
            category=category_names(a.category),
            open_to=each_language(lambda t: ", ".join(category_name(c, t.lang) for c in open_to)),
            open_to_first=category_names(open_to[0]),
        )


@check("category-declared")
def category_declared(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """The text clearly reads as another category than the one declared."""
    guess = a.category_guess
    declared = a.draft.category
    if declared and guess.category and guess.category != declared:
        yield finding(rule, a, None, None, declared=category_names(declared), category=category_names(guess.category),
                      reason=guess.reason)


def _declared() -> Text:
    # Translators: why the category is what it is: the sender chose it.
    return everywhere(N_("declared"))

