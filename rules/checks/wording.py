"""Document-level wording balance (gender-coded words, Gaucher, Friesen & Kay 2011)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from models.records import Finding
from rules.analysis import Analysis
from rules.checks.base import check, finding
from rules.i18n import N_, everywhere, quoted_list
from rules.schema import STRS

if TYPE_CHECKING:
    from rules.packs import Rule


@lru_cache(maxsize=64)
def _stems(stems: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a stem list: `lead*` matches lead, leader, leadership; `kind` only kind."""
    parts = [re.escape(s[:-1]) + r"[\w-]*" if s.endswith("*") else re.escape(s) for s in stems]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


@check("gender-coded", required=("masculine", "feminine"),
       keys={"masculine": STRS, "feminine": STRS, "min_difference": {"type": "integer", "minimum": 1}})
def gender_coded(rule: Rule, a: Analysis) -> Iterator[Finding]:
    """One suggestion for the whole draft when one side outweighs the other by `min_difference`."""
    text = a.body.text
    masc = [m.group().lower() for m in _stems(tuple(rule.options["masculine"])).finditer(text)]
    fem = [m.group().lower() for m in _stems(tuple(rule.options["feminine"])).finditer(text)]
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
