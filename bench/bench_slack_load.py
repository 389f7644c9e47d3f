"""Slash-command load on loopback: signed `/inmail <draft>` requests at a steady rate.

The real app (create_app + waitress, the real reviewer, a SQLite file) answers through the
local Slack stand-in from tests/. Prints ack latency percentiles, answers received vs
commands sent, and duplicated answers. No assertions: the numbers go in the README.

    .venv/bin/python bench/bench_slack_load.py [--rate 20] [--duration 60]
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from loopback import DRAFTS, loopback_only  # noqa: E402  (bench/, the script's own folder)

loopback_only()

import requests  # noqa: E402

from bot.app import create_app, make_work  # noqa: E402
from bot.serve import http_server, run_http, stop_http  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.store import Store  # noqa: E402
from rules import Reviewer  # noqa: E402
from tests.slack_standin import SlackStandIn  # noqa: E402

SECRET = "bench-signing-secret"


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="commands per second (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    args = parser.parse_args()

    local = threading.local()
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=slack.api_url,
                            db_path=str(Path(tmp) / "bench.db"))
        reviewer = Reviewer.load()
        reviewer.warm()
        store = Store.open(settings.db_path)
        work = make_work(settings)
        app = create_app(settings, store, reviewer, work)
        work.start()
        server = http_server(app, settings, "127.0.0.1", 0)
        serving = threading.Thread(target=run_http, args=(server,), daemon=True)
        serving.start()
        url = f"http://127.0.0.1:{server.effective_port}/slack/events"

        latencies: list[float] = []
        failures: Counter[str] = Counter()
        lock = threading.Lock()

        def send(n: int) -> None:
            if not hasattr(local, "http"):
                local.http = requests.Session()
                local.http.trust_env = False
            body = urlencode({"team_id": "T0TEAM", "channel_id": "CBENCH", "user_id": f"U{n % 7}",
                              "command": "/inmail", "text": DRAFTS[n % len(DRAFTS)],
                              "response_url": slack.response_url(f"r{n}"), "trigger_id": f"{n}.1.x"}).encode()
            started = time.perf_counter()
            try:
                status = local.http.post(url, data=body, headers=signed(body), timeout=10).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures[str(status)] += 1

        sent = 0
        with ThreadPoolExecutor(32, thread_name_prefix="bench-client") as clients:
            start = time.perf_counter()
            while (due := start + sent / args.rate) < start + args.duration:
                time.sleep(max(0.0, due - time.perf_counter()))
                clients.submit(send, sent)
                sent += 1
        deadline = time.monotonic() + 30
        while len(slack.responses) < sent and time.monotonic() < deadline:
            time.sleep(0.1)

        stop_http(server)
        serving.join(10)
        work.stop()
        work.jobs.store.close()
        store.close()

        answered = Counter(r["blocks"][-1]["elements"][0]["value"] for r in slack.responses if r.get("blocks"))
        ms = [1000 * v for v in latencies]
        print(f"slash commands: {sent} sent at {args.rate:g}/s for {args.duration:g}s on loopback")
        if ms:
            print(f"ack latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
                  f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}")
        print(f"acks: {len(latencies)} ok, failed: {dict(failures) or 0}")
        print(f"answers: {len(slack.responses)} received for {sent} commands, "
              f"{len(answered)} distinct drafts, duplicates {sum(n - 1 for n in answered.values())}, "
              f"lost {sent - len(answered)}")
        print(f"stand-in violations: {len(slack.violations)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
