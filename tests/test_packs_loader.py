"""Rule packs: team overrides work, and anything unknown fails at load with file and line."""
import textwrap

import pytest

from models import Draft
from rules import PackError, Reviewer
from rules.packs import load_packs
from tests.review_helpers import rules_of

MASS = "Hi Anna,\n\nI have an exciting opportunity with one of our clients. Are you open to a call?"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_builtin_packs_load_for_every_language():
    packs = load_packs(["en", "nb", "it"])
    for lang, pack in packs.items():
        ids = {r.id for r in pack.rules}
        assert "generic-template/placeholder" in ids and "length/body-limit" in ids, lang
        families = {i.split("/")[0] for i in ids}
        assert families == {"length", "generic-template", "personalization", "category-match", "grammar",
                            "inclusive-language", "call-to-action", "subject"}, lang


def test_team_can_switch_off_a_rule_change_a_level_and_a_phrase(tmp_path):
    write(tmp_path / "team.yml", """
        rules:
          generic-template/boilerplate:
            disable: ["exciting opportunity"]
          generic-template/unnamed-client:
            level: error
          personalization/unverified: off
    """)
    before = Reviewer.load(languages=["en"]).review(Draft(body=MASS, subject="Data role at Vipps"))
    after = Reviewer.load(tmp_path, languages=["en"]).review(Draft(body=MASS, subject="Data role at Vipps"))
    assert "generic-template/boilerplate" in rules_of(before)
    assert "generic-template/boilerplate" not in rules_of(after)
    assert "personalization/unverified" in rules_of(before) and "personalization/unverified" not in rules_of(after)
    levels = {f.rule: f.severity for f in after.findings}
    assert levels["generic-template/unnamed-client"] == "error" and after.verdict == "blocked"


def test_team_can_add_phrases_and_change_a_threshold(tmp_path):
    write(tmp_path / "team.yml", """
        rules:
          generic-template/boilerplate:
            add: ["synergy"]
          length/body-limit:
            max: 2000
    """)
    rv = Reviewer.load(tmp_path, languages=["en"])
    review = rv.review(Draft(body="Hi Anna, our synergy is great. " * 62 + "Are you open to a call?"))
    assert any(f.rule == "generic-template/boilerplate" and review.quote(f) == "synergy" for f in review.findings)
    assert 1900 < len(review.body_text) < 2000
    assert "length/body-limit" not in rules_of(review)


def test_team_rule_file_adds_a_rule(tmp_path):
    write(tmp_path / "en" / "inclusive-language.yml", """
        wizard:
          check: substitution
          level: warning
          message: "“{match}” is jargon."
          suggestion: "Write “{replacement}”."
          swap: {wizard: expert}
    """)
    review = Reviewer.load(tmp_path, languages=["en"]).review(Draft(body="Hi Anna, we need an Excel wizard. Are you open to a call?"))
    found = [f for f in review.findings if f.rule == "inclusive-language/wizard"]
    assert found and found[0].suggestion == "Write “expert”."


@pytest.mark.parametrize(
    "content, expected",
    [
        ("rules:\n  generic-template/no-such-rule: off\n", r"team.yml:2: unknown rule 'generic-template/no-such-rule'"),
        ("rules:\n  generic-template/boilerplate:\n    levle: error\n", r"team.yml:3: .*unknown key.*'levle'"),
        ("rules:\n  generic-template/boilerplate:\n    level: fatal\n", r"team.yml:3: .*'fatal' is not one of"),
        ("rules:\n  generic-template/boilerplate:\n    disable: [nonexistent phrase]\n", r"team.yml:2: .*unknown phrase"),
        ("rules: [\n", r"team.yml: not valid YAML"),
    ],
)
def test_bad_team_settings_fail_at_load_with_file_and_line(tmp_path, content, expected):
    (tmp_path / "team.yml").write_text(content, encoding="utf-8")
    with pytest.raises(PackError, match=expected):
        load_packs(["en"], tmp_path)


def test_bad_rule_file_names_file_line_and_key(tmp_path):
    write(tmp_path / "en" / "subject.yml", """
        shouty:
          check: shouting
          level: warning
          message: m
          suggestion: s
          max_upper: 0.5
    """)
    with pytest.raises(PackError, match=r"subject.yml:7: shouty/max_upper: .*unknown key"):
        load_packs(["en"], tmp_path)
    write(tmp_path / "en" / "subject.yml", "shouty:\n  check: shout\n  level: warning\n")
    with pytest.raises(PackError, match=r"subject.yml:1: shouty: unknown check 'shout'"):
        load_packs(["en"], tmp_path)


def test_unknown_family_and_duplicate_rule_are_errors(tmp_path):
    write(tmp_path / "en" / "tone.yml", "x:\n  check: existence\n")
    with pytest.raises(PackError, match="'tone' is not a rule family"):
        load_packs(["en"], tmp_path)
    (tmp_path / "en" / "tone.yml").unlink()
    write(tmp_path / "en" / "subject.yml", """
        generic:
          check: required
          level: warning
          message: m
          suggestion: s
    """)
    with pytest.raises(PackError, match="'subject/generic' is already defined"):
        load_packs(["en"], tmp_path)


def test_every_check_kind_declares_its_options_next_to_its_code():
    from rules.checks import CHECKS

    packs = load_packs(["en", "nb", "it"])
    used = {r.check for pack in packs.values() for r in pack.rules}
    assert used <= set(CHECKS)
    for name, kind in CHECKS.items():
        assert kind.name == name and callable(kind.run)
        assert kind.run.__name__ == name.replace("-", "_"), "a check kind's function carries its name"
        assert set(kind.required) <= set(kind.keys), name


def team_template(tmp_path, signal: str):
    """A team's own mass-template rule with one signal (`signal` is its YAML body)."""
    body = textwrap.indent(textwrap.dedent(signal).strip(), " " * 6)
    write(tmp_path / "en" / "generic-template.yml", (
        "team-template:\n  check: mass-template\n  level: warning\n  threshold: 2\n"
        '  message: "Template: {signals}."\n  suggestion: "Write it for them."\n'
        f"  signals:\n    hype:\n{body}\n"))


def test_a_misspelt_key_in_a_mass_template_signal_is_an_error(tmp_path):
    team_template(tmp_path, """
        label: hype
        wieght: 2
        phrases: [synergy]
    """)
    with pytest.raises(PackError, match=r"generic-template.yml:\d+: team-template/signals/hype/wieght: unknown key 'wieght'"):
        Reviewer.load(tmp_path, languages=["en"])


def test_a_team_mass_template_rule_weighs_its_own_signals(tmp_path):
    team_template(tmp_path, """
        label: our banned hype words
        weight: 1
        max: 3
        phrases: [synergy, paradigm]
    """)
    r = Reviewer.load(tmp_path, languages=["en"]).review(
        Draft(body="Hi Anna, your Kafka talk showed real synergy and a new paradigm. Open to a call?", subject="Hi"))
    [finding] = [f for f in r.findings if f.rule == "generic-template/team-template"]
    assert finding.message.startswith("Template: our banned hype words (×2).")


def test_the_engine_adds_nothing_to_the_callers_template_index():
    from rules import ReviewContext
    from rules.similarity import TemplateIndex

    index = TemplateIndex()
    body = "Hi Anna,\n\n" + "We build payment rails for the Nordics and need a platform engineer. " * 5
    r = Reviewer.load(languages=["en"]).review(Draft(body=body, subject="Role"), ReviewContext(history=index, history_key="d1"))
    assert len(index) == 0 and r.fingerprint is not None  # the caller stores the fingerprint
