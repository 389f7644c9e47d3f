"""A Slack Web API stand-in: real HTTP on 127.0.0.1 that answers like Slack and checks every call.

Tests start it, point the app's `SLACK_API_URL` (slack_sdk's `WebClient(base_url=...)`) at
`standin.api_url`, drive the real Bolt app, then assert on what arrived:

    with SlackStandIn() as slack:
        client = WebClient(base_url=slack.api_url, token="xoxb-test")
        ...
        assert slack.violations == []

Why checking matters: Slack refuses malformed calls at run time (a 51st block, a missing
`channel`, a bot token used for Socket Mode), and a stand-in that says `ok` to everything would
let those bugs through every test. So each call is checked against Slack's published method
descriptions in `tests/slack_spec/methods/<method>.json` (override the folder with
`SLACK_SPEC_DIR`): unknown method, missing token, missing required argument, argument the method
does not have, JSON body for a method that takes none, Block Kit breaches. Every problem is
answered the way Slack answers it *and* appended to `violations`.

The stand-in keeps just enough workspace state for the app's round trips: messages per channel
(with threads and reactions), views (modals, Home tabs), file uploads, DM channels and users.
Only request-shape problems are violations; a state error such as `message_not_found` for a
deleted message is an ordinary Slack answer (visible in `Call.response`), since apps must cope
with it.

Besides `/api/<method>` it serves the URLs Slack hands out: the file upload URL from
`files.getUploadURLExternal`, `response_url`s made by `response_url(name)`, and the
`url_private_download` of a file a person shared (`add_file`), to bearer-token requests only.

Distributed apps (`distribute(client_id, client_secret)`): the stand-in then plays Slack's side of
OAuth v2 too. `approve(authorize_url, team_id)` is a person allowing the install on Slack's
authorize page: it checks the link and returns where Slack would send the browser back
(`redirect_uri?code=…&state=…`); `oauth.v2.access` exchanges that code once for a bot token of
that workspace, and a refresh token for another (`grant_type=refresh_token`; each refresh token
works once). From then on every call must carry a token issued so and not revoked (`revoke`),
else it is answered `invalid_auth` (`token_expired` after its `expires_in`), as Slack does; each
call's `token` says whose workspace it acted for (`team_of`), and `auth.test` and the messages the
app posts answer as that workspace's bot.
"""
from __future__ import annotations

import base64
import copy
import itertools
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesParser
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from tests.loopback import LoopbackServer

DEFAULT_SPEC_DIR = Path(__file__).resolve().parent / "slack_spec"
MESSAGE_BLOCKS_MAX = 50  # slack_sdk's models do not check this one
MESSAGE_TEXT_MAX = 40_000
RESPONSE_URL_POSTS_MAX = 5
TS_EPOCH = 1_732_350_000  # first generated ts is "1732350000.000100"
# Arguments Slack takes as JSON-encoded strings in form bodies; recorded decoded.
JSON_ARGS = frozenset({"attachments", "blocks", "files", "metadata", "view"})
# Arguments of which Slack needs one, although its description marks neither as required.
ONE_OF: dict[str, tuple[str, ...]] = {
    "views.open": ("trigger_id", "interactivity_pointer"),
    "views.push": ("trigger_id", "interactivity_pointer"),
    "views.update": ("view_id", "external_id"),
    "conversations.open": ("users", "channel"),
}
VIEW_TYPES = {"views.open": "modal", "views.push": "modal", "views.publish": "home"}
# Arguments every method takes: slack_sdk adds `team_id` to each call of a client made for one
# workspace of an org-wide install (Bolt does so per request).
COMMON_ARGS = frozenset({"token", "team_id"})
METHOD_NAME = re.compile(r"[A-Za-z]+(?:\.[A-Za-z0-9]+)+")
UPLOAD_PATH = "/upload/v1/"
FILES_PATH = "/files-pri/"
RESPONSE_PATH = "/response/"


class SlackError(Exception):
    """A Slack error answer: `{"ok": false, "error": code}`, optionally with detail messages."""

    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"ok": False, "error": self.code}
        if self.messages:
            payload["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return payload


@dataclass
class Call:
    """One Web API call as received; `status` and `response` are filled in once answered."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int | None = None
    response: dict[str, Any] | None = None

    @property
    def token(self) -> str | None:
        """The token the call was made with (Authorization header, else the `token` argument)."""
        return _bearer(self.headers) or self.args.get("token") or None


@dataclass(frozen=True)
class Workspace:
    """A workspace the app was installed in through OAuth, as its bot sees itself."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    scope: str


@dataclass
class Issued:
    """A token the stand-in issued: a bot access token or a refresh token, of one workspace."""

    team_id: str
    refresh: bool
    expires_at: float | None
    revoked: bool = False


@dataclass(frozen=True)
class Fault:
    """What `fail()` arranged for one call: a pause, then an HTTP status or a Slack error."""

    status: int | None
    retry_after: int
    error: str | None
    delay: float


@dataclass
class Upload:
    """A file announced by `files.getUploadURLExternal`; `data` arrives with the upload POST."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the HTTP handler sends back: a JSON object or plain text, with extra headers."""

    status: int
    body: dict[str, Any] | str | bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def spec_dir() -> Path:
    """Where Slack's method descriptions live: `$SLACK_SPEC_DIR`, else `tests/slack_spec/`."""
    return Path(os.environ.get("SLACK_SPEC_DIR") or DEFAULT_SPEC_DIR)


@lru_cache(maxsize=None)
def load_spec(directory: Path, method: str) -> dict[str, Any] | None:
    """Slack's description of `method`, or None when Slack has no such method."""
    if not METHOD_NAME.fullmatch(method):
        return None
    path = directory / "methods" / f"{method}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- Block Kit checks --------------------------------------------------------------------------
def _json_objects(value: Any) -> Iterable[JsonObject]:
    if isinstance(value, JsonObject):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _json_objects(item)


def _validate_tree(obj: JsonObject) -> None:
    """`validate_json()` checks one object only; Slack checks the nested elements too (button text)."""
    obj.validate_json()
    for name in obj.attributes:
        for child in _json_objects(getattr(obj, name, None)):
            _validate_tree(child)


def block_problems(blocks: Any, limit: int = MESSAGE_BLOCKS_MAX) -> list[str]:
    """What Slack would refuse in a `blocks` array, as readable sentences (empty when fine)."""
    if not isinstance(blocks, list):
        return ["blocks must be a JSON array"]
    problems = [f"{len(blocks)} blocks, Slack allows {limit}"] if len(blocks) > limit else []
    for index, raw in enumerate(blocks):
        try:
            block = Block.parse(raw) if isinstance(raw, dict) else None
            if block is None:
                problems.append(f"block {index}: not a known block type")
            else:
                _validate_tree(block)
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
            problems.append(f"block {index}: {error}")
    return problems


def view_problems(view: Any, expected_type: str | None) -> list[str]:
    """What Slack would refuse in a modal or Home tab (View checks its 100-block limit itself)."""
    if not isinstance(view, dict):
        return ["view must be a JSON object"]
    if expected_type and view.get("type") != expected_type:
        return [f"view type must be {expected_type!r}, not {view.get('type')!r}"]
    try:
        _validate_tree(View(**view))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return [str(error)]
    return []


def message_problems(args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(Slack error code, problem) for a message's `text` and `blocks`."""
    problems = []
    text = args.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        problems.append(("msg_too_long", f"text has {len(text)} characters, Slack allows {MESSAGE_TEXT_MAX}"))
    if args.get("blocks") is not None:
        code = "invalid_blocks_format" if isinstance(args["blocks"], str) else "invalid_blocks"
        problems += [(code, problem) for problem in block_problems(args["blocks"])]
    return problems


# --- request bodies ----------------------------------------------------------------------------
def _form(encoded: str) -> dict[str, Any]:
    return {key: values[-1] for key, values in parse_qs(encoded, keep_blank_values=True).items()}


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Form fields as str, file fields as bytes (what `files.upload`-style calls send)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    args: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        raw = data if isinstance(data, bytes) else b""
        args[str(name)] = raw if part.get_filename() else raw.decode("utf-8")
    return args


def parse_body(body: bytes, content_type: str) -> tuple[dict[str, Any], bool]:
    """The call's arguments and whether they came as JSON (Slack then wants the token in a header).

    An empty body is no JSON even when labelled so: slack_sdk sends one for argument-less calls.
    """
    kind = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return {}, False
    if kind == "application/json":
        args = json.loads(body)
        if not isinstance(args, dict):
            raise ValueError("a JSON body must be an object")
        return args, True
    if kind == "multipart/form-data":
        return _multipart(body, content_type), False
    return _form(body.decode("utf-8")), False


def _decoded(args: dict[str, Any]) -> dict[str, Any]:
    """JSON-encoded string arguments (blocks, view, ...) decoded; undecodable ones kept as sent."""
    out = dict(args)
    for name in JSON_ARGS & out.keys():
        if isinstance(out[name], str):
            try:
                out[name] = json.loads(out[name])
            except json.JSONDecodeError:
                pass
    return out


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme == "Bearer" else None


def _basic(headers: Mapping[str, str]) -> dict[str, str]:
    """`client_id` and `client_secret` sent as HTTP Basic authentication (how slack_sdk sends them)."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, encoded = value.partition(" ")
    if scheme != "Basic":
        return {}
    client_id, _, secret = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    return {"client_id": client_id, "client_secret": secret}


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class SlackStandIn(LoopbackServer):
    """Start with `with SlackStandIn() as slack:`; point clients at `slack.api_url`."""

    def __init__(
        self,
        *,
        team_id: str = "T0TEAM",
        team_name: str = "Stand-in Workspace",
        team_domain: str = "standin",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
        users: Iterable[Mapping[str, Any]] = (),
        socket_url: str | None = None,
        spec_directory: Path | None = None,
    ) -> None:
        self.team_id, self.team_name, self.team_domain = team_id, team_name, team_domain
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.socket_url = socket_url
        self.spec_dir = spec_directory or spec_dir()
        if not (self.spec_dir / "methods").is_dir():
            raise FileNotFoundError(f"Slack method descriptions not found under {self.spec_dir} (set SLACK_SPEC_DIR)")
        self.users: dict[str, dict[str, Any]] = {}
        self.add_user(bot_user_id, name="inmail-review", is_bot=True)
        for user in users:
            self.add_user(**user)
        self.usergroups: dict[str, list[str]] = {}  # add_usergroup(): id -> member ids
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        # Distribution (`distribute`): kept by reset(), like the workspace's identity.
        self._credentials: tuple[str, str] | None = None
        self.redirect_urls: tuple[str, ...] = ()
        self.token_lifetime_s: float | None = None
        self.workspaces: dict[str, Workspace] = {}
        self._issued: dict[str, Issued] = {}
        self._codes: dict[str, dict[str, Any]] = {}  # approve(): code -> workspace, redirect_uri, expires_in
        self._token_seq = itertools.count(1)
        self._caller: Workspace | None = None  # whose token the call being answered carries
        self.reset()

    # --- life cycle --------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def reset(self) -> None:
        """Forgets calls, problems, faults and workspace content; keeps identity, users and socket_url."""
        with self._cond:
            self.calls: list[Call] = []
            self.refused: list[Call] = []
            self.violations: list[str] = []
            self.responses: list[dict[str, Any]] = []
            self._responded: list[str] = []  # the response_url name of each post in `responses`
            self.views: dict[str, dict[str, Any]] = {}
            self.uploads: dict[str, Upload] = {}
            self._messages: dict[str, list[dict[str, Any]]] = {}
            self._faults: dict[str, list[Fault]] = {}
            self._response_posts: dict[str, int] = {}
            self._used_triggers: set[str] = set()
            self._home_tabs: dict[str, str] = {}  # user id -> view id
            self._ts_seq = itertools.count(100, 100)
            self._id_seq = itertools.count(1)
            self._down = False
            self._slow = 0.0
            self.shared_files: dict[str, dict[str, Any]] = {}  # add_file(): id -> file object
            self.shared_file_data: dict[str, bytes] = {}
            self.downloads: list[Call] = []  # GETs of a file's url_private_download

    # --- set-up for tests --------------------------------------------------------------------
    def add_user(self, id: str, *, name: str | None = None, tz: str = "UTC", is_admin: bool = False,
                 is_bot: bool = False, locale: str = "en-US", **extra: Any) -> dict[str, Any]:
        """Registers a user for `users.info`, shaped like Slack's user object (tz_offset from `tz`;
        `locale`, as Slack, only to a caller that asks with `include_locale`)."""
        name = name or id.lower()
        offset = ZoneInfo(tz).utcoffset(datetime.now())
        user = {
            "id": id, "team_id": self.team_id, "name": name, "real_name": name, "deleted": False,
            "tz": tz, "tz_label": tz, "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_admin": is_admin, "is_owner": False, "is_bot": is_bot, "is_app_user": False,
            "profile": {"real_name": name, "display_name": name, "team": self.team_id}, "locale": locale,
        } | extra
        self.users[id] = user
        return user

    def add_message(self, channel: str, text: str, *, user: str, thread_ts: str | None = None,
                    **fields: Any) -> dict[str, Any]:
        """Puts a person's message into a channel (e.g. a draft the app will be told about by an event)."""
        with self._cond:
            return copy.deepcopy(self._store_message(channel, {"user": user, "text": text, **fields}, thread_ts))

    # --- distribution: Slack's side of OAuth v2 ------------------------------------------------
    def distribute(self, client_id: str, client_secret: str, *, redirect_urls: Iterable[str] = (),
                   token_lifetime_s: float | None = 43_200) -> None:
        """The app is distributed: it is installed through OAuth, and from now on only tokens issued
        by `oauth.v2.access` are accepted. Bot tokens expire after `token_lifetime_s` (token
        rotation on, Slack's 12 hours), or never (None: no refresh tokens either)."""
        with self._cond:
            self._credentials = (client_id, client_secret)
            self.redirect_urls = tuple(redirect_urls)
            self.token_lifetime_s = token_lifetime_s

    def approve(self, authorize_url: str, team_id: str, *, team_name: str | None = None, user: str = "UINSTALLER",
                expires_in: float | None = None) -> str:
        """Someone allows the install in workspace `team_id` on Slack's authorize page: returns the
        URL Slack sends the browser back to, with a one-use code (`expires_in`: the lifetime of the
        token it is exchanged for, else `token_lifetime_s`). The link is checked as Slack checks
        it; each problem is a violation."""
        url, query = urlsplit(authorize_url), _form(urlsplit(authorize_url).query)
        with self._cond:
            if self._credentials is None:
                raise AssertionError("approve() needs distribute() first")
            redirect = self._authorize_problems(url, query)
            workspace = Workspace(team_id, team_name or f"Workspace {team_id}", f"UB{team_id[1:]}", f"BB{team_id[1:]}",
                                  query.get("scope") or "")
            code = f"{team_id}.{next(self._token_seq)}.{secrets.token_hex(8)}"
            self._codes[code] = {"workspace": workspace, "redirect_uri": query.get("redirect_uri"), "user": user,
                                 "expires_in": expires_in}
            return f"{redirect}?{urlencode({'code': code, 'state': query.get('state') or ''})}"

    def deny(self, authorize_url: str) -> str:
        """Someone cancels on Slack's authorize page: where Slack sends the browser back."""
        url, query = urlsplit(authorize_url), _form(urlsplit(authorize_url).query)
        with self._cond:
            redirect = self._authorize_problems(url, query)
        return f"{redirect}?{urlencode({'error': 'access_denied', 'state': query.get('state') or ''})}"

    def _authorize_problems(self, url: Any, query: dict[str, Any]) -> str:
        """Records what Slack's authorize page would refuse in a link; the redirect URL it uses."""
        problems = []
        if (url.scheme, url.netloc, url.path) != ("https", "slack.com", "/oauth/v2/authorize"):
            problems.append(f"not Slack's authorize URL: {url.scheme}://{url.netloc}{url.path}")
        if self._credentials is None or query.get("client_id") != self._credentials[0]:
            problems.append(f"client_id {query.get('client_id')!r} is not the app's")
        if not query.get("scope"):
            problems.append("no bot scopes asked for")
        if not query.get("state"):
            problems.append("no state")
        redirect = query.get("redirect_uri") or (self.redirect_urls[0] if self.redirect_urls else "")
        if not redirect or self.redirect_urls and redirect not in self.redirect_urls:
            problems.append(f"redirect_uri {redirect!r} is not one of the app's {list(self.redirect_urls)}")
        self.violations.extend(f"oauth/v2/authorize: {problem}" for problem in problems)
        return redirect

    def revoke(self, team_id: str) -> None:
        """Every token of the workspace stops working (the app was uninstalled, or its tokens revoked)."""
        with self._cond:
            for issued in self._issued.values():
                if issued.team_id == team_id:
                    issued.revoked = True

    def team_of(self, token: str | None) -> str | None:
        """The workspace a token was issued for (None: not one issued here)."""
        with self._cond:
            issued = self._issued.get(token or "")
            return issued.team_id if issued else None

    def tokens_of(self, team_id: str) -> list[str]:
        """The bot tokens issued for a workspace, oldest first."""
        with self._cond:
            return [token for token, issued in self._issued.items() if issued.team_id == team_id and not issued.refresh]

    def _issue(self, workspace: Workspace, expires_in: float | None) -> dict[str, Any]:
        """A new bot token for `workspace` (and, with rotation, a refresh token), as `oauth.v2.access` answers."""
        n, now = next(self._token_seq), time.time()
        lifetime = expires_in if expires_in is not None else self.token_lifetime_s
        token = f"xoxe.xoxb-{workspace.team_id}-{n}" if lifetime else f"xoxb-{workspace.team_id}-{n}"
        self._issued[token] = Issued(workspace.team_id, refresh=False, expires_at=now + lifetime if lifetime else None)
        answer = {"access_token": token, "token_type": "bot", "scope": workspace.scope,
                  "bot_user_id": workspace.bot_user_id, "app_id": self.app_id,
                  "team": {"id": workspace.team_id, "name": workspace.team_name}, "enterprise": None,
                  "is_enterprise_install": False}
        if lifetime:
            refresh = f"xoxe-1-{workspace.team_id}-{n}"
            self._issued[refresh] = Issued(workspace.team_id, refresh=True, expires_at=None)
            answer |= {"expires_in": int(lifetime), "refresh_token": refresh}
        return answer

    def _token_refusal(self, call: Call) -> SlackError | None:
        """Once distributed, a call's token must be one issued here and still in force."""
        if self._credentials is None or not call.token:
            return None
        issued = self._issued.get(call.token)
        if issued is None or issued.refresh or issued.revoked:
            return SlackError("invalid_auth")
        if issued.expires_at is not None and time.time() >= issued.expires_at:
            return SlackError("token_expired")
        return None

    def fail(self, method: str, *, status: int | None = None, retry_after: int = 1, error: str | None = None,
             delay: float = 0.0, times: int = 1) -> None:
        """The next `times` calls of `method` misbehave.

        `error="..."` → HTTP 200 `{"ok": false, "error": ...}`; `status=...` → that HTTP status
        (429 carries `Retry-After: retry_after`); `delay=...` alone → the normal answer, late.
        A delay combines with either. With none of them, the call is rate limited (429).
        `method="response_url"` makes posts to `response_url`s misbehave the same way.
        """
        if status is None and error is None and not delay:
            status = 429
        with self._cond:
            self._faults.setdefault(method, []).extend([Fault(status, retry_after, error, delay)] * times)

    def slow(self, delay: float) -> None:
        """From now on every call — Web API and `response_url` posts — is answered `delay` seconds late."""
        with self._cond:
            self._slow = delay

    def outage(self, down: bool = True) -> None:
        """While down, every API call is answered HTTP 503 and recorded in `refused`, not `calls`."""
        with self._cond:
            self._down = down

    def response_url(self, name: str = "default") -> str:
        """A `response_url` for a payload the test sends to the app; posts land in `responses`."""
        return f"{self.base_url}{RESPONSE_PATH}{quote(name, safe='')}"

    # --- what tests read ---------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def wait_responses(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Blocks until `count` posts reached `response_url`s; returns all of them."""
        deadline = time.monotonic() + timeout
        while len(self.responses) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.responses) >= count, f"expected {count} response_url post(s), got {len(self.responses)}"
        return self.responses

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Blocks until `count` calls of `method` arrived (the app works on other threads).

        Calls are answered as they are recorded, so the workspace state already shows their
        effect; only a call held back by `fail(delay=...)` is returned before it is answered.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                seen = [call.method for call in self.calls]
                raise AssertionError(f"expected {count} call(s) to {method} within {timeout}s, "
                                     f"got {len(self.calls_to(method))}; calls so far: {seen}; "
                                     f"violations: {self.violations}")
            return self.calls_to(method)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every stored message of a channel (thread replies included), oldest first."""
        with self._cond:
            return copy.deepcopy(self._messages.get(channel, []))

    def response_names(self) -> list[str]:
        """The `response_url` name of each accepted post, in order (a name twice: answered twice)."""
        with self._cond:
            return list(self._responded)

    def home_tab(self, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            view_id = self._home_tabs.get(user_id)
            return copy.deepcopy(self.views[view_id]) if view_id else None

    # --- HTTP entry points (called by the request handler threads) ----------------------------
    def answer_api(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> Reply:
        bad_body: str | None = None
        try:
            sent, is_json = parse_body(body, headers.get("Content-Type", ""))
            args = _decoded(_basic(headers) | _form(query) | sent)
        except (ValueError, UnicodeDecodeError) as error:
            args, is_json, bad_body = {}, False, str(error)
        call = Call(method, args, headers, time.time())
        with self._cond:
            if self._down:
                self.refused.append(call)
                return self._finish(call, Reply(503, {"ok": False, "error": "service_unavailable"}))
            self.calls.append(call)
            self._cond.notify_all()  # a delayed call is visible to wait_for() before it is answered
            if bad_body is not None:
                refusal: SlackError | None = self._violation(call, "invalid_json", bad_body)
            else:
                refusal = self._check(call, is_json) or self._token_refusal(call)
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else None
            delay = max(fault.delay if fault else 0.0, self._slow)
            if not delay:  # answered under the same lock: wait_for() sees the state
                return self._finish(call, self._reply(call, refusal, fault))
        if self._stopping.wait(delay):
            return Reply(503, {"ok": False, "error": "stand-in stopped"})
        with self._cond:
            return self._finish(call, self._reply(call, refusal, fault))

    def _reply(self, call: Call, refusal: SlackError | None, fault: Fault | None) -> Reply:
        if fault and fault.error:
            return Reply(200, SlackError(fault.error).payload())
        if fault and fault.status:
            code = "ratelimited" if fault.status == 429 else "fatal_error"
            retry = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return Reply(fault.status, {"ok": False, "error": code}, retry)
        if refusal is not None:
            return Reply(200, refusal.payload())
        return Reply(200, self._dispatch(call))

    def answer_upload(self, file_id: str, body: bytes) -> Reply:
        with self._cond:
            upload = self.uploads.get(file_id)
            if upload is None:
                return Reply(404, "unknown upload URL")
            if len(body) != upload.length:
                self.violations.append(f"upload {file_id}: {len(body)} bytes sent, {upload.length} announced")
            upload.data = body
            return Reply(200, f"OK - {len(body)}")

    def answer_response_url(self, name: str, body: bytes) -> Reply:
        """Slack takes 5 posts per response_url; its exact answer to a 6th is not documented (404 here)."""
        with self._cond:
            faults = self._faults.get("response_url")
            fault = faults.pop(0) if faults else None
            delay = max(fault.delay if fault else 0.0, self._slow)
        if delay and self._stopping.wait(delay):
            return Reply(503, "stand-in stopped")
        if fault and fault.status:
            return Reply(fault.status, "rate_limited" if fault.status == 429 else "internal_error",
                         {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {})
        with self._cond:
            if self._down:
                return Reply(503, "service_unavailable")
            posts = self._response_posts[name] = self._response_posts.get(name, 0) + 1
            if posts > RESPONSE_URL_POSTS_MAX:
                self.violations.append(f"response_url {name!r}: post {posts}, Slack allows {RESPONSE_URL_POSTS_MAX}")
                return Reply(404, "used_url")
            try:
                payload = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                self.violations.append(f"response_url {name!r}: body is not JSON")
                return Reply(400, "invalid_payload")
            self.responses.append(payload)
            self._responded.append(name)
            problems = message_problems(payload) if isinstance(payload, dict) else [("invalid_payload", "not an object")]
            for code, problem in problems:
                self.violations.append(f"response_url {name!r}: {code}: {problem}")
            return Reply(400, problems[0][0]) if problems else Reply(200, "ok")

    # --- checking ------------------------------------------------------------------------------
    def _violation(self, call: Call, code: str, detail: str) -> SlackError:
        self.violations.append(f"{call.method}: {code}: {detail}")
        return SlackError(code, detail)

    def _check(self, call: Call, is_json: bool) -> SlackError | None:
        """The first reason Slack would refuse this call; every problem found becomes a violation."""
        spec = load_spec(self.spec_dir, call.method)
        if spec is None:
            return self._violation(call, "unknown_method", "not a method in Slack's API description")
        args_spec = spec.get("args", {})
        header_token = _bearer(call.headers)
        token = str(header_token or call.args.get("token") or "")
        if "token" in args_spec.get("required", []) and (not token or is_json and not header_token):
            return self._violation(call, "not_authed", "no token (JSON bodies need it in the Authorization header)")
        if token and (call.method == "apps.connections.open") != token.startswith("xapp-"):
            return self._violation(call, "not_allowed_token_type", "app-level tokens (xapp-) are for "
                                   "apps.connections.open only, and it takes no other kind")
        if is_json and not spec.get("json_input_supported"):
            return self._violation(call, "invalid_arguments", "this method does not take a JSON body")
        missing = [name for name in args_spec.get("required", []) if name != "token" and not _present(call.args.get(name))]
        if call.method in ONE_OF and not any(_present(call.args.get(name)) for name in ONE_OF[call.method]):
            missing.append(" or ".join(ONE_OF[call.method]))
        if missing:
            return self._violation(call, "invalid_arguments", f"missing required argument(s): {', '.join(missing)}")
        for name in sorted(call.args.keys() - args_spec.get("properties", {}).keys() - COMMON_ARGS):
            self.violations.append(f"{call.method}: argument {name!r} is not in Slack's description of this method")
        problems = message_problems(call.args)
        if "view" in call.args:
            problems += [("invalid_blocks", p) for p in view_problems(call.args["view"], VIEW_TYPES.get(call.method))]
        for code, problem in problems[1:]:
            self._violation(call, code, problem)
        return self._violation(call, *problems[0]) if problems else None

    def _finish(self, call: Call, reply: Reply) -> Reply:
        call.status = reply.status
        call.response = reply.body if isinstance(reply.body, dict) else None
        self._cond.notify_all()
        return reply

    def _dispatch(self, call: Call) -> dict[str, Any]:
        handler = _HANDLERS.get(call.method)
        issued = self._issued.get(call.token or "")
        self._caller = self.workspaces.get(issued.team_id) if issued else None  # under the lock, like the call
        try:
            result = handler(self, call.args) if handler else {}
        except SlackError as error:
            return error.payload()
        return {"ok": True, **result}

    # --- workspace state -----------------------------------------------------------------------
    def _next_ts(self) -> str:
        seq = next(self._ts_seq)
        return f"{TS_EPOCH + seq // 1_000_000}.{seq % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_seq):08d}"

    def _channel_id(self, channel: str) -> str:
        """Posting to a user id lands in the DM with that user, as on Slack."""
        return f"D{channel[1:]}" if channel[:1] in ("U", "W") else channel

    def _store_message(self, channel: str, fields: dict[str, Any], thread_ts: str | None) -> dict[str, Any]:
        message = {"type": "message", "ts": self._next_ts(), **{k: v for k, v in fields.items() if v is not None}}
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = self._lookup(channel, thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        self._messages.setdefault(channel, []).append(message)
        return message

    def _lookup(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _find(self, channel: str, ts: str, error: str = "message_not_found") -> dict[str, Any]:
        found = self._lookup(channel, ts)
        if found is None:
            raise SlackError(error)
        return found

    def _bot(self) -> Workspace:
        """The bot the call being answered acts as: its token's workspace's, else the stand-in's own."""
        return self._caller or Workspace(self.team_id, self.team_name, self.bot_user_id, self.bot_id, "")

    def _bot_fields(self, args: Mapping[str, Any], *names: str) -> dict[str, Any]:
        bot = self._bot()
        return {"user": bot.bot_user_id, "bot_id": bot.bot_id, "app_id": self.app_id, "team": bot.team_id,
                **{name: args.get(name) for name in names}}

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or self._next_id("V")
        stored = {"state": {"values": {}}, "private_metadata": "", "callback_id": "", "external_id": "",
                  "root_view_id": view_id, "previous_view_id": None} | view | {
            "id": view_id, "team_id": self.team_id, "app_id": self.app_id, "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{self._next_id('')}"}
        self.views[view_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _exchange_trigger(self, args: Mapping[str, Any]) -> None:
        trigger = str(args.get("trigger_id") or args.get("interactivity_pointer"))
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)

    # --- method handlers (see _HANDLERS) --------------------------------------------------------
    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        bot = self._bot()
        domain = self.team_domain if self._caller is None else bot.team_id.lower()
        return {"url": f"https://{domain}.slack.com/", "team": bot.team_name, "user": "inmail-review",
                "team_id": bot.team_id, "user_id": bot.bot_user_id, "bot_id": bot.bot_id,
                "app_id": self.app_id, "is_enterprise_install": False}

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """A code from `approve` (once) or a refresh token (once) for a new bot token."""
        if self._credentials is None:
            self.violations.append("oauth.v2.access: called, but the test never distribute()d the app")
            raise SlackError("invalid_client_id")
        if args.get("client_id") != self._credentials[0]:
            raise SlackError("invalid_client_id")
        if args.get("client_secret") != self._credentials[1]:
            raise SlackError("bad_client_secret")
        grant = args.get("grant_type") or "authorization_code"
        if grant == "refresh_token":
            issued = self._issued.get(args.get("refresh_token") or "")
            if issued is None or not issued.refresh or issued.revoked:
                raise SlackError("invalid_refresh_token")
            issued.revoked = True  # each refresh token works once
            return self._issue(self.workspaces[issued.team_id], None)
        if grant != "authorization_code":
            raise SlackError("invalid_grant_type")
        code = self._codes.pop(args.get("code") or "", None)
        if code is None:
            raise SlackError("invalid_code")
        if code["redirect_uri"] and args.get("redirect_uri") != code["redirect_uri"]:
            raise SlackError("bad_redirect_uri")
        workspace = self.workspaces[code["workspace"].team_id] = code["workspace"]
        return self._issue(workspace, code["expires_in"]) | {"authed_user": {"id": code["user"]}}

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(args["channel"])
        fields = self._bot_fields(args, "text", "blocks", "attachments", "metadata")
        message = self._store_message(channel, fields, args.get("thread_ts"))
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(args["channel"])
        message = self._find(channel, args["ts"])
        message.update({k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args})
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel, "ts": message["ts"], "text": message.get("text", ""),
                "message": copy.deepcopy(message)}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(args["channel"])
        message = self._find(channel, args["ts"])
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": args["ts"]}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(args["channel"])
        self._find(channel, args["message_ts"])
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{args['message_ts'].replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": args["channel"]}}
        users = str(args["users"]).split(",")
        if len(users) != 1:
            raise SlackError("invalid_user_combination")  # group DMs are not needed by this app
        if users[0] not in self.users:
            raise SlackError("user_not_found")
        return {"channel": {"id": self._channel_id(users[0])}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args["channel"]
        if channel[:1] not in ("C", "G", "D"):
            raise SlackError("channel_not_found")
        info = {"id": channel, "name": channel.lower(), "is_channel": channel[0] == "C", "is_group": channel[0] == "G",
                "is_im": channel[0] == "D", "is_private": channel[0] != "C", "is_archived": False, "is_member": True}
        if channel[0] == "D":
            info["user"] = next((u for u in self.users if self._channel_id(u) == channel), None)
        return {"channel": info}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        inclusive = _truthy(args.get("inclusive"))
        top_level = [m for m in self._messages.get(args["channel"], [])
                     if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("reply_broadcast")]
        in_range = [m for m in top_level if oldest < float(m["ts"]) < latest
                    or inclusive and float(m["ts"]) in (oldest, latest)]
        limit = int(args.get("limit") or 100)
        newest_first = sorted(in_range, key=lambda m: float(m["ts"]), reverse=True)
        return {"messages": copy.deepcopy(newest_first[:limit]), "has_more": len(newest_first) > limit,
                "pin_count": 0, "response_metadata": {"next_cursor": ""}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        self._find(args["channel"], args["ts"], error="thread_not_found")
        thread = [m for m in self._messages[args["channel"]] if args["ts"] in (m["ts"], m.get("thread_ts"))]
        return {"messages": copy.deepcopy(thread), "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if args["user"] not in self.users:
            raise SlackError("user_not_found")
        user = copy.deepcopy(self.users[args["user"]])
        if str(args.get("include_locale")).lower() not in ("true", "1"):
            user.pop("locale", None)
        return {"user": user}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args)
        return self._store_view(args["view"])

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args)
        return self._store_view(args["view"])

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id") or next(
            (v["id"] for v in self.views.values() if v.get("external_id") == args.get("external_id")), None)
        if view_id not in self.views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        return self._store_view(args["view"], view_id)

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = self._home_tabs.get(args["user_id"])
        if view_id and args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        result = self._store_view(args["view"], view_id)
        self._home_tabs[args["user_id"]] = result["view"]["id"]
        return result

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except ValueError:
            raise SlackError("invalid_arguments", "length must be an integer") from None
        if length < 1:
            raise SlackError("invalid_arguments", "length must be at least 1")
        file_id = self._next_id("F")
        self.uploads[file_id] = Upload(file_id, args["filename"], length)
        return {"file_id": file_id, "upload_url": f"{self.base_url}{UPLOAD_PATH}{file_id}"}

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = [e for e in args["files"] if isinstance(e, dict)] if isinstance(args["files"], list) else []
        uploaded = [(self.uploads[str(e.get("id"))], e) for e in entries
                    if str(e.get("id")) in self.uploads and self.uploads[str(e.get("id"))].data is not None]
        if not entries or len(uploaded) != len(entries):
            raise SlackError("file_not_found")
        channel = args.get("channel_id") or (args.get("channels") or "").split(",")[0] or None
        files = []
        for upload, entry in uploaded:
            upload.title, upload.channel = entry.get("title") or upload.filename, channel
            files.append({"id": upload.file_id, "name": upload.filename, "title": upload.title,
                          "size": upload.length, "user": self.bot_user_id, "channels": [channel] if channel else []})
        if channel:
            fields = self._bot_fields(args) | {"text": args.get("initial_comment") or "", "files": files}
            self._store_message(channel, fields, args.get("thread_ts"))
        return {"files": copy.deepcopy(files)}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._find(args["channel"], args["timestamp"])
        reactions = message.setdefault("reactions", [])
        if any(r["name"] == args["name"] for r in reactions):
            raise SlackError("already_reacted")
        reactions.append({"name": args["name"], "users": [self.bot_user_id], "count": 1})
        return {}

    def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team": {"id": self.team_id, "name": self.team_name, "domain": self.team_domain}}

    def _bots_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("bot", self.bot_id) != self.bot_id:
            raise SlackError("bot_not_found")
        return {"bot": {"id": self.bot_id, "deleted": False, "name": "inmail-review", "app_id": self.app_id,
                        "user_id": self.bot_user_id, "updated": TS_EPOCH}}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            self.violations.append("apps.connections.open: the test gave the stand-in no socket_url")
            raise SlackError("internal_error")
        return {"url": self.socket_url}

    # --- people, user groups and shared files (users.lookupByEmail, users.list, files.info,
    # usergroups.users.list, and a file's url_private_download) ----------------------------------
    def add_usergroup(self, id: str, users: Iterable[str]) -> None:
        """A user group (`S…`) for `usergroups.users.list`."""
        self.usergroups[id] = list(users)

    def add_file(self, name: str, data: bytes, *, user: str | None = None, filetype: str = "csv") -> dict[str, Any]:
        """A file a person shared (e.g. through a form's `file_input`), shaped like Slack's file
        object; its bytes are served at `url_private_download` to a request with a bearer token."""
        with self._cond:
            file_id = self._next_id("F")
            url = f"{self.base_url}{FILES_PATH}{self.team_id}-{file_id}/download/{quote(name)}"
            self.shared_files[file_id] = {
                "id": file_id, "created": int(time.time()), "timestamp": int(time.time()), "name": name, "title": name,
                "mimetype": "text/csv" if filetype == "csv" else "application/octet-stream", "filetype": filetype,
                "pretty_type": filetype.upper(), "user": user or next(iter(self.users)), "user_team": self.team_id,
                "mode": "hosted", "is_external": False, "is_public": False, "size": len(data),
                "url_private": url.replace("/download/", "/"), "url_private_download": url}
            self.shared_file_data[file_id] = data
            return copy.deepcopy(self.shared_files[file_id])

    def _people(self) -> list[dict[str, Any]]:
        """Users as Slack returns them: an e-mail given to `add_user(email=...)` is in the profile."""
        people = []
        for user in self.users.values():
            person = copy.deepcopy(user)
            if "email" in person:
                person["profile"]["email"] = person.pop("email")
            people.append(person)
        return people

    def _users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = str(args["email"]).strip().lower()
        found = next((p for p in self._people() if str(p["profile"].get("email", "")).lower() == wanted), None)
        if found is None:
            raise SlackError("users_not_found")
        return {"user": found}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Pages of `limit` users (all when 0 or absent); the cursor is opaque, as on Slack."""
        people = self._people()
        start = 0
        if args.get("cursor"):
            try:
                start = int(base64.b64decode(str(args["cursor"])).decode().removeprefix("user:"))
            except ValueError:
                raise SlackError("invalid_cursor") from None
        limit = int(args.get("limit") or 0) or len(people)
        page = people[start:start + limit]
        if str(args.get("include_locale")).lower() not in ("true", "1"):
            page = [{k: v for k, v in person.items() if k != "locale"} for person in page]
        more = start + limit < len(people)
        cursor = base64.b64encode(f"user:{start + limit}".encode()).decode() if more else ""
        return {"members": page, "cache_ts": int(time.time()), "response_metadata": {"next_cursor": cursor}}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.shared_files.get(str(args["file"]))
        if found is None:
            raise SlackError("file_not_found")
        return {"file": copy.deepcopy(found), "comments": [], "response_metadata": {"next_cursor": ""}}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        if args["usergroup"] not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[args["usergroup"]])}

    def answer_file_download(self, path: str, headers: dict[str, str]) -> Reply:
        """A file's bytes, to a request with a bearer token only (Slack sends others to its login page)."""
        file_id = path.split("/", 1)[0].removeprefix(f"{self.team_id}-")
        call = Call("url_private_download", {"file": file_id}, headers, time.time())
        with self._cond:
            self.downloads.append(call)
            if not _bearer(headers):
                self.violations.append(f"file {file_id}: downloaded without an Authorization: Bearer token")
                return self._finish(call, Reply(403, "not authorized"))
            if file_id not in self.shared_file_data:
                return self._finish(call, Reply(404, "file not found"))
            return self._finish(call, Reply(200, self.shared_file_data[file_id]))


# Methods with state or an answer to shape; any other method Slack describes answers `{"ok": true}`.
_HANDLERS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
    "chat.postMessage": SlackStandIn._chat_post_message,
    "chat.update": SlackStandIn._chat_update,
    "chat.delete": SlackStandIn._chat_delete,
    "chat.postEphemeral": SlackStandIn._chat_post_ephemeral,
    "chat.getPermalink": SlackStandIn._chat_get_permalink,
    "conversations.open": SlackStandIn._conversations_open,
    "conversations.info": SlackStandIn._conversations_info,
    "conversations.history": SlackStandIn._conversations_history,
    "conversations.replies": SlackStandIn._conversations_replies,
    "users.info": SlackStandIn._users_info,
    "views.open": SlackStandIn._views_open,
    "views.push": SlackStandIn._views_push,
    "views.update": SlackStandIn._views_update,
    "views.publish": SlackStandIn._views_publish,
    "files.getUploadURLExternal": SlackStandIn._files_get_upload_url_external,
    "files.completeUploadExternal": SlackStandIn._files_complete_upload_external,
    "reactions.add": SlackStandIn._reactions_add,
    "team.info": SlackStandIn._team_info,
    "bots.info": SlackStandIn._bots_info,
    "apps.connections.open": SlackStandIn._apps_connections_open,
    "oauth.v2.access": SlackStandIn._oauth_v2_access,
}
_HANDLERS.update({
    "users.lookupByEmail": SlackStandIn._users_lookup_by_email,
    "users.list": SlackStandIn._users_list,
    "files.info": SlackStandIn._files_info,
    "usergroups.users.list": SlackStandIn._usergroups_users_list,
})


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean, tokens out of logs
            pass

        def do_GET(self) -> None:
            self._route(b"")

        def do_POST(self) -> None:
            self._route(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _route(self, body: bytes) -> None:
            url = urlsplit(self.path)
            if url.path.startswith("/api/"):
                headers = dict(self.headers.items())
                reply = standin.answer_api(url.path[len("/api/"):], url.query, body, headers)
            elif url.path.startswith(UPLOAD_PATH):
                reply = standin.answer_upload(url.path[len(UPLOAD_PATH):], body)
            elif url.path.startswith(FILES_PATH):
                reply = standin.answer_file_download(url.path[len(FILES_PATH):], dict(self.headers.items()))
            elif url.path.startswith(RESPONSE_PATH):
                reply = standin.answer_response_url(unquote(url.path[len(RESPONSE_PATH):]), body)
            else:
                reply = Reply(404, "not found")
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            is_json, is_bytes = isinstance(reply.body, dict), isinstance(reply.body, bytes)
            data = reply.body if isinstance(reply.body, bytes) else (
                json.dumps(reply.body) if is_json else str(reply.body)).encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8" if is_json
                                 else "application/octet-stream" if is_bytes else "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
                pass

    return Handler
