"""`inmail-review check` as a user runs it: a real subprocess, real files, stdin, exit codes."""
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CONTRACT_KEYS = {"id", "score", "verdict", "language", "category", "findings", "metrics"}
FINDING_KEYS = {"rule", "severity", "field", "span", "message", "suggestion"}
METRIC_KEYS = {"subject_chars", "body_chars", "words", "personalization", "genericness"}


def run(*args, stdin: bytes | str | None = None, env: dict | None = None):
    data = stdin.encode() if isinstance(stdin, str) else stdin
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGETOOL_URL", "INMAIL_RULES_DIR")}
    full_env = {**base, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "bot", *args], input=data, capture_output=True,
                          cwd=ROOT, env=full_env, timeout=120)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def assert_contract(obj: dict) -> None:
    assert set(obj) == CONTRACT_KEYS
    assert obj["verdict"] in ("ready", "revise", "blocked") and 0 <= obj["score"] <= 100
    assert set(obj["metrics"]) == METRIC_KEYS
    for f in obj["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["rule"].split("/")[0] in {"length", "generic-template", "personalization", "category-match",
                                           "grammar", "inclusive-language", "call-to-action", "subject"}
        assert f["suggestion"] and f["message"]


def test_check_ends_at_once_with_all_its_output_written(tmp_path):
    """`check` ends its process without tearing the interpreter down (`bot.cli.command`): what
    it wrote to a file, block-buffered, must all be there, and its exit status kept."""
    drafts = tmp_path / "drafts.jsonl"
    lines = (json.dumps({"id": f"d{n}", "body": f"Hi {{{{first_name}}}}, a role for you ({n})."}) for n in range(60))
    drafts.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    buffered = {k: v for k, v in os.environ.items() if k not in ("LANGUAGETOOL_URL", "PYTHONUNBUFFERED")}
    with out.open("wb") as handle:
        proc = subprocess.run([sys.executable, "-m", "bot", "check", "--format", "jsonl", str(drafts)], stdout=handle,
                              stderr=subprocess.PIPE, cwd=ROOT, timeout=120, env=buffered)
    assert proc.returncode == 1, proc.stderr  # an unfilled placeholder is an error finding
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"d{n}" for n in range(60)]
    assert proc.stderr == b""


def test_examples_review_and_exit_like_a_linter():
    code, out, err = run("check", str(EXAMPLES))
    assert code == 1, err  # the mass templates have errors
    assert "blocked" in out and "ready" in out
    assert "Traceback" not in err


def test_json_output_is_the_contract(tmp_path):
    code, out, _ = run("check", "--format", "json", str(EXAMPLES / "en-personalized.md"))
    obj = json.loads(out)
    assert_contract(obj)
    assert obj["id"] == "en-personalized" and obj["language"] == "en" and code in (0, 1)


def test_exit_code_zero_when_no_error(tmp_path):
    code, out, _ = run("check", "--format", "json", str(EXAMPLES / "en-personalized.md"))
    assert json.loads(out)["verdict"] != "blocked" and code == 0


def test_text_output_quotes_spans_and_suggestions():
    code, out, _ = run("check", str(EXAMPLES / "en-mass-template.txt"))
    assert code == 1
    assert "generic-template/generic-salutation" in out and "“Dear Candidate”" in out and "→ " in out
    assert "body 1:1" in out  # line 1 of the body (the Subject: line is split off), where "Dear Candidate" stands
    assert "“a leading company” (as above)" in out  # a rule is explained once per draft
    assert "\x1b[" not in out  # no colour when not a terminal


def test_stdin_and_options():
    code, out, _ = run("check", "--format", "json", "--subject", "Kafka role at Vipps", "--lang", "en",
                       "--category", "consulting_offer", "-",
                       stdin="Hi Kari, your Kafka talk was great. Would you be open to a call?")
    obj = json.loads(out)
    assert obj["metrics"]["subject_chars"] == len("Kafka role at Vipps") and obj["category"] == "consulting_offer"


def test_recipient_file(tmp_path):
    profile = tmp_path / "kari.yml"
    profile.write_text("name: Kari Nordmann\ncompany: Vipps\nskills: [Kafka]\nopen_to: [expertise_request]\n")
    code, out, _ = run("check", "--format", "json", "--recipient", str(profile), "-",
                       stdin="Hello there, we are hiring for a full-time engineering role. Interested in a call?")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert {"personalization/no-name", "personalization/no-reference", "category-match/not-open-to"} <= rules


def test_jsonl_batch_keeps_going_past_bad_lines_and_flags_copies(tmp_path):
    batch = tmp_path / "batch.jsonl"
    lines = (EXAMPLES / "en-batch.jsonl").read_text().splitlines()
    batch.write_text("\n".join([lines[0], "{not json", lines[1], '{"id": "no-body"}', lines[2], lines[3]]) + "\n")
    code, out, err = run("check", "--format", "jsonl", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in rows] == ["batch-1", None, "batch-2", "no-body", "batch-3", "batch-4"]
    assert "error" in rows[1] and "not valid JSON" in rows[1]["error"] and ":2:" in rows[1]["error"]
    assert "'body' is required" in rows[3]["error"]
    dup = lambda r: [f for f in r["findings"] if f["rule"] == "generic-template/near-duplicate"]
    assert dup(rows[0]) == [] and len(dup(rows[2])) == 1 and "1 other" in dup(rows[2])[0]["message"]
    assert "2 other" in dup(rows[4])[0]["message"] and dup(rows[5]) == []
    for r in rows:
        if "error" not in r:
            assert_contract(r)
    assert code == 2 and "not valid JSON" in err


@pytest.mark.parametrize("body, rule", [
    ("", "length/empty"),
    ("   \n\t  ", "length/empty"),
    ("🚀🔥🎉", "length/empty"),
    ("https://jobs.example.com/123", "length/empty"),
    ("<script>alert('x')</script>", "length/empty"),
])
def test_empty_like_drafts_get_a_clear_finding(body, rule):
    code, out, _ = run("check", "--format", "json", "-", stdin=json.dumps({"body": body}))
    obj = json.loads(out)
    assert_contract(obj)
    assert rule in {f["rule"] for f in obj["findings"]} and obj["verdict"] == "blocked" and code == 1


def test_huge_draft_is_reviewed_with_a_clear_limit_finding():
    body = "Hi Kari, this is about the Kafka role. " * 1300  # ~50,000 characters
    code, out, _ = run("check", "--format", "json", "-", stdin=json.dumps({"body": body, "subject": "Kafka role"}))
    obj = json.loads(out)
    limit = [f for f in obj["findings"] if f["rule"] == "length/body-limit"]
    assert limit and "50,699 characters" in limit[0]["message"] and code == 1  # trailing space not counted


def test_markup_and_injection_are_plain_text():
    body = "Hi <@U123>, <!channel> see <https://evil.example|our page>. <b>Hi</b> {{first\u200b_name}}. Open to a call?"
    code, out, _ = run("check", "--format", "json", "-", stdin=json.dumps({"body": body, "subject": "Role"}))
    obj = json.loads(out)
    placeholders = [f for f in obj["findings"] if f["rule"] == "generic-template/placeholder"]
    assert len(placeholders) == 1
    assert "<" not in json.dumps([f["span"] for f in obj["findings"]])


def test_right_to_left_and_bidi_controls_do_not_crash():
    body = "Hi Kari,\u202e this is reversed \u202c مرحبا بك. Would you be open to a call?"
    code, out, _ = run("check", "--format", "json", "-", stdin=json.dumps({"body": body, "subject": "Role"}))
    assert_contract(json.loads(out))


def test_mixed_languages_are_reviewed_and_noted():
    body = ("Hi Kari, I saw your work on Kafka at Vipps and I think you would like our platform team. "
            "Vi søker en erfaren utvikler som kan lede arbeidet med strømmeplattformen vår i Stavanger, "
            "og du vil jobbe tett med teamene som bygger handelssystemene. Would you be open to a call?")
    code, out, _ = run("check", "--format", "json", "-", stdin=json.dumps({"body": body, "subject": "Kafka"}))
    obj = json.loads(out)
    assert "grammar/mixed-language" in {f["rule"] for f in obj["findings"]}


def test_invalid_utf8_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Hei Kåre, vil du ta en prat?".encode("latin-1"))
    code, out, err = run("check", "--format", "json", str(path))
    assert "not valid UTF-8" in err and "offset 5" in err
    assert_contract(json.loads(out))


def test_missing_file_and_unknown_language_are_usage_errors():
    code, out, err = run("check", "no/such/draft.txt")
    assert code == 2 and "no/such/draft.txt: no such file" in out + err and "Traceback" not in err
    code, out, err = run("check", "--lang", "de", "-", stdin="Hallo")
    assert code == 2 and err.strip().count("\n") == 0 and "unsupported language 'de'" in err
    code, _, err = run("check", "--format", "yaml")
    assert code == 2 and "invalid choice" in err and "Traceback" not in err


def test_broken_team_pack_is_a_usage_error(tmp_path):
    (tmp_path / "team.yml").write_text("rules:\n  nope/nothing: off\n")
    code, _, err = run("check", "-", stdin="Hi", env={"INMAIL_RULES_DIR": str(tmp_path)})
    assert code == 2 and "team.yml:2: unknown rule 'nope/nothing'" in err


def test_markdown_front_matter_and_bad_front_matter(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\nsubject: [unclosed\n---\nHi")
    code, out, err = run("check", str(bad))
    assert code == 2 and "front matter is not valid YAML" in out + err
    typo = tmp_path / "typo.md"
    typo.write_text("---\nsubjet: Hello\n---\nHi")
    code, out, err = run("check", str(typo))
    assert code == 2 and "unknown front matter key(s): subjet" in out + err


def test_blocks_format_prints_block_kit_within_limits():
    from slack_sdk.models.blocks import Block

    from tests.slack_standin import block_problems

    code, out, _ = run("check", "--format", "blocks", str(EXAMPLES / "en-mass-template.txt"))
    message = json.loads(out)
    assert set(message) == {"text", "blocks"} and code == 1
    assert block_problems(message["blocks"]) == []
    assert all(Block.parse(b) is not None for b in message["blocks"])
    assert message["blocks"][0]["type"] == "header" and "Do not send" in message["blocks"][0]["text"]["text"]


def test_colour_on_request_and_the_checker_is_named():
    code, out, _ = run("check", "--color", "always", str(EXAMPLES / "en-mass-template.txt"))
    assert "\x1b[1;31m" in out  # errors in red
    assert "Hunspell" in out  # the review says which spelling checker ran


def test_the_summary_counts_agree_with_their_nouns(tmp_path):
    """"1 draft", "1 error", not "1 draft(s)" or "1 errors"."""
    one = tmp_path / "one.txt"
    one.write_text("Dear Candidate, one of our clients has an exciting opportunity. Apply now!")
    _, out, _ = run("check", str(one))
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("1 draft: ") and "(s)" not in summary
    for count, noun in re.findall(r"(\d+) (errors?|warnings?|suggestions?)", summary):
        assert noun.endswith("s") == (count != "1"), summary
