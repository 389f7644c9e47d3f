"""`inmail-review serve` as a real process: HTTP on a loopback port and Socket Mode, a Slack
outage survived, SIGTERM honoured."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.conftest import BOT_TOKEN, DRAFTS, TEAM, USER, message_event, sign
from tests.serve_process import ServeProcess, serve_env
from tests.slack_standin import SlackStandIn
from tests.socket_standin import SocketStandIn

SECRET_DRAFT = "Hi Kari, about the CONFIDENTIAL-ROLE-9 at Equinor: would you be open to a short call next week?"


@pytest.fixture
def served(slack: SlackStandIn, tmp_path: Path) -> Iterator[tuple[ServeProcess, str]]:
    process = ServeProcess(serve_env(slack, tmp_path), "--host", "127.0.0.1", "--port", "0")
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
        assert http.get(url + "/healthz", timeout=5).json()["ok"] is True
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
    process = ServeProcess(serve_env(slack, tmp_path, SLACK_SIGNING_SECRET=""), "--port", "0")
    assert process.proc.wait(30) == 2 and "SLACK_SIGNING_SECRET" in process.log


def test_socket_mode_smoke(tmp_path: Path) -> None:
    with SocketStandIn() as socket, SlackStandIn(socket_url=socket.url) as slack:
        process = ServeProcess(serve_env(slack, tmp_path, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET=""))
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
