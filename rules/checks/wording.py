"""Document-level wording balance (gender-coded words, Gaucher, Friesen & Kay 2011)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator

from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.i18n import N_, everywhere, quoted_list
from rules.kept import LINES_KEPT, WORDS_KEPT
from rules.schema import STRS

if TYPE_CHECKING:
    from rules.packs import Rule


@lru_cache(maxsize=64)
def _stems(stems: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a stem list: `lead*` matches lead, leader, leadership; `kind` only kind."""
    parts = [re.escape(s[:-1]) + r"[\w-]*" if s.endswith("*") else re.escape(s) for s in stems]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


_RUN = re.compile(r"[\w-]+")
_ONE_WORD = re.compile(r"[\w-]+\*?")


def coded(stems: tuple[str, ...], text: str) -> list[str]:
    """The words of `text` that `stems` code, lower-cased, in order: what `_stems` finds. A match
    of it is always a whole run of word characters and hyphens, so where every stem is one word
    the runs are judged one by one, and no run spans a line: each line's words are found once
    per process (the pattern tried at every position of a draft cost 0.4 ms a list)."""
    if _codes(stems) is None:  # a stem of several words ("sicuro di sé")
        return [m.group().lower() for m in _stems(stems).finditer(text)]
    return [word for line in text.split("\n") for word in _coded_in_line(stems, line)]


@lru_cache(maxsize=LINES_KEPT)
def _coded_in_line(stems: tuple[str, ...], line: str) -> tuple[str, ...]:
    codes = _codes(stems)
    return tuple(run.lower() for run in _RUN.findall(line) if codes(run))  # type: ignore[misc]


@lru_cache(maxsize=64)
def _codes(stems: tuple[str, ...]) -> Callable[[str], bool] | None:
    if not all(_ONE_WORD.fullmatch(s) for s in stems):
        return None
    pattern = _stems(stems)
    return lru_cache(maxsize=WORDS_KEPT)(lambda word: pattern.fullmatch(word) is not None)


@check("gender-coded", required=("masculine", "feminine"),
       keys={"masculine": STRS, "feminine": STRS, "min_difference": {"type": "integer", "minimum": 1}})
def gender_coded(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """One suggestion for the whole draft when one side outweighs the other by `min_difference`."""
    text = a.body.text
    masc = coded(tuple(rule.options["masculine"]), text)
    fem = coded(tuple(rule.options["feminine"]), text)
    if abs(len(masc) - len(fem)) < rule.options.get("min_difference", 3):
        return
    heavier = masc if len(masc) > len(fem) else fem
    yield finding(
        rule, a, None, None,
        # Translators: an adjective: "strongly masculine-coded".
        coding=everywhere(N_("masculine") if heavier is masc else N_("feminine")),
        count_masc=len(masc),
        count_fem=len(fem),
        examples=quoted_list(list(dict.fromkeys(heavier)), limit=200),
    )
