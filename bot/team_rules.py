"""A team's rules as its leads changed them in App Home: the reviewer each review uses, the
changes checked before they are stored, the preview of a new phrase, and what App Home lists.

Changes are stored by `models/team_rules.py` and laid over the packs by the engine
(`Reviewer.with_team_changes`), which refuses what a team folder would refuse. Every process
keeps, per team, the reviewer built from the changes at some version; before each review it
reads the team's version (one primary-key lookup) and builds again only when another process,
or this one, moved it. So a change takes effect at the next review everywhere, no restart.
The team's folder (`INMAIL_RULES_DIR`) still loads first and wins where both speak of the same
rule's level or the same phrase; a change it overrules is listed as not in effect, with why.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.i18n import _, current
from models.dismissals import Dismissals
from models.records import SEVERITIES, Draft, Recipient
from models.store import Store
from models.team_rules import TeamRuleChanges
from models.wording import localized
from rules.packs import TeamChange

log = logging.getLogger(__name__)

PREVIEW_DRAFTS = 20
DISMISSAL_DAYS = 90
RANKED = 5
LISTED_CHANGES = 10
DAY = 86400.0


def languages() -> tuple[str, ...]:
    """The languages a phrase can be added for: those with rule packs."""
    from rules.language import supported

    return supported()


def language_name(code: str) -> str:
    """The language's name for the reader: in English its pack's own ("Norwegian Bokmål", from its
    language.yml), in another interface language CLDR's ("norsk bokmål")."""
    from rules.language import language_name as named

    words = current()
    return named(code) if words.lang == "en" else words.language_name(code)


def as_change(row: Mapping[str, Any]) -> TeamChange:
    return TeamChange(kind=row["kind"], rule=row["rule"], language=row["language"] or "", phrase=row["phrase"] or "",
                      level=row["level"] or "", suggestion=row["suggestion"] or "")


@dataclass(frozen=True)
class Built:
    """A team's reviewer as of `version`, and the active changes it could not apply (id → why)."""

    version: int
    reviewer: Any
    skipped: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    """What a new phrase would have done to the team's latest drafts whose text is kept."""

    drafts: int  # drafts tried
    flagged: int  # of them, drafts the phrase would have flagged
    in_language: int  # of them, drafts in the phrase's language
    retention_days: int


class TeamRules:
    """Per-team reviewers over one base reviewer (thread-safe)."""

    def __init__(self, store: Store, reviewer: Any) -> None:
        self.changes = TeamRuleChanges(store)
        self.base = reviewer
        self._built: dict[str, Built] = {}
        self._lock = threading.Lock()

    @property
    def changeable(self) -> bool:
        """Whether the base reviewer takes team changes (a test's wrapper around it may not)."""
        return hasattr(self.base, "with_team_changes")

    def reviewer(self, team_id: str) -> Any:
        return self.built(team_id).reviewer

    def built(self, team_id: str) -> Built:
        version = self.changes.version(team_id)
        if version == 0 or not self.changeable:
            return Built(0, self.base)
        with self._lock:
            built = self._built.get(team_id)
            if built is not None and built.version == version:
                return built
            rows = self.changes.active(team_id)
            started = time.perf_counter()
            reviewer, skipped = self.base.with_team_changes([as_change(row) for row in rows])
            reasons = dict(skipped)
            built = Built(version, reviewer, {row["id"]: reasons[as_change(row)] for row in rows
                                              if as_change(row) in reasons})
            self._built[team_id] = built
        log.info("team %s: rules at version %d built with %d changes in %.0f ms (%d not in effect)", team_id, version,
                 len(rows), 1000 * (time.perf_counter() - started), len(built.skipped))
        return built

    def refusal(self, team_id: str, change: TeamChange) -> str | None:
        """Why `change` cannot be made to the team's rules as they are now; None when it can."""
        if not self.changeable:
            return _("this app's reviewer does not take team rule changes")
        if any(as_change(row) == change for row in self.changes.active(team_id)):
            return _("the same change is in effect already")
        return self.reviewer(team_id).team_change_refusal(change)

    def record(self, team_id: str, user_id: str, change: TeamChange) -> tuple[int | None, str | None]:
        """Checks and stores a change: (its id, None), or (None, why it was refused)."""
        reason = self.refusal(team_id, change)
        if reason is not None:
            return None, reason
        change_id = self.changes.add(team_id, user_id, change.kind, change.rule, language=change.language,
                                     phrase=change.phrase.strip(), level=change.level,
                                     suggestion=change.suggestion.strip())
        return (change_id, None) if change_id is not None else (None, _("the same change is in effect already"))

    def undo(self, team_id: str, change_id: int, user_id: str) -> dict[str, Any] | None:
        return self.changes.undo(team_id, change_id, user_id)

    def preview(self, team_id: str, change: TeamChange, retention_days: int, now: float | None = None) -> Preview:
        """Reviews the team's latest `PREVIEW_DRAFTS` drafts whose text is kept with the team's
        rules plus `change`, and counts the drafts it would have flagged."""
        from rules import ReviewContext

        now = time.time() if now is None else now
        rows = self.changes.preview_drafts(team_id, now - retention_days * DAY, PREVIEW_DRAFTS)
        active = [as_change(row) for row in self.changes.active(team_id)]
        reviewer, _skipped = self.base.with_team_changes(active + [change])
        flagged = in_language = 0
        for row in rows:
            details = row["details"] or {}
            recipient = details.get("recipient")
            draft = Draft(body=row["text"], subject=row["subject"] or "", lang=details.get("lang"),
                          category=details.get("category"), recipient=Recipient.from_dict(recipient) if recipient else None)
            try:
                review = reviewer.review(draft, ReviewContext(now=now))
            except Exception as error:  # noqa: BLE001 - one draft that cannot be reviewed does not stop the preview
                log.warning("preview: draft %s could not be reviewed: %s", row["id"], type(error).__name__)
                continue
            in_language += review.language == change.language
            flagged += any(f.rule == change.rule_id for f in review.findings)
        return Preview(len(rows), flagged, in_language, retention_days)


def describe(row: Mapping[str, Any], title: Any) -> str:
    """A change in a lead's words (no user, no time): "switched off “rockstar” in …", in the
    reader's language (after a person's name in App Home's list, and after "Done:" in a notice)."""
    change = as_change(row)
    words = current()
    if change.kind == "phrase-off":
        return _("switched off “{phrase}” in {title} ({rule}, {language})", phrase=change.phrase,
                 title=title(change.rule), rule=change.rule, language=language_name(change.language))
    level = words.severity(change.level) if change.level in SEVERITIES else change.level
    if change.kind == "level":
        return _("made {title} ({rule}) a {level}", title=title(change.rule), rule=change.rule, level=level)
    said = _(", suggesting “{suggestion}”", suggestion=change.suggestion) if change.suggestion else ""
    return _("added “{phrase}” to {rule} as a {level} ({language}{said})", phrase=change.phrase, rule=change.rule,
             level=level, language=language_name(change.language), said=said)


def home_section(rules: TeamRules, dismissals: Dismissals, team_id: str, title: Any, now: float) -> dict[str, Any]:
    """What admins see of the team's rules in App Home: the most dismissed rules and phrases (with
    the one-click changes that can still be made) and the latest changes (with Undo)."""
    built = rules.built(team_id)
    reviewer = built.reviewer
    since = now - DISMISSAL_DAYS * DAY
    active = {as_change(row) for row in rules.changes.active(team_id)}
    ranked = []
    for row in dismissals.ranking(team_id, since, RANKED):
        rule, language, phrase = row["rule"], row["language"] or "", row["phrase"]
        offers, said = [], []
        off = TeamChange("phrase-off", rule, language, phrase or "")
        if phrase and language and off in active:
            said.append(_("switched off for the team"))
        elif phrase and language:
            why = rules.refusal(team_id, off)
            if why is None:
                offers.append((_("Switch this phrase off for the team"), "team_phrase_off",
                               {"rule": rule, "language": language, "phrase": phrase}))
            else:
                said.append(localized(why, current().lang))
        in_force = reviewer.rule(language, rule) if rules.changeable else None
        lower = TeamChange("level", rule, level="suggestion")
        if in_force is not None and in_force.level == "suggestion":
            said.append(_("a suggestion now"))
        elif in_force is not None or not said:
            why = rules.refusal(team_id, lower)
            if why is None:
                offers.append((_("Lower this rule to suggestion"), "team_rule_suggestion", {"rule": rule}))
            else:
                said.append(localized(why, current().lang))
        examples = dismissals.examples(team_id, rule, row["language"], phrase, since)
        ranked.append({"rule": rule, "title": title(rule), "phrase": phrase or "",
                       "language": language_name(language) if language else "",
                       "dismissals": row["dismissals"], "drafts": row["drafts"], "people": row["people"],
                       "examples": examples, "offers": offers, "said": "; ".join(said)})
    changes = [{"id": row["id"], "user": row["user_id"], "what": describe(row, title), "at": row["created_at"],
                "undone_by": row["undone_by"], "undone_at": row["undone_at"],
                "not_in_effect": built.skipped.get(row["id"], "") if row["undone_at"] is None else ""}
               for row in rules.changes.listed(team_id, LISTED_CHANGES)]
    return {"ranked": ranked, "changes": changes, "days": DISMISSAL_DAYS}
