"""Building the engine from the settings: rule packs, team folder and grammar checker.

`check` and `serve` both start here, so the command line and the Slack app review alike.
Importing this module loads no engine: `check` builds the grammar checker and starts its
dictionaries loading before `load_reviewer` imports the engine.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from rules import Reviewer
    from rules.grammar import GrammarChecker


def grammar_checker(settings: Settings) -> GrammarChecker:
    from rules.grammar import build_checker

    return build_checker(settings.languagetool_url, api_key=settings.languagetool_api_key,
                         username=settings.languagetool_username)


def load_reviewer(settings: Settings, grammar: GrammarChecker | None = None) -> Reviewer:
    """Raises `rules.PackError` for a broken team rule pack (a start-up error, not a runtime one)."""
    from rules import Reviewer

    return Reviewer.load(settings.rules_dir, grammar=grammar if grammar is not None else grammar_checker(settings))
