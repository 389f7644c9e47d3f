"""Which interface language each reader gets: their own choice (App Home), else Slack's locale
for them when it is one of ours other than English (`users.info` with `include_locale`), else
the team's language (the admin settings form, `INMAIL_LANGUAGE` the default), else English.

Slack's English is not taken as a choice: it is what Slack shows everyone who never changed it,
and Slack has no Norwegian, so a Norwegian team's members mostly run Slack in English; their
team's "Norsk" should reach them. An Italian who set Slack to Italian gets Italian in any team.

Slack's answer is kept per person for a day (a person rarely changes it, and the work that
answers them should not wait on Slack each time); a failed ask is not repeated for ten minutes,
and the answer falls back to the team's language meanwhile.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from bot.i18n import choose, ui_language
from bot.slack_client import slack_call
from models.outreach import Outreach
from models.wording import SOURCE_LANGUAGE
from models.readers import ReaderLanguages

LOCALE_TTL_S = 86_400.0
FAILED_TTL_S = 600.0
LANGUAGE_ACTION = "reader_language"  # App Home's Language menu (bot/listeners/events.py)
AUTOMATIC = "auto"  # its first option: no choice of one's own (Slack's language, else the team's)


def named_in_itself() -> list[tuple[str, str]]:
    """(code, name) of every interface language, each named in its own words as CLDR writes it
    ("English", "Italiano", "Norsk bokmål"), so a reader finds theirs whatever the app speaks now."""
    from bot.i18n import translator, ui_languages

    names = []
    for code in ui_languages():
        name = translator(code).language_name(code)
        names.append((code, name[:1].upper() + name[1:]))
    return names


class Readers:
    """The language of each person the app answers, and of each team's channels."""

    def __init__(self, outreach: Outreach, client: Any, *, clock: Any = time.monotonic) -> None:
        self.outreach = outreach
        self.chosen = ReaderLanguages(outreach.store)
        self.client = client
        self._clock = clock
        self._locales: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def team_language(self, team_id: str) -> str:
        """The language of what the app posts in a team's channels (alerts, the digest)."""
        return choose(self.outreach.settings.get(team_id).language)

    def language(self, team_id: str, user_id: str | None) -> str:
        if not user_id:
            return self.team_language(team_id)
        own = self.chosen.chosen(team_id, user_id)
        if own and ui_language(own):
            found = own
        else:
            slack = ui_language(self.slack_locale(team_id, user_id))
            found = choose(slack if slack != SOURCE_LANGUAGE else None, self.outreach.settings.get(team_id).language)
        with self._lock:
            self._known[(team_id, user_id)] = found
        return found

    def known_language(self, team_id: str, user_id: str | None) -> str:
        """The language last found for the person, from memory only: for the few words said in an
        ack (`/inmail help`, a usage line), which may not wait on Slack or the database. English
        until the app has answered them once in this process."""
        with self._lock:
            return self._known.get((team_id, user_id or ""), SOURCE_LANGUAGE)

    def slack_locale(self, team_id: str, user_id: str) -> str | None:
        """Slack's locale for the person ("it-IT"), asked at most once a day."""
        now = self._clock()
        with self._lock:
            known = self._locales.get((team_id, user_id))
        if known is not None and now < known[1]:
            return known[0]
        info = slack_call("users.info", None, self.client.users_info, user=user_id, include_locale=True)
        locale = ((info or {}).get("user") or {}).get("locale")
        with self._lock:
            self._locales[(team_id, user_id)] = (locale, now + (LOCALE_TTL_S if info is not None else FAILED_TTL_S))
        return locale
