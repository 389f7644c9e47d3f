"""spaCy pipelines, one per language, loaded once per process.

Blank pipelines (tokenizer + lookup lemmatizer from `spacy-lookups-data`) work
with nothing but PyPI installed; a trained pipeline is used instead when `INMAIL_SPACY_<LANG>`
names an installed one (e.g. `INMAIL_SPACY_EN=en_core_web_sm`). Lemmas are lowercased by a
small component so that phrase rules match "Rockstars" and "rockstar" alike. The lookup
tables have no Bokmål data: nb lemmas equal the lowercased word, so nb packs list inflected
forms.
"""
from __future__ import annotations

import os
import threading
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

_lock = threading.Lock()


@Language.factory("inmail_lower_lemma")
def _lower_lemma_factory(nlp: Language, name: str):
    """Lowercases lemmas; a capitalised word the lookup table missed ("Abbiamo" at a sentence
    start) is looked up again in lower case, since the tables are case-sensitive."""
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {}) if nlp.has_pipe("lemmatizer") else {}

    def lower_lemma(doc: Doc) -> Doc:
        for token in doc:
            lemma = token.lemma_ or token.text
            if lemma == token.text and not token.is_lower:
                lemma = table.get(token.lower_, token.lower_) if table else lemma
            token.lemma_ = lemma.lower()
        return doc

    return lower_lemma


def _blank(lang: str) -> Language:
    nlp = spacy.blank(lang)
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except (ValueError, OSError):
        # No lookup table for this language (nb): lemmas stay the words themselves.
        nlp = spacy.blank(lang)
    return nlp


@cache
def pipeline(lang: str) -> Language:
    """The shared pipeline for `lang` (thread-safe; built on first use)."""
    with _lock:
        name = os.environ.get(f"INMAIL_SPACY_{lang.upper()}")
        nlp = spacy.load(name, exclude=["ner", "textcat"]) if name else _blank(lang)
        nlp.add_pipe("inmail_lower_lemma", last=True)
        return nlp
