"""Several workers on one database (issue 13, item 3): the template history shared through the
database, the scheduler's lease, and real `serve` processes answering each event once.

The history and lease tests run on both backends (`db_url`); the processes share a SQLite file
(the fault suite's helpers, tests/serve_process.py), as `bench/bench_workers.py` does PostgreSQL.
"""
from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from bot.history import TeamHistory
from bot.scheduler import SCHEDULER_LEASE, Scheduler
from models.leases import Leases
from models.store import Store
from rules.similarity import VALUES_OFFSET, TemplateIndex, band_buckets, fingerprint
from tests.conftest import DRAFTS, TEAM, USER, app_settings, message_event, sign
from tests.serve_process import ServeProcess, serve_env, start_http
from tests.slack_standin import SlackStandIn
from tests.test_similarity import copy_fingerprint, people, personalised_draft

DAY = 86400.0
WINDOW = 14 * DAY


@pytest.fixture
def stores(db_url: str) -> Iterator[Any]:
    """`stores(n)`: n connections to one database, as n processes would have."""
    opened: list[Store] = []

    def open_(n: int) -> list[Store]:
        opened.extend(Store.open(db_url) for _ in range(n))
        return opened[-n:]

    yield open_
    for store in opened:
        store.close()


def _draft(store: Store, user: str = USER, created_at: float | None = None) -> str:
    draft_id = store.add_draft(TEAM, user, "command", "the text")
    assert draft_id is not None
    if created_at is not None:
        store.execute("UPDATE drafts SET created_at = ? WHERE team_id = ? AND id = ?", (created_at, TEAM, draft_id))
    return draft_id


# --- the template history in the database ------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_database_history_judges_as_the_in_memory_index(stores: Any, lang: str) -> None:
    """The same drafts, one after another: the same matches, similarities included, for every rule
    the index applies (other recipients only, an unknown recipient, the author revising within
    two hours, the window)."""
    [store] = stores(1)
    history, index = TeamHistory(store), TemplateIndex()
    recipients, rng = people(lang, n=12), random.Random(lang)
    start, rules_applied = time.time() - 24 * DAY, Counter[str]()
    for k, person in enumerate(recipients):
        # Pairs of drafts half an hour apart by one author, four days between pairs; every fourth
        # has no named recipient (the second of a pair: its author revising).
        at, author = start + (k // 2) * 4 * DAY + (k % 2) * 1800, f"U{(k // 2) % 2}"
        recipient = None if k % 4 == 3 else person.key
        fp = (fingerprint(personalised_draft(lang, person, rng), person.personal) if k % 5 == 4
              else copy_fingerprint(lang, person, edited=k % 3 == 2))
        draft_id = _draft(store, author, at)
        asked = {"recipient": recipient, "since": at - WINDOW, "exclude_key": draft_id, "author": author, "now": at}
        found = history.for_review(TEAM, draft_id).query(fp, **asked)
        assert found == index.query(fp, **asked), k
        rules_applied["found"] += bool(found)
        rules_applied["window"] += len(index.query(fp, **{**asked, "since": None})) > len(found)
        rules_applied["revision"] += len(index.query(fp, **{**asked, "author": None})) > len(found)
        index.add(draft_id, fp, recipient=recipient, at=at, author=author)
    assert all(rules_applied[rule] for rule in ("found", "window", "revision")), rules_applied


def test_two_copies_reviewed_at_the_same_moment_on_two_workers_see_each_other(stores: Any) -> None:
    workers = stores(4)
    recipients = people("en", n=4)
    drafts = [_draft(store) for store in workers]
    views = [TeamHistory(store).for_review(TEAM, draft_id) for store, draft_id in zip(workers, drafts)]
    start = threading.Barrier(len(views))

    def review(k: int) -> set[str]:
        start.wait()
        found = views[k].query(copy_fingerprint("en", recipients[k]), recipient=recipients[k].key,
                               since=time.time() - WINDOW, exclude_key=drafts[k], author=f"U{k}", now=time.time())
        return {m.key for m in found}

    with ThreadPoolExecutor(len(views)) as pool:
        seen = list(pool.map(review, range(len(views))))
    for a, b in itertools.combinations(range(len(views)), 2):
        assert drafts[b] in seen[a] or drafts[a] in seen[b], (a, b, seen)
    # Written before anyone read: the last to read saw all the others.
    assert max(len(s) for s in seen) == len(views) - 1


def test_deleted_and_purged_drafts_leave_the_history(stores: Any) -> None:
    [store] = stores(1)
    history = TeamHistory(store)
    recipients, rng = people("en", n=5), random.Random(5)
    old, personal = _draft(store, created_at=time.time() - 3 * DAY), _draft(store, created_at=time.time() - 3 * DAY)
    deleted, kept = _draft(store), _draft(store)
    for draft_id, person in zip((old, deleted, kept), recipients):
        history.for_review(TEAM, draft_id).query(copy_fingerprint("en", person), recipient=person.key)
    history.for_review(TEAM, personal).query(fingerprint(personalised_draft("en", recipients[4], rng)), recipient="x")
    store.mark_deleted(TEAM, deleted)
    assert store.purge_text(TEAM, time.time() - 2 * DAY) == 2
    newest = _draft(store)
    found = history.for_review(TEAM, newest).query(copy_fingerprint("en", recipients[3]), recipient=recipients[3].key)
    assert [m.key for m in found] == [kept]
    assert {r["draft_id"] for r in store.rows("SELECT draft_id FROM draft_prints", ())} == {kept, newest}
    # The prints of the drafts that are left stay; those no draft has any more went, keys and all.
    digests = {table: {bytes(r["digest"]) for r in store.rows(f"SELECT digest FROM {table}", ())}
               for table in ("draft_prints", "template_prints", "template_bands")}
    assert len(digests["draft_prints"]) >= 1 and digests["template_prints"] == digests["template_bands"] == \
        digests["draft_prints"]


def test_an_upgraded_database_keeps_its_history(stores: Any) -> None:
    """The migration cuts the band keys of drafts fingerprinted before it out of their stored
    bytes: the same keys as `band_buckets`, so their copies are still found."""
    [store] = stores(1)
    recipients, rng = people("nb", n=4), random.Random(4)
    prints = [copy_fingerprint("nb", recipients[0]), fingerprint(personalised_draft("nb", recipients[1], rng)),
              copy_fingerprint("nb", recipients[2])]
    drafts = [_draft(store) for _ in prints]
    for draft_id, fp, person in zip(drafts, prints, recipients):  # as `add_review` stored them
        store.execute("UPDATE drafts SET fingerprint = ?, recipient_key = ? WHERE team_id = ? AND id = ?",
                      (fp.to_bytes(), person.key, TEAM, draft_id))
    store.mark_deleted(TEAM, drafts[2])
    # The database as it was before: no leases or history tables, migration 10 not run.
    for table in ("leases", "template_prints", "template_bands", "draft_prints"):
        store.execute(f"DROP TABLE {table}")
    store.execute("DELETE FROM schema_migrations WHERE version = 10")
    [upgraded] = stores(1)
    assert VALUES_OFFSET == 18  # where the migration starts band 0
    bands = upgraded.rows("SELECT band, bucket FROM template_bands ORDER BY band, bucket", ())
    assert [(r["band"], bytes(r["bucket"])) for r in bands] == sorted(
        (band, key) for fp in prints[:2] for band, key in enumerate(band_buckets(fp)))
    assert [r["draft_id"] for r in upgraded.rows("SELECT draft_id FROM draft_prints ORDER BY draft_id", ())] == \
        sorted(drafts[:2])
    newest = _draft(upgraded)
    found = TeamHistory(upgraded).for_review(TEAM, newest).query(copy_fingerprint("nb", recipients[3]),
                                                                 recipient=recipients[3].key)
    assert [(m.key, m.recipient) for m in found] == [(drafts[0], recipients[0].key)]


# --- the scheduler in one place ------------------------------------------------------------------------
def test_a_lease_has_one_holder_until_it_runs_out_or_is_given_up(stores: Any) -> None:
    one, other = (Leases(store) for store in stores(2))
    assert one.take("job", "a", now=100.0, ttl_s=10)
    assert not other.take("job", "b", now=105.0, ttl_s=10)  # held
    assert one.take("job", "a", now=108.0, ttl_s=10)  # renewed: until 118
    assert not other.take("job", "b", now=117.0, ttl_s=10)
    assert other.take("job", "b", now=118.5, ttl_s=10)  # run out: taken over
    assert not one.take("job", "a", now=119.0, ttl_s=10)  # and the first one knows it lost it
    other.release("job", "a")  # only the holder can give it up
    assert not one.take("job", "a", now=119.0, ttl_s=10)
    other.release("job", "b")
    assert one.take("job", "a", now=119.0, ttl_s=10)
    assert one.holder("job", 120.0) == "a" and one.holder("job", 130.0) is None
    [row] = one.store.rows("SELECT team_id, owner FROM leases", ())
    assert row == {"team_id": "", "owner": "a"}  # an app-wide row: no workspace's


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_of_several_schedulers_on_one_database_one_ticks_and_another_takes_over(
        stores: Any, slack: SlackStandIn, tmp_path: Path) -> None:
    settings = app_settings(slack, tmp_path / "unused.db")
    schedulers = [Scheduler(store, None, settings, interval_s=0.05, lease_s=2.0) for store in stores(3)]
    for scheduler in schedulers:
        scheduler.start()
    try:
        _wait(lambda: sum(s.leader for s in schedulers) == 1, 10, "a leader")
        time.sleep(2.5)  # more than a lease: the leader renewed it, nobody else took it
        [leader] = [s for s in schedulers if s.leader]
        assert Leases(leader.store).holder(SCHEDULER_LEASE, time.time()) == leader.owner
        # Only the leader ticked (a tick's first step is the evaluation, which it stamps).
        assert [s._last_evaluation is not None for s in schedulers] == [s is leader for s in schedulers]
        # Stopping gives the lease up: another takes it at its next tick, not a lease later.
        leader.stop()
        _wait(lambda: sum(s.leader for s in schedulers if s is not leader) == 1, 1.5, "a new leader")
        [second] = [s for s in schedulers if s.leader]
        # A leader that stops renewing (a process killed, a host cut off) loses it when it runs out.
        second._stop.set()
        second._thread.join(5)
        _wait(lambda: sum(s.leader for s in schedulers if s not in (leader, second)) == 1, 5, "a third leader")
    finally:
        for scheduler in schedulers:
            scheduler.stop()


# --- several serve processes on one database -------------------------------------------------------------
DRAFT = ("Hi Kari, I read your post on Kotlin coroutines and your work on the Vipps payments API. "
         "We are hiring a backend lead at Equinor. Would you be open to a short call next week?")


def _deliver(url: str, message: dict[str, Any], event_id: str, retry: bool) -> bool:
    """Slack's delivery of a drafts-channel message (or its retry, same event id); True when acked."""
    body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()),
                       "event": message_event(message["text"], ts=message["ts"])}).encode()
    headers = {"Content-Type": "application/json", **sign(body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with requests.Session() as http:
        http.trust_env = False
        try:
            return http.post(url + "/slack/events", data=body, headers=headers, timeout=10).status_code == 200
        except requests.RequestException:
            return False  # not acknowledged: Slack would retry it


def _answer_counts(slack: SlackStandIn, messages: list[dict[str, Any]]) -> dict[str, int]:
    threads = Counter(m["thread_ts"] for m in slack.messages(DRAFTS) if m.get("bot_id") and m.get("thread_ts"))
    return {m["ts"]: threads[m["ts"]] for m in messages}


@pytest.mark.faults
def test_two_serve_processes_answer_each_event_once_and_a_kill_9_loses_nothing(slack: SlackStandIn,
                                                                              tmp_path: Path) -> None:
    env = serve_env(slack, tmp_path, INMAIL_LEASE_S="3", INMAIL_WORKERS="4")
    processes = [start_http(env), start_http(env)]
    try:
        # Each event to one process and, at once, Slack's retry of it to the other.
        burst = [slack.add_message(DRAFTS, f"{DRAFT} Draft {n}.", user=USER) for n in range(20)]
        with ThreadPoolExecutor(8) as pool:
            acked = list(pool.map(lambda n: [_deliver(processes[(n + k) % 2][1], burst[n], f"Ev{n:04d}TWO", k == 1)
                                             for k in (0, 1)], range(len(burst))))
        assert all(any(pair) for pair in acked)
        _wait(lambda: all(_answer_counts(slack, burst).values()), 60, "every draft to be answered")
        # Only one of the two runs the scheduler: the other waits for the lease.
        _wait(lambda: sum("scheduler: this process leads" in p.log for p, _ in processes) == 1, 10, "a leader")
        # A kill -9 mid-burst, posts in flight; the killed process comes back, deliveries alternate.
        slack.fail("chat.postMessage", delay=0.15, times=1000)
        more = [slack.add_message(DRAFTS, f"{DRAFT} Take {n}.", user=USER) for n in range(40)]
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(lambda n: [_deliver(processes[(n + k) % 2][1], more[n], f"Ev{n:04d}KILL", k == 1)
                                              for k in (0, 1)], n) for n in range(len(more))]
            time.sleep(0.5)
            processes[0][0].kill()
            acked = [future.result() for future in futures]
        assert not all(_answer_counts(slack, more).values())  # the kill came mid-burst
        processes[0] = start_http(env)
        for n, message in enumerate(more):  # Slack retries what it saw no ack for; here every event
            if not any(acked[n]):
                assert _deliver(processes[n % 2][1], message, f"Ev{n:04d}KILL", True)
        _wait(lambda: all(_answer_counts(slack, more).values()), 90, "every draft to be answered")
        time.sleep(2)  # an answer posted twice would show up now
        assert _answer_counts(slack, burst + more) == {m["ts"]: 1 for m in burst + more}
        assert slack.violations == []
    finally:
        for process, _ in processes:
            if process.proc.poll() is None:
                process.stop()
    for process, _ in processes:
        assert "Traceback" not in process.log, process.log


@pytest.mark.faults
def test_serve_without_its_scheduler_beside_the_scheduler_command(slack: SlackStandIn, tmp_path: Path) -> None:
    env = serve_env(slack, tmp_path)
    worker = ServeProcess(env, "--host", "127.0.0.1", "--port", "0", "--no-scheduler")
    url = worker.wait_line(r"serving HTTP on (http://\S+)").group(1)
    schedulers = [ServeProcess(env, command="scheduler") for _ in range(2)]
    try:
        with requests.Session() as http:
            http.trust_env = False
            assert http.get(url + "/healthz", timeout=5).json()["scheduler"] == "off"
        leading = [p for p in schedulers if p.wait_line(r"running the scheduler alone") and
                   _leads_within(p, 5)]
        assert len(leading) == 1  # the other one waits for the lease
        assert "scheduler: this process leads" not in worker.log
    finally:
        codes = [p.stop() for p in [*schedulers, worker]]
    assert codes == [0, 0, 0], [p.log for p in [*schedulers, worker]]


def _leads_within(process: ServeProcess, seconds: float) -> bool:
    try:
        process.wait_line(r"scheduler: this process leads", timeout=seconds)
    except AssertionError:
        return False
    return True
