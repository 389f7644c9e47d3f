"""Issue 14 items 6 and 7: leads see what their team dismisses and change the team's rules from
App Home, through the real app over HTTP — one-click changes checked like a team folder, in
effect at the next review in every process on the database, listed with who and when, undone
with a button; the team's folder still loads and wins where both speak; new phrases from a form,
previewed on the team's latest drafts whose text is kept before they are saved."""
from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

from models.team_rules import TeamRuleChanges
from rules import Reviewer
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn
from tests.slack_ui import click_home_button, command_answer, form_values, open_home, pick_dismissal, submit_view
from tests.test_slack_dismissals import EXCLUSIONARY, ROCKSTAR, _literal, _option

LEAD = "ULEAD"
CULTURE = ("Subject: Platform role at Vipps\nHi Ola, I read your post on Kotlin coroutines. You look like a culture "
           "fit for our ledger team at Vipps. Could we talk on Thursday?")


def _buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in view["blocks"] if (b.get("accessory") or {}).get("type") == "button"]


def _dismiss_rockstar(app: SlackAppServer, slack: SlackStandIn, text: str, name: str) -> None:
    answer = command_answer(app, slack, text, name)
    before = len(slack.responses)
    pick_dismissal(app, slack, _option(answer, "rockstar"), name=name + "-pick")
    slack.wait_responses(before + 1)
    app.drain()


def _notice(view: dict[str, Any]) -> str:
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == "team_rules_notice")


def _findings(app: SlackAppServer, slack: SlackStandIn, text: str, name: str) -> dict[str, str]:
    """rule → severity of a new review of `text` by the recruiter."""
    answer = command_answer(app, slack, text, name)
    draft_id = _option(answer, "")["value"].split("|")[0]
    return {f["rule"]: f["severity"] for f in app.store.reviews(TEAM, draft_id)[-1]["findings"]}


def test_leads_see_what_is_dismissed_and_switch_a_phrase_off_everywhere(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=(LEAD,))
    other = make_app(admins=(LEAD,))  # a second process on the same database, started first
    slack.reset()
    _dismiss_rockstar(app, slack, ROCKSTAR, "one")
    _dismiss_rockstar(app, slack, ROCKSTAR.replace("Kari", "Ingrid").replace("JavaZone", "NDC"), "two")
    assert "What the team dismisses" not in json.dumps(open_home(app, slack, USER))  # for admins only
    home = open_home(app, slack, LEAD)
    rows = [b["text"]["text"] for b in home["blocks"] if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    assert rows[0] == ("Exclusionary wording (inclusive-language/exclusionary) · “rockstar”, English: dismissed 2 times "
                       "on 2 drafts by 1 person · e.g. “rockstar”")
    labels = [b["text"]["text"] for b in _buttons(home) if b["action_id"].startswith("team_")]
    assert labels[:2] == ["Switch this phrase off for the team", "Lower this rule to suggestion"]
    home = click_home_button(app, slack, next(b for b in _buttons(home) if b["action_id"] == "team_phrase_off"), LEAD)
    assert _notice(home).startswith("Done: switched off “rockstar” in Exclusionary wording (inclusive-language/"
                                    "exclusionary, English) for the team.")
    listed = next(b for b in home["blocks"] if (b.get("accessory") or {}).get("action_id") == "team_rule_undo")
    assert listed["text"]["text"].startswith(f"<@{LEAD}> switched off “rockstar” in Exclusionary wording")
    assert "UTC" in listed["text"]["text"] and "(switched off for the team)" in json.dumps(home, ensure_ascii=False)
    [change] = TeamRuleChanges(app.store).active(TEAM)
    assert (change["kind"], change["rule"], change["language"], change["phrase"], change["user_id"]) == (
        "phrase-off", EXCLUSIONARY, "en", "rockstar", LEAD)
    # In effect at the next review, in this process and in the other one, without a restart.
    fresh = ROCKSTAR.replace("Kari", "Nora")
    assert EXCLUSIONARY not in _findings(app, slack, fresh, "after")
    assert EXCLUSIONARY not in _findings(other, slack, fresh.replace("Nora", "Siri"), "after-other")
    # A second click of the same button changes nothing and says so.
    again = click_home_button(
        app, slack, {"action_id": "team_phrase_off", "text": {"type": "plain_text", "text": "x"},
                     "value": json.dumps({"rule": EXCLUSIONARY, "language": "en", "phrase": "rockstar"})}, LEAD)
    assert _notice(again) == "Not changed: the same change is in effect already."
    # Undo, with a button: the finding is back everywhere.
    home = click_home_button(app, slack, listed["accessory"], LEAD)
    assert _notice(home).startswith("Undone: switched off “rockstar”")
    assert f"undone by <@{LEAD}>" in json.dumps(home)
    assert TeamRuleChanges(app.store).active(TEAM) == [] and TeamRuleChanges(app.store).version(TEAM) == 2
    assert _findings(other, slack, fresh.replace("Nora", "Liv"), "undone")[EXCLUSIONARY] == "warning"
    assert slack.violations == []


def test_a_rule_lowered_to_suggestion_and_changes_that_are_refused(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=(LEAD,))
    slack.reset()
    _dismiss_rockstar(app, slack, ROCKSTAR, "one")
    lower = next(b for b in _buttons(open_home(app, slack, LEAD)) if b["action_id"] == "team_rule_suggestion")
    # Someone who is no admin clicks it (a crafted request): nothing changes.
    click_home_button(app, slack, lower, user="U2")
    assert TeamRuleChanges(app.store).version(TEAM) == 0
    home = click_home_button(app, slack, lower, LEAD)
    assert _notice(home).startswith("Done: made Exclusionary wording (inclusive-language/exclusionary) a suggestion")
    assert _findings(app, slack, ROCKSTAR.replace("Kari", "Nora"), "lowered")[EXCLUSIONARY] == "suggestion"
    assert "Lower this rule to suggestion" not in json.dumps(home) and "(a suggestion now)" in json.dumps(home)
    # Unknown rules and phrases are refused with the reason, as a team folder's would be.
    for value, reason in (({"rule": "inclusive-language/no-such-rule"}, "unknown rule 'inclusive-language/no-such-rule'"),):
        home = click_home_button(
            app, slack, {"action_id": "team_rule_suggestion", "value": json.dumps(value),
                         "text": {"type": "plain_text", "text": "x"}}, LEAD)
        assert _notice(home) == f"Not changed: {reason}."
    home = click_home_button(
        app, slack, {"action_id": "team_phrase_off", "text": {"type": "plain_text", "text": "x"},
                     "value": json.dumps({"rule": EXCLUSIONARY, "language": "en", "phrase": "rokstar"})}, LEAD)
    assert _notice(home) == ("Not changed: “rokstar” is not a phrase of inclusive-language/exclusionary in the en rules "
                             "(already off, or never one).")
    home = click_home_button(
        app, slack, {"action_id": "team_phrase_off", "text": {"type": "plain_text", "text": "x"},
                     "value": json.dumps({"rule": "call-to-action/missing", "language": "en", "phrase": "x"})}, LEAD)
    assert "is not a phrase rule" in _notice(home)
    assert len(TeamRuleChanges(app.store).active(TEAM)) == 1
    assert slack.violations == []


def test_the_teams_folder_still_works_and_wins_where_both_speak(make_app: Any, slack: SlackStandIn,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "team.yml").write_text(textwrap.dedent("""
        rules:
          inclusive-language/exclusionary:
            level: error
            disable: [culture fit]
    """), encoding="utf-8")
    app = make_app(Reviewer.load(folder), admins=(LEAD,), rules_dir=str(folder))
    slack.reset()
    assert EXCLUSIONARY not in _findings(app, slack, CULTURE, "culture")  # the folder's own change works
    assert _findings(app, slack, ROCKSTAR, "folder")[EXCLUSIONARY] == "error"
    home = click_home_button(
        app, slack, {"action_id": "team_rule_suggestion", "value": json.dumps({"rule": EXCLUSIONARY}),
                     "text": {"type": "plain_text", "text": "x"}}, LEAD)
    assert _notice(home) == (f"Not changed: the team's rules folder (team.yml) sets {EXCLUSIONARY}, and it wins: change "
                             "its level there.")
    # A change stored before the folder said so is listed as not in effect, with why; the folder's level holds.
    TeamRuleChanges(app.store).add(TEAM, LEAD, "level", EXCLUSIONARY, level="suggestion")
    home = open_home(app, slack, LEAD)
    assert "⚠️ Not in effect: the team's rules folder (team.yml) sets" in json.dumps(home, ensure_ascii=False)
    assert _findings(app, slack, ROCKSTAR.replace("Kari", "Nora"), "still")[EXCLUSIONARY] == "error"
    # Where the folder says nothing, a change from Slack applies alongside it.
    click_home_button(
        app, slack, {"action_id": "team_phrase_off", "text": {"type": "plain_text", "text": "x"},
                     "value": json.dumps({"rule": EXCLUSIONARY, "language": "en", "phrase": "rockstar"})}, LEAD)
    assert EXCLUSIONARY not in _findings(app, slack, ROCKSTAR.replace("Kari", "Siri"), "both")
    assert slack.violations == []


# --- item 7: a phrase from a form ------------------------------------------------------------------
SYNERGY = ("Subject: Data role at Equinor\nHi {name}, your talk on Kafka streams at NDC was sharp. Our data team at "
           "Equinor works in real synergy with the wind farms. Would you be open to a short call next week?")
PLAIN = ("Subject: Data role at Equinor\nHi {name}, your talk on Kafka streams at NDC was sharp. Our data team at "
         "Equinor runs the wind farms' telemetry. Would you be open to a short call next week?")


def _status(view: dict[str, Any]) -> str:
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == "phrase_status")


def test_a_lead_adds_a_phrase_previewed_on_the_latest_drafts(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=(LEAD,))
    slack.reset()
    for n, name in enumerate(("Kari", "Ola", "Nora", "Siri", "Liv")):
        command_answer(app, slack, (SYNERGY if n < 3 else PLAIN).format(name=name), f"d{n}")
    # A draft whose text is past the team's retention is not tried, even before the hourly purge.
    app.store.execute("UPDATE drafts SET created_at = ? WHERE id = (SELECT id FROM drafts ORDER BY created_at LIMIT 1)",
                      (time.time() - 40 * 86400,))
    add = next(b for b in _buttons(open_home(app, slack, LEAD)) if b["action_id"] == "team_add_phrase")
    click_home_button(app, slack, add, user=USER)  # no admin: no form
    assert slack.calls_to("views.open") == []
    click_home_button(app, slack, add, LEAD)
    [opened] = slack.wait_for("views.open")
    form = opened.response["view"]
    assert form["submit"]["text"] == "Preview"
    # What the form itself can tell is said under the field, at once.
    response = submit_view(app, form, form_values(form, phrase="  ", suggestion=""), LEAD)
    assert response.json() == {"response_action": "errors", "errors": {"phrase": "Write the phrase: at least one "
                                                                                  "letter or digit."}}
    # A phrase another rule has already is refused, with the reason, in the form.
    response = submit_view(app, form, form_values(form, phrase="rockstar", family="inclusive-language"), LEAD)
    assert response.json()["response_action"] == "update"
    app.drain()
    [refused] = slack.wait_for("views.update")
    assert _status(refused.args["view"]).startswith("⚠️ This phrase cannot be added: “rockstar” is a phrase of "
                                                    "inclusive-language/exclusionary already")
    assert refused.args["view"]["submit"]["text"] == "Preview"
    # Previewed on the drafts whose text is kept: 4 of the 5 (the oldest is past retention), 2 of them flagged.
    values = form_values(form, phrase="synergy", level="warning",
                         suggestion="Say what the team and the wind farms do together.")
    assert submit_view(app, form, values, LEAD).json()["response_action"] == "update"
    app.drain()
    previewed = slack.wait_for("views.update", 2)[-1].args["view"]
    assert _status(previewed) == (
        "“synergy” would have flagged 2 of the 4 drafts whose text is still kept (4 of them in English). Only drafts "
        "whose text is still stored can be tried (the team keeps draft text 30 days); older ones are not counted. "
        "Save phrase to add it, or change it and preview again.")
    assert previewed["submit"]["text"] == "Save phrase" and TeamRuleChanges(app.store).version(TEAM) == 0
    # Submitted again with the same values: saved, and App Home says so.
    previewed["id"] = form["id"]
    assert submit_view(app, previewed, form_values(previewed), LEAD).text == ""
    app.drain()
    home = slack.calls_to("views.publish")[-1].args["view"]
    assert _notice(home) == ("Done: added “synergy” to generic-template as a warning (English, suggesting “Say what the "
                             "team and the wind farms do together.”). It applies from the next review, in every "
                             "process; Undo is in the list below.")
    [change] = TeamRuleChanges(app.store).active(TEAM)
    assert (change["kind"], change["rule"], change["language"], change["phrase"], change["level"]) == (
        "add-phrase", "generic-template", "en", "synergy", "warning")
    answer = command_answer(app, slack, SYNERGY.format(name="Ingrid"), "new")
    assert "“synergy” is a phrase the team avoids." in _literal(answer)
    assert "Say what the team and the wind farms do together." in _literal(answer)
    draft_id = _option(answer, "")["value"].split("|")[0]
    found = {f["rule"]: f["severity"] for f in app.store.reviews(TEAM, draft_id)[-1]["findings"]}
    assert found["generic-template/team-synergy"] == "warning"
    assert slack.violations == []


def test_app_home_stays_within_slacks_limits_with_everything_shown() -> None:
    from bot.blocks import home_view
    from models.team_settings import TeamSettings
    from tests.slack_standin import view_problems

    rows = [{"verdict": "revise", "subject": "", "excerpt": "Hi <@U1> *Kari*", "deleted_at": None, "score": 55,
             "language": "en", "category": "career_opportunity", "source": "modal", "created_at": 1.7e9}] * 15
    ranked = [{"rule": EXCLUSIONARY, "title": "Exclusionary wording", "phrase": "rockstar" * 20, "language": "English",
               "dismissals": 9, "drafts": 7, "people": 3, "examples": ["<!channel> *rock*" * 30] * 2, "said": "",
               "offers": [("Switch this phrase off for the team", "team_phrase_off",
                           {"rule": EXCLUSIONARY, "language": "en", "phrase": "rockstar" * 20}),
                          ("Lower this rule to suggestion", "team_rule_suggestion", {"rule": EXCLUSIONARY})]}] * 5
    changes = [{"id": n, "user": LEAD, "what": "switched off “<!here> *x*” in Exclusionary wording", "at": 1.7e9,
                "undone_by": LEAD if n % 2 else None, "undone_at": 1.7e9 if n % 2 else None,
                "not_in_effect": "" if n % 3 else "the team's rules folder (team.yml) sets it"} for n in range(10)]
    view = home_view(rows, team_settings=TeamSettings(), channel_problems=[{"channel": "C1", "error": "not_in_channel",
                                                                            "purpose": "digest"}] * 3,
                     costly=["x" * 400] * 4, templates=["y" * 500] * 2,
                     team_rules={"ranked": ranked, "changes": changes, "days": 90}, notice="Done: “<!channel>”")
    assert view_problems(view, "home") == [] and len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    assert "<!here>" not in text and "&lt;!here&gt;" in text  # our mrkdwn escapes what a lead typed
    quoted = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    assert any("<!channel> *rock*" in q for q in quoted)  # quotes are plain text, shown as they are


def test_the_preview_says_on_which_drafts_it_was_tried() -> None:
    from bot.blocks import preview_text
    from bot.team_rules import Preview

    assert preview_text("synergy", "English", Preview(20, 6, 18, 30)).startswith(
        "“synergy” would have flagged 6 of the last 20 drafts (18 of them in English). Only drafts whose text is "
        "still stored can be tried (the team keeps draft text 30 days)")
    assert preview_text("synergy", "English", Preview(0, 0, 0, 7)) == (
        "No draft's text is kept right now (the team keeps draft text 7 days), so “synergy” could not be tried on any. "
        "Save it anyway, or cancel.")
