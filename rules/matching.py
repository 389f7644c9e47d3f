"""Phrase and pattern matching for the rule packs, compiled once per language.

Phrases go through spaCy's PhraseMatcher twice, on the lowercased words and on their lookup
lemmas, so "rockstars", "Rockstar" and "hoped this finds you well" are found without listing
every form, and a phrase can never match inside a longer word ("ninja" is not found in
"ninjatrader"). Regular-expression patterns cover what is not a phrase (placeholder syntax,
salary figures). Exceptions are phrases too: a match that lies inside an exception's match
("nuts and bolts" for "nuts") is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

Span = tuple[int, int]


@dataclass(frozen=True)
class Entry:
    """One phrase of one rule: `index` says which (for a substitution's replacement)."""

    rule: str
    index: int
    exception: bool = False


@dataclass
class PhraseIndex:
    """All phrase lists of one language's pack, searchable in one pass per attribute."""

    nlp: Language
    entries: list[Entry] = field(default_factory=list)
    patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._by_key: dict[int, Entry] = {}  # a match's id (the key's hash) → its entry

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
        key = f"e{len(self.entries)}"
        self.entries.append(entry)
        self._by_key[self.nlp.vocab.strings.add(key)] = entry
        self._lower.add(key, [self.nlp.make_doc(p) for p in phrases])
        if inflections:
            self._lemma.add(key, list(self.nlp.pipe(phrases)))

    def search(self, doc: Doc, text: str) -> "Matches":
        """Every phrase and pattern match in `doc`, and pattern match in `text` (the doc's text,
        which spaCy would otherwise join again from every token), exceptions already applied."""
        found: dict[Entry, set[Span]] = {}
        for matcher in (self._lower, self._lemma):
            for match_id, start, end in matcher(doc):
                last = doc[end - 1]
                found.setdefault(self._by_key[match_id], set()).add((doc[start].idx, last.idx + len(last.text)))
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
