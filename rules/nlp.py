"""spaCy pipelines, one per language, loaded once per process.

Blank pipelines (tokenizer + our lookup lemmatizer) work with nothing but PyPI installed; a
trained pipeline is used instead when `INMAIL_SPACY_<LANG>` names an installed one (e.g.
`INMAIL_SPACY_EN=en_core_web_sm`). Lemmas are lowercased so that phrase rules match "Rockstars"
and "rockstar" alike.

The lookup tables are spacy-lookups-data 1.0.5's `lemma_lookup` for en, nb and it, kept in
`lemma_tables/<code>.npz` as sorted arrays of spaCy's string hashes (see the README there): the
Italian table, 333,682 words, takes 4 MB and milliseconds to load this way, against 100 MB and
over a second as spaCy's own table, and the 99 MB package is not installed. The nb table is small
(1,582 words), so nb packs list inflected forms. A language without a table matches its words as
written, lowercased. Which spaCy language a pack's blank pipeline is: `spacy:` in its
`language.yml`, else the pack's own code.
"""
from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np
import spacy
from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from rules.language import language_data, supported

TABLES = Path(__file__).with_name("lemma_tables")

_lock = threading.Lock()


class LemmaTable:
    """word → lemma, keyed like spaCy's own `Table` by the word's hash (`Token.orth`), so a
    whole doc is looked up at once with one `searchsorted`."""

    def __init__(self, keys: np.ndarray, lemma_ids: np.ndarray, lemmas: list[str]) -> None:
        self._keys = keys
        self._lemma_ids = lemma_ids
        self._lemmas = lemmas

    @classmethod
    def load(cls, lang: str) -> "LemmaTable | None":
        """The language's table; None when it has none (`lemma_tables/<lang>.npz` is optional)."""
        path = TABLES / f"{lang}.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return cls(data["keys"], data["lemma_ids"], data["lemmas"].tobytes().decode("utf-8").split("\n"))

    def lookup(self, hashes: np.ndarray) -> list[str | None]:
        """The lemma of each hash, None for a word the table does not have."""
        at = np.minimum(np.searchsorted(self._keys, hashes), len(self._keys) - 1)
        found = self._keys[at] == hashes
        return [self._lemmas[i] if hit else None for i, hit in zip(self._lemma_ids[at].tolist(), found.tolist())]


@Language.factory("inmail_lemma", default_config={"table": ""})
def _lemma_factory(nlp: Language, name: str, table: str):
    """Lemmas, lowercased. In a blank pipeline this is the lookup lemmatizer itself (the table
    of our language `table`, default the pipeline's); after a trained pipeline's lemmatizer it
    only lowercases. Either way a capitalised word the table missed ("Abbiamo" at a sentence
    start) is looked up again in lower case, since the tables are case-sensitive."""
    if nlp.has_pipe("lemmatizer"):
        return _lowercase(nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {}))
    lookup = LemmaTable.load(table or nlp.lang)
    return _lowercase(None) if lookup is None else _lookup(lookup)


def _lowercase(table) -> Callable[[Doc], Doc]:
    def lower_lemma(doc: Doc) -> Doc:
        for token in doc:
            lemma = token.lemma_ or token.text
            if lemma == token.text and not token.is_lower:
                lemma = table.get(token.lower_, token.lower_) if table else lemma
            token.lemma_ = lemma.lower()
        return doc

    return lower_lemma


def _lookup(table: LemmaTable) -> Callable[[Doc], Doc]:
    def lookup_lemma(doc: Doc) -> Doc:
        if not len(doc):
            return doc
        hashes = doc.to_array([ORTH, LOWER])
        for token, lemma, by_lower in zip(doc, table.lookup(hashes[:, 0]), table.lookup(hashes[:, 1])):
            if lemma is None or lemma == token.text:
                lemma = token.text if token.is_lower else (token.lower_ if by_lower is None else by_lower)
            token.lemma_ = lemma.lower()
        return doc

    return lookup_lemma


@cache
def pipeline(lang: str) -> Language:
    """The shared pipeline for `lang` (thread-safe; built on first use)."""
    with _lock:
        name = os.environ.get(f"INMAIL_SPACY_{lang.upper()}")
        data = language_data(lang)
        nlp = spacy.load(name, exclude=["ner", "textcat"]) if name else spacy.blank(data.spacy if data else lang)
        nlp.add_pipe("inmail_lemma", last=True, config={"table": lang})
        return nlp


def export_tables(langs: tuple[str, ...] | None = None) -> None:
    """Writes `lemma_tables/<lang>.npz` from spacy-lookups-data (`make lemmas`, which installs
    that package for the moment; the product does not depend on it) for `langs`, by default
    every language that has a table there."""
    from spacy.lookups import load_lookups

    for lang in langs if langs is not None else supported():
        data = language_data(lang)
        try:
            table = load_lookups(data.spacy if data else lang, ["lemma_lookup"]).get_table("lemma_lookup")
        except (KeyError, ValueError):
            if langs is not None:
                raise
            print(f"{lang}: spacy-lookups-data has no lemma_lookup table; none written")
            continue
        lemmas = sorted(set(table.values()))
        index = {lemma: i for i, lemma in enumerate(lemmas)}
        keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
        ids = np.fromiter((index[v] for v in table.values()), dtype=np.uint32, count=len(table))
        order = np.argsort(keys)
        blob = np.frombuffer("\n".join(lemmas).encode("utf-8"), dtype=np.uint8)
        np.savez_compressed(TABLES / f"{lang}.npz", keys=keys[order], lemma_ids=ids[order], lemmas=blob)
