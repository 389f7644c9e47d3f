"""Distribution to many workspaces (PRODUCT.md §7): Slack's OAuth v2 install flow through Bolt's
`OAuthSettings`/`OAuthFlow`, its installation and state stores kept in our database, and each
workspace's own bot token for every Web API call.

OAuth mode is on when `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` are set, with
`SLACK_SIGNING_SECRET` and without `SLACK_BOT_TOKEN` (`credentials_problem` says what is amiss):

- `GET /slack/install` is Bolt's install flow with our page (`InstallFlow`, in the browser's
  language): its "Add to Slack" link asks Slack's `oauth/v2/authorize` for the manifest's bot
  scopes (`bot.manifest.bot_scopes`) with a state valid once, for 10 minutes (`oauth_states`), that
  Bolt also sets as a cookie — so the redirect must come back to the browser that started it.
- `GET /slack/oauth_redirect`: Bolt checks and consumes the state, exchanges the code through
  `oauth.v2.access` with the app's own client (`SLACK_API_URL`) and saves the installation
  (`StoredInstallations`, over `models/installations.py`); our pages say how it went.
- Each request is authorized from its workspace's stored bot token (`TeamAuthorize`), with the
  bot's ids the install stored: no `auth.test` per request, so an ack still makes no Slack call.
- Token rotation (on in the OAuth manifest, `manifest --url … --oauth`): a bot token expires after
  12 hours. One within `ROTATE_BEFORE_MIN` of its expiry is refreshed through slack_sdk's
  `TokenRotator` (`oauth.v2.access grant_type=refresh_token`) and saved before it is used — by the
  request path and the background work alike, since both take tokens from `InstalledClients` —
  one refresh per workspace at a time in a process; when another process refreshed first (a
  refresh token works once), the token it saved is used.

Tokens are never logged, nor put in an exception's message.
"""
from __future__ import annotations

import html
import logging
import threading
import time
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context.context import BoltContext
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth import InstallationStore, OAuthStateStore
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.i18n import N_, _, choose, reading
from bot.i18n import current as reader
from bot.manifest import bot_scopes
from bot.serve import INSTALL_PATH, REDIRECT_PATH
from bot.settings import Settings
from bot.slack_client import NotInstalled, TeamClients, client_with_token
from models.db import DB_ERRORS
from models.installations import Installations, OAuthStates
from models.store import Store

log = logging.getLogger(__name__)

AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
STATE_EXPIRES_S = 600
# Refresh a bot token this long before it expires (Bolt's default): a token taken now outlives any
# piece of work that uses it.
ROTATE_BEFORE_MIN = 120


def credentials_problem(settings: Settings) -> str | None:
    """What keeps `serve` from starting with these credentials (in the reader's language), or None:
    one workspace needs SLACK_BOT_TOKEN, many need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; over
    HTTP either needs SLACK_SIGNING_SECRET."""
    oauth = settings.slack_client_id or settings.slack_client_secret
    if oauth and settings.slack_bot_token:
        return _("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (many), not both")
    if oauth and not (settings.slack_client_id and settings.slack_client_secret):
        return _("OAuth mode needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    if oauth and settings.slack_app_token:
        return _("OAuth mode serves its install pages over HTTP: unset SLACK_APP_TOKEN")
    if not oauth and not settings.slack_bot_token:
        return _("SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, for many workspaces)")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        return _("SLACK_SIGNING_SECRET is not set (required over HTTP; set SLACK_APP_TOKEN for Socket Mode)")
    return None


# --- rows of models/installations.py ↔ slack_sdk's records -------------------------------------------
def _bot_row(bot: Bot) -> dict[str, Any]:
    return {"team_id": bot.team_id, "enterprise_id": bot.enterprise_id, "app_id": bot.app_id,
            "team_name": bot.team_name, "enterprise_name": bot.enterprise_name, "bot_token": bot.bot_token,
            "bot_id": bot.bot_id, "bot_user_id": bot.bot_user_id, "bot_scopes": ",".join(bot.bot_scopes or ()),
            "bot_refresh_token": bot.bot_refresh_token,
            "bot_token_expires_at": None if bot.bot_token_expires_at is None else float(bot.bot_token_expires_at),
            "is_enterprise_install": bot.is_enterprise_install, "installed_at": float(bot.installed_at)}


def _bot(row: dict[str, Any]) -> Bot:
    expires = row["bot_token_expires_at"]
    return Bot(app_id=row["app_id"], enterprise_id=row["enterprise_id"] or None, enterprise_name=row["enterprise_name"],
               team_id=row["team_id"] or None, team_name=row["team_name"], bot_token=row["bot_token"],
               bot_id=row["bot_id"], bot_user_id=row["bot_user_id"], bot_scopes=row["bot_scopes"] or "",
               bot_refresh_token=row["bot_refresh_token"], bot_token_expires_at=None if expires is None else int(expires),
               is_enterprise_install=bool(row["is_enterprise_install"]), installed_at=row["installed_at"])


def _installation_row(installation: Installation) -> dict[str, Any]:
    expires = installation.user_token_expires_at
    return {"team_id": installation.team_id, "enterprise_id": installation.enterprise_id,
            "user_id": installation.user_id, "app_id": installation.app_id, "team_name": installation.team_name,
            "enterprise_name": installation.enterprise_name, "enterprise_url": installation.enterprise_url,
            "is_enterprise_install": installation.is_enterprise_install, "user_token": installation.user_token,
            "user_scopes": ",".join(installation.user_scopes) if installation.user_scopes else None,
            "user_refresh_token": installation.user_refresh_token,
            "user_token_expires_at": None if expires is None else float(expires), "token_type": installation.token_type,
            "installed_at": float(installation.installed_at)}


def _installation(row: dict[str, Any], bot: dict[str, Any] | None) -> Installation:
    user_expires, bot_expires = row["user_token_expires_at"], bot["bot_token_expires_at"] if bot else None
    return Installation(
        app_id=row["app_id"], enterprise_id=row["enterprise_id"] or None, enterprise_name=row["enterprise_name"],
        enterprise_url=row["enterprise_url"], team_id=row["team_id"] or None, team_name=row["team_name"],
        bot_token=bot["bot_token"] if bot else None, bot_id=bot["bot_id"] if bot else None,
        bot_user_id=bot["bot_user_id"] if bot else None, bot_scopes=(bot["bot_scopes"] or "") if bot else "",
        bot_refresh_token=bot["bot_refresh_token"] if bot else None,
        bot_token_expires_at=None if bot_expires is None else int(bot_expires), user_id=row["user_id"],
        user_token=row["user_token"], user_scopes=row["user_scopes"] or "", user_refresh_token=row["user_refresh_token"],
        user_token_expires_at=None if user_expires is None else int(user_expires),
        is_enterprise_install=bool(row["is_enterprise_install"]), token_type=row["token_type"],
        installed_at=row["installed_at"])


def _keys(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> tuple[str, str]:
    """(team_id, enterprise_id) as stored: an org-wide install is the organisation's, not a workspace's."""
    return ("" if is_enterprise_install else team_id or ""), enterprise_id or ""


class StoredInstallations(InstallationStore):
    """slack_sdk's `InstallationStore` over `models.installations.Installations` (our database)."""

    def __init__(self, installations: Installations) -> None:
        self.installations = installations

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        try:
            self.installations.add(_installation_row(installation),
                                   _bot_row(installation.to_bot()) if installation.bot_token else None)
        except DB_ERRORS as error:  # Bolt shows its "storage_error" page for a BoltError
            raise BoltError(f"the installation could not be saved: {type(error).__name__}") from None

    def save_bot(self, bot: Bot) -> None:
        self.installations.save_bot(_bot_row(bot))

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        row = self.installations.bot(*_keys(enterprise_id, team_id, is_enterprise_install))
        return _bot(row) if row else None

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        team, enterprise = _keys(enterprise_id, team_id, is_enterprise_install)
        row = self.installations.latest(team, enterprise, user_id)
        return _installation(row, self.installations.bot(team, enterprise)) if row else None

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.installations.delete_bot(team_id, enterprise_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None) -> None:
        self.installations.delete_installations(team_id, enterprise_id, user_id)


class StoredStates(OAuthStateStore):
    """slack_sdk's `OAuthStateStore` over `models.installations.OAuthStates` (our database)."""

    def __init__(self, states: OAuthStates) -> None:
        self.states = states

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        return self.states.issue()

    def consume(self, state: str) -> bool:
        return self.states.consume(state)


# --- each workspace's token ------------------------------------------------------------------------
_refreshing: dict[str, threading.Lock] = {}  # per workspace, shared by every InstalledClients of the process
_refreshing_guard = threading.Lock()


def _refresh_lock(team_id: str) -> threading.Lock:
    with _refreshing_guard:
        return _refreshing.setdefault(team_id, threading.Lock())


def _expiring(row: dict[str, Any], now: float) -> bool:
    expires = row["bot_token_expires_at"]
    return bool(row["bot_refresh_token"]) and expires is not None and expires <= now + ROTATE_BEFORE_MIN * 60


class InstalledClients(TeamClients):
    """OAuth mode's `TeamClients`: each workspace's client carries the bot token its install stored,
    refreshed first when it is near its expiry."""

    distributed = True

    def __init__(self, base: WebClient, installations: Installations, client_id: str, client_secret: str) -> None:
        super().__init__(base)
        self.installations = installations
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=base)
        self._clients: dict[str, WebClient] = {}
        self._clients_lock = threading.Lock()

    def bot(self, team_id: str, enterprise_id: str | None = None) -> dict[str, Any] | None:
        """The workspace's bot (token and ids) as stored, its token refreshed if it is near expiry;
        None when the app is not installed there."""
        row = self.installations.bot(team_id, enterprise_id)
        if row is None or not _expiring(row, time.time()):
            return row
        with _refresh_lock(team_id):
            row = self.installations.bot(team_id, enterprise_id)  # refreshed meanwhile by another thread?
            if row is None or not _expiring(row, time.time()):
                return row
            try:
                refreshed = self.rotator.perform_bot_token_rotation(bot=_bot(row), minutes_before_expiration=ROTATE_BEFORE_MIN)
            except (SlackClientError, OSError) as error:
                latest = self.installations.bot(team_id, enterprise_id)
                if latest is not None and latest["bot_token"] != row["bot_token"]:
                    return latest  # another process refreshed it first, with the same refresh token
                api_error = getattr(error, "api_error", None)
                log.error("team %s: the bot token could not be refreshed: %s", team_id,
                          api_error.response.get("error") if api_error is not None else type(error).__name__)
                return row  # it may still work until it expires; Slack says so when it does not
            if refreshed is None:
                return row
            self.installations.save_bot(_bot_row(refreshed))
            log.info("team %s: bot token refreshed", team_id)
            return self.installations.bot(team_id, enterprise_id)

    def installed(self, team_id: str) -> bool:
        return self.installations.bot(team_id) is not None

    def forget(self, team_id: str, enterprise_id: str | None = None, *, bot: bool = True,
               users: tuple[str, ...] | None = None) -> None:
        if bot:
            self.installations.delete_bot(team_id, enterprise_id)
            with self._clients_lock:
                self._clients.pop(team_id, None)
        if users is None:
            self.installations.delete_installations(team_id, enterprise_id)
        for user in users or ():
            self.installations.delete_installations(team_id, enterprise_id, user)

    def for_team(self, team_id: str) -> WebClient:
        bot = self.bot(team_id)
        if bot is None:
            raise NotInstalled(team_id)
        with self._clients_lock:
            client = self._clients.get(team_id)
            if client is None or client.token != bot["bot_token"]:
                client = self._clients[team_id] = client_with_token(self.base, bot["bot_token"])
            return client


class TeamAuthorize(Authorize):
    """Authorizes each request from its workspace's stored bot (`InstalledClients.bot`): the token,
    refreshed when near expiry, and the bot's ids as the install stored them."""

    def __init__(self, clients: InstalledClients) -> None:
        self.clients = clients

    def __call__(self, *, context: BoltContext, enterprise_id: str | None, team_id: str | None,
                 user_id: str | None, **actor: Any) -> AuthorizeResult | None:
        team, enterprise = _keys(enterprise_id, team_id, context.is_enterprise_install)
        bot = self.clients.bot(team, enterprise)
        if bot is None:
            log.warning("a request for team %s, where the app is not installed", team_id)
            return None
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, team=bot["team_name"],
                               bot_user_id=bot["bot_user_id"], bot_id=bot["bot_id"], bot_token=bot["bot_token"],
                               bot_scopes=bot["bot_scopes"], user_id=user_id)


def team_clients(settings: Settings, store: Store, base: WebClient) -> TeamClients:
    """The app's clients per workspace: token mode's one client, or OAuth mode's installs."""
    if not settings.distributed:
        return TeamClients(base)
    return InstalledClients(base, Installations(store), settings.slack_client_id or "", settings.slack_client_secret or "")


# --- the install pages -------------------------------------------------------------------------------
PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em; line-height: 1.5; }}
a.button {{ display: inline-block; padding: .6em 1.2em; border-radius: 6px; background: #4a154b; color: #fff;
           text-decoration: none; font-weight: 600; }}
</style></head>
<body><h1>{title}</h1>
{body}
</body></html>
"""
FAILURES = {
    "access_denied": N_("The installation was cancelled on Slack's page."),
    "invalid_state": N_("This install link has expired or was used already: it works once, within 10 minutes, "
                        "in the browser that opened it."),
    "storage_error": N_("The app could not save the installation. Please try again in a moment."),
}
FAILURES["invalid_browser"] = FAILURES["invalid_state"]


def page(title: str, *paragraphs: str) -> str:
    """A page in the reader's language; `paragraphs` are HTML already escaped."""
    return PAGE.format(lang=reader().lang, title=html.escape(title),
                       body="\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))


def _link(url: str, text: str, css: str = "") -> str:
    return f'<a{f" class={css!r}" if css else ""} href="{html.escape(url)}">{html.escape(text)}</a>'


def browser_language(request: BoltRequest) -> str:
    """The interface language the browser asks for first (`Accept-Language`), else English."""
    header = (request.headers.get("accept-language") or [""])[0]
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _semicolon, quality = part.strip().partition(";q=")
        try:
            ranked.append((-float(quality or 1), position, tag.strip()))
        except ValueError:
            continue
    return choose(*(tag for _q, _p, tag in sorted(ranked)))


def install_page(url: str) -> str:
    return page(_("Install InMail Review"),
                html.escape(_("InMail Review reviews recruiters' draft LinkedIn InMails in Slack before they are sent, "
                              "and tracks which drafts get replies.")),
                _link(url, _("Add to Slack"), "button"))


def _success(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    team = installation.team_name or installation.team_id or ""
    with reading(browser_language(args.request)):
        body = page(_("InMail Review is installed"),
                    html.escape(_("InMail Review is now in {team}. Type /inmail in any channel to review a draft, or "
                                  "open the app's Home tab.", team=team)),
                    _link(f"slack://app?team={installation.team_id}&id={installation.app_id}", _("Open Slack"), "button")
                    + " " + _link(f"https://app.slack.com/client/{installation.team_id}", _("Open Slack in the browser")))
    return BoltResponse(status=200, body=body, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion()})


def _failure(args: FailureArgs) -> BoltResponse:
    log.info("an installation did not finish: %r", args.reason)
    with reading(browser_language(args.request)):
        known = FAILURES.get(args.reason)
        why = _(known) if known else _("Slack did not complete the installation ({reason}).", reason=args.reason)
        body = page(_("The installation did not finish"), html.escape(why),
                    _link(args.settings.install_path, _("Start again")))
    return BoltResponse(status=args.suggested_status_code, body=body, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion()})


class InstallFlow(OAuthFlow):
    """Bolt's install flow with our install page, in the browser's language."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        with reading(browser_language(request)):
            return install_page(url)


def oauth_app_args(settings: Settings, store: Store, base: WebClient) -> dict[str, Any]:
    """What Bolt's `App` takes for OAuth mode — the install flow over our stores, asking for the
    manifest's bot scopes, and our authorize — or nothing, in token mode. `store` is the request
    path's (the work queue's connection, whose short busy timeout keeps an ack from waiting long)."""
    clients = team_clients(settings, store, base)
    if not isinstance(clients, InstalledClients):
        return {}
    oauth = OAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=bot_scopes(),
        user_scopes=[], redirect_uri=settings.slack_redirect_uri, install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        authorization_url=AUTHORIZE_URL, callback_options=CallbackOptions(success=_success, failure=_failure),
        installation_store=StoredInstallations(clients.installations),
        token_rotation_expiration_minutes=ROTATE_BEFORE_MIN,
        state_store=StoredStates(OAuthStates(store, STATE_EXPIRES_S)), state_expiration_seconds=STATE_EXPIRES_S,
        logger=log)
    return {"oauth_flow": InstallFlow(client=clients.base, logger=log, settings=oauth), "authorize": TeamAuthorize(clients)}
