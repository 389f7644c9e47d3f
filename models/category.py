"""The learned half of category detection: a linear classifier trained on the corpus's training
split, saved small in `models/trained/category.npz` and applied with numpy alone.

Trained with scikit-learn: word uni- and bigrams plus character 3–5-grams within words (both
TF-IDF, sublinear, seen in 2+ training items), multinomial logistic regression with balanced
class weights. One model serves all three languages: with ~110 items per language the
minority categories have about nine examples each, and the character n-grams of shared
loanwords ("freelance", "startup", "podcast", "referenc…") let each language learn from the
others. Measured by 5-fold cross-validation on the training split (README, "Review quality"):
this model alone 0.69 category accuracy against 0.59 for one such model per language and 0.47
for spaCy's bag-of-words `textcat` (it fit the training data but never got past "career
opportunity" on unseen items), and 0.86 once combined with the packs' lexicon
(`rules/category.py`).

scikit-learn and SciPy are needed only to train (`pip install -e '.[model]'`, which `make model`
does); reviewing reads the exported vocabularies, IDF weights and coefficients and computes the
same features and probabilities (`Classifier`), so the installed product stays small. Training
is deterministic (L-BFGS, fixed data order): `make model` reproduces the committed file, and a
test checks it.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from models.corpus import load, text_of

MODEL_PATH = Path(__file__).resolve().parent / "trained" / "category.npz"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)
MIN_DF = 2
C = 1.0

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    low, high = WORD_NGRAMS
    grams = tokens[:] if low == 1 else []  # unigrams as they are, not each joined from a slice
    for n in range(max(low, 2), high + 1):
        grams += map(" ".join, zip(*(tokens[k:] for k in range(n))))
    return grams


def word_char_ngrams(word: str) -> list[str]:
    """One word's character n-grams, padded with spaces, as scikit-learn's `char_wb` makes them."""
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    out: list[str] = []
    for n in range(low, high + 1):
        out.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
        if len(padded) <= n:  # a short word counts once
            break
    return out


def char_words(text: str) -> list[str]:
    return _SPACES.sub(" ", text.lower()).split()


def char_ngrams(text: str) -> list[str]:
    return [g for word in char_words(text) for g in word_char_ngrams(word)]


class _Features:
    """One TF-IDF block: vocabulary, IDF, sublinear TF, L2-normalised."""

    def __init__(self, vocabulary: np.ndarray, idf: np.ndarray, analyse: Any) -> None:
        self.index = {term: i for i, term in enumerate(vocabulary.tolist())}
        self.idf = idf
        self.analyse = analyse

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature rows, how often each occurs in `text`)."""
        counts = Counter(map(self.index.get, self.analyse(text)))  # counted in C; then without the unknown
        counts.pop(None, None)
        return np.fromiter(counts.keys(), dtype=np.int64), np.fromiter(counts.values(), dtype=np.float64)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        rows, counts = self.counts(text)
        if not len(rows):
            return rows, counts
        values = (1.0 + np.log(counts)) * self.idf[rows]
        return rows, values / np.linalg.norm(values)


class _CharFeatures(_Features):
    """Character n-grams are made per word, and words repeat: each word's feature rows are
    computed once per process (a 1,500-character draft has ~7,000 n-grams but ~150 new words)."""

    def __init__(self, vocabulary: np.ndarray, idf: np.ndarray, analyse: Any) -> None:
        super().__init__(vocabulary, idf, analyse)
        self._rows = lru_cache(maxsize=65536)(self._word_rows)

    def _word_rows(self, word: str) -> np.ndarray:
        return np.fromiter((self.index[g] for g in word_char_ngrams(word) if g in self.index), dtype=np.int64)

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Counted per distinct word, then summed over its rows with numpy."""
        words = Counter(char_words(text))
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = [self._rows(word) for word in words]
        every = np.concatenate(rows)
        weights = np.repeat(np.fromiter(words.values(), dtype=np.float64, count=len(words)), [len(r) for r in rows])
        # Summed per distinct row: over the text's rows, not the vocabulary's 33,000 (a third
        # of the time of a vocabulary-long bincount and its nonzero scan).
        found, at = np.unique(every, return_inverse=True)
        return found, np.bincount(at, weights=weights, minlength=len(found))


class Classifier:
    """The exported model: category probabilities for a text, with numpy only."""

    def __init__(self, data: Any) -> None:
        self.classes = [str(c) for c in data["classes"]]
        self.words = _Features(data["word_vocabulary"], data["word_idf"], word_ngrams)
        self.chars = _CharFeatures(data["char_vocabulary"], data["char_idf"], char_ngrams)
        # One row per feature, contiguous and in float64: a text's rows are gathered in one
        # block and multiplied without converting (a third of the time of the column slice).
        coef = np.ascontiguousarray(data["coef"].T, dtype=np.float64)
        self.word_coef = coef[: len(self.words.idf)]
        self.char_coef = coef[len(self.words.idf) :]
        self.intercept = data["intercept"].astype(np.float64)

    def probabilities(self, text: str) -> dict[str, float]:
        scores = self.intercept.copy()
        for features, coef in ((self.words, self.word_coef), (self.chars, self.char_coef)):
            rows, values = features.vector(text)
            if len(rows):
                scores += values @ coef[rows]
        odds = np.exp(scores - scores.max())
        return dict(zip(self.classes, (odds / odds.sum()).tolist()))


@cache
def classifier(path: Path = MODEL_PATH) -> Classifier | None:
    """The committed model, loaded once; None when there is none (the lexicon decides alone)."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return Classifier({key: data[key] for key in data.files})


def fit(texts: Sequence[str], labels: Sequence[str]) -> Any:
    """The scikit-learn pipeline, trained (needs the `model` extra)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    pipeline = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True, min_df=MIN_DF),
            TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=MIN_DF),
        ),
        LogisticRegression(C=C, class_weight="balanced", max_iter=5000),
    )
    return pipeline.fit(list(texts), list(labels))


def export(pipeline: Any) -> dict[str, np.ndarray]:
    """What `Classifier` needs of a fitted pipeline, as plain arrays."""
    union, regression = pipeline.steps[0][1], pipeline.steps[1][1]
    (_, words), (_, chars) = union.transformer_list

    def vocabulary(vectorizer: Any) -> np.ndarray:
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        return np.array(terms, dtype=str)

    return {
        "classes": np.array(regression.classes_, dtype=str),
        "word_vocabulary": vocabulary(words), "word_idf": words.idf_.astype(np.float32),
        "char_vocabulary": vocabulary(chars), "char_idf": chars.idf_.astype(np.float32),
        "coef": regression.coef_.astype(np.float32), "intercept": regression.intercept_.astype(np.float32),
    }


def training_data() -> tuple[list[str], list[str]]:
    items = [i for i in load("train") if i["labels"].get("category")]
    return [text_of(i) for i in items], [i["labels"]["category"] for i in items]


def build(path: Path = MODEL_PATH) -> int:
    """Trains on the corpus's training split and writes the model; returns the item count."""
    texts, labels = training_data()
    if not texts:
        raise SystemExit("no training items in the corpus")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **export(fit(texts, labels)))
    return len(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.category", description="Rebuild the category model.")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help=f"where to write it (default {MODEL_PATH.name})")
    args = parser.parse_args(argv)
    n = build(args.out)
    print(f"trained on {n} items of the training split -> {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
