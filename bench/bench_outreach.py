"""Outreach at scale: digest figures for a team and one recruiter's policy evaluation.

Generates `--recruiters` recruiters (in teams of `--team-size`) × `--days` days of outcomes,
`--rows-per-day` rows each (defaults: 1,000 × 730 × 14 ≈ 10 million rows), and
`--drafts-per-day` reviewed drafts each (≈ 1.5 million), into a fresh SQLite file through the
real migrations, inserted with executemany in one transaction, then times
with the real query functions:
- `models.digest.compute` for one team's week (the digest's figures: reviews, per-recruiter
  sends and responses this week and last, statuses, the 8-week chart series, findings);
- `Outreach.evaluate` for one recruiter (status, the sends it needs, the decision);
each repeated, median and worst printed. Target (PRODUCT.md/issue 5): each under 200 ms.

    .venv/bin/python bench/bench_outreach.py            # the full 10 M rows (a few minutes, ~3 GB)
    .venv/bin/python bench/bench_outreach.py --days 90  # quicker
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.digest import compute, week_of
from models.outreach import Outreach, user_figures
from models.policy import DAY, PolicyConfig
from models.store import Store

BATCH = 200_000


def generate(store: Store, recruiters: int, team_size: int, days: int, per_day: int, end: float, seed: int) -> int:
    """Rows user by user (so the key and per-user indexes fill in order); returns how many."""
    rng = random.Random(seed)
    start = end - days * DAY
    sql = ("INSERT INTO outreach (team_id, user_id, key, source, at, sent, bulk, accepted, declined, replied, pending, "
           "responded_at, created_at, updated_at) VALUES (?, ?, ?, 'log', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    total, batch = 0, []
    store.execute("PRAGMA synchronous = OFF")
    with store.transaction() as db:
        for r in range(recruiters):
            team, user = f"T{r // team_size:04d}", f"U{r:05d}"
            rate = rng.uniform(0.08, 0.35)
            for day in range(days):
                for n in range(per_day):
                    at = start + day * DAY + n * 600 + rng.random() * 300
                    sent = rng.randint(1, 3)
                    replied = sum(rng.random() < rate for _ in range(sent))
                    accepted = rng.randint(0, replied)
                    responded = at + rng.uniform(0.2, 12) * DAY if replied else None
                    batch.append((team, user, f"log:{user}:{day}:{n}", at, sent, int(sent > 1), accepted,
                                  replied - accepted, replied, sent - replied, responded, at, at))
            if len(batch) >= BATCH:
                db.conn.executemany(sql, batch)
                total += len(batch)
                batch.clear()
        db.conn.executemany(sql, batch)
        total += len(batch)
    store.execute("ANALYZE")
    return total


RULES = ("generic-template/generic-salutation", "personalization/no-profile-detail", "length/too-long",
         "call-to-action/missing", "subject/too-generic", "grammar/spelling")


def generate_reviews(store: Store, recruiters: int, team_size: int, days: int, per_day: int, end: float,
                     seed: int) -> int:
    """Drafts (text already purged, as after retention) with one review each, three findings a review."""
    rng = random.Random(seed)
    start = end - days * DAY
    drafts, reviews, total = [], [], 0
    with store.transaction() as db:
        for r in range(recruiters):
            team, user = f"T{r // team_size:04d}", f"U{r:05d}"
            for day in range(days):
                for n in range(per_day):
                    at = start + day * DAY + n * 900
                    draft_id = f"d_{r:05d}_{day:04d}_{n}"
                    findings = json.dumps([{"rule": rule, "severity": "warning", "field": "body", "span": None,
                                            "message": "m", "suggestion": "s"} for rule in rng.sample(RULES, 3)])
                    drafts.append((draft_id, team, user, at, at))
                    reviews.append((team, draft_id, rng.randint(20, 95), findings, at))
            if len(drafts) >= BATCH:
                total += _flush(db, drafts, reviews)
        total += _flush(db, drafts, reviews)
    store.execute("ANALYZE")
    return total


def _flush(db, drafts: list[tuple], reviews: list[tuple]) -> int:  # type: ignore[no-untyped-def]
    db.conn.executemany("INSERT INTO drafts (id, team_id, user_id, source, created_at, updated_at) "
                        "VALUES (?, ?, ?, 'command', ?, ?)", drafts)
    db.conn.executemany("INSERT INTO reviews (team_id, draft_id, score, verdict, language, category, findings, "
                        "created_at) VALUES (?, ?, ?, 'revise', 'en', NULL, ?, ?)", reviews)
    count = len(drafts)
    drafts.clear()
    reviews.clear()
    return count


def timed(runs: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(1000 * (time.perf_counter() - started))
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recruiters", type=int, default=1000)
    parser.add_argument("--team-size", type=int, default=100)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--rows-per-day", type=int, default=14)
    parser.add_argument("--drafts-per-day", type=int, default=2, help="reviewed drafts per recruiter and day")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", type=Path, help="reuse (or create) this file instead of a temporary one")
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="bench-outreach-")
    path = args.db or Path(workdir.name) / "outreach.db"
    fresh = not path.exists()
    store = Store.open(path)
    now = time.time()
    try:
        if fresh:
            started = time.perf_counter()
            rows = generate(store, args.recruiters, args.team_size, args.days, args.rows_per_day, now, seed=1)
            print(f"generated {rows:,} outcome rows ({args.recruiters:,} recruiters, {args.days} days) in "
                  f"{time.perf_counter() - started:.0f} s; file {path.stat().st_size / 1e9:.2f} GB")
        if not store.rows("SELECT 1 FROM reviews LIMIT 1", ()):
            started = time.perf_counter()
            count = generate_reviews(store, args.recruiters, args.team_size, args.days, args.drafts_per_day, now, seed=2)
            print(f"generated {count:,} reviewed drafts in {time.perf_counter() - started:.0f} s")
        outreach = Outreach(store)
        index = min(3, (args.recruiters - 1) // args.team_size)
        team, user = f"T{index:04d}", f"U{index * args.team_size + 7:05d}"
        week = week_of(now, "UTC", weeks_back=1)
        median, worst = timed(args.runs, lambda: compute(outreach, team, week, now))
        figures = compute(outreach, team, week, now)
        print(f"digest figures, team of {len(figures.recruiters)} recruiters: median {median:.1f} ms, worst {worst:.1f} ms "
              f"(target < 200 ms)")
        median, worst = timed(args.runs, lambda: user_figures(outreach, team, user, now))
        print(f"/inmail stats and App Home figures, one recruiter: median {median:.1f} ms, worst {worst:.1f} ms")
        config = PolicyConfig(epoch=now - args.days * DAY)
        started = time.perf_counter()
        stored = outreach.evaluate(team, user, config, now)
        print(f"policy evaluation, first (stores {len(stored)} transition(s)): {1000 * (time.perf_counter() - started):.1f} ms")
        median, worst = timed(args.runs, lambda: outreach.evaluate(team, user, config, now))
        print(f"policy evaluation, one recruiter: median {median:.1f} ms, worst {worst:.1f} ms (target < 200 ms); "
              f"status now {outreach.statuses.current(team, user, config)[1].state}")
    finally:
        store.close()
        workdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
