"""`app_manifest.yml` against Slack's manifest JSON Schema, and `inmail-review manifest --url`."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

from bot.cli import main
from bot.manifest import MANIFEST_PATH, bot_scopes
from tests.slack_standin import spec_dir

SCHEMA = spec_dir() / "manifest-schema" / "manifest.schema.1.0.0.json"


def _errors(manifest: dict) -> list[str]:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]


def test_manifest_file_is_valid_and_complete() -> None:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    assert _errors(manifest) == []
    features, settings = manifest["features"], manifest["settings"]
    assert features["slash_commands"][0]["command"] == "/inmail" and features["slash_commands"][0]["usage_hint"]
    assert features["shortcuts"][0] == {"name": "Review as InMail", "type": "message",
                                        "callback_id": "review_as_inmail", "description": features["shortcuts"][0]["description"]}
    assert features["app_home"]["home_tab_enabled"] and features["bot_user"]["display_name"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.channels", "message.groups", "app_home_opened",
                                                                   "app_uninstalled", "tokens_revoked"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write", "channels:history", "groups:history",
                                                              "im:history", "im:write", "users:read", "files:write",
                                                              "users:read.email", "usergroups:read", "files:read"}
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    # One workspace's bot token (SLACK_BOT_TOKEN) must not expire: rotation is for OAuth mode (--oauth).
    assert settings["token_rotation_enabled"] is False and "redirect_urls" not in manifest["oauth_config"]
    assert bot_scopes() == manifest["oauth_config"]["scopes"]["bot"]


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["manifest", *args])
    return code, out.getvalue()


def test_manifest_command_fills_request_urls_for_http(capsys) -> None:
    code, printed = _run("--url", "https://inmail.example.com/", "--schema", str(SCHEMA))
    assert code == 0
    manifest = yaml.safe_load(printed)
    assert _errors(manifest) == []
    url = "https://inmail.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["oauth_config"]["redirect_urls"] == ["https://inmail.example.com/slack/oauth_redirect"]
    assert manifest["settings"]["token_rotation_enabled"] is False
    assert "# /inmail and the message shortcut" in printed  # comments survive
    told = capsys.readouterr().err
    assert "https://inmail.example.com/slack/oauth_redirect" in told and "https://inmail.example.com/slack/install" in told


def test_manifest_for_many_workspaces_turns_token_rotation_on(capsys) -> None:
    code, printed = _run("--url", "https://inmail.example.com", "--oauth", "--schema", str(SCHEMA))
    manifest = yaml.safe_load(printed)
    assert code == 0 and _errors(manifest) == []
    assert manifest["settings"]["token_rotation_enabled"] is True
    assert manifest["oauth_config"]["redirect_urls"] == ["https://inmail.example.com/slack/oauth_redirect"]
    assert _run("--oauth") == (2, "") and "--oauth needs --url" in capsys.readouterr().err


def test_manifest_command_refuses_a_bad_url(capsys) -> None:
    code, printed = _run("--url", "inmail.example.com")
    assert code == 2 and printed == "" and "--url must be" in capsys.readouterr().err


def test_manifest_command_reports_schema_violations(tmp_path: Path, capsys) -> None:
    strict = json.loads(SCHEMA.read_text())
    strict["properties"]["display_information"] = {"type": "object", "properties": {"name": {"maxLength": 3}}}
    schema = tmp_path / "strict.json"
    schema.write_text(json.dumps(strict))
    code, _ = _run("--schema", str(schema))
    assert code == 1 and "display_information/name" in capsys.readouterr().err
