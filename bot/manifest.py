"""`inmail-review manifest`: prints `app_manifest.yml`, for HTTP with the request URLs filled in.

The file in the repository is the Socket Mode manifest for one workspace. With `--url
https://host`, the slash command, the event subscriptions and interactivity all point at
`https://host/slack/events` (the one path Bolt serves), Socket Mode is turned off, and the OAuth
redirect URL is `https://host/slack/oauth_redirect`; the redirect URL and the install page
(`https://host/slack/install`) are also printed on stderr. `--oauth` is the manifest for many
workspaces (OAuth mode, `bot/oauth.py`): token rotation on as well. The file keeps it off,
because a workspace's bot token then expires every 12 hours, which only OAuth mode refreshes
(`SLACK_BOT_TOKEN` alone would stop working), and Slack never lets an app turn it off again.
`--schema FILE` also validates the result against Slack's manifest JSON Schema
(github.com/slackapi/manifest-schema). Comments in the file are kept (ruamel.yaml round trip)
so the printed manifest still explains itself.

The manifest is also where the app's bot scopes are read from (`bot_scopes`): the install link
of OAuth mode asks for exactly these.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML

from bot.i18n import _
from bot.serve import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "app_manifest.yml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help=_("the app's public base URL (https://…): fills in request URLs, for HTTP mode"))
    parser.add_argument("--schema", type=Path, metavar="FILE",
                        help=_("validate against this manifest JSON Schema (manifest.schema.1.0.0.json)"))
    parser.add_argument("--oauth", action="store_true",
                        help=_("for many workspaces (OAuth mode, with --url): also turns token rotation on"))


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def load(path: Path = MANIFEST_PATH) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def bot_scopes(path: Path = MANIFEST_PATH) -> list[str]:
    """The bot scopes the app asks for, as the manifest lists them."""
    return [str(scope) for scope in load(path)["oauth_config"]["scopes"]["bot"]]


def urls(base_url: str) -> dict[str, str]:
    """The app's public URLs under `base_url`: Slack's requests, the OAuth redirect, the install page."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(_("--url must be an http(s) URL such as https://inmail.example.com, not {value}",
                           value=repr(base_url)))
    base = base_url.rstrip("/")
    return {"events": base + EVENTS_PATH, "redirect": base + REDIRECT_PATH, "install": base + INSTALL_PATH}


def with_url(manifest: Any, base_url: str, *, oauth: bool = False) -> Any:
    """The manifest for HTTP mode: every request URL is `base_url` + `/slack/events`, the OAuth
    redirect URL `base_url` + `/slack/oauth_redirect`; with `oauth`, token rotation on."""
    found = urls(base_url)
    for command in manifest["features"].get("slash_commands", []):
        command["url"] = found["events"]
    manifest["oauth_config"]["redirect_urls"] = [found["redirect"]]
    manifest["settings"]["event_subscriptions"]["request_url"] = found["events"]
    manifest["settings"]["interactivity"]["request_url"] = found["events"]
    manifest["settings"]["socket_mode_enabled"] = False
    if oauth:
        manifest["settings"]["token_rotation_enabled"] = True
    return manifest


def problems(manifest: Any, schema_path: Path) -> list[str]:
    """Where the manifest breaks Slack's schema, one readable line each (empty when valid)."""
    from jsonschema import Draft7Validator

    plain = json.loads(json.dumps(manifest))  # ruamel's commented maps → plain dicts
    validator = Draft7Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(plain)]


def dump(manifest: Any) -> str:
    out = io.StringIO()
    _yaml().dump(manifest, out)
    return out.getvalue()


def run(args: argparse.Namespace) -> int:
    try:
        if args.oauth and not args.url:
            raise ValueError(_("--oauth needs --url: installs from many workspaces come back to the app over HTTP"))
        manifest = load()
        if args.url:
            manifest = with_url(manifest, args.url, oauth=args.oauth)
        found = problems(manifest, args.schema) if args.schema else []
    except (ValueError, OSError) as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 2
    for problem in found:
        print(f"inmail-review: manifest: {problem}", file=sys.stderr)
    if args.url:
        public = urls(args.url)
        print(_("OAuth redirect URL: {url}", url=public["redirect"]), file=sys.stderr)
        print(_("Install page (OAuth mode, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set): {url}", url=public["install"]),
              file=sys.stderr)
    sys.stdout.write(dump(manifest))
    return 1 if found else 0
