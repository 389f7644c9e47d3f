"""Findings dismissed as "not applicable here": how a finding is named, and a review without
the dismissed ones.

A finding is named by its rule and the phrase that matched: the rule's own phrase when it has
one ("Rockstars" matched the listed "rockstars"; an edit that keeps the word keeps the
dismissal), else the quoted words, case and spacing folded ("Vipps" for a spelling finding),
else nothing (a finding about the whole draft, such as "no clear ask"). The review service
takes the dismissed ones out after the engine has reviewed (`rules/` stays pure) and scores
what is left as the engine scores (`rules/scoring.py`), so score and verdict never count a
dismissed finding, and says how many it left out.

A dismissal carries over to the author's next version of the same message pasted again as a
new draft, judged as the template history judges revisions (`rules/similarity.py`): the same
author, for the same recipient, or with no named recipient on either side within two hours,
and a near-copy by fingerprint — at the lowest similarity the template index works at (0.5,
not its 0.6): an edit of a short draft changes many of its word triples.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Iterable, Mapping

from bot.i18n import translator, ui_languages
from models.policy import POLICY_RULES
from models.records import Finding, Review
from models.wording import Said

# What "not applicable here" cannot be: the policy's own findings say what LinkedIn's policy did,
# and LinkedIn refuses an InMail over its limits whatever the draft is for.
NOT_DISMISSABLE = frozenset(POLICY_RULES) | {"length/body-limit", "length/subject-limit"}
CARRY_DAYS = 30  # how far back a new draft looks for an earlier version's dismissals


def quote_of(review: Review, finding: Finding) -> str:
    """The words a finding quotes, on one line."""
    return " ".join(review.quote(finding).split())


def token(review: Review, finding: Finding) -> str:
    """A short name for a finding in a review message's menu: its rule and quoted words."""
    return hashlib.sha256(f"{finding.rule}\0{quote_of(review, finding).casefold()}".encode()).hexdigest()[:12]


def dismissable(finding: Finding) -> bool:
    return finding.rule not in NOT_DISMISSABLE


def phrase_key(reviewer: Any, review: Review, finding: Finding) -> tuple[str, str]:
    """(phrase, source) naming what a finding matched: ("rockstars", "pack") from the rule's own
    list, or the quoted words folded ("vipps", "quote"; "" for a finding about the whole draft)."""
    quote = quote_of(review, finding)
    phrase_of = getattr(reviewer, "phrase_of", None)
    phrase = phrase_of(review.language, finding.rule, quote) if phrase_of and quote else None
    if phrase:
        return phrase.lower(), "pack"
    return quote.casefold(), "quote"


def carried(earlier: Iterable[Mapping[str, Any]], review: Review, draft_id: str, now: float) -> set[tuple[str, str]]:
    """The (rule, phrase) dismissed on earlier drafts of the author that are versions of this one."""
    if review.fingerprint is None:
        return set()
    from rules.similarity import MIN_THRESHOLD, REVISION_WINDOW, Fingerprint

    mine = Fingerprint.from_bytes(review.fingerprint)
    if mine.too_short:
        return set()
    found: set[tuple[str, str]] = set()
    same: dict[str, bool] = {}
    for row in earlier:
        if row["draft_id"] == draft_id or not row["fingerprint"]:
            continue
        if row["draft_id"] not in same:
            named = review.recipient_key is not None and row["recipient_key"] is not None
            for_them = (row["recipient_key"] == review.recipient_key if named
                        else abs(now - row["created_at"]) <= REVISION_WINDOW)
            try:
                close = Fingerprint.from_bytes(row["fingerprint"]).similarity(mine) >= MIN_THRESHOLD
            except ValueError:  # an older fingerprint format
                close = False
            same[row["draft_id"]] = for_them and close
        if same[row["draft_id"]]:
            found.add((row["rule"], row["phrase"] or ""))
    return found


def without_dismissed(review: Review, dismissed: set[tuple[str, str]], reviewer: Any) -> Review:
    """`review` without the findings whose (rule, phrase) is in `dismissed`, scored again as the
    engine scores, with a note saying how many were left out."""
    rules = {rule for rule, _ in dismissed}
    if not rules or not any(f.rule in rules for f in review.findings):
        return review
    kept, dropped = [], []
    for finding in review.findings:
        if finding.rule in rules and dismissable(finding) and (finding.rule, phrase_key(reviewer, review, finding)[0]) in dismissed:
            dropped.append(finding)
        else:
            kept.append(finding)
    if not dropped:
        return review
    from rules.scoring import genericness, score_and_verdict

    score, verdict = score_and_verdict(kept)
    # In every interface language, as the engine's notes are: the review may be shown to several readers.
    note = Said({lang: translator(lang).ngettext(
        "{count} finding dismissed as not applicable here; the score and verdict leave it out.",
        "{count} findings dismissed as not applicable here; the score and verdict leave them out.", len(dropped))
        for lang in ui_languages()})
    return replace(review, findings=tuple(kept), score=score, verdict=verdict, notes=(note,) + review.notes,
                   metrics=replace(review.metrics, genericness=round(genericness(kept), 2)))
