"""The review engine: pure functions from Draft to Review, no Slack.

    from rules import Reviewer, review
    review(Draft(body="Hi Kari, ..."))            # built-in packs
    Reviewer.load(rules_dir="team/").review(d)    # with a team's folder

These names are imported on first use, so that importing a light module of the package
(`rules.language`, `rules.text`) does not load the engine: `check --help` starts in a tenth of a second.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.engine import ReviewContext, Reviewer, review
    from rules.packs import PackError

__all__ = ["PackError", "ReviewContext", "Reviewer", "review"]

_HOMES = {"PackError": "rules.packs", "ReviewContext": "rules.engine", "Reviewer": "rules.engine",
          "review": "rules.engine"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'rules' has no attribute {name!r}")
