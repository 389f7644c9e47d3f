"""The Slack stand-ins driven by Slack's own clients: if these pass, the app's tests can trust them.

Every test talks real HTTP or WebSocket on loopback through `slack_sdk.WebClient`,
`WebhookClient`, `SocketModeClient` or a real Bolt app, never through the stand-in's methods.
"""
from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import websockets.sync.client
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from tests.slack_standin import _HANDLERS, SlackStandIn, load_spec
from tests.socket_standin import SocketStandIn

# Proxy variables are cleared for every test by tests/conftest.py.


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=[{"id": "U1", "name": "kari", "tz": "Europe/Oslo", "is_admin": True}]) as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(base_url=slack.api_url, token="xoxb-test")


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def button(text: str) -> dict[str, Any]:
    return {"type": "actions", "elements": [
        {"type": "button", "action_id": "sent", "text": {"type": "plain_text", "text": text}}]}


def modal(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "draft", "title": {"type": "plain_text", "text": "Review"},
            "blocks": blocks}


def slack_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


# --- the Web API --------------------------------------------------------------------------------
def test_post_reply_update_delete_keep_state_like_slack(slack: SlackStandIn, client: WebClient) -> None:
    draft = slack.add_message("CDRAFTS", "Hi Kari, a role for you", user="U1")
    reply = client.chat_postMessage(channel="CDRAFTS", thread_ts=draft["ts"], text="Score 40",
                                    blocks=[section("*Score 40*")])
    assert reply["channel"] == "CDRAFTS" and reply["message"]["thread_ts"] == draft["ts"]
    assert float(reply["ts"]) > float(draft["ts"])

    client.chat_update(channel="CDRAFTS", ts=reply["ts"], text="Score 70", blocks=[section("*Score 70*")])
    thread = client.conversations_replies(channel="CDRAFTS", ts=draft["ts"])["messages"]
    assert [m["text"] for m in thread] == ["Hi Kari, a role for you", "Score 70"]
    assert thread[0]["reply_count"] == 1
    assert [m["ts"] for m in client.conversations_history(channel="CDRAFTS")["messages"]] == [draft["ts"]]

    client.chat_delete(channel="CDRAFTS", ts=reply["ts"])
    assert [m["ts"] for m in slack.messages("CDRAFTS")] == [draft["ts"]]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_delete(channel="CDRAFTS", ts=reply["ts"])
    assert slack_error(excinfo) == "message_not_found"
    assert [c.method for c in slack.calls] == ["chat.postMessage", "chat.update", "conversations.replies",
                                               "conversations.history", "chat.delete", "chat.delete"]
    assert slack.calls[0].args["blocks"] == [section("*Score 40*")]
    assert slack.violations == []


def test_identity_users_and_direct_messages(slack: SlackStandIn, client: WebClient) -> None:
    me = client.auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"]) == ("UBOT", "B0BOT", "T0TEAM")
    kari = client.users_info(user="U1")["user"]
    assert (kari["tz"], kari["is_admin"], kari["tz_offset"] in (3600, 7200)) == ("Europe/Oslo", True, True)
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert slack_error(excinfo) == "user_not_found"

    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D") and client.conversations_open(users=["U1"])["channel"]["id"] == dm
    posted = client.chat_postMessage(channel="U1", text="Your response rate dropped")
    assert posted["channel"] == dm and slack.messages(dm)[0]["text"] == "Your response rate dropped"
    assert client.chat_postEphemeral(channel="CDRAFTS", user="U1", text="Score 40")["message_ts"]
    link = client.chat_getPermalink(channel=dm, message_ts=posted["ts"])["permalink"]
    assert link.endswith(posted["ts"].replace(".", ""))
    client.reactions_add(channel=dm, timestamp=posted["ts"], name="eyes")
    assert slack.messages(dm)[0]["reactions"][0]["name"] == "eyes"
    assert slack.violations == []


def test_workspace_lookups(slack: SlackStandIn, client: WebClient) -> None:
    assert client.team_info()["team"]["id"] == "T0TEAM"
    assert client.bots_info(bot="B0BOT")["bot"]["user_id"] == "UBOT"
    channel = client.conversations_info(channel="CDRAFTS")["channel"]
    assert channel["is_channel"] and not channel["is_im"]
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="#drafts")
    assert slack_error(excinfo) == "channel_not_found"
    assert slack.violations == []


def test_get_with_the_token_in_the_query(slack: SlackStandIn) -> None:
    slack.add_message("C1", "draft", user="U1")
    with urllib.request.urlopen(f"{slack.api_url}conversations.history?token=xoxb-test&channel=C1") as response:
        assert [m["text"] for m in json.load(response)["messages"]] == ["draft"]
    assert slack.calls[0].args == {"token": "xoxb-test", "channel": "C1"} and slack.violations == []


def test_multipart_bodies_are_read(slack: SlackStandIn, client: WebClient) -> None:
    client.api_call("files.upload", files={"file": b"draft bytes"}, data={"channels": "C1", "filename": "d.txt"})
    assert slack.calls[0].args == {"channels": "C1", "filename": "d.txt", "file": b"draft bytes"}
    assert slack.violations == []


def test_views_open_update_and_home_tab(slack: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id="123.456.abc", view=modal([section("Paste your draft")]))["view"]
    assert opened["id"] in slack.views and opened["hash"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="123.456.abc", view=modal([section("again")]))
    assert slack_error(excinfo) == "exchanged_trigger_id"

    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=opened["id"], hash="stale", view=modal([section("Reviewing…")]))
    assert slack_error(excinfo) == "hash_conflict"
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal([section("Reviewing…")]))
    assert slack.views[opened["id"]]["blocks"] == [section("Reviewing…")]

    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("Response rate 21%")]})
    home = slack.home_tab("U1")
    assert home is not None and home["blocks"] == [section("Response rate 21%")]
    assert slack.violations == []


def test_files_upload_v2_delivers_the_bytes(slack: SlackStandIn, client: WebClient) -> None:
    content = "recruiter,sent,replied\nkari,10,3\n".encode()
    done = client.files_upload_v2(channel="CDIGEST", content=content, filename="digest.csv",
                                  title="Weekly digest", initial_comment="This week")
    file_id = done["file"]["id"]
    assert slack.uploads[file_id].data == content and slack.uploads[file_id].channel == "CDIGEST"
    shared = slack.messages("CDIGEST")[0]
    assert shared["text"] == "This week" and shared["files"][0]["title"] == "Weekly digest"
    assert slack.violations == []


def test_a_missing_required_argument_is_refused_and_recorded(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", json={"text": "no channel"})
    assert slack_error(excinfo) == "invalid_arguments"
    assert slack.calls[0].args == {"text": "no channel"}
    assert slack.calls[0].response == {"ok": False, "error": "invalid_arguments", "response_metadata": {
        "messages": ["[ERROR] missing required argument(s): channel"]}}
    assert slack.violations == ["chat.postMessage: invalid_arguments: missing required argument(s): channel"]


def test_views_open_needs_a_trigger(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("views.open", json={"view": modal([section("x")])})
    assert slack_error(excinfo) == "invalid_arguments"
    assert "trigger_id or interactivity_pointer" in slack.violations[0]


def test_an_unknown_method_is_refused(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessages", json={"channel": "C1", "text": "typo"})
    assert slack_error(excinfo) == "unknown_method"
    assert slack.violations[0].startswith("chat.postMessages: unknown_method")


@pytest.mark.parametrize(("token", "method", "error"), [
    (None, "auth.test", "not_authed"),
    ("xapp-test", "auth.test", "not_allowed_token_type"),
    ("xoxb-test", "apps.connections.open", "not_allowed_token_type"),
])
def test_tokens_are_checked(slack: SlackStandIn, token: str | None, method: str, error: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=slack.api_url, token=token).api_call(method)
    assert slack_error(excinfo) == error and len(slack.violations) == 1


def test_the_token_may_come_as_an_argument(slack: SlackStandIn) -> None:
    assert WebClient(base_url=slack.api_url).api_call("auth.test", params={"token": "xoxb-test"})["ok"]
    assert slack.violations == []


def test_an_argument_slack_does_not_know_is_a_violation_but_ignored(slack: SlackStandIn, client: WebClient) -> None:
    client.api_call("chat.postMessage", json={"channel": "C1", "text": "hi", "threadts": "1.2"})
    assert slack.violations == ["chat.postMessage: argument 'threadts' is not in Slack's description of this method"]


def test_json_bodies_only_where_slack_takes_them(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("users.info", json={"user": "U1"})
    assert slack_error(excinfo) == "invalid_arguments"
    assert slack.violations == ["users.info: invalid_arguments: this method does not take a JSON body"]


@pytest.mark.parametrize(("blocks", "refused"), [
    ([section("x" * 3000)], False), ([section("x" * 3001)], True),
    ([header("x" * 150)], False), ([header("x" * 151)], True),
    ([button("x" * 75)], False), ([button("x" * 76)], True),
    ([section("x")] * 50, False), ([section("x")] * 51, True),
    ([{"type": "no_such_block"}], True),
])
def test_block_kit_limits(slack: SlackStandIn, client: WebClient, blocks: list[dict[str, Any]], refused: bool) -> None:
    if refused:
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", text="review", blocks=blocks)
        assert slack_error(excinfo) == "invalid_blocks"
        assert slack.violations and slack.messages("C1") == []
    else:
        client.chat_postMessage(channel="C1", text="review", blocks=blocks)
        assert slack.violations == []


def test_message_text_limit(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x" * 40_000)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert slack_error(excinfo) == "msg_too_long" and len(slack.violations) == 1


def test_modal_limits(slack: SlackStandIn, client: WebClient) -> None:
    client.views_open(trigger_id="1.2.a", view=modal([section("x")] * 100))
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="1.2.b", view=modal([section("x")] * 101))
    assert slack_error(excinfo) == "invalid_blocks" and "100 blocks" in slack.violations[0]
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="1.2.c", view={"type": "home", "blocks": [section("x")]})
    assert len(slack.violations) == 2


# --- fault injection ----------------------------------------------------------------------------
def test_rate_limit_is_retried_by_slacks_retry_handler(slack: SlackStandIn) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=0)
    client = WebClient(base_url=slack.api_url, token="xoxb-test",
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    calls = slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].response is not None and calls[1].response["ok"] is True
    assert len(slack.messages("C1")) == 1


def test_rate_limit_answer_carries_retry_after(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"


def test_an_injected_error_comes_once(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("users.info", error="internal_error")
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U1")
    assert slack_error(excinfo) == "internal_error" and excinfo.value.response.status_code == 200
    assert client.users_info(user="U1")["user"]["id"] == "U1"


def test_a_delayed_answer_outlasts_the_clients_timeout(slack: SlackStandIn) -> None:
    slack.fail("auth.test", delay=5)
    with pytest.raises((TimeoutError, socket.timeout)):
        WebClient(base_url=slack.api_url, token="xoxb-test", timeout=1).auth_test()
    assert slack.wait_for("auth.test")[0].args == {}


def test_outage_refuses_everything_until_over(slack: SlackStandIn, client: WebClient) -> None:
    slack.outage(True)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == 503
    assert slack.calls == [] and [c.method for c in slack.refused] == ["chat.postMessage"]
    slack.outage(False)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]


def test_wait_for_explains_a_timeout(slack: SlackStandIn, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"chat.postMessage.*calls so far: \['auth.test'\]"):
        slack.wait_for("chat.postMessage", timeout=0.1)


def test_reset_forgets_calls_and_content(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="hi")
    with pytest.raises(SlackApiError):
        client.api_call("no.suchMethod")
    slack.reset()
    assert (slack.calls, slack.violations, slack.messages("C1")) == ([], [], [])
    assert client.users_info(user="U1")["ok"]


# --- response_url -------------------------------------------------------------------------------
def test_response_url_takes_five_posts(slack: SlackStandIn) -> None:
    hook = WebhookClient(slack.response_url("cmd"))
    statuses = [hook.send(text=f"answer {n}", response_type="ephemeral").status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert [r["text"] for r in slack.responses] == [f"answer {n}" for n in range(5)]
    assert slack.violations == ["response_url 'cmd': post 6, Slack allows 5"]


def test_response_url_checks_blocks(slack: SlackStandIn) -> None:
    response = WebhookClient(slack.response_url()).send(text="x", blocks=[header("x" * 151)])
    assert response.status_code == 400 and len(slack.violations) == 1


# --- the description files ----------------------------------------------------------------------
def test_every_handled_method_is_one_slack_describes(slack: SlackStandIn) -> None:
    assert [m for m in _HANDLERS if load_spec(slack.spec_dir, m) is None] == []


def test_spec_dir_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "methods").mkdir()
    (tmp_path / "methods" / "only.method.json").write_text(json.dumps({"args": {"required": ["token"]}}))
    monkeypatch.setenv("SLACK_SPEC_DIR", str(tmp_path))
    with SlackStandIn() as standin:
        client = WebClient(base_url=standin.api_url, token="xoxb-test")
        assert client.api_call("only.method", params={})["ok"]
        with pytest.raises(SlackApiError):
            client.auth_test()


# --- Socket Mode --------------------------------------------------------------------------------
@pytest.fixture
def socket_mode(slack: SlackStandIn) -> Iterator[SocketStandIn]:
    with SocketStandIn() as server:
        slack.socket_url = server.url
        yield server


def test_socket_mode_client_receives_an_envelope_and_acks_it(slack: SlackStandIn, socket_mode: SocketStandIn) -> None:
    received: list[SocketModeRequest] = []

    def on_request(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "ok"}))

    client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=slack.api_url))
    client.socket_mode_request_listeners.append(on_request)
    try:
        client.connect()
        envelope_id = socket_mode.send_envelope("slash_commands", {"command": "/inmail", "text": "help"})
        assert socket_mode.wait_ack(envelope_id) == {"envelope_id": envelope_id, "payload": {"text": "ok"}}
    finally:
        client.close()
    assert received[0].type == "slash_commands" and received[0].payload["text"] == "help"
    assert [c.method for c in slack.calls] == ["apps.connections.open"]
    assert slack.violations == [] and socket_mode.violations == []


def test_socket_mode_hello_and_stray_acknowledgements(socket_mode: SocketStandIn) -> None:
    with websockets.sync.client.connect(socket_mode.url) as connection:
        hello = json.loads(connection.recv(timeout=5))
        assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == "A0APP"
        envelope_id = socket_mode.send_envelope("events_api", {"event": {"type": "message"}}, "e1")
        envelope = json.loads(connection.recv(timeout=5))
        assert (envelope["envelope_id"], envelope["accepts_response_payload"], envelope["retry_attempt"]) == (
            "e1", False, 0)
        last = socket_mode.send_envelope("interactive", {"type": "block_actions"}, "e2")
        for ack in ("never-sent", envelope_id, envelope_id, last):  # handled in order: e2 comes last
            connection.send(json.dumps({"envelope_id": ack}))
        assert socket_mode.wait_ack(last) == {"envelope_id": "e2"}
    assert socket_mode.wait_ack(envelope_id) == {"envelope_id": "e1"}
    assert socket_mode.violations[0].startswith("message from the client acknowledges no sent envelope")
    assert socket_mode.violations[1:] == ["envelope e1 acknowledged twice"]


def test_a_bolt_app_runs_unchanged_against_the_stand_ins(slack: SlackStandIn, socket_mode: SocketStandIn) -> None:
    app = App(client=WebClient(base_url=slack.api_url, token="xoxb-test"), signing_secret="unused")

    @app.command("/inmail")
    def review(ack: Any, respond: Any, say: Any, command: dict[str, Any]) -> None:
        ack()
        respond(text="Reviewing…", blocks=[section("Reviewing…")])
        say(text=f"Reviewed for <@{command['user_id']}>")

    handler = SocketModeHandler(app, app_token="xapp-test")
    try:
        handler.connect()
        envelope_id = socket_mode.send_envelope("slash_commands", {
            "command": "/inmail", "text": "Hi Kari", "user_id": "U1", "channel_id": "CDRAFTS",
            "team_id": "T0TEAM", "trigger_id": "1.2.c", "response_url": slack.response_url("cmd")})
        assert socket_mode.wait_ack(envelope_id)["envelope_id"] == envelope_id
        slack.wait_for("chat.postMessage")
    finally:
        handler.close()
    assert slack.responses[0]["text"] == "Reviewing…"
    assert slack.messages("CDRAFTS")[0]["text"] == "Reviewed for <@U1>"
    assert slack.calls[0].method == "auth.test"
    assert slack.violations == [] and socket_mode.violations == []
