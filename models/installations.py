"""The app's installs in workspaces, their bot tokens and the OAuth flow's states (the owner of the
`installations`, `installation_bots` and `oauth_states` tables; made by
`models.store._v9_installations`).

Only used when the app is distributed (Slack OAuth, `bot/oauth.py` adapts these to slack_sdk's
`InstallationStore` and `OAuthStateStore`). Plain rows here, no slack_sdk types:

- `installations` keeps every install (who installed, when, with which user token if any); the
  latest one of a workspace wins.
- `installation_bots` holds a workspace's bot token, one row per workspace, replaced when the app
  is installed again or the token is refreshed (token rotation): an expired token has no use, and
  a secret not kept cannot leak.
- `oauth_states` are the one-use, short-lived values that tie Slack's redirect back to an install
  page this app showed; consuming one is a single `DELETE`, so of two requests with the same
  state only one succeeds, on either engine.

`enterprise_id` is '' when there is none, and `team_id` '' for an org-wide install (and for the
states, which belong to no workspace yet), so the keys are never NULL.
"""
from __future__ import annotations

import secrets
import time
from typing import Any

from models.store import Store

INSTALLATION_COLUMNS = ("team_id", "enterprise_id", "user_id", "app_id", "team_name", "enterprise_name",
                        "enterprise_url", "is_enterprise_install", "user_token", "user_scopes", "user_refresh_token",
                        "user_token_expires_at", "token_type", "installed_at")
BOT_COLUMNS = ("team_id", "enterprise_id", "app_id", "team_name", "enterprise_name", "bot_token", "bot_id",
               "bot_user_id", "bot_scopes", "bot_refresh_token", "bot_token_expires_at", "is_enterprise_install",
               "installed_at")


def _values(row: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    keyed = {"team_id": row.get("team_id") or "", "enterprise_id": row.get("enterprise_id") or "",
             "is_enterprise_install": 1 if row.get("is_enterprise_install") else 0}
    return tuple(keyed[name] if name in keyed else row.get(name) for name in columns)


def _workspace(team_id: str | None, enterprise_id: str | None) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause naming a workspace; `enterprise_id` None matches any organisation."""
    if enterprise_id is None:
        return "team_id = ?", (team_id or "",)
    return "team_id = ? AND enterprise_id = ?", (team_id or "", enterprise_id)


class Installations:
    """Installs and bot tokens over a `Store`; every query names its workspace."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, installation: dict[str, Any], bot: dict[str, Any] | None) -> None:
        """One install: its row in the history and, when it brought one, the workspace's bot token."""
        with self.store.transaction() as db:
            db.execute(f"INSERT INTO installations ({', '.join(INSTALLATION_COLUMNS)}) "
                       f"VALUES ({', '.join('?' for _ in INSTALLATION_COLUMNS)})",
                       _values(installation, INSTALLATION_COLUMNS))
            if bot is not None:
                self.save_bot(bot)

    def save_bot(self, bot: dict[str, Any]) -> None:
        """The workspace's bot token now (a new install, or a refreshed token): the last saved wins."""
        updates = ", ".join(f"{name} = excluded.{name}" for name in BOT_COLUMNS[2:])
        self.store.execute(
            f"INSERT INTO installation_bots ({', '.join(BOT_COLUMNS)}, saved_at) "
            f"VALUES ({', '.join('?' for _ in BOT_COLUMNS)}, ?) "
            f"ON CONFLICT (team_id, enterprise_id) DO UPDATE SET {updates}, saved_at = excluded.saved_at",
            (*_values(bot, BOT_COLUMNS), time.time()))

    def bot(self, team_id: str | None, enterprise_id: str | None = None) -> dict[str, Any] | None:
        """The workspace's bot token and identity (`enterprise_id` None: whichever organisation it
        is in — a piece of work knows its workspace only)."""
        where, params = _workspace(team_id, enterprise_id)
        rows = self.store.rows(f"SELECT * FROM installation_bots WHERE {where} ORDER BY saved_at DESC", params)
        return rows[0] if rows else None

    def latest(self, team_id: str | None, enterprise_id: str | None, user_id: str | None = None) -> dict[str, Any] | None:
        """The workspace's latest install (by `user_id` when given)."""
        by_user = "AND user_id = ?" if user_id else ""
        rows = self.store.rows(
            f"SELECT * FROM installations WHERE team_id = ? AND enterprise_id = ? {by_user} "
            "ORDER BY installed_at DESC, id DESC LIMIT 1",
            (team_id or "", enterprise_id or "", *((user_id,) if user_id else ())))
        return rows[0] if rows else None

    def delete_bot(self, team_id: str | None, enterprise_id: str | None = None) -> int:
        """The workspace's bot token (`enterprise_id` None: whichever organisation it is in)."""
        where, params = _workspace(team_id, enterprise_id)
        return self.store.execute(f"DELETE FROM installation_bots WHERE {where}", params).rowcount

    def delete_installations(self, team_id: str | None, enterprise_id: str | None = None,
                             user_id: str | None = None) -> int:
        """The workspace's installs (those of `user_id` when given), their user tokens with them."""
        where, params = _workspace(team_id, enterprise_id)
        if user_id:
            where, params = f"{where} AND user_id = ?", (*params, user_id)
        return self.store.execute(f"DELETE FROM installations WHERE {where}", params).rowcount

    def teams(self) -> list[str]:
        """The workspaces the app has a bot token for now."""
        return [row["team_id"] for row in self.store.rows(
            "SELECT DISTINCT team_id FROM installation_bots WHERE team_id <> '' ORDER BY team_id", ())]


class OAuthStates:
    """The install flow's states: issued by the install page, consumed once by the redirect."""

    def __init__(self, store: Store, expires_s: float) -> None:
        self.store = store
        self.expires_s = expires_s

    def issue(self, now: float | None = None) -> str:
        """A new state, valid for `expires_s`; states expired by now are forgotten meanwhile."""
        now = time.time() if now is None else now
        state = secrets.token_urlsafe(24)
        with self.store.transaction() as db:
            db.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (now,))
            db.execute("INSERT INTO oauth_states (state, team_id, expires_at) VALUES (?, '', ?)",
                       (state, now + self.expires_s))
        return state

    def consume(self, state: str, now: float | None = None) -> bool:
        """True once for a state issued here and not expired; False for any other, or the second time."""
        now = time.time() if now is None else now
        return self.store.execute("DELETE FROM oauth_states WHERE state = ? AND expires_at > ?",
                                  (state, now)).rowcount == 1
