"""Offline spelling (Hunspell) speed: dictionary load times and time per ~1,500-character draft.

Run: .venv/bin/python bench/bench_grammar.py [--drafts N]

Drafts are generated from per-language sentence templates (names, companies and skills are
filled in and passed as the recipient's words, as the review engine does). Three passes per
language: correct drafts; drafts with two typos each with Hunspell's suggestion cache cleared
before every draft (the worst case: `suggest()` is slow); the same typo drafts with the cache kept across drafts (8 typos per language recur).
Prints numbers only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.grammar.spelling import SOURCES, HunspellChecker, speller  # noqa: E402

NAMES = ["Kari Nordmann", "Priya Shah", "Marco Rossi", "Ingrid Berg", "Tom Hansen", "Giulia Bianchi"]
COMPANIES = ["Equinor", "Vipps", "Schibsted", "Eni", "Klarna", "Kahoot"]
SKILLS = ["Kafka", "Kubernetes", "Python", "PostgreSQL", "Terraform", "TypeScript", "React", "Spark"]

TEMPLATES = {
    "en": [
        "I came across your profile and was impressed by your work with {skill} at {company}.",
        "We are hiring a senior engineer to help us scale our payment platform, and your background looks like a great fit.",
        "The role is hybrid, with two days a week in our Oslo office and a generous learning budget.",
        "You would join a small team that owns the {skill} clusters, the deployment pipelines and the monitoring.",
        "Would you be open to a short, informal chat next week about what you are looking for?",
        "{first}, I noticed your talk on event-driven architecture and thought it was excellent.",
        "Our client offers a competitive salary, a pension plan and flexible working hours.",
        "The team values curiosity, collaboration and a healthy work-life balance.",
        "If the timing is not right, I would still appreciate your advice on who else I should contact.",
        "Happy to share the full job description and the salary range beforehand.",
    ],
    "nb": [
        "Jeg kom over profilen din og ble imponert over erfaringen din med {skill} hos {company}.",
        "Vi ser etter en erfaren utvikler til et nytt team i Oslo som skal bygge betalingsløsninger.",
        "Stillingen er fast, med konkurransedyktig lønn og mulighet for to hjemmekontordager i uken.",
        "Teamet jobber med {skill} og skytjenester, og du vil få stor innflytelse på arkitekturen.",
        "Har du lyst på en uforpliktende prat over en kaffe neste uke?",
        "{first}, jeg så foredraget ditt på konferansen og syntes det var veldig interessant.",
        "Kunden min tilbyr gode pensjonsordninger, fleksibel arbeidstid og et sterkt fagmiljø.",
        "Du rapporterer direkte til teknologidirektøren og får ansvar for seks utviklere.",
        "Hvis tidspunktet ikke passer, setter jeg pris på et tips om hvem jeg kan kontakte.",
        "Jeg forteller gjerne mer om selskapet og hvordan de jobber.",
    ],
    "it": [
        "Ho letto con interesse il tuo profilo e la tua esperienza con {skill} presso {company}.",
        "Stiamo cercando uno sviluppatore senior per un'azienda in forte crescita nel settore dei pagamenti.",
        "L'offerta prevede un contratto a tempo indeterminato e due giorni di lavoro da remoto a settimana.",
        "Il gruppo lavora con {skill} e si occupa dell'infrastruttura cloud.",
        "Ti andrebbe di fare una breve chiamata conoscitiva la prossima settimana?",
        "{first}, ho seguito il tuo intervento alla conferenza e l'ho trovato molto interessante.",
        "Il nostro cliente offre una retribuzione competitiva, buoni pasto e orari flessibili.",
        "Risponderesti direttamente al direttore tecnico e coordineresti cinque persone.",
        "Se il momento non è quello giusto, ti sarei grato per un consiglio su chi contattare.",
        "Sarei felice di raccontarti di più sul progetto e sulla cultura dell'azienda.",
    ],
}
TYPOS = {
    "en": ["recieve", "definately", "oppurtunity", "experiance", "candiate", "seperate", "accomodate", "enviroment"],
    "nb": ["utvilker", "erfaing", "stillling", "mulighetr", "kompetance", "arbeidsmilø", "teknolgi", "prosjket"],
    "it": ["opportunita", "sviluppatroe", "esperineza", "colloqiuo", "aziedna", "retribuzoine", "progeto", "contrato"],
}
DRAFT_CHARS = 1500


def make_draft(lang: str, rng: random.Random, typos: int = 0) -> tuple[str, frozenset[str]]:
    name, company, skill = rng.choice(NAMES), rng.choice(COMPANIES), rng.choice(SKILLS)
    first = name.split()[0]
    greeting = {"en": f"Hi {first},", "nb": f"Hei {first}!", "it": f"Ciao {first},"}[lang]
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < DRAFT_CHARS:
        sentences.append(rng.choice(TEMPLATES[lang]).format(first=first, company=company, skill=skill))
    for _ in range(typos):
        i = rng.randrange(len(sentences))
        sentences[i] = sentences[i].rstrip(".?") + " " + rng.choice(TYPOS[lang]) + "."
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return greeting + "\n\n" + "\n\n".join(paragraphs), frozenset({name, company, skill})


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"mean {statistics.mean(ms):7.2f} ms  p50 {statistics.median(ms):7.2f}  p95 {p95:7.2f}  max {ms[-1]:7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=100)
    args = parser.parse_args()

    print("Dictionary load (first use, once per process):")
    for code in SOURCES:
        start = time.perf_counter()
        loaded = speller(code)
        state = "" if loaded else "  (not installed)"
        print(f"  {code:6} {(time.perf_counter() - start) * 1000:7.1f} ms{state}")

    checker = HunspellChecker()
    rng = random.Random(42)
    for lang in ("en", "nb", "it"):
        code = "en-US" if lang == "en" else lang
        primary = speller(code)
        assert primary is not None, f"no {code} dictionary"
        clean = [make_draft(lang, rng) for _ in range(args.drafts)]
        typoed = [make_draft(lang, rng, typos=2) for _ in range(args.drafts)]
        chars = statistics.mean(len(text) for text, _ in clean)

        def run(drafts: list[tuple[str, frozenset[str]]], cold_suggestions: bool) -> tuple[list[float], int]:
            times, found = [], 0
            for text, profile in drafts:
                if cold_suggestions:
                    primary.suggest.cache_clear()
                start = time.perf_counter()
                result = checker.check(text, field="body", lang=lang, ignore_words=profile)
                times.append(time.perf_counter() - start)
                found += len(result.findings)
            return times, found

        first_pass, false_alarms = run(clean, False)
        warm, _ = run(clean, False)
        cold_typos, found = run(typoed, True)
        warm_typos, _ = run(typoed, False)
        print(f"\n{lang}: {args.drafts} drafts of ~{chars:.0f} characters")
        print(f"  correct drafts, first pass   {summary(first_pass)}  (findings: {false_alarms})")
        print(f"  correct drafts, warm caches  {summary(warm)}")
        print(f"  2 typos, no suggestion cache {summary(cold_typos)}  (findings: {found})")
        print(f"  2 typos, cache kept          {summary(warm_typos)}")

        words = sorted({w for text, _ in clean for w in text.split() if w.isalpha()})
        primary.spell.cache_clear()
        start = time.perf_counter()
        for word in words:
            primary.spell(word)
        per_word = (time.perf_counter() - start) / len(words) * 1e6
        typo = TYPOS[lang][0]
        primary.suggest.cache_clear()
        start = time.perf_counter()
        primary.suggest(typo)
        print(f"  spell(): {per_word:.1f} µs per distinct word, uncached; suggest({typo!r}): "
              f"{(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
