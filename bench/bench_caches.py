"""What a long-running process holds once the engine's caches are full (rules/kept.py).

    .venv/bin/python bench/bench_caches.py [--drafts 20000] [--every 5000]

One process holding all three languages, warmed as `serve` warms (`Reviewer.warm`), reviews
drafts that are all new: eight real corpus lines of one language each, every line ending in
a word never seen before, so every cache of lines and of words keeps filling, as a server's
would over months of new names, numbers and links. Prints the process's VmRSS after the
warm-up and every `--every` drafts, with the mean review time so far: the RSS should level
off once the caches are full. Offline spelling. Numbers only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import Draft, corpus  # noqa: E402
from rules import Reviewer  # noqa: E402
from rules.grammar import build_checker  # noqa: E402

LANGUAGES = ("en", "nb", "it")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=20_000)
    parser.add_argument("--every", type=int, default=5_000)
    args = parser.parse_args()
    os.environ["LANGUAGETOOL_URL"] = ""
    lines: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for item in corpus.load("all"):
        lines[item["id"][:2]].extend(line for line in item["body"].split("\n") if line.strip())
    reviewer = Reviewer.load(grammar=build_checker(None))
    reviewer.warm()
    for lang in LANGUAGES:
        reviewer.review(Draft.from_dict({"subject": "Hi", "body": "\n".join(lines[lang][:5]), "lang": lang}))
    print(f"warm, three languages: VmRSS {rss_mb():.0f} MB")
    rng = random.Random(3)
    start = time.perf_counter()
    for n in range(1, args.drafts + 1):
        lang = LANGUAGES[n % 3]
        body = "\n".join(f"{rng.choice(lines[lang])} {n}x{j}" for j in range(8))
        reviewer.review(Draft.from_dict({"subject": f"Role {n}", "body": body, "lang": lang}))
        if n % args.every == 0:
            print(f"after {n:,} new drafts: VmRSS {rss_mb():.0f} MB, "
                  f"{(time.perf_counter() - start) * 1000 / n:.1f} ms a review")


if __name__ == "__main__":
    main()
