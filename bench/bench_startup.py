"""Loading: `--help`, start-up to the first review, peak memory of a batch, `serve`'s memory, installed size.

    .venv/bin/python bench/bench_startup.py [--runs 7] [--drafts 400] [--venv] [--extras test,model]

Every figure is a whole, fresh process: wall times are the median of `--runs` processes; the
batch is ~100 real corpus messages (en, nb, it in equal parts) repeated to `--drafts`, given to
one `check --format jsonl` process (with `--jobs 1`, and as it shares a batch among forked
processes by default), whose peak RSS (ru_maxrss, of the largest process) and peak PSS summed
over its processes (sampled from /proc every 5 ms) are printed; `serve` runs on a
loopback port against the Slack stand-in from tests/, and its VmRSS is read from /proc once it
serves (all three languages warmed), after one slash-command review per language, and after
one short draft (under 120 characters: lingua's full models).
`--venv` installs the product (with `--extras`, if given) into a fresh virtual environment from
PyPI and prints its size (takes minutes). Numbers only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from loopback import loopback_only  # noqa: E402  (bench/, the script's own folder)

loopback_only()

from models import corpus  # noqa: E402

LANGUAGES = ("en", "nb", "it")
SHORT_DRAFT = "Hi Kari, did you see my message about the platform role? Open to a quick chat?"
COMMAND = [sys.executable, "-m", "bot"]  # what the `inmail-review` script runs, from this checkout


def wall(argv: list[str], runs: int) -> float:
    """Median wall time of `runs` fresh processes, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss(argv: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, peak RSS in MB of the largest process, peak PSS in MB summed over the
    process and the ones it forked, most processes at once) of one command. PSS counts a page
    shared by two processes half in each, so the sum is the memory they take together."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = {"pss": 0.0, "processes": 1}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = [process.pid, *_children(process.pid)]
            peak["pss"] = max(peak["pss"], sum(_pss(pid) for pid in pids))
            peak["processes"] = max(peak["processes"], len(pids))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)  # its own peak and its children's, the largest of them
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, peak["pss"], peak["processes"]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss(pid: int) -> float:
    """A live process's PSS in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def corpus_messages(per_language: int) -> dict[str, list[dict]]:
    """The first `per_language` corpus messages of each language, as drafts (no labels)."""
    chosen: dict[str, list[dict]] = {lang: [] for lang in LANGUAGES}
    for item in corpus.load():
        lang = item.get("lang") or item["id"].split("-")[0]
        if lang in chosen and len(chosen[lang]) < per_language:
            chosen[lang].append(corpus.draft_input(item))
    return chosen


def batch_file(folder: Path, drafts: int) -> Path:
    by_lang = corpus_messages(34)
    messages = [m for trio in zip(*(by_lang[lang] for lang in LANGUAGES)) for m in trio]
    path = folder / "batch.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(drafts):
            message = dict(messages[n % len(messages)], id=f"{messages[n % len(messages)]['id']}#{n}")
            out.write(json.dumps(message, ensure_ascii=False) + "\n")
    return path


def vm_rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def serve_rss() -> tuple[float, float, float]:
    """`serve`'s VmRSS (MB) once it serves, after one review per language, and after a short
    draft (under 120 characters, which lingua judges with its full models)."""
    from tests.conftest import SIGNING_SECRET, sign
    from tests.serve_process import serve_env, start_http
    from tests.slack_standin import SlackStandIn

    import requests

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        process, base = start_http(serve_env(slack, Path(tmp)))
        try:
            ready = vm_rss(process.proc.pid)
            http = requests.Session()
            http.trust_env = False
            by_lang = corpus_messages(1)
            texts = [by_lang[lang][0]["body"] for lang in LANGUAGES] + [SHORT_DRAFT]
            figures = [ready]
            for n, text in enumerate(texts):
                body = urlencode({"team_id": "T0TEAM", "channel_id": "CBENCH", "user_id": "U1", "command": "/inmail",
                                  "text": text, "response_url": slack.response_url(f"r{n}"),
                                  "trigger_id": f"{n}.1.x"}).encode()
                headers = sign(body, secret=SIGNING_SECRET) | {"Content-Type": "application/x-www-form-urlencoded"}
                http.post(f"{base}/slack/events", data=body, headers=headers, timeout=30).raise_for_status()
                slack.wait_responses(n + 1, timeout=60)
                if n + 1 in (len(LANGUAGES), len(texts)):
                    figures.append(vm_rss(process.proc.pid))
            return figures[0], figures[1], figures[2]
        finally:
            process.stop()


def venv_size(extras: str) -> float:
    """MB of a fresh virtual environment with the product (and `extras`) installed from PyPI."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "v"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        target], check=True, cwd=tmp)
        shutil.rmtree(Path(tmp) / "build", ignore_errors=True)
        out = subprocess.run(["du", "-sk", str(venv)], check=True, capture_output=True, text=True).stdout
        return int(out.split()[0]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per wall time (median; default 7)")
    parser.add_argument("--drafts", type=int, default=400, help="drafts in the batch (default 400)")
    parser.add_argument("--venv", action="store_true", help="also measure a fresh product venv (minutes)")
    parser.add_argument("--extras", default="", help="extras for --venv, e.g. test,model (default: none)")
    args = parser.parse_args()

    print(f"inmail-review --help: {wall(COMMAND + ['--help'], args.runs):.3f} s (median of {args.runs})")
    print(f"check --help: {wall(COMMAND + ['check', '--help'], args.runs):.3f} s (median of {args.runs})")
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.json"
        one.write_text(json.dumps(corpus_messages(1)["en"][0], ensure_ascii=False), encoding="utf-8")
        first = wall(COMMAND + ["check", "--format", "json", str(one)], args.runs)
        print(f"start-up to the first review (check, one draft): {first:.3f} s (median of {args.runs})")
        batch = str(batch_file(Path(tmp), args.drafts))
        for jobs in (["--jobs", "1"], []):
            seconds, peak, pss, processes = peak_rss(COMMAND + ["check", "--format", "jsonl", *jobs, batch])
            print(f"{' '.join(['check', *jobs])}, {args.drafts} drafts (~100 corpus messages, en/nb/it): "
                  f"peak RSS {peak:.0f} MB (largest process), peak PSS {pss:.0f} MB summed over {processes} "
                  f"process(es), {seconds:.2f} s")
    ready, reviewed, short = serve_rss()
    print(f"serve, three languages warmed: VmRSS {ready:.0f} MB at ready, {reviewed:.0f} MB after one review "
          f"per language, {short:.0f} MB after a short draft")
    if args.venv:
        label = f".[{args.extras}]" if args.extras else "."
        print(f"installed venv (pip install {label}, fresh): {venv_size(args.extras):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
