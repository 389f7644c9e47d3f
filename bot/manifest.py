"""`inmail-review manifest`: prints `app_manifest.yml`, for HTTP with the request URLs filled in.

The file in the repository is the Socket Mode manifest. With `--url https://host`, the slash
command, the event subscriptions and interactivity all point at `https://host/slack/events`
(the one path Bolt serves) and Socket Mode is turned off. `--schema FILE` also validates the
result against Slack's manifest JSON Schema (github.com/slackapi/manifest-schema).
Comments in the file are kept (ruamel.yaml round trip) so the printed manifest still explains
itself.
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
from bot.serve import EVENTS_PATH

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "app_manifest.yml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help=_("the app's public base URL (https://…): fills in request URLs, for HTTP mode"))
    parser.add_argument("--schema", type=Path, metavar="FILE",
                        help=_("validate against this manifest JSON Schema (manifest.schema.1.0.0.json)"))


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def load(path: Path = MANIFEST_PATH) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def with_url(manifest: Any, base_url: str) -> Any:
    """The manifest for HTTP mode: every request URL is `base_url` + `/slack/events`."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(_("--url must be an http(s) URL such as https://inmail.example.com, not {value}",
                           value=repr(base_url)))
    request_url = base_url.rstrip("/") + EVENTS_PATH
    for command in manifest["features"].get("slash_commands", []):
        command["url"] = request_url
    manifest["settings"]["event_subscriptions"]["request_url"] = request_url
    manifest["settings"]["interactivity"]["request_url"] = request_url
    manifest["settings"]["socket_mode_enabled"] = False
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
        manifest = load()
        if args.url:
            manifest = with_url(manifest, args.url)
        found = problems(manifest, args.schema) if args.schema else []
    except (ValueError, OSError) as error:
        print(_("inmail-review: error: {message}", message=error), file=sys.stderr)
        return 2
    for problem in found:
        print(f"inmail-review: manifest: {problem}", file=sys.stderr)
    sys.stdout.write(dump(manifest))
    return 1 if found else 0
