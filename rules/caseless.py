"""Case-insensitive search for a recipient's phrases without compiling a pattern per phrase.

Every recipient brings new phrases (name, company, title, skills). A `re` pattern compiled for
each cost 0.1–0.6 ms, more than the search itself, and a batch or a team writes to a new person
in nearly every draft. The search here gives exactly what `re.IGNORECASE` with the same edges
gives, by comparing `str.lower()` forms. That holds only where `lower()` maps each character to
one character and the text holds no letter `re` equates with another beyond `lower()` ("ſ" and
"s", dotless "ı" and "i", the Kelvin sign): `lowered()` says None for such a text, and the
caller asks `re` (tests/test_text.py compares the two on generated texts holding such letters).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator, Sequence

try:
    from re._casefix import _EXTRA_CASES  # what sre itself consults for IGNORECASE
except ImportError:  # another Python's layout: take no shortcut rather than a wrong one
    _EXTRA_CASES = None

_TWINS = frozenset(chr(c) for k, v in (_EXTRA_CASES or {}).items() for c in (k, *v) if c > 127)

Span = tuple[int, int]


@lru_cache(maxsize=64)
def lowered(text: str) -> str | None:
    """`text.lower()` when comparing it is what `re.IGNORECASE` does, else None."""
    if _EXTRA_CASES is None:
        return None
    low = text.lower()
    return low if len(low) == len(text) and _TWINS.isdisjoint(text) else None


def is_word_char(ch: str) -> bool:
    """What `\\w` matches in a `str` pattern."""
    return ch.isalnum() or ch == "_"


def _edge(ch: str, extra: str) -> bool:
    return is_word_char(ch) or ch in extra


def find(text: str, low: str, phrase: str) -> Span | None:
    """The first occurrence of the lowered `phrase` in `text` (lowered `low`) not inside a word:
    what `(?<!\\w)phrase(?!\\w)` finds."""
    i = low.find(phrase)
    while i >= 0:
        end = i + len(phrase)
        if (i == 0 or not is_word_char(text[i - 1])) and (end == len(text) or not is_word_char(text[end])):
            return i, end
        i = low.find(phrase, i + 1)
    return None


def _words_at(text: str, low: str, i: int, words: Sequence[str]) -> int | None:
    """Past the end of `words` standing at `i`, one whitespace run between each two; else None."""
    j = i
    for k, word in enumerate(words):
        if k:
            start = j
            while j < len(text) and text[j].isspace():
                j += 1
            if j == start:
                return None
        if not low.startswith(word, j):
            return None
        j += len(word)
    return j


def phrase_spans(text: str, low: str, phrases: Sequence[Sequence[str]], before: str = "",
                 after: str = "") -> Iterator[Span]:
    """The spans `re.sub` replaces for the alternation of `phrases` (each its lowered words, with
    whitespace between them, tried in the order given) between `(?<![\\w<before>])` and
    `(?![\\w<after>])`: left to right, the first phrase that fits at a place, no overlaps."""
    starts = sorted({i for words in phrases if words and words[0] for i in _occurrences(low, words[0])})
    pos = 0
    for i in starts:
        if i < pos or (i > 0 and _edge(text[i - 1], before)):
            continue
        for words in phrases:
            end = _words_at(text, low, i, words)
            if end is not None and end > i and (end == len(text) or not _edge(text[end], after)):
                yield i, end
                pos = end
                break


def _occurrences(low: str, word: str) -> Iterator[int]:
    i = low.find(word)
    while i >= 0:
        yield i
        i = low.find(word, i + 1)
