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

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterable, Iterator

from rules.caseless import lowered
from rules.kept import LINES_KEPT
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


_Hits = tuple[tuple[Entry, int, int], ...]

# What lines held, kept for the whole process and every index in it, so that the bound is one
# however many languages and teams' packs a server holds (`LINES_KEPT`, ~1 KB a line with both
# caches full): a line's phrase hits, by (index version, line), emptied when full; the
# patterns' required strings a line holds, by (the strings asked about, line).
_line_hits: dict[tuple[int, str], tuple[_Hits, _Hits]] = {}
_versions = itertools.count()


@lru_cache(maxsize=LINES_KEPT)
def _line_needles(needles: frozenset[tuple[str, bool]], line: str) -> frozenset[tuple[str, bool]] | None:
    """The `needles` (string, lowercased?) that `line` holds, or None when a letter of it needs
    `re`'s own case comparison."""
    low = lowered(line)
    if low is None:
        return None
    return frozenset(n for n in needles if (n[0] in low if n[1] else n[0] in line))


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
        self._version = next(_versions)  # a new one whenever a phrase is added: its lines' hits
        self._across_lines = False  # a phrase holding a line break: matched on whole fields
        self._needles: frozenset[tuple[str, bool]] = frozenset()  # every pattern's (string, lowercased?)

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
            needs, fold = _requirements(compiled[-1])
            self._needs[compiled[-1]] = frozenset((n, fold) for n in needs) if needs else None
            self._needles |= self._needs[compiled[-1]] or frozenset()

    def _add(self, entry: Entry, phrases: list[str], inflections: bool) -> None:
        if not phrases:
            return
        self.entries.append(entry)
        self._version = next(_versions)
        for phrase in phrases:
            tokens = self.nlp(phrase)
            self._across_lines = self._across_lines or any("\n" in t for t in tokens.lower)
            self._lower.add(entry, tokens.lower)
            if inflections:
                self._lemma.add(entry, tokens.lemmas)

    def search(self, tokens: Tokens) -> "Matches":
        """Every phrase match in `tokens` and pattern match in their text, exceptions already applied."""
        found: dict[Entry, set[Span]] = {}
        starts, ends = tokens.starts, tokens.ends
        for hits in self._phrase_hits(tokens):
            for entry, start, end in hits:
                found.setdefault(entry, set()).add((starts[start], ends[end - 1]))
        text = tokens.text
        present = self._present(text)
        for rule, compiled in self.patterns.items():
            for pattern in compiled:
                needs = self._needs.get(pattern)
                if needs and present is not None and needs.isdisjoint(present):
                    continue
                for m in pattern.finditer(text):
                    if m.end() > m.start():
                        found.setdefault(Entry(rule, -2), set()).add(m.span())
        return Matches(found)

    def _present(self, text: str) -> set[tuple[str, bool]] | None:
        """The patterns' required strings that `text` holds (each line's found once per process),
        or None when a letter of it needs `re`'s own case comparison: then every pattern runs."""
        present: set[tuple[str, bool]] = set()
        needles = self._needles
        for line in text.split("\n"):
            found = _line_needles(needles, line)
            if found is None:
                return None
            present |= found
        present.update(n for n in needles if "\n" in n[0] and (n[0] in text if not n[1] else n[0] in text.lower()))
        return present

    def _phrase_hits(self, tokens: Tokens) -> tuple[Iterable[tuple[Entry, int, int]], ...]:
        """(entry, first token, past the last) of every phrase match on the words, then on the
        lemmas. A phrase never spans a line break (a token of its own), so each line is matched
        alone and its matches kept: a template's lines, a draft reviewed again."""
        if not tokens.pieces or self._across_lines:
            return self._lower.find(tokens.lower), self._lemma.find(tokens.lemmas)
        if len(_line_hits) > LINES_KEPT:
            _line_hits.clear()
        version = self._version
        lower: list[tuple[Entry, int, int]] = []
        lemma: list[tuple[Entry, int, int]] = []
        for first, past, text in tokens.pieces:
            hits = _line_hits.get((version, text))
            if hits is None:
                hits = _line_hits[(version, text)] = (tuple(self._lower.find(tokens.lower[first:past])),
                                                      tuple(self._lemma.find(tokens.lemmas[first:past])))
            if first:
                lower += [(entry, first + i, first + j) for entry, i, j in hits[0]]
                lemma += [(entry, first + i, first + j) for entry, i, j in hits[1]]
            else:
                lower += hits[0]
                lemma += hits[1]
        return lower, lemma


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
    """Strings one of which every match of `pattern` contains, lowercased when any part of it
    ignores case (`ignores_case`), or None when there is no such set (or the pattern cannot be
    read): a necessary condition, never a sufficient one."""
    return _requirements(pattern)[0]


@lru_cache(maxsize=1024)
def _requirements(pattern: re.Pattern[str]) -> tuple[frozenset[str] | None, bool]:
    """`required_strings`, and whether they are lowercased (any part of the pattern, a `(?i:…)`
    group or the whole, ignores case). Read once per pattern and process (patterns of the same
    source and flags are equal): the languages' packs share their placeholder patterns."""
    if _sre_parse is None:
        return None, True
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
        fold = bool(pattern.flags & re.IGNORECASE) or _scoped_ignorecase(parsed)
        return _needs(list(parsed), fold), fold
    except Exception:  # noqa: BLE001 - a pattern we cannot read is simply always run
        return None, True


def _scoped_ignorecase(node: Any) -> bool:
    if isinstance(node, _sre_parse.SubPattern):
        return any(_scoped_ignorecase(item) for item in node.data)
    if isinstance(node, tuple) and len(node) == 2 and node[0] is _sre.SUBPATTERN and node[1][1] & re.IGNORECASE:
        return True
    return isinstance(node, (tuple, list)) and any(_scoped_ignorecase(part) for part in node)


def _needs(items: list[tuple[Any, Any]], fold: bool = True) -> frozenset[str] | None:
    """For a sequence: the most selective requirement among its parts (a run of literals, a
    group, an alternation each branch of which has one, a part repeated at least once)."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset({"".join(run).lower() if fold else "".join(run)}))
            run = []
        found: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            found = _needs(list(av[3]), fold)
        elif op is _sre.ATOMIC_GROUP:
            found = _needs(list(av), fold)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            body = list(av[2])
            if len(body) == 1 and body[0][0] is _sre.LITERAL:  # "X{2,}" needs "xx"
                found = frozenset({(chr(body[0][1]).lower() if fold else chr(body[0][1])) * min(av[0], 8)})
            else:
                found = _needs(body, fold)
        elif op is _sre.BRANCH:
            branches = [_needs(list(b), fold) for b in av[1]]
            found = None if any(b is None for b in branches) else frozenset().union(*branches)  # type: ignore[arg-type]
        if found:
            options.append(found)
    return max(options, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]
