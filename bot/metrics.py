"""What `GET /metrics` tells Prometheus: reviews, acks, Slack's refusals, the outbox and the work queue.

One `Metrics` per app instance, each with its own registry (not prometheus_client's global one), so
several apps in one process (the tests) count apart. Counters and histograms are counted where the
thing happens; the depths (outbox, work queue, scheduler) are read when Prometheus scrapes, so they
are never stale and cost nothing between scrapes.

Labels stay few and bounded: a verdict, a language, an HTTP status, a Slack method and Slack's error
code. Never a team id (one series per workspace would grow with every install: a workspace's figures
are in App Home and the digest), a user id, a draft's words or a token.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from bot.work import WorkQueue

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Slack wants an ack within 3 s; the buckets are finest below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
REVIEW_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

Reading = Callable[[], dict[str, float | None]]


class _ReadAtScrape:
    """The gauges whose values are asked for at each scrape, a source (one query) at a time. A
    source that cannot be read (the database is down) is left out of that scrape rather than
    shown as a made-up 0."""

    def __init__(self) -> None:
        self.sources: list[tuple[dict[str, str], Reading]] = []

    def collect(self) -> Iterator[Metric]:
        for documentation, read in self.sources:
            try:
                values = read()
            except Exception as error:  # noqa: BLE001 - a scrape must answer with what it has
                log.warning("metrics %s could not be read: %s", ", ".join(documentation), type(error).__name__)
                continue
            for name, text in documentation.items():
                if values.get(name) is not None:
                    family = GaugeMetricFamily(name, text)
                    family.add_metric([], float(values[name] or 0.0))
                    yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._reviews = Counter("inmail_reviews", "Drafts reviewed, by verdict and language.",
                                ["verdict", "language"], registry=self.registry)
        self._review_seconds = Histogram("inmail_review_seconds", "Time to review a draft and store its review.",
                                         buckets=REVIEW_BUCKETS, registry=self.registry)
        self._ack_seconds = Histogram("inmail_ack_seconds", "Time to acknowledge a request from Slack (its _count is "
                                      "the acks), by the HTTP status Bolt answered.", ["status"],
                                      buckets=ACK_BUCKETS, registry=self.registry)
        self._slack_errors = Counter("inmail_slack_errors", "Slack Web API calls that failed, by method and Slack's "
                                     "error code (or the connection error).", ["method", "error"], registry=self.registry)
        self._read_at_scrape = _ReadAtScrape()
        self.registry.register(self._read_at_scrape)

    # --- counted where it happens ------------------------------------------------------------------
    def reviewed(self, verdict: str, language: str, seconds: float) -> None:
        self._reviews.labels(verdict=verdict, language=language or "unknown").inc()
        self._review_seconds.observe(seconds)

    def acked(self, status: int, seconds: float) -> None:
        self._ack_seconds.labels(status=str(status)).observe(seconds)

    def slack_failed(self, method: str, error: str) -> None:
        self._slack_errors.labels(method=method, error=error).inc()

    # --- read at scrape time -----------------------------------------------------------------------
    def gauges(self, documentation: dict[str, str], read: Reading) -> None:
        """Gauges named in `documentation` (name → help), their values from one `read()` per scrape."""
        self._read_at_scrape.sources.append((documentation, read))

    def watch_work(self, work: "WorkQueue") -> None:
        self.gauges({"inmail_work_queued": "Acknowledged work queued or running in this process."},
                    lambda: {"inmail_work_queued": work.pending()})
        self.gauges({"inmail_work_unfinished": "Acknowledged work recorded and not finished yet, in every process "
                                               "(work waiting for a retry included)."},
                    lambda: {"inmail_work_unfinished": work.jobs.count_unfinished()})

    def watch_outbox(self, outbox: Any) -> None:
        """`outbox.backlog()` → (deliveries not posted yet, when the oldest of them was created)."""
        def read() -> dict[str, float | None]:
            count, oldest = outbox.backlog()
            return {"inmail_outbox_undelivered": count, "inmail_outbox_oldest_age_seconds": _age(oldest)}

        self.gauges({"inmail_outbox_undelivered": "Alerts, digests and webhooks not delivered yet (given up ones too).",
                     "inmail_outbox_oldest_age_seconds": "Age of the oldest undelivered delivery (0 when none)."}, read)

    def watch_scheduler(self, scheduler: Any | None) -> None:
        """1 while this process's scheduler holds the lease and ticks, else 0 (0 too with none here:
        `serve --no-scheduler`); left out for a scheduler that cannot say (no `leader`)."""
        self.gauges({"inmail_scheduler_leader": "1 while this process's scheduler is the one that ticks."},
                    lambda: {"inmail_scheduler_leader": _leader_value(scheduler)})

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _age(created_at: float | None) -> float:
    return max(0.0, time.time() - created_at) if created_at else 0.0


def _leader_value(scheduler: Any | None) -> float | None:
    if scheduler is None:
        return 0.0
    leader = getattr(scheduler, "leader", None)
    return None if leader is None else float(bool(leader))
