"""Review engine speed and memory, against proselint on the same texts.

    .venv/bin/python bench/bench_review.py [--drafts 400] [--chars 1500]

Prints: start-up to the first review (a fresh `inmail-review check` process), batch mean per
draft over N drafts of ~1,500 characters (en/nb/it mixed), p50/p95 of a single 1,900-character
draft in a warm process, peak RSS, and proselint's time on the same texts. Numbers only; no
pass/fail (speed is measured here, never asserted in tests).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCES = {
    "en": [
        "Hi {name}, I read your post on migrating payment events to Kafka without downtime.",
        "I came across your profile and I have an exciting opportunity with one of our clients.",
        "The platform team in Stavanger builds the event backbone the trading desks rely on.",
        "You would own the design of the streaming layer and work with five senior engineers.",
        "We offer a competitive salary, excellent benefits and a fast-paced environment.",
        "Your work on Terraform modules at Vipps is exactly the experience the team lacks.",
        "The role is hybrid, with two days a week in the office and flexible hours.",
        "Our client is a leading company in fintech looking for a rockstar developer.",
        "Would you be open to a 20-minute call next week to hear more?",
        "If it is not the right time, I would still value your view on the architecture.",
    ],
    "nb": [
        "Hei {name}, jeg leste innlegget ditt om å flytte betalingshendelser til Kafka uten nedetid.",
        "Jeg kom over profilen din og har en spennende mulighet hos en av våre kunder.",
        "Plattformteamet i Stavanger bygger hendelsesplattformen som handelsteamene bruker.",
        "Du vil eie designet av strømmelaget og jobbe sammen med fem erfarne utviklere.",
        "Vi tilbyr konkurransedyktig lønn, gode betingelser og et spennende miljø.",
        "Arbeidet ditt med Terraform-moduler hos Vipps er akkurat erfaringen teamet mangler.",
        "Stillingen er hybrid, med to dager i uka på kontoret og fleksibel arbeidstid.",
        "Har du tid til en prat på tjue minutter neste uke?",
        "Hvis tidspunktet ikke passer, vil jeg gjerne høre hva du tenker om arkitekturen.",
    ],
    "it": [
        "Ciao {name}, ho letto il tuo articolo sulla migrazione degli eventi di pagamento a Kafka.",
        "Ho visto il tuo profilo e ho un'opportunità unica presso un nostro cliente.",
        "Il team piattaforma a Milano costruisce il sistema di eventi usato dai team di trading.",
        "Saresti responsabile del design dello strato di streaming con cinque ingegneri senior.",
        "Offriamo una RAL competitiva, ottimi benefit e un ambiente giovane e dinamico.",
        "Il tuo lavoro sui moduli Terraform in Satispay è proprio l'esperienza che manca al team.",
        "Il ruolo è ibrido, con due giorni a settimana in ufficio e orari flessibili.",
        "Saresti disponibile per una chiamata di venti minuti la prossima settimana?",
        "Se non è il momento giusto, mi interesserebbe comunque la tua opinione.",
    ],
}
NAMES = ["Kari", "Ola", "Giulia", "Marco", "Anna", "Lars", "Sofia", "Erik"]


def make_drafts(n: int, chars: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    drafts = []
    for i in range(n):
        lang = ("en", "nb", "it")[i % 3]
        name = rng.choice(NAMES)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(rng.choice(SENTENCES[lang]).format(name=name))
            if rng.random() < 0.25:
                parts.append("\n\n")
        body = " ".join(parts)[:chars].rsplit(" ", 1)[0]  # cut at a word, not mid-word (a "typo")
        drafts.append({"id": f"d{i}", "subject": "Streaming platform role", "body": body})
    return drafts


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(tmp: Path) -> tuple[float, float]:
    """Seconds from process start to the first review printed, and that process's peak RSS."""
    draft = tmp / "one.txt"
    draft.write_text(make_drafts(1, 1500)[0]["body"], encoding="utf-8")
    exe = [sys.executable, "-m", "bot", "check", "--format", "json", str(draft)]
    env = {**os.environ, "LANGUAGETOOL_URL": ""}
    start = time.perf_counter()
    subprocess.run(exe, cwd=ROOT, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=400)
    parser.add_argument("--chars", type=int, default=1500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        first, child_rss = startup(Path(tmp))
    print(f"start-up to first review (fresh process, 1 draft): {first:.2f} s, peak RSS {child_rss:.0f} MB")

    from models import Draft
    from rules import Reviewer
    from rules.grammar import build_checker

    t0 = time.perf_counter()
    reviewer = Reviewer.load(grammar=build_checker(None))
    reviewer.warm()
    print(f"load packs + pipelines for en/nb/it in-process: {time.perf_counter() - t0:.2f} s")

    drafts = [Draft.from_dict(d) for d in make_drafts(args.drafts, args.chars)]
    for d in drafts[:6]:
        reviewer.review(d)  # warm dictionaries and caches
    for label, checker in (("with offline spelling", reviewer.grammar), ("without spelling", None)):
        reviewer.grammar = checker
        start = time.perf_counter()
        for d in drafts:
            reviewer.review(d)
        mean = (time.perf_counter() - start) / len(drafts) * 1000
        print(f"batch {len(drafts)} drafts x ~{args.chars} chars, {label}: mean {mean:.2f} ms/draft")

    reviewer.grammar = None
    single = Draft.from_dict(make_drafts(1, 1900, seed=11)[0])
    times = []
    for _ in range(200):
        start = time.perf_counter()
        reviewer.review(single)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"single 1,900-char draft, warm, 200 runs: p50 {statistics.median(times):.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.2f} ms")
    print(f"peak RSS of this process: {rss_mb():.0f} MB")

    try:
        from proselint.checks import __register__
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
    except ImportError:
        print("proselint: not installed (pip install '.[bench]')")
        return
    CheckRegistry().register_many(__register__)  # what proselint's own CLI does before linting
    LintFile("warm", "warm up text.").lint()
    start = time.perf_counter()
    found = 0
    for d in drafts:
        found += len(LintFile(d.id or "x", d.body).lint())
    mean = (time.perf_counter() - start) / len(drafts) * 1000
    print(f"proselint on the same {len(drafts)} drafts: mean {mean:.2f} ms/draft ({found} findings, English rules only)")
    print(json.dumps({"note": "inmail-review checks 8 families in 3 languages; proselint is an English style linter"}))


if __name__ == "__main__":
    main()
