"""Findings against outcomes (`inmail-review report`): does it recover planted effects, and how
fast is it on a big team?

1. The seeded simulated team of `tests/outcome_simulation.py` (20 recruiters, 12 weeks, rules
   that change the reply probability by known amounts): planted change, measured difference
   and its 95% interval, and whether the report calls it clear.
2. `--recruiters` recruiters (default 1,000) × `--days` days (default 730), one reviewed send per
   recruiter and day (bulk now and then), inserted with executemany through the real
   migrations; then the report's query and statistics for the whole team, timed (median of 3).

    .venv/bin/python bench/bench_effects.py [--recruiters 1000] [--days 730]
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

from models.effects import effects, review_traits, team_tally  # noqa: E402
from models.policy import DAY  # noqa: E402
from models.store import Store  # noqa: E402
from tests.outcome_simulation import PLANTED, simulate  # noqa: E402

RULES = list(PLANTED) + ["length/reply-rate", "generic-template/boilerplate", "personalization/no-name",
                         "inclusive-language/exclusionary", "subject/missing", "grammar/style"]


def planted_table(directory: Path) -> None:
    store = Store.open(directory / "planted.db")
    sim = simulate(store)
    found = {e.name: e for e in effects(*team_tally(store, sim.team, 0, sim.end + 1)) if e.kind == "rule"}
    print(f"planted effects: {sim.drafts:,} drafts, {sim.sends:,} sends (20 recruiters, 12 weeks)")
    print(f"{'rule':34} {'planted':>8} {'measured':>9} {'95% interval':>18}  clear")
    for rule, (_, planted) in PLANTED.items():
        e = found[rule]
        assert e.rate_with is not None and e.rate_without is not None and e.low is not None and e.high is not None
        within = "yes" if e.low <= planted <= e.high else "NO"
        print(f"{rule:34} {planted:+8.3f} {e.rate_with - e.rate_without:+9.3f} [{e.low:+.3f}, {e.high:+.3f}] "
              f"{'yes' if e.clear else 'no':>5}  (planted value inside: {within})")
    store.close()


def big_team(directory: Path, recruiters: int, days: int) -> None:
    store = Store.open(directory / "big.db")
    rng = random.Random(7)
    end = time.time() - 31 * DAY
    drafts, reviews, sends = [], [], []
    sets: dict[str, int] = {}  # trait set → id, as `trait_sets` holds them
    for r in range(recruiters):
        user = f"U{r:05d}"
        for day in range(days):
            draft_id = f"d{r:05d}{day:04d}"
            at = end - (days - day) * DAY + rng.random() * DAY
            rules = [rule for rule in RULES if rng.random() < 0.2]
            findings = json.dumps([{"rule": rule, "severity": "warning"} for rule in rules])
            drafts.append((draft_id, "T0BIG", user, "command", at, at))
            score, verdict, chars = rng.randint(30, 100), "revise" if rules else "ready", rng.randint(200, 1800)
            traits = sets.setdefault(review_traits(rules, verdict, score, chars, "career_opportunity"), len(sets) + 1)
            reviews.append(("T0BIG", draft_id, score, verdict, "en", "career_opportunity", findings, chars, traits, at))
            count = rng.randint(20, 60) if rng.random() < 0.05 else 1
            replied = sum(rng.random() < 0.12 for _ in range(count))
            sends.append(("T0BIG", user, f"b:{draft_id}", "button", draft_id, at, count, int(count > 1), replied,
                          replied, count - replied, traits, at, at))
    with store.transaction() as db:
        db.conn.executemany("INSERT INTO trait_sets (traits, id) VALUES (?, ?)", sets.items())
        db.conn.executemany("INSERT INTO drafts (id, team_id, user_id, source, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)", drafts)
        db.conn.executemany("INSERT INTO reviews (team_id, draft_id, score, verdict, language, category, findings, "
                            "body_chars, trait_set, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", reviews)
        db.conn.executemany("INSERT INTO outreach (team_id, user_id, key, source, draft_id, at, sent, bulk, accepted, "
                            "replied, pending, trait_set, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            sends)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        found = effects(*team_tally(store, "T0BIG", 0, time.time()))
        times.append(time.perf_counter() - started)
    print(f"big team: {recruiters:,} recruiters × {days} days = {len(sends):,} reviewed sends "
          f"({sum(s[6] for s in sends):,} InMails); report (query + statistics, {len(found)} entries): "
          f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recruiters", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        planted_table(Path(folder))
        big_team(Path(folder), args.recruiters, args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
