"""Phrase and pattern matching for the rule packs, compiled once per language.

Phrases are matched as whole token sequences twice, on the lowercased words and on their
lookup lemmas, so "rockstars", "Rockstar" and "hoped this finds you well" are found without listing
every form, and a phrase can never match inside a longer word ("ninja" is not found in
"ninjatrader"). Regular-expression patterns cover what is not a phrase (placeholder syntax,
salary figures). Exceptions are phrases too: a match that lies inside an exception's match
("nuts and bolts" for "nuts") is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Iterator

from rules.nlp import Pipeline
from rules.tokens import Span, Tokens


@dataclass(frozen=True)
class Entry:
    """One phrase of one rule: `index` says which (for a substitution's replacement)."""

    rule: str
    index: int
    exception: bool = False


class _Sequences:
    """Token sequences found wherever they occur in a longer one: indexed by their first token
    and length, so each position of the text costs one lookup per length starting there."""

    def __init__(self) -> None:
        self._by_first: dict[str, dict[int, dict[tuple[str, ...], list[Entry]]]] = {}

    def add(self, entry: Entry, sequence: list[str]) -> None:
        if sequence:
            found = self._by_first.setdefault(sequence[0], {}).setdefault(len(sequence) - 1, {})
            entries = found.setdefault(tuple(sequence[1:]), [])
            if entry not in entries:
                entries.append(entry)

    def find(self, tokens: list[str]) -> Iterator[tuple[Entry, int, int]]:
        """(entry, first token, past the last token) of every occurrence, overlaps included."""
        by_first = self._by_first
        for i, token in enumerate(tokens):
            lengths = by_first.get(token)
            if lengths is None:
                continue
            for rest, found in lengths.items():
                entries = found.get(tuple(tokens[i + 1:i + 1 + rest]))
                if entries:
                    for entry in entries:
                        yield entry, i, i + 1 + rest


@dataclass
class PhraseIndex:
    """All phrase lists of one language's pack, searchable in one pass per attribute."""

    nlp: Pipeline
    entries: list[Entry] = field(default_factory=list)
    patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lower = _Sequences()
        self._lemma = _Sequences()

    def add_phrases(self, rule: str, phrases: Iterable[Any], *, inflections: bool = True,
                    exceptions: Iterable[str] = ()) -> None:
        """Adds a rule's phrases (str or {"phrase", "except"}) and its rule-wide exceptions."""
        for index, item in enumerate(phrases):
            text, own_exceptions = (item["phrase"], item.get("except", [])) if isinstance(item, dict) else (item, [])
            self._add(Entry(rule, index), [text], inflections)
            self._add(Entry(rule, index, exception=True), own_exceptions, False)
        self._add(Entry(rule, -1, exception=True), list(exceptions), False)

    def add_patterns(self, rule: str, patterns: Iterable[str], *, ignorecase: bool = False) -> None:
        flags = re.IGNORECASE if ignorecase else 0
        compiled = self.patterns.setdefault(rule, [])
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern, flags))
            except re.error as exc:
                raise ValueError(f"{rule}: bad pattern {pattern!r}: {exc}") from None

    def _add(self, entry: Entry, phrases: list[str], inflections: bool) -> None:
        if not phrases:
            return
        self.entries.append(entry)
        for phrase in phrases:
            tokens = self.nlp(phrase)
            self._lower.add(entry, tokens.lower)
            if inflections:
                self._lemma.add(entry, tokens.lemmas)

    def search(self, tokens: Tokens) -> "Matches":
        """Every phrase match in `tokens` and pattern match in their text, exceptions already applied."""
        found: dict[Entry, set[Span]] = {}
        starts, ends = tokens.starts, tokens.ends
        for matcher, sequence in ((self._lower, tokens.lower), (self._lemma, tokens.lemmas)):
            for entry, start, end in matcher.find(sequence):
                found.setdefault(entry, set()).add((starts[start], ends[end - 1]))
        text = tokens.text
        for rule, compiled in self.patterns.items():
            for pattern in compiled:
                for m in pattern.finditer(text):
                    if m.end() > m.start():
                        found.setdefault(Entry(rule, -2), set()).add(m.span())
        return Matches(found)


@dataclass(frozen=True)
class Matches:
    found: dict[Entry, set[Span]]

    @cached_property
    def _by_rule(self) -> dict[str, list[tuple[Entry, set[Span]]]]:
        """`found` grouped by rule: every check asks for its own rule's matches."""
        grouped: dict[str, list[tuple[Entry, set[Span]]]] = {}
        for entry, spans in self.found.items():
            grouped.setdefault(entry.rule, []).append((entry, spans))
        return grouped

    def for_rule(self, rule: str) -> list[tuple[Span, int]]:
        """(span, phrase index) of a rule's matches, in text order, overlaps resolved longest-first."""
        mine = self._by_rule.get(rule, [])
        blocked = [s for e, spans in mine if e.exception and e.index == -1 for s in spans]
        hits: list[tuple[Span, int]] = []
        for entry, spans in mine:
            if entry.exception:
                continue
            own = self.found.get(Entry(rule, entry.index, exception=True), set())
            for span in spans:
                if not any(_inside(span, ex) for ex in (*blocked, *own)):
                    hits.append((span, entry.index))
        hits.sort(key=lambda h: (h[0][0], -(h[0][1] - h[0][0])))
        kept: list[tuple[Span, int]] = []
        for span, index in hits:
            if not kept or span[0] >= kept[-1][0][1]:
                kept.append((span, index))
        return kept


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]
