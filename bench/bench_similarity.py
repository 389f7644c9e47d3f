"""Near-duplicate detection at the scale of a team's whole history (PRODUCT.md §9).

    .venv/bin/python bench/bench_similarity.py [--drafts 100000] [--queries 1000] [--seed 7]

Builds a deterministic synthetic history of ~1,500-character drafts in en/nb/it from the
corpora in tests/test_similarity.py: mass templates sent to many recipients (names, companies,
skills swapped; one in ten copies with a sentence changed) and drafts written one by one from
the sentence banks. Prints: fingerprint time per draft, the time to rebuild the index from
stored fingerprint bytes (what a restart does), query time p50/p95/max over new drafts, and
RSS memory along the way. Numbers only; nothing timed is asserted.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.similarity import Fingerprint, TemplateIndex, fingerprint  # noqa: E402
from tests.test_similarity import BANKS, LANGUAGES, Person, people  # noqa: E402

CHARS = 1500
TEMPLATE_SHARE = 0.6  # of the history: copies of mass templates; the rest written one by one
EDITED_SHARE = 0.1  # of template copies: one sentence changed
# Slots drawn twice to reach ~1,500 characters; greeting first, the ask and sign-off last.
_BODY_SLOTS = ("hook", "context", "role", "work", "why", "team", "practical")
# The fields a template leaves for the mail-merge, filled per recipient (a campaign fixes the
# project line: templates praise the same thing in everyone).
_PLACEHOLDERS = Person("{first}", "{last}", "{company}", "{skill}", "{title}", "{project}")


@dataclass(frozen=True)
class Draft:
    text: str
    person: Person
    template: int | None  # which template it copies, if any
    edited: bool = False


def rss_mib() -> float:
    """Current resident memory."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def long_draft(lang: str, person: Person, rng: random.Random) -> str:
    """A draft of about `CHARS` characters: two phrasings of each body slot, then the ask."""
    bank = BANKS[lang]
    body = " ".join(person.fill(s) for slot in _BODY_SLOTS for s in rng.sample(bank[slot], 2))
    body = body[: CHARS - 120].rsplit(" ", 1)[0]
    tail = " ".join(person.fill(rng.choice(bank[slot])) for slot in ("ask", "closing"))
    return f"{person.fill(rng.choice(bank['greeting']))}\n\n{body}\n\n{tail}\n\n{rng.choice(bank['signoff'])}"


def history(n: int, rng: random.Random) -> Iterator[Draft]:
    """`n` drafts in time order: template campaigns interleaved with drafts written one by one.

    A campaign sends one template (the recipient's details left as fields, one fixed project
    line) to a Pareto-distributed number of people, 15 to 400, ~50 on average.
    """
    pool = {lang: people(lang, n=400, seed=1) for lang in LANGUAGES}
    campaigns: dict[int, tuple[str, str]] = {}  # running: template id -> (lang, text with fields)
    copies_left: dict[int, int] = {}
    for _ in range(n):
        if rng.random() >= TEMPLATE_SHARE:
            lang = rng.choice(LANGUAGES)
            person = rng.choice(pool[lang])
            yield Draft(long_draft(lang, person, rng), person, None)
            continue
        if not campaigns or rng.random() < 1 / 50:
            lang = rng.choice(LANGUAGES)
            fields = replace(_PLACEHOLDERS, project=rng.choice(pool[lang]).project)
            which = len(copies_left)
            campaigns[which] = (lang, long_draft(lang, fields, rng))
            copies_left[which] = min(400, int(rng.paretovariate(1.3) * 15))
        which = rng.choice(list(campaigns))
        lang, text = campaigns[which]
        edited = rng.random() < EDITED_SHARE
        if edited:
            sentences = text.split(". ")
            sentences[rng.randrange(1, len(sentences) - 1)] = rng.choice(BANKS[lang]["team"]).rstrip(".")
            text = ". ".join(sentences)
        person = rng.choice(pool[lang])
        yield Draft(person.fill(text), person, which, edited)
        copies_left[which] -= 1
        if not copies_left[which]:
            del campaigns[which]


def stored_fingerprints(drafts: list[Draft]) -> list[bytes]:
    """What the store holds per draft. Unedited copies of one template mask to the same text
    (tests/test_similarity.py asserts their fingerprints are equal), so each is computed once."""
    by_template: dict[int, bytes] = {}
    blobs = []
    for draft in drafts:
        if draft.template is not None and not draft.edited and draft.template in by_template:
            blobs.append(by_template[draft.template])
            continue
        blob = fingerprint(draft.text, draft.person.personal).to_bytes()
        if draft.template is not None and not draft.edited:
            by_template[draft.template] = blob
        blobs.append(blob)
    return blobs


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"RSS at start: {rss_mib():.0f} MiB")

    started = time.perf_counter()
    drafts = list(history(args.drafts + args.queries, rng))
    past, new = drafts[: args.drafts], drafts[args.drafts :]
    copies = sum(d.template is not None for d in past)
    print(
        f"history: {len(past):,} drafts ({copies:,} template copies of "
        f"{len({d.template for d in past if d.template is not None}):,} templates, "
        f"{sum(d.edited for d in past):,} edited), mean {statistics.mean(len(d.text) for d in past):.0f} chars, "
        f"generated in {time.perf_counter() - started:.1f} s"
    )

    sample = [d for d in past if d.template is None][:2000]
    times = []
    for draft in sample:
        t0 = time.perf_counter()
        fingerprint(draft.text, draft.person.personal)
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"fingerprint per draft ({statistics.mean(len(d.text) for d in sample):.0f} chars, n={len(sample)}): "
          f"mean {statistics.mean(times):.3f} ms, {percentiles(times)}")

    started = time.perf_counter()
    rows = [
        (f"T0001:C0001:{i:09d}", blob, draft.person.key, 1.7e9 + 60.0 * i)
        for i, (draft, blob) in enumerate(zip(past, stored_fingerprints(past)))
    ]
    print(f"stored fingerprints: {len(rows):,} rows of {len(rows[0][1])} bytes, computed in "
          f"{time.perf_counter() - started:.1f} s")

    before = rss_mib()
    started = time.perf_counter()
    index = TemplateIndex()
    for key, blob, recipient, at in rows:
        index.add(key, Fingerprint.from_bytes(blob), recipient=recipient, at=at)
    build = time.perf_counter() - started
    after = rss_mib()
    print(f"index build from stored bytes: {len(index):,} drafts in {build:.1f} s "
          f"({build / len(rows) * 1e6:.0f} µs per draft)")
    print(f"RSS before build {before:.0f} MiB, after {after:.0f} MiB (index {after - before:.0f} MiB)")

    query_fps = [fingerprint(d.text, d.person.personal) for d in new]
    query_ms, total_ms, found = [], [], []
    for draft, fp in zip(new, query_fps):
        t0 = time.perf_counter()
        matches = index.query(fp, recipient=draft.person.key)
        query_ms.append((time.perf_counter() - t0) * 1e3)
        found.append(len(matches))
    for draft in new[:200]:
        t0 = time.perf_counter()
        index.query(fingerprint(draft.text, draft.person.personal), recipient=draft.person.key)
        total_ms.append((time.perf_counter() - t0) * 1e3)
    in_history = {d.template for d in past}
    copies_q = [n for d, n in zip(new, found) if d.template is not None and d.template in in_history]
    written_q = [n for d, n in zip(new, found) if d.template is None]
    print(f"query over {len(index):,} drafts (n={len(new)}): {percentiles(query_ms)}")
    print(f"fingerprint + query (n={len(total_ms)}): {percentiles(total_ms)}")
    print(f"  copies of templates already in the history: {sum(n > 0 for n in copies_q)}/{len(copies_q)} flagged, "
          f"median {statistics.median(copies_q) if copies_q else 0} matches, max {max(copies_q, default=0)}")
    print(f"  written one by one: {sum(n > 0 for n in written_q)}/{len(written_q)} flagged "
          "(the bench draws 2 of 6 phrasings per slot, so a few drafts share most sentences)")
    print(f"RSS now {rss_mib():.0f} MiB, peak {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
