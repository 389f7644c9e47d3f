"""Issue 15 item 1, findings against outcomes: the statistics, a seeded team whose planted effects
`inmail-review report` must recover (and whose neutral rules it must not flag), and the command."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.outcomes import sentence
from models.effects import MIN_SENDS, Tally, difference_interval, effects, team_tally, wilson
from models.store import Store
from tests.conftest import BACKENDS, TEAM, USER, SlackAppServer, empty_database
from tests.outcome_simulation import PLANTED, WEEK, Simulated, simulate
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]


def test_wilson_and_newcombe_intervals_match_the_published_examples() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 857–872, tables I and II.
    assert [round(v, 4) for v in wilson(81, 263)] == [0.2553, 0.3662]
    assert [round(v, 4) for v in wilson(0, 10)] == [0.0, 0.2775]
    assert [round(v, 4) for v in difference_interval(56, 70, 48, 80)] == [0.0524, 0.3339]
    assert [round(v, 4) for v in difference_interval(9, 10, 3, 10)] == [0.1705, 0.8090]


@pytest.fixture(scope="module", params=BACKENDS)
def team(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Simulated]]:
    """One simulated team per backend, shared by the module's tests (simulating takes a while)."""
    with empty_database(request, request.param, tmp_path_factory.mktemp("effects") / "inmail.db") as url:
        store = Store.open(url)
        yield store, simulate(store)
        store.close()


def test_the_planted_effects_are_recovered_and_the_neutral_rules_are_not_flagged(team: tuple[Store, Simulated]) -> None:
    store, sim = team
    found = {e.name: e for e in effects(*team_tally(store, sim.team, 0, sim.end + 1)) if e.kind == "rule"}
    assert set(found) == set(PLANTED)
    for rule, (_, planted) in PLANTED.items():
        effect = found[rule]
        assert effect.enough and effect.low is not None and effect.high is not None
        assert effect.low <= planted <= effect.high, (rule, planted, effect)
        assert effect.clear == (planted != 0), (rule, effect)
        if planted:
            assert (effect.high < 0) == (planted < 0)


def test_sends_whose_replies_may_still_come_are_not_counted(team: tuple[Store, Simulated]) -> None:
    store, sim = team
    _, everything = team_tally(store, sim.team, 0, sim.end + 1)
    assert (everything.sent, everything.drafts) == (sim.sends, sim.drafts)
    _, half = team_tally(store, sim.team, 0, sim.end - 6 * 7 * 86_400)
    assert 0 < half.drafts < everything.drafts


def test_too_few_sends_say_so_rather_than_a_rate_difference() -> None:
    [effect] = effects({"rule:subject/generic": Tally(4, 2, 4)}, Tally(40, 20, 40))
    assert not effect.enough and effect.low is None and not effect.clear
    assert effect.sent_with == 4 and effect.sent_without == 36
    assert "not enough sends yet" in sentence(effect) and f"{MIN_SENDS}+ sends" in sentence(effect)


def _report(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INMAIL_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)


def test_the_report_command_in_its_three_formats(db_url: str) -> None:
    db = db_url
    store = Store.open(db)
    simulate(store, recruiters=8, weeks=6)
    store.close()
    as_json = _report(db, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["team"] == "T0SIM" and report["minimum"]["sends"] == MIN_SENDS
    keys = {"rule", "sent_with", "responses_with", "rate_with", "sent_without", "responses_without", "rate_without",
            "low", "high"}
    assert {e["rule"] for e in report["findings"]} == set(PLANTED) and all(keys <= set(e) for e in report["findings"])
    assert {e["kind"] for e in report["traits"]} >= {"verdict", "score", "length", "category"}
    assert report["templates"] == []  # the simulated drafts keep no fingerprints
    rows = list(csv.DictReader(io.StringIO(_report(db, "--format", "csv").stdout)))
    assert {r["name"] for r in rows if r["kind"] == "rule"} == set(PLANTED)
    text = _report(db).stdout
    assert "Drafts with “Unnamed client” got" in text and "generic-template/" not in text
    bad = _report(db, "--since", "1 Sept")
    assert bad.returncode == 2 and "--since must be a date" in bad.stderr


def test_the_digest_and_app_home_say_what_cost_replies(make_app: Any, slack: SlackStandIn) -> None:
    """Leads read the findings that clearly cost replies in the digest and in App Home (admins);
    a recruiter's App Home does not carry the team's figures."""
    from bot.digest import digest_message
    from models.digest import compute, week_of
    from models.outreach import Outreach

    app = make_app()
    now = time.time()
    simulate(app.store, team=TEAM, weeks=12, start=now - 12 * WEEK - 40 * 86_400)  # every send settled by now
    outreach = Outreach(app.store, app.settings.team_defaults())
    message = digest_message(compute(outreach, TEAM, week_of(now, "UTC", weeks_back=1), now), "UTC")
    text = json.dumps(message, ensure_ascii=False)
    assert "What cost replies" in text and "Drafts with “Unnamed client” got" in text
    assert "Spelling" not in text.split("What cost replies")[1]  # no planted effect: not said to cost anything
    slack.reset()
    slack.add_user("UADMIN", is_admin=True)
    for user in ("UADMIN", USER):
        app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    homes = {c.args["user_id"]: json.dumps(c.args["view"], ensure_ascii=False) for c in slack.wait_for("views.publish", 2)}
    assert "What costs the team replies" in homes["UADMIN"] and "Unnamed client" in homes["UADMIN"]
    assert "What costs the team replies" not in homes[USER]


def test_templates_are_grouped_with_their_recipients_rate_and_findings(app: SlackAppServer, slack: SlackStandIn,
                                                                      reviewer: Any) -> None:
    """Issue 15 item 2: in the report, the digest and admins' App Home."""
    from bot.template_outcomes import sentence as template_sentence
    from bot.template_outcomes import templates
    from models.outreach import Outreach
    from models.records import Draft, Recipient
    from rules.engine import ReviewContext
    from rules.similarity import TemplateIndex

    store = app.store
    history = ReviewContext(history=TemplateIndex())  # a history kept: reviews carry their fingerprint
    outreach = Outreach(store)
    template = ("Hi {name},\nI came across your profile and I have an exciting opportunity with one of our clients, a "
                "leading company in fintech. We offer a competitive salary, excellent benefits and a fast-paced "
                "environment. The role is hybrid with two days a week in the office. Are you open to a quick call?")
    names = ["Kari", "Ola", "Ingrid", "Lars", "Sofie", "Henrik"]
    personal = ["Hi Marte, your talk on Kafka consumer groups at JavaZone was the clearest I have heard. We run "
                "payments at Vipps on the same design. Would you be open to comparing notes next week?",
                "Hei Nils, jeg leste innlegget ditt om Terraform-moduler hos Equinor. Har du tid til en prat?"]
    texts = [(template.format(name=n), n, "U1" if i < 4 else "U2") for i, n in enumerate(names)]
    texts += [(text, name, "U3") for text, name in zip(personal, ["Marte", "Nils"])]
    for n, (text, name, user) in enumerate(texts):
        draft_id = store.add_draft(TEAM, user, "command", text)
        assert draft_id
        review = reviewer.review(Draft(body=text, recipient=Recipient(name=f"{name} Nordmann")), history)
        store.add_review(TEAM, draft_id, review)
        outreach.sends.record(TEAM, user, f"button:{draft_id}", "button", sent=1, draft_id=draft_id, at=1e9 + n,
                              accepted=1 if n == 0 else 0)
    [found] = templates(store, TEAM, 0, 2e9)
    assert (found.drafts, found.recipients, found.recruiters, found.sent, found.responses) == (6, 6, ("U1", "U2"), 6, 1)
    assert found.first_line == "hi <name>," and "generic-template/unnamed-client" in found.findings
    said = template_sentence(found)
    assert said.startswith("“hi <name>,” went to 6 people from 2 recruiters; 17% replied (6 settled sends)")
    assert "Unnamed client" in said
    assert templates(store, TEAM, 0, 1e9 + 3)[0].sent == 3  # only sends whose window has closed
    from bot.digest import digest_message, top_template
    from models.digest import compute, week_of

    week = week_of(time.time(), "UTC")
    said_in_digest = top_template(outreach, TEAM, week)
    assert said_in_digest is not None and said_in_digest.startswith("“hi <name>,” went to 6 people")
    message = json.dumps(digest_message(compute(outreach, TEAM, week, time.time()), "UTC", said_in_digest),
                         ensure_ascii=False)
    assert "Most sent template" in message and "went to 6 people" in message
    slack.add_user("UADMIN", is_admin=True)
    app.event({"type": "app_home_opened", "user": "UADMIN", "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    [home] = slack.wait_for("views.publish")
    assert "Most sent templates" in json.dumps(home.args["view"], ensure_ascii=False)
