"""The store on real databases, SQLite files and PostgreSQL schemas (`db_url`): migrations,
exactly-once claims across connections and processes, workspace isolation, outcomes."""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from models.db import INTEGRITY_ERRORS
from models.jobs import Jobs
from models.records import Draft
from models.store import MIGRATIONS, Store
from rules import Reviewer


@pytest.fixture
def store(db_url: str) -> Store:
    opened = Store.open(db_url)
    yield opened
    opened.close()


def test_schema_is_created_migrated_once_and_recorded(db_url: str, tmp_path: Path) -> None:
    target = db_url if db_url.startswith("postgresql:") else tmp_path / "sub" / "inmail.db"
    first = Store.open(target)
    assert first.schema_version == len(MIGRATIONS)
    if first.dialect == "sqlite":
        assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"processed_events", "drafts", "reviews", "outcomes", "schema_migrations"} <= set(first.tables())
    first.close()
    again = Store.open(target)
    rows = again.rows("SELECT version, name FROM schema_migrations ORDER BY version", ())
    assert [(r["version"], r["name"]) for r in rows] == [(i, m.__name__.lstrip("_")) for i, m in enumerate(MIGRATIONS, 1)]
    assert rows[0]["name"] == "v1_slack_app"
    assert again.columns("drafts")["fingerprint"] in ("blob", "bytea")
    again.close()


def test_every_table_carries_team_id(store: Store) -> None:
    for table in set(store.tables()) - {"schema_migrations", "trait_sets"}:  # app-wide: versions, trait names
        assert "team_id" in store.columns(table), table


def test_work_is_recorded_once_across_connections(db_url: str) -> None:
    a, b = Store.open(db_url), Store.open(db_url)
    first = Jobs(a).add("T1", "Ev1", "message", {}, owner="a", lease_until=0.0)
    assert first is not None and Jobs(b).add("T1", "Ev1", "message", {}, owner="b", lease_until=0.0) is None
    # another workspace's event with the same id
    assert Jobs(b).add("T2", "Ev1", "message", {}, owner="b", lease_until=0.0) is not None
    a.close()
    b.close()


def _lease_in_process(path: str, job_id: int, results: "multiprocessing.Queue[bool]") -> None:
    store = Store.open(path)
    results.put(Jobs(store).lease(job_id, f"process-{os.getpid()}", time.time() + 60) is not None)
    store.close()


def test_a_lease_is_taken_by_one_process_only(db_url: str) -> None:
    path = db_url
    store = Store.open(path)
    job_id = Jobs(store).add("T1", "EvSAME", "message", {}, owner="gone", lease_until=0.0)
    store.close()
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_lease_in_process, args=(path, job_id, results)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(results.get(timeout=5) for _ in procs) == [False, False, False, True]


def test_drafts_reviews_and_isolation(store: Store, reviewer: Reviewer) -> None:
    draft_id = store.add_draft("T1", "U1", "channel", "Hi Kari, a role for you?", channel="C1", message_ts="1.1",
                               details={"category": "career_opportunity"})
    assert store.add_draft("T1", "U1", "channel", "again", channel="C1", message_ts="1.1") is None
    review = reviewer.review(Draft(body="Hi Kari, I liked your Kafka talk. Open to a call next week?", id=draft_id))
    store.add_review("T1", draft_id, review)
    assert store.draft("T2", draft_id) is None and store.draft_for_message("T2", "C1", "1.1") is None
    assert store.recent_reviews("T2", "U1") == [] and store.reviews("T2", draft_id) == []
    row = store.draft("T1", draft_id)
    assert row["details"] == {"category": "career_opportunity"} and row["fingerprint"] == review.fingerprint
    [stored] = store.reviews("T1", draft_id)
    assert stored["findings"] == [f.to_dict() for f in review.findings] and stored["score"] == review.score
    store.set_answer("T1", draft_id, "C1", "2.2")
    store.mark_deleted("T1", draft_id)
    row = store.draft("T1", draft_id)
    assert (row["text"], row["answer_ts"], row["fingerprint"]) == (None, None, review.fingerprint)
    assert len(store.reviews("T1", draft_id)) == 1  # findings are kept, the text is not


def test_outcomes_are_recorded_once_per_kind(store: Store) -> None:
    draft_id = store.add_draft("T1", "U1", "command", "Hi Kari")
    assert store.record_outcome("T1", "U1", draft_id, "sent")
    assert not store.record_outcome("T1", "U1", draft_id, "sent")
    assert store.record_outcome("T1", "U1", draft_id, "replied")
    assert [r["kind"] for r in store.outcomes("T1", "U1")] == ["sent", "replied"] and store.outcomes("T2") == []
    with pytest.raises(ValueError):
        store.record_outcome("T1", "U1", draft_id, "ignored")
    with pytest.raises(INTEGRITY_ERRORS):  # an outcome must belong to a stored draft
        store.record_outcome("T1", "U1", "d_missing", "sent")
