"""Which words of a draft a spell check may report, and which it must leave alone.

A recruiter's draft is full of names, companies, products and tech terms that no general
dictionary knows. A checker that flags "Kubernetes", "Equinor" or the recipient's surname
teaches people to ignore it, so precision matters more than recall here. This module is the
single place that decides what is *not* a spelling mistake; the offline checker (Hunspell) and
the LanguageTool client both ask it, so the two agree.

Never reported:
- the recipient's name parts, company, title and skills (`ignore_words`), also in the
  possessive ("Kari's") and the Norwegian/English s-genitive ("Equinors");
- the built-in vocabulary in `tech_terms.txt`;
- URLs, e-mail addresses, @mentions and #channels;
- words with digits, `_` or `.` (`k8s`, `snake_case`, `Node.js`);
- ALL-CAPS acronyms and words with inner capitals (`SQL`, `CVs`, `TypeScript`, `iPhone`);
- capitalised words that do not start a sentence: in running text those are proper names
  (a colleague, a client, a city), which no dictionary lists; and a capitalised word that
  starts a sentence when the same word stands capitalised inside a sentence elsewhere in the
  text ("Oda is hiring ... join Oda").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rules.kept import LINES_KEPT, WORDS_KEPT

# A word: letters/digits/underscore, joined by inner apostrophes, dots or hyphens, so that
# "l'azienda", "don't", "e-post" and "Node.js" each come out as one token.
_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*")

_PROTECTED = re.compile(
    r"""
      (?:https?://|ftp://|www\.)\S+                    # URLs
    | (?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+        # e-mail addresses (from where one can start: linear time)
    | (?<![\w@#])[@#]\w[\w.-]*                         # @mentions and #channels
    """,
    re.X,
)

# What may stand between a sentence's end and its first word: spaces, quotes, brackets, bullets.
_OPENERS = frozenset("\"'“”‘’«»([{*_-–—•·>")
_SENTENCE_ENDS = frozenset(".!?…")


@cache
def tech_terms() -> frozenset[str]:
    """The built-in vocabulary, case-folded (read once per process)."""
    lines = Path(__file__).with_name("tech_terms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


@lru_cache(maxsize=WORDS_KEPT)
def _forms(word: str) -> tuple[str, ...]:
    """The word and the base forms a possessive or s-genitive may have been built on."""
    folded = word.casefold().replace("’", "'")
    forms = [folded]
    if folded.endswith("'s"):
        forms.append(folded[:-2])
    elif folded.endswith("s") and len(folded) > 3:
        forms.append(folded[:-1])
    return tuple(forms)


@lru_cache(maxsize=256)
def _ignore_set(ignore_words: frozenset[str]) -> frozenset[str]:
    """Every word of every entry ("Kari Nordmann", "Equinor ASA"), case-folded (once per set: a
    review checks two fields, and a batch writes to the same people and companies)."""
    out: set[str] = set()
    for entry in ignore_words:
        for match in _TOKEN.finditer(entry):
            token = match.group().casefold().replace("’", "'")
            out.add(token)
            out.update(part for part in re.split(r"['.\-]", token) if part)
    return frozenset(out)


def is_word_shaped(word: str) -> bool:
    """False for what no dictionary should judge: codes, identifiers, acronyms, mixed case."""
    if len(word) < 2 or any(ch.isdigit() or ch in "_." for ch in word):
        return False
    return not any(ch.isupper() for ch in word[1:])


class CheckableText:
    """One plain text seen through the ignore rules: its words to check, and what to leave alone."""

    def __init__(self, text: str, ignore_words: Iterable[str] = ()) -> None:
        self.text = text
        self._ignored = _ignore_set(frozenset(ignore_words))
        # Each kind needs its mark ("://" or "www." for a link, "@" or "#"): a text with none
        # is not scanned (an alternation starting with lookbehinds is tried at every position).
        marked = "@" in text or "#" in text or "://" in text or "www." in text
        spans = [m.span() for m in _PROTECTED.finditer(text)] if marked else []
        self._protected_starts = [s for s, _ in spans]
        self._protected = spans
        self.names = _names(text)

    def is_recipient_word(self, word: str) -> bool:
        """One of `ignore_words` (the recipient's name, company, skills), possessives included."""
        return bool(self._ignored) and any(f in self._ignored for f in _forms(word))

    def in_protected(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a URL, e-mail address, @mention or #channel."""
        if not self._protected:
            return False
        i = bisect_right(self._protected_starts, start) - 1
        for s, e in self._protected[max(i, 0):]:
            if s >= end:
                return False
            if e > start and s < end:
                return True
        return False

    def starts_sentence(self, start: int) -> bool:
        """True at the text's start, after . ! ? … or after a blank line (a new paragraph)."""
        return _starts_sentence(self.text, start)

    def ignores(self, start: int, end: int) -> bool:
        """Whether the word at [start, end) must never be reported as misspelt."""
        word = self.text[start:end]
        if _left_alone(word) or self.is_recipient_word(word) or self.in_protected(start, end):
            return True
        return word[0].isupper() and (word in self.names or not self.starts_sentence(start))

    def words(self, known: Callable[[str], bool] | None = None) -> Iterator[tuple[int, int]]:
        """The spans of the words a spell check should look at, in order. A word `known` says is
        right is passed over before the ignore rules are asked: it needs no exemption, and
        most words of a draft are such words. No word spans a line, and `known` depends on the
        word alone, so each line's unknown words are found once per process and `known` (which
        must be hashable: a bound method, a function)."""
        if known is None:
            spans: Iterable[tuple[int, int]] = (m.span() for m in _TOKEN.finditer(self.text))
        else:
            spans = self._unknown(known)
        for start, end in spans:
            if not self.ignores(start, end):
                yield start, end

    def _unknown(self, known: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
        pos = 0
        for line in self.text.split("\n"):
            for start, end in _unknown_in_line(line, known):
                yield pos + start, pos + end
            pos += len(line) + 1


@lru_cache(maxsize=LINES_KEPT)
def _unknown_in_line(line: str, known: Callable[[str], bool]) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _TOKEN.finditer(line) if not known(m.group()))


def proper_names(text: str) -> frozenset[str]:
    """Capitalised words standing inside a sentence: names, by the rule above.

    A checker sees one field at a time; a caller can pass the subject's names as
    `ignore_words` for the body ("Backend role at Oda" → "Oda is hiring ..." is not a typo).
    """
    return _names(text)


@lru_cache(maxsize=64)
def _names(text: str) -> frozenset[str]:
    """`proper_names`, found once per text: a review asks for a field's names twice (as the
    other field's `ignore_words`, and in its own check)."""
    names = {m.group() for m in _TOKEN.finditer(text) if m.group()[:1].isupper() and not _starts_sentence(text, m.start())}
    return frozenset(names | {n[:-2] for n in names if n.endswith(("'s", "’s"))})


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    newlines = 0
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        newlines += text[i] == "\n"
        i -= 1
    return i < 0 or newlines >= 2 or text[i] in _SENTENCE_ENDS


@lru_cache(maxsize=WORDS_KEPT)
def _left_alone(word: str) -> bool:
    """Not word-shaped, or one of `tech_terms()` with its possessives: the same for a word
    wherever it stands, so asked once per word and process."""
    vocabulary = tech_terms()
    return not is_word_shaped(word) or any(f in vocabulary for f in _forms(word))
