"""A large `check` batch shared among forked processes (bot/check_fork.py) gives, byte for byte,
what one process gives, and loses no draft when a forked process is killed. Real subprocesses."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NAMES = ["Kari", "Ola", "Giulia", "Marco", "Anna", "Jonas", "Ingrid", "Luca", "Sofia", "Emil"]
SPLIT = "processes"  # the word of the -v line that says the batch was shared


def _env() -> dict:
    return {**{k: v for k, v in os.environ.items() if k not in ("LANGUAGETOOL_URL", "INMAIL_RULES_DIR")},
            "NO_COLOR": "1"}


def check(*args: str, wrapper: str | None = None) -> tuple[int, str, str]:
    command = [sys.executable, *(["-c", wrapper] if wrapper else ["-m", "bot"]), *args]
    proc = subprocess.run(command, capture_output=True, cwd=ROOT, env=_env(), timeout=300)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """160 drafts in three languages: exact copies and copies with the name changed (so the two
    processes each hold some copies of one template), a sequence, a broken line and a language
    we have no pack for in the middle: a folder, its files read in the order of their names."""
    base = [json.loads(line) for line in (EXAMPLES / "en-batch.jsonl").read_text(encoding="utf-8").splitlines()]
    base += [json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
             for name in ("nb-borderline", "it-borderline", "en-borderline", "nb-consulting-not-open")]
    base += [{"body": (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")}
             for name in ("nb-mass-template", "it-mass-template", "en-mass-template")]
    lines = []
    for n in range(156):
        draft = dict(base[n % len(base)], id=f"d{n}")
        if n % 3 == 0:  # a copy for someone else, greeted by name
            name = NAMES[n % len(NAMES)]
            first = draft["body"].split("\n", 1)
            draft["body"] = f"{first[0].split()[0]} {name},\n{first[1] if len(first) > 1 else ''}"
            draft["recipient"] = {"name": f"{name} Hansen"}
        lines.append(json.dumps(draft, ensure_ascii=False))
    lines.insert(90, "{not json")
    lines.insert(120, json.dumps({"id": "de", "lang": "de", "body": "Hallo, eine Stelle für Sie."}))
    lines.insert(140, json.dumps({"id": "empty", "body": ""}))
    folder = tmp_path_factory.mktemp("fork")
    (folder / "1.jsonl").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    (folder / "3.jsonl").write_text("\n".join(lines[60:]) + "\n", encoding="utf-8")
    follow_up = "Hi Kari, just following up on my note about the role. Would a short call on Thursday work?"
    first = {k: v for k, v in base[0].items() if k != "id"}
    sequence = {"id": "seq", "steps": [first, {"body": follow_up, "after_days": 4}]}
    (folder / "2.json").write_text(json.dumps(sequence, ensure_ascii=False), encoding="utf-8")  # steps to one person
    return folder


@pytest.fixture(scope="module")
def one_process(batch) -> dict[str, tuple[int, str, str]]:
    return {fmt: check("check", "--jobs", "1", "--format", fmt, str(batch)) for fmt in ("jsonl", "text")}


@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_a_shared_batch_gives_what_one_process_gives(batch, one_process, fmt):
    code, out, err = check("-v", "check", "--jobs", "2", "--format", fmt, str(batch))
    assert f"in 2 {SPLIT}" in err, err  # it really was shared
    assert (code, out) == one_process[fmt][:2]
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
        assert len(rows) == 160 and sum("error" in r for r in rows) == 2  # the broken line, German
        assert [len(r["steps"]) for r in rows if "steps" in r] == [2]
        copies = [r for r in rows if any(f["rule"] == "generic-template/near-duplicate" for f in r.get("findings", []))]
        assert len(copies) > 100  # each later copy is checked against the copies before it, whoever reviewed them


def _with_fork(body: str) -> str:
    """`inmail-review` run with `os.fork` replaced by `fork()` as `body` defines it (the real one is `real`)."""
    return ("import os, runpy, signal, sys\nreal = os.fork\n" + body +
            "os.fork = fork\nsys.argv[0] = 'inmail-review'\nrunpy.run_module('bot', run_name='__main__')\n")


def test_a_killed_review_process_loses_no_draft(batch, one_process):
    """The forked process dies at once (SIGKILL): this one reviews its drafts itself."""
    killed = ("def fork():\n"
              "    pid = real()\n"
              "    if pid == 0:\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "    return pid\n")
    code, out, err = check("-v", "check", "--jobs", "2", "--format", "jsonl", str(batch), wrapper=_with_fork(killed))
    assert f"in 2 {SPLIT}" in err and "ended without their results" in err, err
    assert (code, out) == one_process["jsonl"][:2]


def test_a_hung_review_process_is_stopped_and_its_drafts_reviewed_here(batch, one_process):
    """The forked process never ends (as one waiting for a thread that was not copied would):
    past its patience (`PATIENCE_S`, 10 s here) this one stops it and reviews its drafts."""
    hung = ("def fork():\n"
            "    pid = real()\n"
            "    if pid == 0:\n"
            "        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})\n"
            "        while True:\n"
            "            signal.pause()\n"
            "    return pid\n")
    code, out, err = check("check", "--jobs", "2", "--format", "jsonl", str(batch), wrapper=_with_fork(hung))
    assert "took too long" in err and "ended without their results" in err, err
    assert (code, out) == one_process["jsonl"][:2]


def test_no_process_to_fork_reviews_the_batch_here(batch, one_process):
    """Forking fails (a process limit): the batch is reviewed in this process, all of it."""
    refused = "def fork():\n    raise BlockingIOError(11, 'Resource temporarily unavailable')\n"
    code, out, err = check("check", "--jobs", "3", "--format", "jsonl", str(batch), wrapper=_with_fork(refused))
    assert "cannot fork to review the batch" in err, err
    assert (code, out) == one_process["jsonl"][:2]


def test_a_small_batch_and_jobs_1_stay_in_one_process(batch):
    assert SPLIT not in check("-v", "check", "--jobs", "2", "--format", "jsonl", str(batch / "1.jsonl"))[2]
    assert SPLIT not in check("-v", "check", "--jobs", "1", "--format", "jsonl", str(batch))[2]


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_jobs_must_be_a_whole_number_of_one_or_more(value):
    code, out, err = check("check", "--jobs", value, str(EXAMPLES / "en-personalized.md"))
    assert code == 2 and out == "" and f"'{value}' is not a whole number of 1 or more" in err


def test_a_draft_is_recorded_as_its_review_would_record_it(reviewer):
    """`Reviewer.history_entry`, what a forked process records of the drafts it does not review."""
    from models.records import Draft
    from rules import ReviewContext
    from rules.similarity import Fingerprint, TemplateIndex

    context = ReviewContext(history=TemplateIndex(), history_key="#1")
    for line in (EXAMPLES / "en-batch.jsonl").read_text(encoding="utf-8").splitlines():
        draft = Draft.from_dict(json.loads(line))
        fingerprint, recipient_key = reviewer.history_entry(draft, context)
        review = reviewer.review(draft, context)
        assert fingerprint == Fingerprint.from_bytes(review.fingerprint) and recipient_key == review.recipient_key
        assert fingerprint is not None and recipient_key == f"greeting:{draft.body.split()[1].rstrip(',').lower()}"
    with pytest.raises(ValueError, match="unsupported language"):
        reviewer.history_entry(Draft(body="Hallo", lang="de"), context)
