"""The bounded worker pool behind every ack, and the recovery of work a dead process left.

Why a pool of our own: Bolt acknowledges Slack when the listener calls `ack()`. If the listener
also makes Slack calls (which may take seconds, or sleep through a 429's `Retry-After`) on a
small shared pool, the next requests wait for a free thread and miss Slack's 3 seconds. So the
listeners run on the request thread (`process_before_response=True`) and do only three quick
things: record the work (`models/jobs.py`, a short busy timeout), put it on this queue, and ack.
Reviews and Slack calls run here, on `workers` threads. When the queue is full the work stays
recorded, the ack says so, and the recovery loop feeds it in when there is room.

At least once inside: the recovery loop (at start and every `recover_every_s`) takes up any
unfinished work whose lease ran out — this process's or another's — and a worker leases it by
compare-and-set before running it. Handlers raise `Retry` for what may pass (a rate limit, an
outage, a locked database): the lease is extended by Slack's `Retry-After`, else by a backoff
that doubles up to an hour, and the work is given up (logged at warning level) only after
`MAX_ATTEMPTS`.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from typing import Callable

from models.db import DB_ERRORS
from models.jobs import FAILED, Job, Jobs

log = logging.getLogger(__name__)

QUEUED, BUSY, DUPLICATE, UNRECORDED = "queued", "busy", "duplicate", "unrecorded"
LEASE_S = 60.0
RECOVER_EVERY_S = 1.0  # one indexed query; keeps a 1-second Retry-After close to a second
BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 3600.0
MAX_ATTEMPTS = 12  # 5 s, 10 s, … then hourly: about seven hours of trying
RERUNS_MAX = 5  # a message edited again while its review ran: redo it, up to this often

Handler = Callable[[Job], None]


class Retry(Exception):
    """The work may succeed later: try again in `after_s` seconds (0: after the backoff)."""

    def __init__(self, after_s: float, reason: str) -> None:
        super().__init__(reason)
        self.after_s = after_s
        self.reason = reason


def backoff(attempts: int) -> float:
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))


class WorkQueue:
    """`submit()` from the request thread; `register(kind, handler)` before `start()`."""

    def __init__(self, jobs: Jobs, *, workers: int, queue_size: int, lease_s: float = LEASE_S,
                 recover_every_s: float = RECOVER_EVERY_S) -> None:
        self.jobs = jobs
        self.lease_s = lease_s
        self.recover_every_s = recover_every_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.handlers: dict[str, Handler] = {}
        self._queue: queue.Queue[Job | int | None] = queue.Queue(queue_size)
        self._workers = workers
        self._tracked: set[int] = set()  # recorded work queued or running here
        self._pending = 0
        self._idle = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    # --- the request thread ------------------------------------------------------------------------
    def submit(self, team_id: str, key: str, kind: str, payload: dict, *, version: str = "",
               durable: bool = True) -> str:
        """Records and queues work; QUEUED, BUSY (recorded, queue full), DUPLICATE (this key was
        submitted before) or UNRECORDED (the database refused: queued in memory only)."""
        if not durable:
            return QUEUED if self._put(Job(team_id, key, kind, payload)) else BUSY
        full = self._queue.full()
        now = time.time()
        try:
            job_id = self.jobs.add(team_id, key, kind, payload, owner=self.owner, version=version,
                                   lease_until=0.0 if full else now + self.lease_s)
            if job_id is None and version:
                job_id = self.jobs.supersede(team_id, key, payload, version)
        except DB_ERRORS as error:
            log.warning("%s work could not be recorded (%s): doing it in memory only", kind, error)
            return UNRECORDED if self._put(Job(team_id, key, kind, payload)) else BUSY
        if job_id is None:
            return DUPLICATE
        if full:
            return BUSY
        if not self._put(job_id):  # the queue filled up meanwhile: free the lease for the recovery loop
            try:
                self.jobs.free(job_id)
            except DB_ERRORS:
                pass  # then the lease runs out by itself
            return BUSY
        return QUEUED

    def _put(self, item: Job | int) -> bool:
        with self._idle:
            if isinstance(item, int):
                if item in self._tracked:
                    return True
                self._tracked.add(item)
            self._pending += 1
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self._done(item)
            return False

    def _done(self, item: Job | int) -> None:
        with self._idle:
            self._pending -= 1
            if isinstance(item, int):
                self._tracked.discard(item)
            self._idle.notify_all()

    # --- life cycle --------------------------------------------------------------------------------
    def start(self) -> None:
        for n in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"inmail-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        recovery = threading.Thread(target=self._recover_loop, name="inmail-recovery", daemon=True)
        recovery.start()
        self._threads.append(recovery)

    def stop(self, timeout: float = 30.0) -> None:
        """Lets the queued work finish (up to `timeout`); recorded work left over stays for the next start."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for _ in range(self._workers):
            try:
                self._queue.put(None, timeout=max(0.1, deadline - time.monotonic()))
            except queue.Full:
                break
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Blocks until nothing is queued or running here (tests: "after all acknowledged work")."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError(f"{self._pending} piece(s) of work still queued or running after {timeout}s")

    def pending(self) -> int:
        """How much work is queued or running here now (`/healthz`, `/metrics`)."""
        with self._idle:
            return self._pending

    def recover(self) -> int:
        """Queues unfinished work whose lease ran out, as much as there is room for; how many."""
        room = self._queue.maxsize - self._queue.qsize()
        if room <= 0:
            return 0
        queued = 0
        for job_id in self.jobs.due(time.time(), room):
            if job_id not in self._tracked and self._put(job_id):
                queued += 1
        if queued:
            log.info("recovered %d piece(s) of unfinished work", queued)
        return queued

    def _recover_loop(self) -> None:
        while True:
            try:
                self.recover()
            except DB_ERRORS as error:
                log.warning("recovery could not read the work table: %s", error)
            if self._stop.wait(self.recover_every_s):
                return

    # --- the workers -------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._run(item) if isinstance(item, int) else self._call(item)
            except DB_ERRORS as error:  # the lease runs out and the work is taken up again
                log.warning("work %s hit a database error: %s", item if isinstance(item, int) else item.kind, error)
            finally:
                self._done(item)

    def _call(self, job: Job) -> None:
        """Work kept in memory only (not worth recording, or the database refused it): one try,
        no retry, since nothing would remember it."""
        try:
            self.handlers[job.kind](job)
        except Exception as error:  # noqa: BLE001 - one bad piece of work must not stop a worker
            log.warning("%s work (in memory only) failed: %s", job.kind, type(error).__name__)

    def _run(self, job_id: int) -> None:
        for _ in range(RERUNS_MAX):
            job = self.jobs.lease(job_id, self.owner, time.time() + self.lease_s)
            if job is None:
                return  # done already, or another process holds it
            try:
                self.handlers[job.kind](job)
            except Retry as retry:
                self._postpone(job, retry.after_s, retry.reason)
                return
            except DB_ERRORS:
                raise
            except Exception as error:  # noqa: BLE001 - logged without the payload, retried, then given up
                self._postpone(job, 0.0, f"{type(error).__name__} in the {job.kind} handler")
                return
            if self.jobs.finish(job):
                return
            log.info("%s %s changed while it was worked on: again", job.kind, job.id)

    def _postpone(self, job: Job, after_s: float, reason: str) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            log.warning("%s work %s given up after %d attempts: %s", job.kind, job.id, job.attempts, reason)
            self.jobs.finish(job, FAILED)
            return
        delay = after_s if after_s > 0 else backoff(job.attempts)  # Slack's Retry-After is what it asks for
        log.info("%s work %s postponed %.0f s: %s", job.kind, job.id, delay, reason)
        self.jobs.postpone(job, time.time() + delay, self.owner)
