"""Cutting a field into tokens: what the phrase rules match on and the counts count.

A linter's tokenizer, not a parser's: whitespace first, then punctuation peeled off both ends
of each chunk, then a few splits inside it (hyphens, slashes, Italian elision, English
clitics). What differs between languages is data, `tokens:` in each pack's `language.yml`
(`TokenRules`). Spacing is kept as spaCy keeps it, which the phrase rules were written
against: one space between two tokens is no token, any other run of white space is one, so
a phrase never matches across a line break. Every token keeps its offsets in the field, and
the whole pass is linear in the text (a 30,000-character run of "[" is 30,000 tokens, at once).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

Span = tuple[int, int]

# White space; a chunk of letters only (most words: one token, nothing to peel); any other chunk.
_CHUNKS = re.compile(r"(\s+)|([^\W\d_]+(?!\S))|(\S+)")
# A word with one mark after it ("Kari,", "role?", "team."): two tokens. (A period stays with
# an initial, "J.", which the general path decides.)
_WORD_MARK = re.compile(r"[^\W\d_]+[,;:!?)\]]|[^\W\d_]+[a-zß-öø-ÿ]\.")
# Peeled off the front, and off the end, of a chunk, one character at a time.
_PREFIX = frozenset("\"'`([{<«»“”‘’„‚‹›,;:!?¿¡…*_&§%=~$€£¥•·")
_SUFFIX = frozenset("\"'`)]}>«»“”‘’„‚‹›,;:!?…*_&~•·#")
# Peeled off the end of a number: "50%", "3+", "40M", "5km" (not "120k" or "3h").
_UNITS = ("%", "+", "km", "cm", "mm", "kg", "mg", "m", "g", "t", "lb", "oz", "ft", "yd", "ha",
          "KB", "MB", "GB", "TB", "kb", "mb", "gb", "tb", "K", "M", "G", "T")
_UNIT_ENDS = frozenset(unit[-1] for unit in _UNITS)
# Kept whole wherever they stand.
_EMOTICONS = frozenset([":)", ":-)", ":(", ":-(", ":D", ":-D", ";)", ";-)", ":P", ":p", ":/", ":o", ":O", "<3", "XD", "=)", "(:"])
_APOSTROPHES = "'’"
# Kept whole once its ends are peeled: a link with a scheme or a host name with a top-level domain.
# (A capitalised "domain" is not one: "PGConf.EU" is a name.)
_URL_WHOLE = re.compile(r"(?:[\w+.-]{2,}://\S+|www\.\S+|(?:[\w-]+\.)+[a-z\u00a1-\uffff]{2,63}(?::\d{2,5})?(?:[/?#]\S*)?)")
_EMAIL = re.compile(r"[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+")
# "e.g.", "f.eks.", "bl.a.": short dotted parts keep their final period.
_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}\.")
_LOWER = "a-zß-öø-ÿ"
_UPPER = "A-ZÀ-ÖØ-Þ"
_INFIXES = {
    "always": [
        r"\.\.+", "…",
        rf"(?<=[{_LOWER}])\.(?=[{_UPPER}])",           # "Hello.World": a sentence with its space lost
        r"(?<=[^\W\d_]),(?=[^\W\d_])",
        r"(?<=[^\W_])[:<>=/](?=[^\W\d_])",             # "a/b", "key=value"; not "24/7"
    ],
    "split": [r"(?<=[^\W_])(?:-+|[–—~])(?=[^\W\d_])", r"(?<=\d)[-+*^](?=[\d-])"],
    "lowercase": [rf"(?<=[^\W_])(?:-+|[–—~])(?=[{_LOWER}])", r"(?<=\d)[-+*^](?=[\d-])"],
    "elision": [r"(?<=[^\W\d_]['’])(?=[^\W\d_])"],     # "dell'azienda" → "dell'", "azienda"
}


@dataclass(frozen=True)
class TokenRules:
    """A language's tokenizing choices (`tokens:` in its `language.yml`)."""

    hyphens: str = "split"      # "world-class" is "world", "-", "class"; "lowercase": only before
                                # a lowercase letter ("Nord-Est" stays); "keep": never split
    hashtags: bool = True       # "#hiring" is "#", "hiring"
    elision: bool = False       # "l'azienda" is "l'", "azienda", and "po'" keeps its apostrophe
    ordinals: bool = False      # "1. april", "2022.": a number keeps its period
    clitics: tuple[str, ...] = ()     # split off a word's end: "'s", "n't" ("don't" → "do", "n't")
    exceptions: tuple[str, ...] = ()  # kept whole: abbreviations ("kl.", "Mr."), "e-mail"
    splits: tuple[tuple[str, tuple[str, ...]], ...] = ()  # "im" is "i" + "m", as "I'm" is "I" + "'m"

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> "TokenRules":
        data = data or {}
        return cls(hyphens=data.get("hyphens", "split"), hashtags=data.get("hashtags", True),
                   elision=data.get("elision", False), ordinals=data.get("ordinals", False),
                   clitics=tuple(data.get("clitics", ())), exceptions=tuple(data.get("exceptions", ())),
                   splits=tuple((word.lower(), tuple(parts.split())) for word, parts in data.get("splits", {}).items()))


@dataclass
class Tokens:
    """One field's tokens as parallel lists (a list per attribute costs less than an object per
    token). `lemmas` is filled by the language's lemma table."""

    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    # (first token, past the last, text) of each line and of the white space between two, when
    # the tokens were made line by line (`rules.nlp.Pipeline`): what phrase matching caches.
    pieces: list[tuple[int, int, str]] = field(default_factory=list)

    def spans(self) -> Iterator[Span]:
        return zip(self.starts, self.ends)


def like_url(token: str) -> bool:
    """A token that works as a link in text ("https://…", "www.…", "equinor.com/jobs", "node.js")."""
    if token.startswith(("http://", "https://")) or (token.startswith("www.") and len(token) >= 5):
        return True
    if token[0] == "." or token[-1] == "." or "@" in token or "." not in token:
        return False
    domain = token.rsplit(".", 1)[1].split(":", 1)[0]  # "GitHub](https://github.com" ends in one
    return (domain.endswith("/") or (len(domain) >= 2 and domain.isalpha() and domain.islower())
            or _URL_WHOLE.fullmatch(token) is not None)


def like_email(token: str) -> bool:
    return _EMAIL.match(token) is not None


class Tokenizer:
    """One language's tokenizer, compiled once."""

    def __init__(self, rules: TokenRules = TokenRules()) -> None:
        self.rules = rules
        self._prefix = _PREFIX | {"#"} if rules.hashtags else _PREFIX
        clitics = {c.lower() for c in rules.clitics}
        self._clitics = sorted(clitics | {c.replace("'", "’") for c in clitics}, key=len, reverse=True)
        self._whole = _EMOTICONS | {e.lower() for e in rules.exceptions}
        self._splits = {word: [len(part) for part in parts] for word, parts in rules.splits}
        infixes = _INFIXES["always"] + _INFIXES.get(rules.hyphens, []) + (_INFIXES["elision"] if rules.elision else [])
        self._infix = re.compile("|".join(infixes))

    def __call__(self, text: str) -> Tokens:
        tokens = Tokens(text)
        starts, ends = tokens.starts, tokens.ends
        splits = self._splits
        for m in _CHUNKS.finditer(text):
            start, end = m.span()
            kind = m.lastindex
            if kind == 1:
                if text[start] == " " and start > 0:
                    start += 1  # one space after a token belongs to that token
                if start < end:
                    starts.append(start)
                    ends.append(end)
            elif kind == 2 and not (splits and m.group().lower() in splits):
                starts.append(start)
                ends.append(end)
            elif (end - start <= 24 and _WORD_MARK.fullmatch(text, start, end)
                  and not (splits and text[start:end - 1].lower() in splits)
                  and text[start:end].lower() not in self._whole):
                starts += (start, end - 1)
                ends += (end - 1, end)
            else:
                self._chunk(text, start, end, starts, ends)
        tokens.words = [text[s:e] for s, e in zip(starts, ends)]
        tokens.lower = [w.lower() for w in tokens.words]
        return tokens

    def _chunk(self, text: str, i: int, j: int, starts: list[int], ends: list[int]) -> None:
        """Tokens of the chunk text[i:j]: its prefixes, its core, its suffixes."""
        if text[i:j] in self._whole or text[i:j].lower() in self._whole:
            starts.append(i)
            ends.append(j)
            return
        while i < j and self._is_prefix(text, i, j):
            starts.append(i)
            ends.append(i + 1)
            i += 1
        suffixes: list[Span] = []
        while i < j and text[i:j].lower() not in self._whole:
            cut = self._suffix_length(text, i, j)
            if not cut:
                break
            suffixes.append((j - cut, j))
            j -= cut
        if i < j:
            self._core(text, i, j, starts, ends)
        for s, e in reversed(suffixes):
            starts.append(s)
            ends.append(e)

    def _is_prefix(self, text: str, i: int, j: int) -> bool:
        ch = text[i]
        if ch == "+":
            return i + 1 >= j or not text[i + 1].isdigit()
        if ch == "." and text.startswith("..", i):
            return False  # an ellipsis is one token: the core's infix takes it
        return ch in self._prefix and j - i > 0

    def _suffix_length(self, text: str, i: int, j: int) -> int:
        ch = text[j - 1]
        if ch == ".":
            if j - i >= 2 and text[j - 2] == ".":
                run = j - 1
                while run > i and text[run - 1] == ".":
                    run -= 1
                return j - run
            if (j - i == 2 and text[i].isalpha()) or _ABBREVIATION.fullmatch(text, i, j):
                return 0  # "J.", "i.", "e.g."
            before = text[j - 2]
            # "B2B." keeps its period, as an initial does; "end." and "IBM." do not.
            keep = ((before.isupper() and not (j - i >= 3 and text[j - 3].isupper()))
                    or (self.rules.ordinals and before.isdigit()))
            return 0 if keep else 1
        if ch in _APOSTROPHES and self.rules.elision and j - i >= 2 and text[j - 2].isalpha():
            return 0  # "po'": an elided word keeps its apostrophe
        if ch in _UNIT_ENDS and j - i >= 2:
            for unit in _UNITS:
                if text.endswith(unit, i, j) and j - i > len(unit) and text[j - len(unit) - 1].isdigit():
                    return len(unit)
        if self._clitics and j - i > 2:
            lowered = text[i:j].lower()
            for clitic in self._clitics:
                if len(lowered) > len(clitic) and lowered.endswith(clitic):
                    return len(clitic)
        return 1 if ch in _SUFFIX else 0  # "#" too in every language: "C#" is "C", "#"

    def _core(self, text: str, i: int, j: int, starts: list[int], ends: list[int]) -> None:
        core = text[i:j]
        if _URL_WHOLE.fullmatch(core) or "@" in core or core.lower() in self._whole:
            starts.append(i)
            ends.append(j)
            return
        parts = self._splits.get(core.lower())
        if parts:
            for length in parts:
                starts.append(i)
                ends.append(i + length)
                i += length
            return
        at = 0
        for m in self._infix.finditer(core):
            if m.start() > at:
                starts.append(i + at)
                ends.append(i + m.start())
            if m.end() > m.start():
                starts.append(i + m.start())
                ends.append(i + m.end())
            at = m.end()
        if at < len(core):
            starts.append(i + at)
            ends.append(j)
