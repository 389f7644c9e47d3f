"""Several `serve` workers on one database behind a loopback round-robin proxy (issue 13).

Three real `inmail-review serve` processes (waitress, the real reviewer) share one PostgreSQL
server (a throw-away cluster from tests/postgres.py; `--db sqlite` for one SQLite file instead)
behind a small proxy written here, which hands each request to the next worker in turn and the
next one after that when a worker does not answer, as a load balancer does. The Slack stand-in
from tests/ plays Slack's Web API. Drafts-channel messages arrive as signed events at `--rate`
per second for `--seconds`, and every event is delivered a second time, with Slack's retry
headers and the same event id, to another worker than the first. Half the drafts are copies of
ten templates to different people, so the shared template history is exercised across workers
(each template has about 150 copies in the window by the end of a phase).

Two phases, each on a fresh database:

1. `steady`: the three workers run throughout;
2. `kill`: one worker is killed (SIGKILL) halfway through and started again at once.

Prints, per phase: ack latency p50/p99 (first deliveries and retries), reviews per second (drafts
answered over the time from the first event to the last answer), duplicates (drafts answered
more than once), lost (acknowledged drafts still unanswered when answers stopped coming for
`--stall` seconds, or after `--drain`), and how many workers led the scheduler. When the
workers cannot keep up with `--rate`, the backlog is answered after the load: reviews per
second is then what they sustain. No assertions: the numbers go in the README.

    .venv/bin/python bench/bench_workers.py [--db postgresql|sqlite] [--rate 50] [--seconds 60]
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from loopback import loopback_only  # noqa: E402  (bench/, the script's own folder)

loopback_only()

import requests  # noqa: E402

from tests.conftest import sign  # noqa: E402  (the same signing the tests use)
from tests.serve_process import ServeProcess, serve_env  # noqa: E402
from tests.slack_standin import SlackStandIn  # noqa: E402

CHANNEL = "CDRAFTS"
TEAM = "T0TEAM"
BACKEND_HEADER = "X-Bench-Backend"  # the proxy says which worker answered
AVOID_HEADER = "X-Bench-Avoid"  # and skips the worker named here (a retry goes elsewhere)
TEMPLATE = ("Hi {name},\n\nI came across your profile and was impressed by your background in {field}. "
            "{company} is building a new logistics platform in Oslo and we are looking for senior engineers who enjoy "
            "owning services end to end, from design reviews to on-call. The team works with Kotlin, PostgreSQL and "
            "Kafka, ships several times a day, and has a generous budget for conferences and courses.\n\n"
            "Would you be open to a 20-minute call next week?")
PERSONAL = ("Hi {name}, I read your post on migrating payment events to Kafka without downtime (number {n}). "
            "Our platform team in Stavanger needs exactly that. Would a 15-minute call next week work?")
NAMES = ["Kari", "Ola", "Nora", "Jonas", "Emma", "Lars", "Ingrid", "Tor", "Sara", "Marco", "Giulia", "Per"]
# Ten campaigns: the template with its field and company filled in once per campaign.
CAMPAIGNS = [(field, company) for field in ("backend development", "data engineering")
             for company in ("Kolonial", "Vipps", "Equinor", "Finn", "Schibsted")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class RoundRobin:
    """A loopback HTTP proxy: each request to the next live worker; on a refused or broken
    connection, the one after (a 502 only when none answers)."""

    def __init__(self) -> None:
        self.backends: list[str | None] = []
        self._turn = itertools.count()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                answer = proxy.forward(self.path, body, headers, self.headers.get(AVOID_HEADER))
                status, reply_headers, data, backend = answer
                self.send_response(status)
                for name, value in reply_headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header(BACKEND_HEADER, str(backend))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set_backend(self, index: int, url: str | None) -> None:
        with self._lock:
            self.backends += [None] * (index + 1 - len(self.backends))
            self.backends[index] = url

    def forward(self, path: str, body: bytes, headers: dict[str, str],
                avoid: str | None) -> tuple[int, list[tuple[str, str]], bytes, int]:
        first = next(self._turn)
        with self._lock:
            backends = list(self.backends)
        for step in range(len(backends)):
            index = (first + step) % len(backends)
            url = backends[index]
            if url is None or (avoid is not None and str(index) == avoid and step < len(backends) - 1):
                continue
            target = urlsplit(url)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read(), index
            except OSError:
                continue  # that worker is down: the next one
            finally:
                conn.close()
        return 502, [], b"no worker answered", -1

    def close(self) -> None:
        self.server.shutdown()


class Load:
    """Sends one phase's events (each twice: the delivery, then Slack's retry to another worker)."""

    def __init__(self, url: str, slack: SlackStandIn) -> None:
        self.url, self.slack = url, slack
        self.local = threading.local()
        self.lock = threading.Lock()
        self.first: list[float] = []
        self.retries: list[float] = []
        self.failures: Counter[str] = Counter()
        self.acked: list[str] = []  # message ts with at least one delivery acknowledged

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int | str, float, str]:
        if not hasattr(self.local, "http"):
            self.local.http = requests.Session()
            self.local.http.trust_env = False
        started = time.perf_counter()
        try:
            response = self.local.http.post(self.url + "/slack/events", data=body, timeout=10, headers=headers)
            status, backend = response.status_code, response.headers.get(BACKEND_HEADER, "")
        except requests.RequestException as error:
            status, backend = type(error).__name__, ""
        return status, time.perf_counter() - started, backend

    def send(self, n: int) -> None:
        name = NAMES[n % len(NAMES)]
        field, company = CAMPAIGNS[(n // 2) % len(CAMPAIGNS)]
        text = TEMPLATE.format(name=name, field=field, company=company) if n % 2 else PERSONAL.format(name=name, n=n)
        user = f"U{n % 7}"
        message = self.slack.add_message(CHANNEL, text, user=user)
        envelope = {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
                    "event_id": f"Ev{n:06d}BENCH", "event_time": int(time.time()),
                    "event": {"type": "message", "channel": CHANNEL, "user": user, "text": text, "ts": message["ts"],
                              "event_ts": message["ts"], "channel_type": "channel"}}
        body = json.dumps(envelope).encode()
        status, elapsed, backend = self._post(body, {"Content-Type": "application/json", **sign(body)})
        self._record(self.first, status, elapsed)
        time.sleep(random.uniform(0, 0.1))
        retry = {"Content-Type": "application/json", "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout",
                 AVOID_HEADER: backend, **sign(body)}
        retry_status, retry_elapsed, _ = self._post(body, retry)
        self._record(self.retries, retry_status, retry_elapsed)
        if 200 in (status, retry_status):
            with self.lock:
                self.acked.append(message["ts"])

    def _record(self, latencies: list[float], status: int | str, elapsed: float) -> None:
        with self.lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                self.failures[str(status)] += 1


def answered(slack: SlackStandIn) -> Counter[str]:
    """How many answers each draft message got (the app's replies in its thread)."""
    return Counter(m["thread_ts"] for m in slack.messages(CHANNEL) if m.get("bot_id") and m.get("thread_ts"))


def run_phase(phase: str, db: str, slack: SlackStandIn, tmp: Path, args: argparse.Namespace) -> None:
    slack.reset()
    proxy = RoundRobin()
    env = serve_env(slack, tmp, INMAIL_DB=db, INMAIL_DRAFTS_CHANNELS=CHANNEL, INMAIL_WORKERS=str(args.threads),
                    INMAIL_LEASE_S=str(args.lease))
    workers: dict[int, ServeProcess] = {}
    killed: list[ServeProcess] = []

    def start(index: int) -> None:
        process = ServeProcess(env, "--host", "127.0.0.1", "--port", "0")
        workers[index] = process
        proxy.set_backend(index, process.wait_line(r"serving HTTP on (http://\S+)", timeout=120).group(1))

    try:
        for index in range(args.workers):
            start(index)
        load = Load(proxy.url, slack)
        sent, kill_at = 0, (args.seconds / 2 if phase == "kill" else None)
        restart: threading.Thread | None = None
        with ThreadPoolExecutor(64, thread_name_prefix="bench-client") as clients:
            began = time.perf_counter()
            while (due := began + sent / args.rate) < began + args.seconds:
                time.sleep(max(0.0, due - time.perf_counter()))
                if kill_at is not None and due - began >= kill_at:
                    kill_at = None
                    proxy.set_backend(0, None)  # what a load balancer's health check would notice
                    killed.append(workers[0])
                    workers[0].kill()
                    restart = threading.Thread(target=start, args=(0,))
                    restart.start()
                clients.submit(load.send, sent)
                sent += 1
        if restart is not None:
            restart.join()
        deadline = time.monotonic() + args.drain
        last_answer = time.perf_counter()
        seen = 0
        while time.monotonic() < deadline and time.perf_counter() - last_answer < args.stall:
            counts = answered(slack)
            if len(counts) != seen:
                seen, last_answer = len(counts), time.perf_counter()
            if all(counts[ts] for ts in load.acked):
                break
            time.sleep(0.25)
        time.sleep(3)  # anything answered twice shows up now
        counts = answered(slack)
        _report(phase, args, sent, load, counts, last_answer - began, [*workers.values(), *killed])
    finally:
        for process in workers.values():
            if process.proc.poll() is None:
                process.stop()
        proxy.close()


def _report(phase: str, args: argparse.Namespace, sent: int, load: Load, counts: Counter[str], elapsed: float,
            processes: list[ServeProcess]) -> None:
    per_draft = [counts[ts] for ts in load.acked]
    first, retries = [1000 * v for v in load.first], [1000 * v for v in load.retries]
    leaders = sum("scheduler: this process leads" in p.log for p in processes)
    tracebacks = sum(p.log.count("Traceback") for p in processes)

    def line(name: str, ms: list[float]) -> str:
        return (f"{name} p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, "
                f"mean {statistics.fmean(ms):.1f} ms" if ms else f"{name}: none acknowledged")

    print(f"[{phase}] {sent} events at {args.rate:g}/s for {args.seconds:g} s to {args.workers} workers "
          f"({args.db}), each delivered twice; {len(load.acked)} drafts acknowledged")
    print(f"[{phase}] ack: {line('first delivery', first)}; {line('retry', retries)}")
    print(f"[{phase}] acks failed: {dict(load.failures) or 0}")
    answered_drafts = sum(1 for c in per_draft if c)
    print(f"[{phase}] reviews: {answered_drafts} answered in {elapsed:.1f} s = {answered_drafts / elapsed:.1f}/s; "
          f"duplicates {sum(c - 1 for c in per_draft if c > 1)}; lost {sum(1 for c in per_draft if c == 0)}")
    print(f"[{phase}] scheduler leaders seen: {leaders} of {len(processes)} processes; tracebacks {tracebacks}")


def _databases(kind: str, tmp: Path) -> tuple[Callable[[str], str], Callable[[], None]]:
    """A fresh database per phase (a name → its URL or path), and how to stop the server."""
    if kind == "sqlite":
        return (lambda phase: str(tmp / f"{phase}.db")), (lambda: None)
    import psycopg

    from tests.postgres import start_cluster

    cluster = start_cluster()

    def fresh(phase: str) -> str:
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE bench_{phase}")
        return cluster.url.rsplit("/", 1)[0] + f"/bench_{phase}"

    return fresh, cluster.stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql",
                        help="the shared database (default: a throw-away PostgreSQL cluster)")
    parser.add_argument("--rate", type=float, default=50.0, help="events per second (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load per phase (default 60)")
    parser.add_argument("--workers", type=int, default=3, help="serve processes (default 3)")
    parser.add_argument("--threads", type=int, default=8, help="INMAIL_WORKERS of each process (default 8)")
    parser.add_argument("--lease", type=int, default=10,
                        help="INMAIL_LEASE_S: how soon a killed worker's work is taken up (default 10)")
    parser.add_argument("--drain", type=float, default=900.0, help="max seconds to wait for answers per phase")
    parser.add_argument("--stall", type=float, default=60.0,
                        help="stop waiting when no answer came for this many seconds (default 60)")
    parser.add_argument("--phases", default="steady,kill", help="which phases to run (default steady,kill)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, SlackStandIn() as slack:
        tmp = Path(folder)
        fresh, stop = _databases(args.db, tmp)
        try:
            for phase in args.phases.split(","):
                run_phase(phase, fresh(phase), slack, tmp, args)
        finally:
            stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
