"""Each language's pipeline: its tokenizer (`rules/tokens.py`) and its lemma table, built once
per process on the language's first use.

Lemmas are lowercased so that phrase rules match "Rockstars" and "rockstar" alike. The lookup
tables are spacy-lookups-data 1.0.5's `lemma_lookup` for en, nb and it, kept in
`lemma_tables/<code>.npz` as sorted arrays of 64-bit word hashes (see the README there): the
Italian table, 333,682 words, takes 4 MB and milliseconds to load this way, against about
100 MB as a Python dict. The nb table is small (1,582 words), so nb packs list inflected
forms. A language without a table matches its words as written, lowercased.

A trained spaCy pipeline is used instead when `INMAIL_SPACY_<LANG>` names one that is installed
(e.g. `INMAIL_SPACY_EN=en_core_web_sm`, with the `spacy` extra): its tokens and lemmas then feed
the same matching. spaCy is imported for nothing else.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import threading
import zlib
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from rules.kept import WORDS_KEPT
from rules.language import language_data, supported
from rules.tokens import Tokenizer, TokenRules, Tokens

TABLES = Path(__file__).with_name("lemma_tables")

_lock = threading.Lock()
_UNSEEN = object()
# White space holding a line break, whole: where a text is cut into lines (`Pipeline`).
_BETWEEN_LINES = re.compile(r"\s*\n\s*")


def word_key(word: str) -> int:
    """A word's key in the tables: two checksums of its UTF-8 side by side (64 bits; computed
    in C, a third of a microsecond a word)."""
    data = word.encode("utf-8")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


class LemmaTable:
    """word → lemma, as sorted keys (`word_key`) with the index of each one's lemma, so a whole
    field is looked up at once with one `searchsorted`."""

    # Words already looked up, with their lemma or None: most words of a draft were in earlier
    # ones. Emptied when full, so a long-running server holds at most this many.
    SEEN_MAX = WORDS_KEPT

    def __init__(self, keys: np.ndarray, lemma_ids: np.ndarray, lemmas: list[str]) -> None:
        self._keys = keys
        self._lemma_ids = lemma_ids
        self._lemmas = lemmas
        self._seen: dict[str, str | None] = {}

    @classmethod
    def load(cls, lang: str) -> "LemmaTable | None":
        """The language's table; None when it has none (`lemma_tables/<lang>.npz` is optional)."""
        path = TABLES / f"{lang}.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return cls(data["keys"], data["lemma_ids"], data["lemmas"].tobytes().decode("utf-8").split("\n"))

    def lookup(self, words: set[str]) -> dict[str, str | None]:
        """The lemma of each of `words`, None for a word the table does not have."""
        seen = self._seen
        found: dict[str, str | None] = {}
        new = []
        for word in words:
            lemma = seen.get(word, _UNSEEN)  # one read: another thread may empty `seen` meanwhile
            if lemma is _UNSEEN:
                new.append(word)
            else:
                found[word] = lemma
        if new:
            keys = np.fromiter(map(word_key, new), dtype=np.uint64, count=len(new))
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            hits = (self._keys[at] == keys).tolist()
            looked_up = {w: self._lemmas[i] if hit else None for w, i, hit in zip(new, self._lemma_ids[at].tolist(), hits)}
            found.update(looked_up)
            if len(seen) + len(new) > self.SEEN_MAX:
                seen.clear()
            seen.update(looked_up)
        return found


class Pipeline:
    """Text → `Tokens` with lowercased lemmas. The tables are case-sensitive, so a capitalised
    word the table misses ("Abbiamo" at a sentence start) is looked up again in lower case.

    A text is done line by line, each line's tokens kept for the process (`LINES_KEPT`): the
    tokenizer never joins across white space, so a line's tokens are the same wherever it
    stands, and drafts repeat their lines — copies of a template, a draft reviewed again after
    an edit. The white space between two lines is one token, as in the text."""

    LINES_KEPT = 1024  # a line's tokens take ~7 KB: a few megabytes at most

    def __init__(self, tokenizer: Tokenizer, table: LemmaTable | None) -> None:
        self.tokenizer = tokenizer
        self.table = table
        self._line = lru_cache(maxsize=self.LINES_KEPT)(self._tokens)

    def __call__(self, text: str) -> Tokens:
        out = Tokens(text)
        pos = 0
        for m in _BETWEEN_LINES.finditer(text):
            self._append(out, pos, m.start())
            start, end = m.span()
            if text[start] == " " and start > 0:  # one space after a token belongs to it
                start += 1
            self._append(out, start, end)
            pos = end
        self._append(out, pos, len(text))
        return out

    def _append(self, out: Tokens, start: int, end: int) -> None:
        if start == end:
            return
        piece = out.text[start:end]
        starts, ends, words, lower, lemmas = self._line(piece)
        out.pieces.append((len(out.words), len(out.words) + len(words), piece))
        out.starts += [start + s for s in starts] if start else starts
        out.ends += [start + e for e in ends] if start else ends
        out.words += words
        out.lower += lower
        out.lemmas += lemmas

    def _tokens(self, text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        tokens = self.tokenizer(text)
        words, lower = tokens.words, tokens.lower
        if self.table is None:
            lemmas = lower
        else:
            asked = set(words)
            asked.update(low for word, low in zip(words, lower) if low != word)
            found = self.table.lookup(asked)
            lemmas = []
            for word, low in zip(words, lower):
                lemma = found[word]
                if lemma is None or lemma == word:
                    lemma = word if low == word else (found[low] or low)
                lemmas.append(lemma.lower())
        return tuple(tokens.starts), tuple(tokens.ends), tuple(words), tuple(lower), tuple(lemmas)


class SpacyPipeline(Pipeline):
    """A trained spaCy pipeline's tokens and lowercased lemmas, as `Tokens` (its own tokenizer
    and lemmatizer stand in for ours, so neither is built)."""

    def __init__(self, name: str) -> None:  # no super().__init__(): nothing of ours to build
        import spacy  # the `spacy` extra; only when INMAIL_SPACY_<LANG> asks for it

        self._nlp = spacy.load(name, exclude=["ner", "textcat", "parser"])

    def __call__(self, text: str) -> Tokens:
        doc = self._nlp(text)
        words = [t.text for t in doc]
        return Tokens(text, [t.idx for t in doc], [t.idx + len(t.text) for t in doc], words,
                      [w.lower() for w in words], [(t.lemma_ or t.text).lower() for t in doc])


@cache
def pipeline(lang: str) -> Pipeline:
    """The shared pipeline for `lang` (thread-safe; built on first use)."""
    with _lock:
        name = os.environ.get(f"INMAIL_SPACY_{lang.upper()}")
        if name:
            return SpacyPipeline(name)
        data = language_data(lang)
        return Pipeline(Tokenizer(TokenRules.from_data(data.tokens if data else None)), LemmaTable.load(lang))


def export_tables(source: Path, langs: tuple[str, ...] | None = None) -> None:
    """Writes `lemma_tables/<lang>.npz` from spacy-lookups-data's `<lang>_lemma_lookup.json.gz`
    files in `source` (`make lemmas`, which installs that package for the moment; the product
    does not depend on it), for `langs`, by default every language that has one there."""
    for lang in langs if langs is not None else supported():
        path = source / f"{lang}_lemma_lookup.json.gz"
        if not path.exists():
            if langs is not None:
                raise FileNotFoundError(path)
            print(f"{lang}: spacy-lookups-data has no lemma_lookup table; none written")
            continue
        with gzip.open(path, "rt", encoding="utf-8") as f:
            table: dict[str, str] = json.load(f)
        lemmas = sorted(set(table.values()))
        index = {lemma: i for i, lemma in enumerate(lemmas)}
        keys = np.fromiter(map(word_key, table), dtype=np.uint64, count=len(table))
        if len(np.unique(keys)) != len(keys):
            raise ValueError(f"{lang}: two words of the table share a key")
        ids = np.fromiter((index[v] for v in table.values()), dtype=np.uint32, count=len(table))
        order = np.argsort(keys)
        blob = np.frombuffer("\n".join(lemmas).encode("utf-8"), dtype=np.uint8)
        np.savez(TABLES / f"{lang}.npz", keys=keys[order], lemma_ids=ids[order], lemmas=blob)
