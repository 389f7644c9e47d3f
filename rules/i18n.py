"""Words in the reader's language: gettext catalogs, and Babel's (CLDR's) dates, numbers,
percentages and language names.

A `Catalogs` is one gettext domain in one folder (`<folder>/<lang>/LC_MESSAGES/<domain>.po`,
reviewed as text): the engine's own words (domain `rules`, here in `rules/locale/`) and the
bot's (`inmail`, in `bot/locale/`) are two, each beside the code that says them. Which
interface languages exist is which catalogs exist: adding one is adding `.po` files, no code.
English is the source language. `make catalogs` compiles `.mo` files at set-up; a `.mo` missing
or older than its `.po` is ignored and the `.po` compiled in memory, so a checkout that skipped
the step, or a translator's edit, never shows missing or stale words.

Messages use named `{placeholders}` (a translation may reorder them); counted ones go through
the catalog's plural forms (`ngettext`), never `n == 1` by hand: CLDR gives Italian a third
form for exact millions, which a hand-written rule would not know.

The engine writes every text it makes in every interface language (`everywhere`), as it does
for the packs' texts, so a review is stored once and shown to each reader in theirs.
"""
from __future__ import annotations

import gettext
import io
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from models.wording import N_, SOURCE_LANGUAGE, Said, values_in

# Translators: a date pattern, not words: EEE weekday, d day, MMM month, y year; keep the letters.
DATE_PATTERN = N_("EEE d MMM y")
# Translators: a date pattern without the weekday; keep the letters.
DAY_PATTERN = N_("d MMM y")


@lru_cache(maxsize=64)
def _number_pattern(locale_name: str, kind: str, digits: int) -> tuple[Any, Any]:
    """A locale's decimal or percent pattern with `digits` decimals (parsed once: reviews format
    a number or two in every language)."""
    from babel import Locale
    from babel.numbers import parse_pattern

    locale = Locale.parse(locale_name)
    formats = locale.decimal_formats if kind == "decimal" else locale.percent_formats
    pattern = parse_pattern(formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return locale, pattern


@lru_cache(maxsize=4096)
def _formatted(locale_name: str, kind: str, value: float, digits: int) -> str:
    """`value` in a locale's pattern, once per process: Babel takes ~80 µs a number, and a
    review's counts and shares (1,900 characters, 13 %) repeat from draft to draft."""
    locale, pattern = _number_pattern(locale_name, kind, digits)
    return pattern.apply(value, locale)


class Catalogs:
    """One gettext domain's catalogs, loaded once per language and process."""

    def __init__(self, folder: Path, domain: str) -> None:
        self.folder, self.domain = folder, domain
        self._loaded: dict[str, gettext.NullTranslations] = {}
        self._languages: tuple[str, ...] | None = None
        self._lock = threading.Lock()

    def languages(self) -> tuple[str, ...]:
        """English first, then every language with a catalog (looked up once: every text the
        engine writes asks)."""
        if self._languages is None:
            found = sorted(p.parent.parent.name for p in self.folder.glob(f"*/LC_MESSAGES/{self.domain}.po"))
            self._languages = (SOURCE_LANGUAGE, *[code for code in found if code != SOURCE_LANGUAGE])
        return self._languages

    def po(self, lang: str) -> Path:
        return self.folder / lang / "LC_MESSAGES" / f"{self.domain}.po"

    def translations(self, lang: str) -> gettext.NullTranslations:
        if lang not in self._loaded:
            with self._lock:
                if lang not in self._loaded:
                    self._loaded[lang] = self._load(self.po(lang))
        return self._loaded[lang]

    @staticmethod
    def _load(po: Path) -> gettext.NullTranslations:
        if not po.is_file():
            return gettext.NullTranslations()
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as handle:
                return gettext.GNUTranslations(handle)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)


RULES = Catalogs(Path(__file__).with_name("locale"), "rules")


@dataclass(frozen=True)
class Translator:
    """The words and formats of one interface language, from one domain's catalogs."""

    lang: str
    catalogs: Catalogs = RULES

    @property
    def babel_locale(self) -> str:
        """The catalog's own `Language:` header ("nb"): Babel's formats for it."""
        return self.catalogs.translations(self.lang).info().get("language") or self.lang

    def gettext(self, msgid: str, /, **values: Any) -> str:
        text = self.catalogs.translations(self.lang).gettext(msgid)
        return text.format(**self._values(values)) if values else text

    def ngettext(self, one: str, many: str, count: int, /, **values: Any) -> str:
        """A counted message: `{count}` is the number written the language's way."""
        text = self.catalogs.translations(self.lang).ngettext(one, many, count)
        return text.format(count=self.number(count), **self._values(values))

    def _values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Values that are texts in several languages (a category's name) are given in this one."""
        return values_in(values, self.lang)

    def number(self, value: float, digits: int = 0) -> str:
        """`value` the language's way ("1,900", "1 900", "1.900") with exactly `digits` decimals."""
        return self._formatted("decimal", value, digits)

    def percent(self, value: float, digits: int = 0) -> str:
        """The language's own percent pattern ("13 %" in Norwegian) with `digits` decimals."""
        return self._formatted("percent", value, digits)

    def _formatted(self, kind: str, value: float, digits: int) -> str:
        return _formatted(self.babel_locale, kind, value, digits)

    def date(self, day: date, pattern: str = DATE_PATTERN) -> str:
        """`day` the language's way: with its weekday by default, `DAY_PATTERN` without."""
        from babel.dates import format_date

        return format_date(day, translator(self.lang).gettext(pattern), locale=self.babel_locale)

    def language_name(self, code: str) -> str:
        """A draft language's name in this interface language, as CLDR writes it ("norsk bokmål")."""
        from babel import Locale, UnknownLocaleError

        try:
            return (Locale.parse(self.babel_locale).languages.get(code)
                    or Locale.parse(code).get_display_name(self.babel_locale) or code)
        except (UnknownLocaleError, ValueError):
            return code


def translator(lang: str | None) -> Translator:
    """The engine's words in `lang`, English when it has no catalog."""
    return Translator(lang if lang in ui_languages() else SOURCE_LANGUAGE)


def ui_languages() -> tuple[str, ...]:
    """The interface languages the engine writes its texts in."""
    return RULES.languages()


def everywhere(msgid: str, /, **values: Any) -> Said:
    """`msgid` with `values` in every interface language: a text a review is stored with."""
    return each_language(lambda t: t.gettext(msgid, **values))


def everywhere_n(one: str, many: str, count: int, /, **values: Any) -> Said:
    return each_language(lambda t: t.ngettext(one, many, count, **values))


def each_language(make: Callable[[Translator], str]) -> Said:
    """`make(translator)` for every interface language (a date, a number written its way)."""
    return Said({lang: make(translator(lang)) for lang in ui_languages()})


# LinkedIn's names for its InMail categories, as its own interface writes them in each language.
_CATEGORIES = {
    "career_opportunity": N_("career opportunity"), "consulting_offer": N_("consulting offer"),
    "new_venture": N_("new venture"), "job_inquiry": N_("job inquiry"),
    "expertise_request": N_("expertise request"), "business_deal": N_("business deal"),
    "reference_request": N_("reference request"), "getting_back_in_touch": N_("getting back in touch"),
}


_NO_CATEGORY = N_("no clear category")


def category_name(category: str | None, lang: str | None) -> str:
    return translator(lang).gettext(_CATEGORIES.get(category or "", _NO_CATEGORY))


def quoted_list(items: list[str], limit: int | None = None) -> Said:
    """Items in each reader's quotation marks, comma-separated (“Orkla”, «Orkla»), cut to `limit`
    characters."""
    return each_language(lambda t: ", ".join(t.gettext(N_("“{quote}”"), quote=i) for i in items)[:limit])


def category_names(category: str | None) -> Said:
    """A category's name in every interface language, for a text the engine writes."""
    return each_language(lambda t: category_name(category, t.lang))
