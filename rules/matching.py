"""Phrase and pattern matching for the rule packs, compiled once per language.

Phrases are matched as whole token sequences twice, on the lowercased words and on their
lookup lemmas, so "rockstars", "Rockstar" and "hoped this finds you well" are found without listing
every form, and a phrase can never match inside a longer word ("ninja" is not found in
"ninjatrader"). Regular-expression patterns cover what is not a phrase (placeholder syntax,
salary figures). Exceptions are phrases too: a match that lies inside an exception's match
("nuts and bolts" for "nuts") is dropped.

A pattern that begins with `\b` or a lookbehind gets no help from `re`'s own prefix search and
is tried at every position of the text; most never match a given draft. So each pattern is read
once for the strings one of which any match must contain ("one of " or "a client of" for the
unnamed-client pattern), and it runs only on a text whose lowered form holds one of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Iterator

from rules.caseless import lowered
from rules.nlp import Pipeline
from rules.tokens import Span, Tokens

try:
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # another Python's layout: every pattern runs on every text
    _sre = _sre_parse = None


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
        self._needs: dict[re.Pattern[str], frozenset[str] | None] = {}

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
            self._needs[compiled[-1]] = required_strings(compiled[-1])

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
        low = lowered(text)  # None when a letter needs re's own comparison: then every pattern runs
        for rule, compiled in self.patterns.items():
            for pattern in compiled:
                needs = self._needs.get(pattern)
                if needs and low is not None and not any(s in low for s in needs):
                    continue
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


def required_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lowercased strings one of which every match of `pattern` contains, or None when there is
    no such set (or the pattern cannot be read): a necessary condition, never a sufficient one."""
    if _sre_parse is None:
        return None
    try:
        return _needs(list(_sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - a pattern we cannot read is simply always run
        return None


def _needs(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """For a sequence: the most selective requirement among its parts (a run of literals, a
    group, an alternation each branch of which has one, a part repeated at least once)."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset({"".join(run).lower()}))
            run = []
        found: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            found = _needs(list(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            found = _needs(list(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            body = list(av[2])
            if len(body) == 1 and body[0][0] is _sre.LITERAL:  # "X{2,}" needs "xx"
                found = frozenset({chr(body[0][1]).lower() * min(av[0], 8)})
            else:
                found = _needs(body)
        elif op is _sre.BRANCH:
            branches = [_needs(list(b)) for b in av[1]]
            found = None if any(b is None for b in branches) else frozenset().union(*branches)  # type: ignore[arg-type]
        if found:
            options.append(found)
    return max(options, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]
