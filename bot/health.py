"""What `GET /healthz` answers: whether this process can do its work now, and what it is doing.

Healthy means the database takes a write now (`bot.serve.store_health`: a fresh connection with a
short wait, so a held lock makes the answer come within a second). The rest is said, never judged:
whether this process's scheduler is the one that ticks (several workers share one lease; a worker
that is not the leader is as healthy as the leader), and how much acknowledged work is queued here
and recorded unfinished in the database. A load balancer needs the status; a person reads the rest.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from models.db import DB_ERRORS

if TYPE_CHECKING:
    from bot.work import WorkQueue

log = logging.getLogger(__name__)

Probe = Callable[[], tuple[bool, str]]


def scheduler_state(scheduler: Any | None) -> str:
    """"leader" (it ticks), "standby" (another process holds the lease), "off" (no scheduler in
    this process), or "unknown" (a scheduler that cannot tell)."""
    if scheduler is None:
        return "off"
    leader = getattr(scheduler, "leader", None)
    if leader is None:
        return "unknown"
    return "leader" if leader else "standby"


class Health:
    def __init__(self, database: Probe, work: "WorkQueue | None" = None, scheduler: Any | None = None) -> None:
        self.database = database
        self.work = work
        self.scheduler = scheduler

    def __call__(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body): `{"ok", "reason" (when not ok), "database", "scheduler", "queue"}`."""
        ok, reason = self.database()
        body: dict[str, Any] = {"ok": ok}
        if not ok:
            body["reason"] = reason
        body["database"] = "ok" if ok else "failing"
        body["scheduler"] = scheduler_state(self.scheduler)
        if self.work is not None:
            body["queue"] = {"here": self.work.pending(), "unfinished": self._unfinished()}
        return ok, body

    def _unfinished(self) -> int | None:
        assert self.work is not None
        try:
            return self.work.jobs.count_unfinished()
        except DB_ERRORS as error:
            log.info("healthz could not count unfinished work: %s", type(error).__name__)
            return None
