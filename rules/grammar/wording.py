"""How grammar findings word their quote and their advice, whichever checker found them.

PRODUCT.md §3: every finding says what to write instead, and a suggested replacement is never
the matched text itself. Checkers hand over their raw replacements; this module drops the
useless ones and words the rest, so Hunspell and LanguageTool findings read alike.
"""
from __future__ import annotations

from typing import Iterable

from models.wording import Text
from rules.i18n import N_, Translator, each_language, translator

MAX_REPLACEMENTS = 3
_QUOTE_CHARS = 40


def quote(text: str, t: Translator | None = None) -> str:
    """The matched text in the reader's quotation marks (“…”, «…»), shortened when long."""
    shown = " ".join(text.split()) or text
    if len(shown) > _QUOTE_CHARS:
        shown = shown[: _QUOTE_CHARS - 1] + "…"
    return (t or translator(None)).gettext(N_("“{quote}”"), quote=shown)


def _squashed(text: str) -> str:
    return text.replace(" ", "").replace("-", "")


def useful_replacements(matched: str, replacements: Iterable[str]) -> list[str]:
    """At most three replacements that differ from the matched text and from each other.

    Hunspell also offers case variants ("un'Opportunità" after "un'opportunità"), which are
    dropped, and the word re-split ("co lour", "col-our"), which is kept only when nothing
    else is on offer.
    """
    distinct: list[str] = []
    seen: set[str] = set()
    for value in replacements:
        if value != matched and value.casefold() not in seen:
            seen.add(value.casefold())
            distinct.append(value)
    splits = [v for v in distinct if v.strip() and _squashed(v) == _squashed(matched)]
    others = [v for v in distinct if v not in splits]
    return (others or splits)[:MAX_REPLACEMENTS]


def write_instead(matched: str, replacements: Iterable[str], fallback: Text) -> Text:
    """'Write “receive” (or “relieve”).' — or `fallback` when there is nothing better to offer."""
    options = useful_replacements(matched, replacements)
    if not options:
        return fallback
    first = options[0]
    if first == "":
        return each_language(lambda t: t.gettext(N_("Delete it.")))
    if not first.strip():
        return each_language(lambda t: t.gettext(N_("Use a single space here.")))
    others = [r for r in options[1:] if r.strip()]

    def said(t: Translator) -> str:
        if not others:
            return t.gettext(N_("Write {replacement}."), replacement=quote(first, t))
        return t.gettext(N_("Write {replacement} (or {others})."), replacement=quote(first, t),
                         others=", ".join(quote(r, t) for r in others))
    return each_language(said)
