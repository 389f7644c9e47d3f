"""Issue 13 item 1: the app distributed to many workspaces. Slack's OAuth v2 install flow (the
"Add to Slack" page, the redirect, one-use states), every call with its workspace's own token
(refreshed when it expires, for requests and background work alike), each workspace's own
drafts, figures, template history and digest, and what an uninstall leaves behind.

The real app over HTTP in OAuth mode (`SlackAppServer` with a client id and secret, no bot
token); the Slack stand-in plays Slack's side of OAuth (`SlackStandIn.distribute`) and answers
a call whose token it did not issue, or revoked, with `invalid_auth`."""
from __future__ import annotations

import html
import json
import time
import uuid
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.i18n import translator
from bot.manifest import bot_scopes
from bot.oauth import credentials_problem, team_clients
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.slack_client import make_client
from models.digest import week_of
from models.installations import Installations
from models.outreach import Outreach
from models.team_data import team_tables
from models.team_settings import TeamSettings
from bot.serve import INSTALL_PATH
from tests.conftest import SlackAppServer, message_event
from tests.oauth_flow import (CLIENT_ID, CLIENT_SECRET, REDIRECT, come_back, distributed_settings, install,
                              open_install_page, send_command, send_event)
from tests.serve_process import ServeProcess, serve_env, start_http
from tests.slack_standin import SlackStandIn
from tests.slack_ui import form_values
from tests.test_app_history import TEMPLATE

DRAFTS = {"T1": "C1DRAFTS", "T2": "C2DRAFTS"}
DIGESTS = {"T1": "C1DIGEST", "T2": "C2DIGEST"}
RECRUITER = {"T1": "U1", "T2": "U2"}
APP_WIDE_TABLES = {"schema_migrations", "trait_sets"}


@pytest.fixture
def distributed(slack: SlackStandIn, db_url: str, reviewer: Any) -> Iterator[SlackAppServer]:
    """The app in OAuth mode, on each backend."""
    server = SlackAppServer(distributed_settings(slack, db_url, drafts_channels=tuple(DRAFTS.values())), reviewer)
    yield server
    server.close()


def post_draft(app: SlackAppServer, slack: SlackStandIn, team: str, text: str) -> str:
    """A recruiter of `team` posts a draft in the team's drafts channel; the id of the stored draft."""
    message = slack.add_message(DRAFTS[team], text, user=RECRUITER[team])
    send_event(app, team, message_event(text, ts=message["ts"], channel=DRAFTS[team], user=RECRUITER[team], team=team))
    app.drain()
    return app.store.draft_for_message(team, DRAFTS[team], message["ts"])["id"]


def command(app: SlackAppServer, slack: SlackStandIn, team: str, text: str) -> dict[str, Any]:
    """`/inmail <text>` by the team's recruiter; the app's answer at the response_url."""
    name = send_command(app, slack, team, RECRUITER[team], text)
    deadline = time.monotonic() + 10
    while name not in slack.response_names() and time.monotonic() < deadline:
        time.sleep(0.02)
    app.drain()
    return slack.responses[slack.response_names().index(name)]


def near_copies(app: SlackAppServer, team: str, draft_id: str) -> list[str]:
    [review] = app.store.reviews(team, draft_id)
    return [f["message"] for f in review["findings"] if f["rule"] == "generic-template/near-duplicate"]


def team_rows(app: SlackAppServer, team: str) -> dict[str, int]:
    """Rows of `team` in every table of the database (as the engine's catalog lists them: sqlite_master,
    information_schema), so a table added later is counted too."""
    counts = {}
    for table in app.store.tables():
        if "team_id" not in app.store.columns(table):
            assert table in APP_WIDE_TABLES, f"{table} has no team_id column"
            continue
        counts[table] = app.store.rows(f"SELECT COUNT(*) AS n FROM [{table}] WHERE team_id = ?", (team,))[0]["n"]
    return counts


def refused_calls(slack: SlackStandIn) -> list[str]:
    return [f"{c.method}: {c.response.get('error')}" for c in slack.calls if c.response and not c.response.get("ok")]


# --- the install flow ------------------------------------------------------------------------------
def test_install_page_links_to_slacks_authorize_page_with_the_manifests_scopes(distributed: SlackAppServer,
                                                                               slack: SlackStandIn) -> None:
    page, link, cookie = open_install_page(distributed, "nb-NO,nb;q=0.9,en;q=0.5")
    assert page.headers["Content-Type"].startswith("text/html") and '<html lang="nb">' in page.text
    assert translator("nb").gettext("Add to Slack") in page.text and "Add to Slack" not in page.text
    query = parse_qs(urlsplit(link).query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [REDIRECT]
    assert query["scope"][0].split(",") == bot_scopes() and "chat:write" in bot_scopes()
    [state] = query["state"]
    assert cookie == f"slack-app-oauth-state={state}"
    [stored] = distributed.store.rows("SELECT team_id, expires_at FROM oauth_states WHERE state = ?", (state,))
    assert stored["team_id"] == "" and 590 < stored["expires_at"] - time.time() <= 600
    assert open_install_page(distributed)[1] != link  # a new state for each visit
    assert slack.violations == []


def test_an_install_is_stored_and_the_workspaces_events_are_answered_with_its_token(
        distributed: SlackAppServer, slack: SlackStandIn, caplog: pytest.LogCaptureFixture) -> None:
    answer = install(distributed, slack, "T1", team_name="Fjord Recruiting", user="UADMIN1")
    assert "Fjord Recruiting" in answer.text and "slack://app?team=T1&amp;id=A0APP" in answer.text
    [exchange] = slack.calls_to("oauth.v2.access")
    assert exchange.args["redirect_uri"] == REDIRECT and exchange.args["client_id"] == CLIENT_ID
    installations = Installations(distributed.store)
    [token] = slack.tokens_of("T1")
    assert installations.bot("T1")["bot_token"] == token and installations.bot("T1")["bot_user_id"] == "UB1"
    assert installations.latest("T1", "")["user_id"] == "UADMIN1" and installations.teams() == ["T1"]

    slack.reset()
    draft_id = post_draft(distributed, slack, "T1", TEMPLATE.format(name="Kari"))
    [post] = slack.wait_for("chat.postMessage")
    assert post.token == token and post.args["channel"] == DRAFTS["T1"]
    assert distributed.store.draft("T1", draft_id)["answer_ts"] == post.response["ts"]
    assert slack.calls_to("auth.test") == []  # requests are authorized from the stored install
    assert slack.violations == [] and refused_calls(slack) == []
    assert token not in caplog.text and "refresh" not in caplog.text.lower()


def test_a_state_works_once_within_ten_minutes_in_the_browser_that_asked(distributed: SlackAppServer,
                                                                         slack: SlackStandIn) -> None:
    _page, link, cookie = open_install_page(distributed)
    back = slack.approve(link, "T1")
    assert come_back(distributed, back, cookie).status_code == 200
    again = come_back(distributed, back, cookie)
    assert again.status_code == 401 and "used already" in again.text and 'href="/slack/install"' in again.text

    _page, link, cookie = open_install_page(distributed)
    state = parse_qs(urlsplit(link).query)["state"][0]
    distributed.store.execute("UPDATE oauth_states SET expires_at = ? WHERE state = ?", (time.time() - 1, state))
    assert come_back(distributed, slack.approve(link, "T2"), cookie).status_code == 401

    _page, link, _cookie = open_install_page(distributed)
    assert come_back(distributed, slack.approve(link, "T2"), None).status_code == 400  # another browser

    _page, link, cookie = open_install_page(distributed, "it")
    cancelled = come_back(distributed, slack.deny(link), cookie, "it")
    assert cancelled.status_code == 200 and '<html lang="it">' in cancelled.text
    assert html.escape(translator("it").gettext("The installation was cancelled on Slack's page.")) in cancelled.text
    assert len(slack.calls_to("oauth.v2.access")) == 1  # refused states never reached Slack
    assert Installations(distributed.store).teams() == ["T1"] and slack.violations == []


# --- token rotation --------------------------------------------------------------------------------
def test_an_expired_token_is_refreshed_before_a_request_and_before_background_work(
        distributed: SlackAppServer, slack: SlackStandIn) -> None:
    install(distributed, slack, "T1", expires_in=1)
    install(distributed, slack, "T2", expires_in=1)
    Outreach(distributed.store).settings.save("T2", TeamSettings(digest_channel=DIGESTS["T2"]))
    command(distributed, slack, "T2", "log sent 20 replied 4")
    time.sleep(1.2)  # both workspaces' tokens have expired (the log's answer went to its response_url)
    slack.reset()

    post_draft(distributed, slack, "T1", TEMPLATE.format(name="Kari"))
    [post] = slack.wait_for("chat.postMessage")
    assert post.token == slack.tokens_of("T1")[-1] != slack.tokens_of("T1")[0]
    refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 1  # the request's authorize and its work took the one refreshed token
    assert Installations(distributed.store).bot("T1")["bot_token"] == post.token

    scheduler = Scheduler(distributed.store, team_clients(distributed.settings, distributed.store,
                                                           make_client(distributed.settings)), distributed.settings)
    scheduler.tick(week_of(time.time(), "UTC").start + 7 * 86400 + 10 * 3600)  # next Monday 10:00: the digest
    [digest] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == DIGESTS["T2"]]
    assert digest.token == slack.tokens_of("T2")[-1] != slack.tokens_of("T2")[0]
    assert refused_calls(slack) == [] and slack.violations == []


# --- one workspace never sees another's --------------------------------------------------------------
def test_two_workspaces_never_see_each_others_drafts_figures_history_or_digest(distributed: SlackAppServer,
                                                                              slack: SlackStandIn) -> None:
    for team in DRAFTS:
        install(distributed, slack, team)
        Outreach(distributed.store).settings.save(team, TeamSettings(digest_channel=DIGESTS[team]))
    slack.reset()
    first, second = (post_draft(distributed, slack, "T1", TEMPLATE.format(name=name)) for name in ("Kari", "Ola"))
    assert near_copies(distributed, "T1", first) == [] and len(near_copies(distributed, "T1", second)) == 1
    other = post_draft(distributed, slack, "T2", TEMPLATE.format(name="Nora"))
    assert near_copies(distributed, "T2", other) == []  # T1's copies are not T2's history

    command(distributed, slack, "T1", "log sent 40 replied 6")
    stats = json.dumps(command(distributed, slack, "T2", "stats"), ensure_ascii=False)
    assert "40" not in stats
    assert distributed.store.draft("T1", other) is None and distributed.store.draft("T2", first) is None

    send_event(distributed, "T2", {"type": "app_home_opened", "user": "U2", "channel": "DHOME", "tab": "home",
                                   "event_ts": "1.1"})
    distributed.drain()
    [home] = slack.calls_to("views.publish")
    assert slack.team_of(home.token) == "T2"
    assert len(distributed.store.recent_reviews("T2", "U2")) == 1

    scheduler = Scheduler(distributed.store, team_clients(distributed.settings, distributed.store,
                                                           make_client(distributed.settings)), distributed.settings)
    scheduler.tick(week_of(time.time(), "UTC").start + 7 * 86400 + 10 * 3600)
    digests = {c.args["channel"]: c for c in slack.calls_to("chat.postMessage") if c.args["channel"] in DIGESTS.values()}
    assert set(digests) == set(DIGESTS.values())
    for team, channel in DIGESTS.items():
        assert slack.team_of(digests[channel].token) == team
    assert "40" in json.dumps(digests[DIGESTS["T1"]].args) and "40" not in json.dumps(digests[DIGESTS["T2"]].args)
    for call in slack.calls:  # every call went out with the token of the workspace it was for
        channel = str(call.args.get("channel") or call.args.get("channel_id") or "")
        for team in DRAFTS:
            if channel in (DRAFTS[team], DIGESTS[team]) or call.args.get("user_id") == RECRUITER[team]:
                assert slack.team_of(call.token) == team, call.method
    assert refused_calls(slack) == [] and slack.violations == []


# --- uninstalling --------------------------------------------------------------------------------
def _choose_on_uninstall(app: SlackAppServer, slack: SlackStandIn, team: str, choice: str) -> None:
    """The team's admin opens the team settings form from App Home and saves it with `choice`."""
    admin = RECRUITER[team]
    slack.add_user(admin, is_admin=True)
    before = len(slack.calls_to("views.open"))
    app.interaction({"type": "block_actions", "team": {"id": team}, "user": {"id": admin, "team_id": team},
                     "trigger_id": f"1.2.{uuid.uuid4().hex}", "container": {"type": "view", "view_id": "V0HOME"},
                     "actions": [{"type": "button", "action_id": "edit_team_settings", "block_id": "team_settings",
                                  "value": "edit", "action_ts": str(time.time()),
                                  "text": {"type": "plain_text", "text": "Edit"}}]})
    app.drain()
    view = slack.wait_for("views.open", before + 1)[-1].args["view"]
    values = form_values(view | {"id": "VSETTINGS"}, on_uninstall=choice)
    response = app.interaction({"type": "view_submission", "team": {"id": team}, "user": {"id": admin, "team_id": team},
                                "trigger_id": f"1.2.{uuid.uuid4().hex}",
                                "view": {"id": "VSETTINGS", "type": "modal", "callback_id": view["callback_id"],
                                         "private_metadata": view.get("private_metadata") or "",
                                         "state": {"values": values}}})
    assert response.status_code == 200 and response.text == ""
    app.drain()
    assert Outreach(app.store).settings.get(team).on_uninstall == choice


def test_uninstalling_deletes_the_tokens_and_keeps_or_purges_the_data_as_the_admin_chose(
        distributed: SlackAppServer, slack: SlackStandIn) -> None:
    secret = {team: f"SECRET-{team}-ROLE at Equinor" for team in DRAFTS}
    for team in DRAFTS:
        install(distributed, slack, team)
        post_draft(distributed, slack, team, TEMPLATE.format(name="Kari") + secret[team])
        command(distributed, slack, team, "log sent 12 replied 3")
    assert Outreach(distributed.store).settings.get("T1").on_uninstall == "keep"  # the default
    _choose_on_uninstall(distributed, slack, "T2", "purge")

    send_event(distributed, "T1", {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UB1"]}})
    distributed.drain()
    assert Installations(distributed.store).bot("T1") is None
    for team in DRAFTS:
        slack.revoke(team)
        send_event(distributed, team, {"type": "app_uninstalled"})
    distributed.drain()

    kept, purged = team_rows(distributed, "T1"), team_rows(distributed, "T2")
    assert kept["installations"] == kept["installation_bots"] == 0
    assert kept["drafts"] == 1 and kept["reviews"] == 1 and kept["outreach"] == 1
    assert {table: n for table, n in purged.items() if n} == {}
    assert set(purged) == set(team_tables(distributed.store))
    if distributed.store.dialect == "sqlite":  # the text left the disk, the WAL included
        files = [Path(distributed.settings.db_path), Path(distributed.settings.db_path + "-wal")]
        on_disk = b"".join(path.read_bytes() for path in files if path.exists())
        assert secret["T2"].encode() not in on_disk and secret["T1"].encode() in on_disk
    assert Installations(distributed.store).teams() == [] and slack.violations == []


# --- configuration ---------------------------------------------------------------------------------
def test_serve_runs_in_oauth_mode_and_installs_a_workspace(slack: SlackStandIn, tmp_path: Path) -> None:
    slack.distribute(CLIENT_ID, CLIENT_SECRET, redirect_urls=[REDIRECT])
    process, url = start_http(serve_env(slack, tmp_path, SLACK_BOT_TOKEN="", SLACK_CLIENT_ID=CLIENT_ID,
                                        SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_REDIRECT_URI=REDIRECT))
    try:
        with requests.Session() as http:
            http.trust_env = False
            page = http.get(url + INSTALL_PATH, timeout=10)
            link = html.unescape(page.text.split('href="')[1].split('"')[0])
            back = urlsplit(slack.approve(link, "T1"))
            answer = http.get(f"{url}{back.path}?{back.query}", timeout=10,
                              headers={"Cookie": page.headers["Set-Cookie"].split(";")[0]})
        assert answer.status_code == 200 and slack.tokens_of("T1")
    finally:
        assert process.stop() == 0
    assert slack.tokens_of("T1")[0] not in process.log and CLIENT_SECRET not in process.log
    assert slack.violations == []


def test_serve_refuses_a_bot_token_and_oauth_credentials_together(slack: SlackStandIn, tmp_path: Path) -> None:
    process = ServeProcess(serve_env(slack, tmp_path, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET),
                           "--port", "0")
    assert process.proc.wait(30) == 2 and "not both" in process.log


@pytest.mark.parametrize(("values", "problem"), [
    ({"slack_bot_token": "xoxb-1", "slack_client_id": "1.2", "slack_client_secret": "s"}, "not both"),
    ({"slack_client_id": "1.2"}, "needs both"),
    ({"slack_client_id": "1.2", "slack_client_secret": "s", "slack_app_token": "xapp-1"}, "SLACK_APP_TOKEN"),
    ({}, "SLACK_BOT_TOKEN is not set"),
    ({"slack_client_id": "1.2", "slack_client_secret": "s", "slack_signing_secret": None}, "SLACK_SIGNING_SECRET"),
])
def test_serve_says_which_credentials_are_missing_or_clash(values: dict[str, Any], problem: str) -> None:
    settings = Settings(**({"slack_signing_secret": "x"} | values))
    assert problem in (credentials_problem(settings) or "")
    assert credentials_problem(Settings(slack_client_id="1.2", slack_client_secret="s", slack_signing_secret="x")) is None
    assert credentials_problem(Settings(slack_bot_token="xoxb-1", slack_signing_secret="x")) is None


def test_oauth_credentials_are_read_from_the_environment_and_never_shown() -> None:
    settings = Settings.from_env({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "very-secret",
                                  "SLACK_SIGNING_SECRET": "x", "SLACK_REDIRECT_URI": REDIRECT})
    assert (settings.slack_client_id, settings.slack_client_secret, settings.slack_redirect_uri) == (
        "1.2", "very-secret", REDIRECT)
    assert "very-secret" not in repr(settings)
