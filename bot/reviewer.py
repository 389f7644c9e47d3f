"""Building the engine from the settings: rule packs, team folder and grammar checker.

`check` and `serve` both start here, so the command line and the Slack app review alike.
"""
from __future__ import annotations

from bot.settings import Settings
from rules import Reviewer


def load_reviewer(settings: Settings) -> Reviewer:
    """Raises `rules.PackError` for a broken team rule pack (a start-up error, not a runtime one)."""
    from rules.grammar import build_checker

    grammar = build_checker(settings.languagetool_url, api_key=settings.languagetool_api_key,
                            username=settings.languagetool_username)
    return Reviewer.load(settings.rules_dir, grammar=grammar)
