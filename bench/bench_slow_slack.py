"""Slow-Slack load on loopback: signed requests at a steady rate while Slack is slow, then while
it answers 429 with `Retry-After: 20`.

A real `inmail-review serve` process (waitress, the real reviewer, a SQLite file) is driven by
signed slash commands (answered at their `response_url`) and drafts-channel message events
(answered with `chat.postMessage` in the thread), 3 to 1, against the Slack stand-in from
tests/ in this process:

1. `slow`: every Web API call and every response_url post takes `--slow` seconds (2 s);
2. `429`: the first `--limited` posts of each kind are answered 429 with `Retry-After: 20`.

Prints, per phase, the ack latency percentiles, answers lost (acknowledged, never answered by
the end of the drain) and duplicates (answered twice). Bounded: `--rate` × `--duration`
requests per phase, at most `--drain` seconds of waiting each. No assertions: the numbers go in
the README.

    .venv/bin/python bench/bench_slow_slack.py [--rate 20] [--duration 60] [--workers 48]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from loopback import DRAFTS, loopback_only  # noqa: E402  (bench/, the script's own folder)

loopback_only()

import requests  # noqa: E402

from tests.conftest import sign  # noqa: E402  (the same signing the tests use)
from tests.serve_process import ServeProcess, serve_env  # noqa: E402
from tests.slack_standin import SlackStandIn  # noqa: E402

CHANNEL = "CDRAFTS"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Load:
    """Sends one phase's requests and remembers which were acknowledged."""

    def __init__(self, url: str, slack: SlackStandIn, phase: str) -> None:
        self.url, self.slack, self.phase = url, slack, phase
        self.local = threading.local()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()
        self.busy = 0
        self.commands: list[str] = []  # response_url names acknowledged
        self.messages: list[str] = []  # message ts acknowledged

    def _post(self, body: bytes, content_type: str) -> tuple[int | str, float, str]:
        if not hasattr(self.local, "http"):
            self.local.http = requests.Session()
            self.local.http.trust_env = False
        started = time.perf_counter()
        try:
            response = self.local.http.post(self.url + "/slack/events", data=body, timeout=10,
                                            headers={"Content-Type": content_type, **sign(body)})
            status, text = response.status_code, response.text
        except requests.RequestException as error:
            status, text = type(error).__name__, ""
        return status, time.perf_counter() - started, text

    def send(self, n: int) -> None:
        text = f"{DRAFTS[n % len(DRAFTS)]} ({self.phase} {n})"
        if n % 4 == 3:
            message = self.slack.add_message(CHANNEL, text, user=f"U{n % 7}")
            envelope = {"token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
                        "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
                        "event": {"type": "message", "channel": CHANNEL, "user": f"U{n % 7}", "text": text,
                                  "ts": message["ts"], "event_ts": message["ts"], "channel_type": "channel"}}
            status, elapsed, reply = self._post(json.dumps(envelope).encode(), "application/json")
            key, kept = message["ts"], self.messages
        else:
            name = f"{self.phase}-{n}"
            body = urlencode({"team_id": "T0TEAM", "channel_id": "CBENCH", "user_id": f"U{n % 7}", "command": "/inmail",
                              "text": text, "response_url": self.slack.response_url(name),
                              "trigger_id": f"{n}.{self.phase}.x"}).encode()
            status, elapsed, reply = self._post(body, "application/x-www-form-urlencoded")
            key, kept = name, self.commands
        with self.lock:
            if status == 200:
                self.latencies.append(elapsed)
                kept.append(key)
                self.busy += "queued" in reply
            else:
                self.failures[str(status)] += 1


def answers(slack: SlackStandIn, load: Load) -> tuple[Counter[str], Counter[str]]:
    """How often each acknowledged command and channel message was answered."""
    by_url: Counter[str] = Counter()
    for call_name in slack.response_names():
        by_url[call_name] += 1
    threads = Counter(m["thread_ts"] for m in slack.messages(CHANNEL) if m.get("bot_id") and m.get("thread_ts"))
    return (Counter({k: by_url[k] for k in load.commands}), Counter({k: threads[k] for k in load.messages}))


def run_phase(url: str, slack: SlackStandIn, phase: str, rate: float, duration: float, drain: float) -> None:
    load = Load(url, slack, phase)
    sent = 0
    with ThreadPoolExecutor(64, thread_name_prefix="bench-client") as clients:
        start = time.perf_counter()
        while (due := start + sent / rate) < start + duration:
            time.sleep(max(0.0, due - time.perf_counter()))
            clients.submit(load.send, sent)
            sent += 1
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline:
        commands, threads = answers(slack, load)
        if all(commands[k] for k in load.commands) and all(threads[k] for k in load.messages):
            break
        time.sleep(0.5)
    drained = time.monotonic() - (deadline - drain)
    time.sleep(3)  # anything answered twice shows up now
    commands, threads = answers(slack, load)
    counts = list(commands.values()) + list(threads.values())
    ms = [1000 * v for v in load.latencies]
    print(f"[{phase}] {sent} requests at {rate:g}/s for {duration:g}s ({len(load.commands)} commands, "
          f"{len(load.messages)} channel messages acknowledged)")
    if ms:
        print(f"[{phase}] ack ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}"
              f"  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}; over 3 s: {sum(v > 3000 for v in ms)}")
    print(f"[{phase}] acks failed: {dict(load.failures) or 0}; acks saying busy/queued: {load.busy}")
    print(f"[{phase}] answers: lost {sum(1 for c in counts if c == 0)}, duplicates {sum(c - 1 for c in counts if c > 1)}"
          f" (all answered {drained:.0f}s after the load ended)" if all(counts) else
          f"[{phase}] answers: lost {sum(1 for c in counts if c == 0)} after {drain:g}s of drain, "
          f"duplicates {sum(c - 1 for c in counts if c > 1)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per phase (default 60)")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds every Slack call takes in phase 1 (default 2)")
    parser.add_argument("--limited", type=int, default=100, help="posts of each kind answered 429 in phase 2 (default 100)")
    parser.add_argument("--workers", type=int, default=48, help="INMAIL_WORKERS of the serve process (default 48)")
    parser.add_argument("--drain", type=float, default=120.0, help="max seconds to wait for answers per phase")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        env = serve_env(slack, Path(tmp), INMAIL_WORKERS=str(args.workers), INMAIL_DRAFTS_CHANNELS=CHANNEL)
        process = ServeProcess(env, "--host", "127.0.0.1", "--port", "0")
        url = process.wait_line(r"serving HTTP on (http://\S+)").group(1)
        try:
            slack.slow(args.slow)
            run_phase(url, slack, "slow", args.rate, args.duration, args.drain)
            slack.slow(0)
            for method in ("chat.postMessage", "response_url"):
                slack.fail(method, status=429, retry_after=20, times=args.limited)
            run_phase(url, slack, "429", args.rate, args.duration, args.drain)
        finally:
            process.stop()
        given_up = len(re.findall(r"given up", process.log))
        print(f"serve: workers {args.workers}; work given up {given_up}; tracebacks {process.log.count('Traceback')}; "
              f"stand-in violations {len(slack.violations)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
