"""Configuration from the environment (PRODUCT.md §8), read once into a frozen record.

Every module takes a `Settings` instead of reading `os.environ` itself, so tests can build
one per case and nothing depends on import order.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from bot.i18n import _
from models.db import redacted

if TYPE_CHECKING:  # the store's modules, which `check` never needs (~15 ms of its start)
    from models.team_settings import TeamSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _http_url(value: str | None, name: str) -> str | None:
    if not value:
        return None
    if not re.match(r"https?://[^\s/]+", value.strip()):
        raise ValueError(_("{name} must be an http(s) URL such as https://crm.example.com/hooks/inmail, not {value}",
                           name=name, value=repr(value)))
    return value.strip()


_ADMIN_ID = re.compile(r"[UWS][A-Z0-9]{2,20}")


def _admins(value: str | None) -> tuple[str, ...]:
    """`INMAIL_ADMINS` checked at start, so a typo fails then and not at the first settings form."""
    ids = _csv(value)
    for admin in ids:
        if not _ADMIN_ID.fullmatch(admin):
            raise ValueError(_("INMAIL_ADMINS must list Slack user ids (U…) or user group ids (S…), not {value}",
                               value=repr(admin)))
    return ids


def _positive_int(value: str | None, name: str, default: int) -> int:
    if not value:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(_("{name} must be a positive whole number, not {value}", name=name, value=repr(value)))
    return int(value)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday(value: str | None) -> int:
    """`mon`…`sun` (or a full name) → 0…6; Monday when unset."""
    if not value:
        return 0
    day = value.strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ValueError(_("INMAIL_DIGEST_DAY must be a weekday name (mon … sun), not {value}", value=repr(value)))
    return WEEKDAYS.index(day)


def _bounded_int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if not value:
        return default
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise ValueError(_("{name} must be a whole number from {low} to {high}, not {value}", name=name, low=low, high=high,
                           value=repr(value)))
    return int(value)


def interface_language(value: str | None) -> str:
    """`INMAIL_LANGUAGE`: the team's interface language by default (en when unset)."""
    from bot.i18n import ui_language, ui_languages

    if not value:
        return "en"
    lang = ui_language(value)
    if lang is None:
        raise ValueError(_("INMAIL_LANGUAGE must be one of {languages}, not {value}", languages=", ".join(ui_languages()),
                           value=repr(value)))
    return lang


def timezone_name(value: str | None) -> str:
    """An IANA zone name, checked now so a typo fails at start, not at the first digest."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not value:
        return "UTC"
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("INMAIL_TIMEZONE must be a time zone name such as Europe/Oslo, not {value}",
                           value=repr(value))) from None
    return value.strip()


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # OAuth mode, many workspaces (bot/oauth.py): the app's credentials instead of a bot token.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None
    db_path: str = "./inmail-review.db"
    drafts_channels: tuple[str, ...] = ()
    # The app's admins (`INMAIL_ADMINS`: user and user group ids); empty: the workspace's admins.
    admins: tuple[str, ...] = ()
    alert_channel: str | None = None
    digest_channel: str | None = None
    rules_dir: str | None = None
    languagetool_url: str | None = None
    languagetool_api_key: str | None = None
    languagetool_username: str | None = None
    # Reviews and outcomes POSTed as signed JSON (bot/webhooks.py).
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # Threads that review and answer after Slack has been acknowledged (bot/work.py).
    workers: int = 8
    # Work waiting for a thread; past this the ack says "busy, queued" and the work waits in SQLite.
    queue_size: int = 1000
    # How long a worker holds a piece of work before another process may take it over (seconds).
    lease_s: int = 60
    # Request bodies over this many bytes are refused with 413 before they are read.
    max_body_bytes: int = 1_048_576
    # Team defaults for the digest and retention (each team may change them in App Home).
    digest_weekday: int = 0
    digest_hour: int = 9
    timezone: str = "UTC"
    retention_days: int = 30
    language: str = "en"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        return cls(
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_api_url=api_url,
            slack_client_id=env.get("SLACK_CLIENT_ID") or None,
            slack_client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            slack_redirect_uri=env.get("SLACK_REDIRECT_URI") or None,
            db_path=env.get("INMAIL_DB") or "./inmail-review.db",
            drafts_channels=_csv(env.get("INMAIL_DRAFTS_CHANNELS")),
            admins=_admins(env.get("INMAIL_ADMINS")),
            alert_channel=env.get("INMAIL_ALERT_CHANNEL") or None,
            digest_channel=env.get("INMAIL_DIGEST_CHANNEL") or None,
            rules_dir=env.get("INMAIL_RULES_DIR") or None,
            languagetool_url=env.get("LANGUAGETOOL_URL") or None,
            languagetool_api_key=env.get("LANGUAGETOOL_API_KEY") or None,
            languagetool_username=env.get("LANGUAGETOOL_USERNAME") or None,
            webhook_url=_http_url(env.get("INMAIL_WEBHOOK_URL"), "INMAIL_WEBHOOK_URL"),
            webhook_secret=env.get("INMAIL_WEBHOOK_SECRET") or None,
            workers=_positive_int(env.get("INMAIL_WORKERS"), "INMAIL_WORKERS", default=8),
            queue_size=_positive_int(env.get("INMAIL_QUEUE_SIZE"), "INMAIL_QUEUE_SIZE", default=1000),
            lease_s=_positive_int(env.get("INMAIL_LEASE_S"), "INMAIL_LEASE_S", default=60),
            max_body_bytes=_positive_int(env.get("INMAIL_MAX_BODY_BYTES"), "INMAIL_MAX_BODY_BYTES", default=1_048_576),
            digest_weekday=_weekday(env.get("INMAIL_DIGEST_DAY")),
            digest_hour=_bounded_int(env.get("INMAIL_DIGEST_HOUR"), "INMAIL_DIGEST_HOUR", 9, 0, 23),
            timezone=timezone_name(env.get("INMAIL_TIMEZONE")),
            retention_days=_positive_int(env.get("INMAIL_RETENTION_DAYS"), "INMAIL_RETENTION_DAYS", default=30),
            language=interface_language(env.get("INMAIL_LANGUAGE")),
        )

    @property
    def distributed(self) -> bool:
        """OAuth mode: installed in many workspaces, each with its own token (bot/oauth.py)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def team_defaults(self) -> TeamSettings:
        """What a team uses until an admin changes it: the environment's channels, day, hour and zone.
        The channels are one workspace's: in OAuth mode no workspace has them, each picks its own."""
        from models.team_settings import TeamSettings

        one_workspace = not self.distributed
        return TeamSettings(alert_channel=self.alert_channel if one_workspace else None,
                            digest_channel=self.digest_channel if one_workspace else None,
                            digest_weekday=self.digest_weekday, digest_hour=self.digest_hour, timezone=self.timezone,
                            retention_days=self.retention_days, language=self.language)

    def __repr__(self) -> str:  # never print secrets, even by accident in a traceback
        return f"Settings(db_path={redacted(self.db_path)!r}, slack_api_url={self.slack_api_url!r}, drafts_channels={self.drafts_channels!r})"
