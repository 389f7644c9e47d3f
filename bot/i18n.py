"""The bot's interface in the reader's language: its catalogs, which language a reader gets, and
the labels every surface shares. The machinery (catalogs, Babel's formats) is `rules.i18n`;
this domain's catalogs are `bot/locale/<lang>/LC_MESSAGES/inmail.po`.

Whose language: as Django's `translation.activate` and Flask-Babel's locale do, the language of
the person being answered is set once for the work that answers them (`reading(lang)`, a
context variable, so worker threads never see each other's), and every text made meanwhile —
`_()` in Python, `_()`/`ngettext()` in the Block Kit templates — is in it. Who sets it: the
work queue, for each piece of work, from the person it answers (`bot/readers.py`); the scheduler
for a channel's posts (the team's language) and for each DM (its reader's).
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator, Mapping

from models.wording import SOURCE_LANGUAGE, Said
from rules.i18n import N_, Catalogs, Translator

BOT = Catalogs(Path(__file__).with_name("locale"), "inmail")
_SEPARATORS = re.compile(r"[-_]")


def ui_languages() -> tuple[str, ...]:
    """The interface languages: English first, then every language with a catalog."""
    return BOT.languages()


def ui_language(code: str | None) -> str | None:
    """Our interface language for a code a user, Slack or the environment gives ("it-IT",
    "nb_NO.UTF-8", "no", "Norsk"), or None when there is no catalog for it."""
    if not code:
        return None
    from rules.language import normalize_language

    cleaned = code.strip().split(".")[0].split("@")[0]
    if cleaned in ("C", "POSIX"):
        return None
    available = ui_languages()
    for candidate in (cleaned, _SEPARATORS.split(cleaned)[0]):
        lang = normalize_language(candidate) or candidate.lower()
        if lang in available:
            return lang
    return None


def choose(*candidates: str | None) -> str:
    """The first candidate we have a catalog for (a user's choice, Slack's locale, the team's
    setting…), else English."""
    for candidate in candidates:
        lang = ui_language(candidate)
        if lang is not None:
            return lang
    return SOURCE_LANGUAGE


def from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The interface language the POSIX locale variables ask for, in gettext's order."""
    env = os.environ if env is None else env
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in (env.get(name) or "").split(":"):
            lang = ui_language(part)
            if lang is not None:
                return lang
    return None


class BotTranslator(Translator):
    """The bot's words in one language, with the labels every surface shares."""

    def verdict(self, verdict: str) -> str:
        return self.gettext(_VERDICTS[verdict])

    def severity(self, severity: str) -> str:
        return self.gettext(_SEVERITIES[severity])

    def field(self, field: str) -> str:
        return self.gettext(_FIELDS[field])

    def category(self, category: str | None) -> str:
        from rules.i18n import category_name

        return category_name(category, self.lang)


_VERDICTS = {"ready": N_("ready"), "revise": N_("revise"), "blocked": N_("blocked")}
_SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "suggestion": N_("suggestion")}
_FIELDS = {"subject": N_("subject"), "body": N_("body"), "draft": N_("draft"), "sequence": N_("sequence")}


def translator(lang: str | None = None) -> BotTranslator:
    return BotTranslator(lang if lang in ui_languages() else SOURCE_LANGUAGE, BOT)


_reader: ContextVar[str] = ContextVar("reader_language", default=SOURCE_LANGUAGE)


@contextmanager
def reading(lang: str | None) -> Iterator[BotTranslator]:
    """Everything made inside is for a reader of `lang` (English when we have no catalog for it)."""
    token = _reader.set(translator(lang).lang)
    try:
        yield current()
    finally:
        _reader.reset(token)


def reading_from_now(lang: str | None) -> None:
    """Everything made from now on in this context is for a reader of `lang`, until it is set again:
    for a request to the Slack app, whose listener Bolt runs on the same thread after the app's
    middleware has returned (its `next()` only lets the chain go on), so a `reading()` block
    around `next()` would end before the listener's ack is made."""
    _reader.set(translator(lang).lang)


def current() -> BotTranslator:
    """The words of the reader being answered now."""
    return translator(_reader.get())


def _(msgid: str, /, **values: Any) -> str:
    """One of the bot's messages in the current reader's language."""
    return current().gettext(msgid, **values)


def ngettext(one: str, many: str, count: int, /, **values: Any) -> str:
    """A counted message in the current reader's language (`{count}` written its way)."""
    return current().ngettext(one, many, count, **values)


def everywhere(msgid: str, /, **values: object) -> Said:
    """One of the bot's messages in every interface language, for a text the engine fills in."""
    return Said({lang: translator(lang).gettext(msgid, **values) for lang in ui_languages()})
