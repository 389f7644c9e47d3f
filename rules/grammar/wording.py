"""How grammar findings word their quote and their advice, whichever checker found them.

PRODUCT.md §3: every finding says what to write instead, and a suggested replacement is never
the matched text itself. Checkers hand over their raw replacements; this module drops the
useless ones and words the rest, so Hunspell and LanguageTool findings read alike.
"""
from __future__ import annotations

from typing import Iterable

MAX_REPLACEMENTS = 3
_QUOTE_CHARS = 40


def quote(text: str) -> str:
    """The matched text in typographic quotes, shortened when long."""
    shown = " ".join(text.split()) or text
    if len(shown) > _QUOTE_CHARS:
        shown = shown[: _QUOTE_CHARS - 1] + "…"
    return f"“{shown}”"


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


def write_instead(matched: str, replacements: Iterable[str], fallback: str) -> str:
    """'Write “receive” (or “relieve”).' — or `fallback` when there is nothing better to offer."""
    options = useful_replacements(matched, replacements)
    if not options:
        return fallback
    first = options[0]
    if first == "":
        return "Delete it."
    if not first.strip():
        return "Use a single space here."
    rest = [quote(r) for r in options[1:] if r.strip()]
    return f"Write {quote(first)}" + (f" (or {', '.join(rest)})" if rest else "") + "."
