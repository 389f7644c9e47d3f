"""Issue 15 item 5, sequences: each step reviewed, and the sequence judged as a whole."""
from __future__ import annotations

import json
from typing import Any

from models.records import Draft
from rules import Reviewer
from rules.sequence import judge
from tests.conftest import TEAM, USER

FIRST = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was the clearest I have heard. We are building "
         "the payments platform at Vipps on the same design. Would you be open to a 15-minute call next week?")
GOOD_FOLLOW_UP = ("Hi Kari, one more detail since my note: the team ships to production daily and the on-call rota "
                  "is five engineers, so weekends stay quiet. Still happy to share the architecture over coffee.")
BUMP = "Hi Kari, just bumping this to the top of your inbox. Any thoughts?"
NB_BUMP = "Hei Kari, bare en påminnelse om meldingen min. Har du tenkt på det?"


def _judge(reviewer: Reviewer, bodies: list[str], days: list[int | None]):
    steps = [Draft(body=b) for b in bodies]
    return judge(steps, [reviewer.review(s) for s in steps], days)


def rules_of(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_a_good_sequence_has_no_sequence_findings(reviewer: Reviewer) -> None:
    result = _judge(reviewer, [FIRST, GOOD_FOLLOW_UP], [None, 5])
    assert rules_of(result) == [] and len(result.steps) == 2


def test_bumps_repeats_too_many_and_too_soon_are_found(reviewer: Reviewer) -> None:
    result = _judge(reviewer, [FIRST, BUMP, FIRST.replace("Hi Kari", "Hi again Kari"), GOOD_FOLLOW_UP, BUMP],
                    [None, 1, 4, 7, 7])
    assert rules_of(result) == ["sequence/adds-nothing", "sequence/too-soon", "sequence/repeats-first",
                                "sequence/adds-nothing", "sequence/too-many-follow-ups"]
    assert "Follow-up 1 adds nothing new" in result.findings[0].message
    data = result.to_dict()
    assert len(data["steps"]) == 5 and data["sequence"]["after_days"] == [None, 1, 4, 7, 7]
    assert {"score", "verdict", "findings"} <= set(data["steps"][0])


def test_a_norwegian_bump_adds_nothing_too(reviewer: Reviewer) -> None:
    first = ("Hei Kari, jeg leste innlegget ditt om Terraform-moduler hos Equinor. Vi bygger plattformteamet i "
             "Stavanger. Har du tid til en prat neste uke?")
    assert rules_of(_judge(reviewer, [first, NB_BUMP], [None, 4])) == ["sequence/adds-nothing"]


def test_a_long_sequence_is_a_suggestion(reviewer: Reviewer) -> None:
    long_step = " ".join(f"The platform team {n} builds event pipeline number {n} with Kafka." for n in range(40))
    result = _judge(reviewer, [long_step, long_step.replace("pipeline", "service") + " New facts here today."],
                    [None, 7])
    assert "sequence/too-long" in rules_of(result)


def test_the_form_takes_follow_ups_and_answers_with_the_sequence(app: Any, slack: Any) -> None:
    """Through the real app: the `/inmail` form with two follow-ups, one a bump a day later."""
    assert app.command("", response_url=slack.response_url("modal")).status_code == 200
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert {"follow_up_1", "follow_up_1_days", "follow_up_3", "follow_up_3_days"} <= blocks

    def submit(values: dict[str, str], trigger: str) -> Any:
        state = {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}
        return app.interaction({"type": "view_submission", "trigger_id": trigger, "view": {
            "id": opened.response["view"]["id"], "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"], "state": {"values": state}}})

    refused = submit({"body": FIRST, "follow_up_2_days": "3"}, "1.2.bad")
    assert refused.json()["response_action"] == "errors" and "follow_up_2" in refused.json()["errors"]
    accepted = submit({"body": FIRST, "follow_up_1": BUMP, "follow_up_1_days": "1", "follow_up_2": GOOD_FOLLOW_UP,
                       "follow_up_2_days": "6"}, "1.2.ok")
    assert accepted.status_code == 200 and accepted.text == ""
    review, sequence = slack.wait_for("chat.postMessage", 2)
    assert review.args["blocks"][0]["type"] == "header" and sequence.args["blocks"][0]["text"]["text"] == "The sequence"
    said = json.dumps(sequence.args["blocks"], ensure_ascii=False)
    assert "Follow-up 1, 1 day later" in said and "Follow-up 2, 6 days later" in said
    assert "Follow-up 1 adds nothing new" in said and "comes 1 day after" in said
    app.drain()
    assert len(app.store.recent_reviews(TEAM, USER)) == 1  # only the first message is a stored draft
    assert slack.violations == []


def test_check_reads_sequences_as_markdown_and_json(tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    md = tmp_path / "kari.md"
    md.write_text(f"---\nafter_days: [1, 6]\n---\nSubject: Your Kafka talk\n{FIRST}\n---\n{BUMP}\n---\n{GOOD_FOLLOW_UP}\n")
    as_json = tmp_path / "ola.json"
    as_json.write_text(json.dumps({"id": "ola-sequence", "steps": [{"subject": "Kafka at Vipps", "body": FIRST},
                                                                     {"body": GOOD_FOLLOW_UP, "after_days": 7}]}))
    bad = tmp_path / "bad.md"
    bad.write_text(f"---\nafter_days: [1, 2, 3]\n---\n{FIRST}\n---\n{BUMP}\n")

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "check", *args], capture_output=True, text=True, cwd=root,
                              timeout=120)

    lines = [json.loads(line) for line in check("--format", "jsonl", str(md), str(as_json)).stdout.splitlines()]
    assert [(d["id"], len(d["steps"])) for d in lines] == [("kari", 3), ("ola-sequence", 2)]
    assert [f["rule"] for f in lines[0]["sequence"]["findings"]] == ["sequence/adds-nothing", "sequence/too-soon"]
    assert lines[1]["sequence"]["findings"] == [] and lines[1]["sequence"]["after_days"] == [None, 7]
    assert not any(f["rule"] == "subject/missing" for step in lines[0]["steps"] for f in step["findings"])
    text = check(str(md)).stdout
    assert "kari.md#2" in text and "kari.md  sequence of 3 messages (first, +1d, +6d)" in text
    refused = check(str(bad))
    assert refused.returncode == 2 and "'after_days' must list the days before each of the 1 follow-ups" in refused.stderr + refused.stdout
