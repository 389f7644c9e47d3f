"""Issue 14: a team's rule changes made in Slack, as the engine takes them (data in, reviewer
out): laid over the packs in order, refused with a reason where a team folder would be refused,
skipped where the team's folder speaks itself, and compiled again only for the languages they touch."""
from __future__ import annotations

import textwrap

import pytest

from models import Draft
from rules import Reviewer
from rules.packs import PHRASE_MAX, FolderSays, TeamChange, folder_says, team_phrase_rule_id

EXCLUSIONARY = "inclusive-language/exclusionary"
BODY = "Hi Anna, your Kafka talk was great. We need a ninja, and ninjas are rare. Are you open to a call?"


@pytest.fixture(scope="module")
def base() -> Reviewer:
    return Reviewer.load(languages=["en", "nb"])


def _rules(review) -> dict[str, str]:
    return {f.rule: f.severity for f in review.findings}


def test_a_phrase_switched_off_takes_its_listed_forms_and_touches_one_language(base: Reviewer) -> None:
    assert [base.review(Draft(body=BODY)).quote(f) for f in base.review(Draft(body=BODY)).findings
            if f.rule == EXCLUSIONARY] == ["ninja", "ninjas"]
    team, skipped = base.with_team_changes([TeamChange("phrase-off", EXCLUSIONARY, "en", "ninja")])
    assert skipped == [] and EXCLUSIONARY not in _rules(team.review(Draft(body=BODY)))
    # "ninjas" is found by its lemma "ninja": switched off together, or the finding would stay.
    phrases = set(team.rule("en", EXCLUSIONARY).options["swap"])
    assert "ninja" not in phrases and "ninjas" not in phrases and "rockstar" in phrases
    assert team.compiled("nb") is base.compiled("nb") and team.compiled("en") is not base.compiled("en")
    assert "ninja" in base.rule("en", EXCLUSIONARY).options["swap"]  # the base is left as it was


def test_a_level_change_applies_in_every_language(base: Reviewer) -> None:
    team, _ = base.with_team_changes([TeamChange("level", EXCLUSIONARY, level="suggestion")])
    assert {team.rule(lang, EXCLUSIONARY).level for lang in ("en", "nb")} == {"suggestion"}
    assert _rules(team.review(Draft(body=BODY)))[EXCLUSIONARY] == "suggestion"


def test_an_added_phrase_is_a_rule_of_its_own(base: Reviewer) -> None:
    change = TeamChange("add-phrase", "generic-template", "en", "Blue-sky thinking", "warning")
    team, skipped = base.with_team_changes([change])
    assert skipped == [] and change.rule_id == team_phrase_rule_id("generic-template", "Blue-sky thinking")
    assert change.rule_id == "generic-template/team-blue-sky-thinking"
    review = team.review(Draft(body="Hi Anna, your Kafka talk was great. We love blue-sky thinking. "
                                    "Are you open to a call?"))
    [found] = [f for f in review.findings if f.rule == change.rule_id]
    assert (found.severity, review.quote(found)) == ("warning", "blue-sky thinking")
    assert found.message == "“blue-sky thinking” is a phrase the team avoids."
    assert found.suggestion == "Say it in your own words, specific to this person and this role."
    assert team.rule("nb", change.rule_id) is None  # its language only
    lowered, _ = base.with_team_changes([change, TeamChange("level", change.rule_id, level="suggestion")])
    assert lowered.rule("en", change.rule_id).level == "suggestion"


@pytest.mark.parametrize("change, reason", [
    (TeamChange("phrase-off", "inclusive-language/nope", "en", "x"), "unknown rule 'inclusive-language/nope' in the en rules"),
    (TeamChange("phrase-off", EXCLUSIONARY, "en", "wizard"), "“wizard” is not a phrase of inclusive-language/exclusionary"),
    (TeamChange("phrase-off", "call-to-action/missing", "en", "x"), "is not a phrase rule"),
    (TeamChange("phrase-off", EXCLUSIONARY, "sv", "ninja"), "no rule pack for language 'sv'"),
    (TeamChange("level", "nope/nope", level="suggestion"), "unknown rule 'nope/nope'"),
    (TeamChange("level", EXCLUSIONARY, level="fatal"), "unknown level 'fatal'"),
    (TeamChange("level", "generic-template/boilerplate", level="suggestion"), "is a suggestion already"),
    (TeamChange("add-phrase", "tone", "en", "synergy", "warning"), "'tone' is not a rule family"),
    (TeamChange("add-phrase", "generic-template", "en", "  ", "warning"), "at least one letter or digit"),
    (TeamChange("add-phrase", "generic-template", "en", "a\nb", "warning"), "one line"),
    (TeamChange("add-phrase", "generic-template", "en", "x" * (PHRASE_MAX + 1), "warning"), "at most 100 characters"),
    (TeamChange("add-phrase", "generic-template", "en", "synergy", "warning", "Synergy"), "cannot be the phrase itself"),
    (TeamChange("add-phrase", "inclusive-language", "en", "Rockstar", "warning"),
     "“rockstar” is a phrase of inclusive-language/exclusionary already"),
])
def test_what_a_team_folder_would_refuse_is_refused_with_the_reason(base: Reviewer, change: TeamChange,
                                                                     reason: str) -> None:
    refusal = base.team_change_refusal(change)
    assert refusal is not None and reason in refusal
    assert base.with_team_changes([change])[1] == [(change, refusal)]


def test_the_teams_folder_wins_where_both_speak(tmp_path) -> None:
    (tmp_path / "team.yml").write_text(textwrap.dedent("""
        rules:
          inclusive-language/exclusionary:
            level: error
          generic-template/boilerplate:
            add: [synergy]
    """), encoding="utf-8")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "subject.yml").write_text(textwrap.dedent("""
        hype:
          check: existence
          level: warning
          message: "“{match}” is hype."
          suggestion: "Name the role."
          phrases: [amazing]
    """), encoding="utf-8")
    said = folder_says(tmp_path)
    assert said == FolderSays(rules=frozenset({"subject/hype"}), levels=frozenset({EXCLUSIONARY}),
                              phrases=frozenset({("generic-template/boilerplate", "synergy")}))
    reviewer = Reviewer.load(tmp_path, languages=["en"])
    changes = [TeamChange("level", EXCLUSIONARY, level="suggestion"),
               TeamChange("phrase-off", "generic-template/boilerplate", "en", "synergy"),
               TeamChange("level", "subject/hype", level="suggestion"),
               TeamChange("phrase-off", "generic-template/boilerplate", "en", "i came across your profile")]
    team, skipped = reviewer.with_team_changes(changes)
    assert [c for c, _ in skipped] == changes[:3]
    assert "team.yml" in skipped[0][1] and "defined in the team's rules folder" in skipped[2][1]
    assert team.rule("en", EXCLUSIONARY).level == "error" and team.rule("en", "subject/hype").level == "warning"
    phrases = team.rule("en", "generic-template/boilerplate").options["phrases"]
    assert "synergy" in phrases and "i came across your profile" not in phrases  # where the folder is silent


def test_a_findings_quote_is_named_by_the_phrase_it_matched(base: Reviewer) -> None:
    assert base.phrase_of("en", EXCLUSIONARY, "Rockstars") == "rockstars"
    assert base.phrase_of("en", "generic-template/boilerplate", "I came across your profile") == "i came across your profile"
    assert base.phrase_of("en", "generic-template/placeholder", "[Name]") is None  # a pattern, not a phrase
    assert base.phrase_of("en", "call-to-action/missing", "") is None
