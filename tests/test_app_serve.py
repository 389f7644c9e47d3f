"""`inmail-review serve` as a real process: HTTP on a loopback port and Socket Mode, a Slack
outage survived, SIGTERM honoured."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.conftest import BOT_TOKEN, DRAFTS, PROXY_VARS, SIGNING_SECRET, TEAM, USER, message_event, sign
from tests.slack_standin import SlackStandIn
from tests.socket_standin import SocketStandIn

ROOT = Path(__file__).resolve().parents[1]
SECRET_DRAFT = "Hi Kari, about the CONFIDENTIAL-ROLE-9 at Equinor: would you be open to a short call next week?"


class ServeProcess:
    """`python -m bot -v serve` with its stderr collected line by line (INFO level on purpose)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "-v", "serve", *args], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def wait_line(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            assert self.proc.poll() is None, "".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self._reader.join(5)
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)


def _env(slack: SlackStandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith(("SLACK_", "INMAIL_"))}
    return env | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
                  "INMAIL_DB": str(tmp_path / "serve.db"), "INMAIL_DRAFTS_CHANNELS": DRAFTS,
                  "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"} | extra


@pytest.fixture
def served(slack: SlackStandIn, tmp_path: Path) -> Iterator[tuple[ServeProcess, str]]:
    process = ServeProcess(_env(slack, tmp_path), "--host", "127.0.0.1", "--port", "0")
    url = process.wait_line(r"serving HTTP on (http://\S+)").group(1)
    yield process, url
    process.stop()


def _post_event(url: str, event: dict[str, Any]) -> requests.Response:
    body = requests.models.complexjson.dumps({
        "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:8]}",
        "event_time": int(time.time()), "event": event}).encode()
    with requests.Session() as http:
        http.trust_env = False
        return http.post(url + "/slack/events", data=body, timeout=10,
                         headers={"Content-Type": "application/json", **sign(body)})


def test_http_serve_survives_a_slack_outage_and_stops_on_sigterm(served: tuple[ServeProcess, str],
                                                                   slack: SlackStandIn) -> None:
    process, url = served
    with requests.Session() as http:
        http.trust_env = False
        assert http.get(url + "/healthz", timeout=5).json() == {"ok": True}
        assert http.get(url + "/nothing", timeout=5).status_code == 404

    slack.outage(True)
    message = slack.add_message(DRAFTS, SECRET_DRAFT, user=USER)
    assert _post_event(url, message_event(SECRET_DRAFT, ts=message["ts"])).status_code == 200
    process.wait_line(r"Slack chat.postMessage failed for draft d_\w+")
    assert process.proc.poll() is None

    slack.outage(False)
    other = slack.add_message(DRAFTS, SECRET_DRAFT.replace("Kari", "Ola"), user=USER)
    assert _post_event(url, message_event(other["text"], ts=other["ts"])).status_code == 200
    [post] = slack.wait_for("chat.postMessage", timeout=15)
    assert post.args["thread_ts"] == other["ts"]
    assert process.stop() == 0
    assert "SIGTERM received" in process.log
    assert "CONFIDENTIAL-ROLE-9" not in process.log and BOT_TOKEN not in process.log
    assert slack.violations == []


def test_refuses_to_serve_http_without_a_signing_secret(slack: SlackStandIn, tmp_path: Path) -> None:
    process = ServeProcess(_env(slack, tmp_path, SLACK_SIGNING_SECRET=""), "--port", "0")
    assert process.proc.wait(30) == 2 and "SLACK_SIGNING_SECRET" in process.log


def test_socket_mode_smoke(tmp_path: Path) -> None:
    with SocketStandIn() as socket, SlackStandIn(socket_url=socket.url) as slack:
        process = ServeProcess(_env(slack, tmp_path, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET=""))
        try:
            process.wait_line("connected over Socket Mode")
            command = {"token": "legacy", "team_id": TEAM, "channel_id": "CGENERAL", "user_id": USER,
                       "command": "/inmail", "text": SECRET_DRAFT, "api_app_id": "A0APP",
                       "response_url": slack.response_url("socket"), "trigger_id": "1.2.sock"}
            envelope = socket.send_envelope("slash_commands", command)
            assert "envelope_id" in socket.wait_ack(envelope, timeout=10)
            deadline = time.monotonic() + 15
            while not slack.responses and time.monotonic() < deadline:
                time.sleep(0.05)
            [answer] = slack.responses
            assert answer["response_type"] == "ephemeral" and answer["blocks"][0]["type"] == "header"
        finally:
            assert process.stop() == 0
        assert socket.violations == [] and slack.violations == []
        assert [c.method for c in slack.calls][:2] == ["auth.test", "apps.connections.open"]
