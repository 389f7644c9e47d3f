"""The `grammar` rule family's checkers: LanguageTool when a server is configured, Hunspell offline.

The review engine calls `checker.check(text, field=..., lang=...)` once per field and gets a
`GrammarResult`: findings with rule ids `grammar/spelling`, `grammar/grammar`,
`grammar/punctuation` or `grammar/style`, the name of the checker that produced them, and a
note for the user when the review was degraded (LanguageTool down or slow, no dictionary).
A checker never raises for a network problem: a review must complete without LanguageTool
(PRODUCT.md §4).

The submodules are imported inside `build_checker` so that importing this package (the engine
does, for the types) loads neither Hunspell nor language_tool_python and its HTTP stack.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from models.records import Draft, Finding
from rules.language import batch_languages


@dataclass(frozen=True)
class GrammarResult:
    """What one checker found in one field's plain text."""

    findings: tuple[Finding, ...]
    checker: str  # "languagetool", "hunspell" or "none"
    note: str | None = None  # shown to the user when the review is degraded


class GrammarChecker(Protocol):
    """A checker may also have `prepare(languages)`: start loading, in the background, what
    texts in those (language, recipient locale) pairs will need (`prepare` below asks it when
    there is one; the offline checker's loads dictionaries)."""

    def check(self, text: str, *, field: str, lang: str, locale: str | None = None,
              ignore_words: frozenset[str] = frozenset()) -> GrammarResult:
        """Findings for `text` (plain text; spans are str offsets into it)."""
        ...


def build_checker(languagetool_url: str | None, *, api_key: str | None = None,
                  username: str | None = None, timeout: float = 2.0) -> GrammarChecker:
    """The offline Hunspell checker, or a LanguageTool client that falls back to it.

    `api_key` and `username` are for LanguageTool's hosted API (both or neither); `timeout`
    bounds each request to the server, in seconds.
    """
    from rules.grammar.spelling import HunspellChecker

    offline = HunspellChecker()
    if not languagetool_url or not languagetool_url.strip():
        return offline
    from rules.grammar.languagetool import LanguageToolChecker

    return LanguageToolChecker(languagetool_url, fallback=offline, api_key=api_key,
                               username=username, timeout=timeout)


def prepare(checker: GrammarChecker, drafts: Iterable[Draft], languages: Iterable[str]) -> list[str]:
    """Starts loading, in the background, what `checker` will need for a batch of `drafts`
    (`batch_languages`): the offline dictionaries, in the order their languages come. A batch
    then does not stop at its first draft in each language to read that language's dictionary
    (nb_NO: 0.23 s of CPU). Needs no engine: `check` calls it before it builds one, so the
    dictionaries load while the packs build. Returns the batch's languages, in the
    order they come, for the engine to build ahead too (`Reviewer.build`)."""
    wanted = batch_languages(drafts, languages)
    start = getattr(checker, "prepare", None)
    if start is not None:
        start(wanted)
    return list(dict.fromkeys(lang for lang, _ in wanted))
