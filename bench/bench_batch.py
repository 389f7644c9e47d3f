"""Batch and warm single-draft speed on real messages, against proselint on the same texts.

    .venv/bin/python bench/bench_batch.py [--runs 3] [--drafts 400] [--singles 200]

(`--runs 0` times the warm single draft only, `--singles 0` the batch only.)

Batch: about 100 messages of the labelled corpus (every sixth item, so en/nb/it and all
groups), repeated to N drafts, reviewed by whole `inmail-review check --format jsonl`
processes (offline spelling on, as `check` runs without LANGUAGETOOL_URL) and linted by whole
`proselint check` processes (0.16, `pip install '.[bench]'`) over the same texts, in turn.
`check` shares a batch this size among forked processes, one per core (bot/check_fork.py); the
same batch is also timed with `--jobs 1`, in one process, as proselint runs.
Per draft = (time for N drafts - time for the first draft alone) / (N - 1): start-up is taken
out of both the same way and printed on its own. That charges to the drafts what only a batch
loads (the other two languages' pipelines and dictionaries, the batch's template index), so a
second figure takes a run of three drafts, one per language, as the start-up instead:
(time for N - time for 3) / (N - 3). Medians of `--runs` runs, the six commands in turn.

Warm single draft: one 1,900-character draft of real English messages, reviewed in this
process with offline spelling, each run with one misspelling the process has never seen: a
one-edit typo of a dictionary word (the usual typo), and separately a two-edit one (no word
one edit away, so the suggestions need a wider search). p50/p95 over `--singles` runs.
Numbers only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import corpus  # noqa: E402

SINGLE_CHARS = 1900


def messages() -> list[dict]:
    """About 100 real messages: every sixth corpus item."""
    return [corpus.draft_input(item) for item in corpus.load("all")[::6]]


def batch_inputs(tmp: Path, n: int) -> tuple[Path, Path, Path, list[Path]]:
    """For `check`, as JSONL: the first draft alone, the first of each language, all N; the same
    texts as files for proselint."""
    base = messages()
    drafts = [{**base[i % len(base)], "id": f"d{i}"} for i in range(n)]
    firsts = list({d["id"].split("-")[0]: d for d in reversed(base)}.values())  # one per language
    one, three, many = tmp / "one.jsonl", tmp / "three.jsonl", tmp / "many.jsonl"
    for path, chosen in ((one, drafts[:1]), (three, firsts), (many, drafts)):
        path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in chosen), encoding="utf-8")
    folder = tmp / "texts"
    folder.mkdir()
    files = []
    for d in drafts:
        path = folder / f"{d['id']}.txt"
        path.write_text(f"{d.get('subject') or ''}\n\n{d['body']}", encoding="utf-8")
        files.append(path)
    return one, three, many, files


def timed(cmd: list[str]) -> float:
    env = {**os.environ, "LANGUAGETOOL_URL": ""}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def batch(runs: int, n: int) -> None:
    check = [sys.executable, "-m", "bot", "check", "--format", "jsonl"]
    proselint = [str(Path(sys.executable).with_name("proselint")), "check", "--output-format", "json"]
    if not Path(proselint[0]).exists():
        print("proselint: not installed (pip install '.[bench]')")
        return
    with tempfile.TemporaryDirectory() as tmp:
        one, three, many, files = batch_inputs(Path(tmp), n)
        times: dict[str, list[float]] = {k: [] for k in ("ours1", "ours3", "oursN", "oursN1", "pl1", "plN")}
        for _ in range(runs):  # in turn, so a busy moment of the machine hits both alike
            times["ours1"].append(timed([*check, str(one)]))
            times["ours3"].append(timed([*check, str(three)]))
            times["oursN"].append(timed([*check, str(many)]))
            times["oursN1"].append(timed([*check, "--jobs", "1", str(many)]))
            times["pl1"].append(timed([*proselint, str(files[0])]))
            times["plN"].append(timed([*proselint, *map(str, files)]))
    med = {k: statistics.median(v) for k, v in times.items()}
    ours = (med["oursN"] - med["ours1"]) / (n - 1) * 1000
    ours3 = (med["oursN"] - med["ours3"]) / (n - 3) * 1000
    alone = (med["oursN1"] - med["ours1"]) / (n - 1) * 1000
    theirs = (med["plN"] - med["pl1"]) / (n - 1) * 1000
    print(f"batch of {n} real drafts ({len(messages())} messages repeated), whole processes, medians of {runs}:")
    print(f"  inmail-review check: {med['oursN']:.2f} s for {n}, {med['ours1']:.2f} s for 1 -> {ours:.2f} ms/draft; "
          f"{med['ours3']:.2f} s for 3 (one per language) -> {ours3:.2f} ms/draft")
    print(f"  inmail-review check --jobs 1 (one process): {med['oursN1']:.2f} s for {n} -> {alone:.2f} ms/draft")
    print(f"  proselint check:     {med['plN']:.2f} s for {n}, {med['pl1']:.2f} s for 1 -> {theirs:.2f} ms/draft")
    print(f"  ratio (ours / proselint, per draft): {ours / theirs:.2f} ({ours3 / theirs:.2f} with the 3-draft start-up; "
          f"{alone / theirs:.2f} in one process)")


def single_draft() -> str:
    """Real English messages joined to 1,900 characters, cut at a word."""
    parts, size = [], 0
    for item in corpus.load("all"):
        if item["id"].startswith("en-") and size < SINGLE_CHARS:
            parts.append(item["body"])
            size += len(item["body"]) + 2
    return "\n\n".join(parts)[:SINGLE_CHARS].rsplit(" ", 1)[0]


def typo(word: str, edits: int, rng: random.Random) -> str:
    """`word` with `edits` letters changed (never the first, which keeps it a typo of the word)."""
    letters = list(word)
    for i in rng.sample(range(1, len(word)), edits):
        letters[i] = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i]])
    return "".join(letters)


def singles(runs: int) -> None:
    from models import Draft
    from rules import Reviewer
    from rules.grammar import build_checker
    from rules.grammar.spelling import speller

    reviewer = Reviewer.load(grammar=build_checker(None))
    reviewer.warm()
    text = single_draft()
    words = sorted({w for w in text.split() if w.isalpha() and w.islower() and len(w) >= 7})
    english = speller("en-US")
    rng = random.Random(12)
    # Warm: the draft itself, and a misspelling, which loads the other languages' dictionaries.
    reviewer.review(Draft.from_dict({"subject": "Platform role", "body": text + " Teh recieve."}))
    for edits in (1, 2):
        seen: set[str] = set()
        times = []
        for _ in range(runs):
            while True:
                word = rng.choice(words)
                wrong = typo(word, edits, rng)
                # Never seen, and really misspelt (asked of Hunspell itself, past the
                # reviewer's caches, so they stay cold for it).
                if wrong not in seen and not english._hunspell.spell(wrong):
                    break
            seen.add(wrong)
            draft = Draft.from_dict({"subject": "Platform role", "body": text.replace(word, wrong, 1)})
            start = time.perf_counter()
            reviewer.review(draft)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"single {len(text):,}-char draft, warm, offline spelling, one first-seen {edits}-edit typo per run, "
              f"{runs} runs: p50 {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms, "
              f"max {times[-1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--drafts", type=int, default=400)
    parser.add_argument("--singles", type=int, default=200)
    args = parser.parse_args()
    if args.runs:
        batch(args.runs, args.drafts)
    if args.singles:
        singles(args.singles)


if __name__ == "__main__":
    main()
