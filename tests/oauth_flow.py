"""The distributed app (OAuth mode) driven as Slack and browsers drive it, for tests/test_oauth.py
and bench/bench_oauth_teams.py: its settings against the Slack stand-in, a workspace's install
(the install page, Slack's authorize page, the redirect back), and what Slack sends the app for a
given workspace (events, slash commands), signed.

The app's public redirect URL is `REDIRECT`; here the browser coming back to it reaches the test's
server instead (`come_back`)."""
from __future__ import annotations

import html
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from bot.serve import INSTALL_PATH, REDIRECT_PATH
from bot.settings import Settings
from tests.conftest import SlackAppServer, app_settings
from tests.slack_standin import SlackStandIn

CLIENT_ID, CLIENT_SECRET = "1111.2222", "test-client-secret"
REDIRECT = "https://inmail.example.com" + REDIRECT_PATH
STATE_COOKIE = "slack-app-oauth-state"


def distributed_settings(slack: SlackStandIn, db_path: Path, **overrides: Any) -> Settings:
    """OAuth mode (a client id and secret, no bot token) against `slack`, which is told the same
    credentials and redirect URL (`SlackStandIn.distribute`)."""
    slack.distribute(CLIENT_ID, CLIENT_SECRET, redirect_urls=[REDIRECT])
    return app_settings(slack, db_path, **({"slack_bot_token": None, "slack_client_id": CLIENT_ID,
                                            "slack_client_secret": CLIENT_SECRET, "slack_redirect_uri": REDIRECT}
                                           | overrides))


def open_install_page(app: SlackAppServer, language: str = "en") -> tuple[requests.Response, str, str]:
    """GET /slack/install: the page, its "Add to Slack" link, and the state cookie it set."""
    page = app.http.get(app.url + INSTALL_PATH, headers={"Accept-Language": language}, timeout=10)
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]*)"', page.text)
    assert page.status_code == 200 and found, page.text
    return page, html.unescape(found.group(1)), page.headers["Set-Cookie"].split(";")[0]


def come_back(app: SlackAppServer, redirect_url: str, cookie: str | None, language: str = "en") -> requests.Response:
    """The browser sent back by Slack to the app's public redirect URL (this server here), with
    the state cookie the install page set (None: another browser, without it)."""
    parts = urlsplit(redirect_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    headers = {"Accept-Language": language} | ({"Cookie": cookie} if cookie else {})
    return app.http.get(f"{app.url}{parts.path}?{parts.query}", headers=headers, timeout=10)


def install(app: SlackAppServer, slack: SlackStandIn, team: str, **approval: Any) -> requests.Response:
    """A person installs the app in `team`: the install page, Slack's "Allow" (`approval`: see
    `SlackStandIn.approve`), back to the app. Asserts the success page."""
    _page, link, cookie = open_install_page(app)
    answer = come_back(app, slack.approve(link, team, **approval), cookie)
    assert answer.status_code == 200, answer.text
    return answer


def send_event(app: SlackAppServer, team: str, event: dict[str, Any]) -> requests.Response:
    """An Events API delivery for workspace `team`; asserts the ack is 200."""
    envelope = {"token": "legacy", "team_id": team, "api_app_id": "A0APP", "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": f"UB{team[1:]}", "is_bot": True}], "event": event}
    response = app.post(json.dumps(envelope).encode(), "application/json")
    assert response.status_code == 200, response.text
    return response


def send_command(app: SlackAppServer, slack: SlackStandIn, team: str, user: str, text: str) -> str:
    """`/inmail <text>` typed by `user` of `team`; asserts the ack is 200 and returns the name of
    its response_url (its answer arrives there: `slack.responses` / `slack.response_names()`)."""
    name = f"{team}-{uuid.uuid4().hex[:8]}"
    form = {"token": "legacy", "team_id": team, "channel_id": "CGENERAL", "user_id": user, "command": "/inmail",
            "text": text, "api_app_id": "A0APP", "trigger_id": f"1.2.{uuid.uuid4().hex}",
            "response_url": slack.response_url(name)}
    response = app.post(urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    return name
