"""Issue 11 item 6 in Slack: an admin imports LinkedIn Recruiter's InMail report from App Home's team
settings form (a `file_input` upload) and sees the result in the form — the real app over signed
HTTP, the Slack stand-in, a real SQLite file. Also the stand-in's directory and file methods the
import relies on, driven by slack_sdk's own client."""
from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.conftest import BOT_TOKEN, TEAM, SlackAppServer
from tests.slack_standin import SlackStandIn, view_problems

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = "UADMIN"


def open_settings_form(app: SlackAppServer, slack: SlackStandIn) -> dict[str, Any]:
    """The admin clicks "Edit team settings" in App Home; returns the form Slack opened."""
    response = app.interaction({
        "type": "block_actions", "user": {"id": ADMIN, "team_id": TEAM}, "trigger_id": "1.2.edit",
        "container": {"type": "view", "view_id": "VHOME"},
        "actions": [{"type": "button", "action_id": "edit_team_settings", "block_id": "settings", "value": "edit",
                     "action_ts": "1.1", "text": {"type": "plain_text", "text": "Edit team settings"}}]})
    assert response.status_code == 200
    [opened] = slack.wait_for("views.open")
    return opened.response["view"]


def submit(app: SlackAppServer, view: dict[str, Any], upload: dict[str, Any] | None, dates: str | None = None) -> Any:
    """The form submitted as shown (its initial values), with `upload` in the file field and,
    with `dates`, that choice of date order."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "static_select":
            value["selected_option"] = element.get("initial_option")
            if block["block_id"] == "import_dates" and dates:
                value["selected_option"] = next(o for o in element["options"] if o["value"] == dates)
        elif element["type"] == "file_input":
            value["files"] = [upload] if upload else []
        elif element["type"] != "conversations_select":
            value["value"] = element.get("initial_value")
        values[block["block_id"]] = {"value": value}
    return app.interaction({"type": "view_submission", "user": {"id": ADMIN, "team_id": TEAM}, "trigger_id": f"1.2.s{dates or ''}",
                            "view": {"id": view["id"], "type": "modal", "callback_id": view["callback_id"],
                                     "state": {"values": values}}})


def status_text(view: dict[str, Any]) -> str:
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == "import_status")


@pytest.fixture
def admin(slack: SlackStandIn) -> None:
    slack.add_user(ADMIN, is_admin=True)
    slack.add_user("U1", name="kari", email="kari@acme.example")  # found by e-mail
    slack.add_user("U2", name="ola", real_name="Ola Hansen")  # found by name


def test_the_settings_form_has_a_csv_upload() -> None:
    from bot.blocks import team_settings_modal
    from models.team_settings import TeamSettings

    view = team_settings_modal(TeamSettings())
    [upload] = [b for b in view["blocks"] if b.get("block_id") == "import_file"]
    assert upload["optional"] and upload["element"] == {"type": "file_input", "action_id": "value",
                                                        "filetypes": ["csv"], "max_files": 1}
    assert "InMail report" in upload["label"]["text"] and view_problems(view, "modal") == []


def test_an_admin_imports_the_report_from_app_home(app: SlackAppServer, slack: SlackStandIn, admin: None) -> None:
    view = open_settings_form(app, slack)
    report = (FIXTURES / "linkedin_owner_semicolon.csv").read_text(encoding="utf-8").encode("utf-16")
    shared = slack.add_file("InMail report.csv", report, user=ADMIN)
    response = submit(app, view, {"id": shared["id"], "name": shared["name"]})
    assert response.status_code == 200
    acked = response.json()  # the form stays open and says the import is running
    assert acked["response_action"] == "update" and "Importing InMail report.csv" in status_text(acked["view"])
    assert view_problems(acked["view"], "modal") == []
    [updated] = slack.wait_for("views.update")
    assert updated.args["view_id"] == view["id"]
    result = status_text(updated.args["view"])
    assert "2 rows imported for team T0TEAM: 2 added, 0 updated, 0 unchanged; 0 skipped" in result
    assert "spread evenly over its days" in result and "line 5: skipped (totals row)" in result
    assert "'kari@acme.example' is U1 (found in Slack)" in result and "'Ola Hansen' is U2 (found in Slack)" in result
    [download] = slack.downloads
    assert download.headers.get("Authorization") == f"Bearer {BOT_TOKEN}" and download.status == 200
    app.drain()
    rows = app.store.rows("SELECT user_id, COUNT(*) AS days, SUM(sent) AS sent FROM outreach WHERE team_id = ? "
                          "GROUP BY user_id", (TEAM,))
    assert rows == [{"user_id": "U1", "days": 14, "sent": 1400}, {"user_id": "U2", "days": 14, "sent": 56}]
    assert slack.violations == []


def test_an_unreadable_upload_is_explained_in_the_form(app: SlackAppServer, slack: SlackStandIn, admin: None) -> None:
    view = open_settings_form(app, slack)
    shared = slack.add_file("notes.csv", b"hello,world\n", user=ADMIN)
    assert submit(app, view, {"id": shared["id"], "name": shared["name"]}).json()["response_action"] == "update"
    [updated] = slack.wait_for("views.update")
    assert "notes.csv cannot be read: no header" in status_text(updated.args["view"])
    assert "Nothing was imported" in status_text(updated.args["view"])
    app.drain()
    assert app.store.rows("SELECT * FROM outreach", ()) == []
    assert slack.violations == []


def test_ambiguous_dates_are_chosen_in_the_form(app: SlackAppServer, slack: SlackStandIn, admin: None) -> None:
    report = ("Email,Date range,InMails sent,InMails accepted,InMails declined,InMails pending\n"
              "kari@acme.example,01/10/2026 - 12/10/2026,100,10,5,85\n").encode()
    view = open_settings_form(app, slack)
    shared = slack.add_file("report.csv", report, user=ADMIN)
    submit(app, view, {"id": shared["id"], "name": shared["name"]})
    [refused] = slack.wait_for("views.update")
    said = status_text(refused.args["view"])
    assert "day first or month first" in said and "“Dates in the report”" in said and "--dayfirst" not in said
    app.drain()
    assert app.store.rows("SELECT * FROM outreach", ()) == []
    submit(app, view, {"id": shared["id"], "name": shared["name"]}, dates="day")
    app.drain()
    days = {r["at"] for r in app.store.rows("SELECT at FROM outreach WHERE team_id = ?", (TEAM,))}
    assert len(days) == 12  # 1–12 Oct 2026, day first (month first: 10 Jan – 10 Dec)
    assert slack.violations == []


def test_a_file_over_the_limit_is_not_downloaded(app: SlackAppServer, slack: SlackStandIn, admin: None) -> None:
    view = open_settings_form(app, slack)
    shared = slack.add_file("huge.csv", b"x" * (5 * 1024 * 1024 + 1), user=ADMIN)
    submit(app, view, {"id": shared["id"], "name": shared["name"]})
    [updated] = slack.wait_for("views.update")
    assert "huge.csv is over 5 MB" in status_text(updated.args["view"]) and slack.downloads == []
    assert slack.violations == []


def test_without_a_file_the_form_saves_and_closes_as_before(app: SlackAppServer, slack: SlackStandIn,
                                                            admin: None) -> None:
    view = open_settings_form(app, slack)
    assert submit(app, view, None).text == ""
    app.drain()
    assert slack.calls_to("views.update") == [] and slack.calls_to("files.info") == []
    assert slack.violations == []


# --- the stand-in's methods for this, through slack_sdk ----------------------------------------
def test_standin_directory_files_and_user_groups(slack: SlackStandIn) -> None:
    client = WebClient(base_url=slack.api_url, token="xoxb-test")
    slack.add_user("U9", name="kari", email="Kari@Acme.example")
    assert client.users_lookupByEmail(email="kari@acme.example")["user"]["profile"]["email"] == "Kari@Acme.example"
    with pytest.raises(SlackApiError) as missing:
        client.users_lookupByEmail(email="nobody@acme.example")
    assert missing.value.response["error"] == "users_not_found"
    first = client.users_list(limit=2)
    second = client.users_list(limit=2, cursor=first["response_metadata"]["next_cursor"])
    ids = [m["id"] for m in first["members"] + second["members"]]
    assert len(first["members"]) == 2 and second["response_metadata"]["next_cursor"] == ""
    assert sorted(ids) == sorted(slack.users) and len(client.users_list()["members"]) == len(slack.users)
    slack.add_usergroup("S1", ["U1", "U9"])
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U9"]
    shared = slack.add_file("r.csv", b"a;b\n1;2\n")
    info = client.files_info(file=shared["id"])["file"]
    assert (info["name"], info["size"], info["filetype"]) == ("r.csv", 8, "csv")
    request = urllib.request.Request(info["url_private_download"], headers={"Authorization": "Bearer xoxb-test"})
    with urllib.request.urlopen(request) as response:
        assert response.read() == b"a;b\n1;2\n"
    with pytest.raises(HTTPError):
        urllib.request.urlopen(info["url_private_download"])
    assert [d.status for d in slack.downloads] == [200, 403]
    assert slack.violations == [f"file {shared['id']}: downloaded without an Authorization: Bearer token"]
