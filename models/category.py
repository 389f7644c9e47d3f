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


# Each line's feature rows per feature block, each word's character n-gram rows: drafts repeat
# their lines and words. Bounded as rules/kept.py bounds the engine's caches (arrays: half the lines).
_LINES_KEPT = 4096
_WORDS_KEPT = 16_384


class _Features:
    """One TF-IDF block: vocabulary, IDF, sublinear TF, L2-normalised. No n-gram spans a line
    break as a token would (a word bigram does: it is added where two lines meet), so a text's
    counts are the sums of its lines', each line's counted once per process."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature rows, how often each occurs in `text`)."""
        raise NotImplementedError

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        rows, counts = self.counts(text)
        if not len(rows):
            return rows, counts
        values = (1.0 + np.log(counts)) * self.idf[rows]
        return rows, values / np.linalg.norm(values)


class _WordFeatures(_Features):
    """Word uni- and bigrams, rows in the order scikit-learn's counts meet them (unigrams, then
    bigrams, each by first occurrence): the order the weights are summed in."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        super().__init__(vocabulary, idf)
        self._line = lru_cache(maxsize=_LINES_KEPT)(self._line_counts)

    def _line_counts(self, line: str) -> tuple[Counter, Counter, str | None, str | None]:
        """A line's unigram and bigram rows counted, and its first and last token."""
        tokens = _TOKEN.findall(line.lower())
        index = self.index
        unigrams = Counter(map(index.get, tokens))
        bigrams = Counter(map(index.get, map(" ".join, zip(tokens, tokens[1:]))))
        unigrams.pop(None, None)
        bigrams.pop(None, None)
        return unigrams, bigrams, (tokens[0] if tokens else None), (tokens[-1] if tokens else None)

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        lines = [self._line(line) for line in text.split("\n")]
        counts: dict[int, int] = {}
        for unigrams, _, _, _ in lines:
            for row, n in unigrams.items():
                counts[row] = counts.get(row, 0) + n
        last = None
        for _, bigrams, first, final in lines:
            if first is None:
                continue
            if last is not None and (row := self.index.get(f"{last} {first}")) is not None:
                counts[row] = counts.get(row, 0) + 1
            for row, n in bigrams.items():
                counts[row] = counts.get(row, 0) + n
            last = final
        return np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)), \
            np.fromiter(counts.values(), dtype=np.float64, count=len(counts))


class _CharFeatures(_Features):
    """Character n-grams within words; rows come out sorted, so the sum's order is the same
    however the text is cut."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        super().__init__(vocabulary, idf)
        self._rows = lru_cache(maxsize=_WORDS_KEPT)(self._word_rows)
        self._line = lru_cache(maxsize=_LINES_KEPT)(self._line_counts)

    def _word_rows(self, word: str) -> np.ndarray:
        return np.array([row for row in map(self.index.get, word_char_ngrams(word)) if row is not None], dtype=np.int64)

    def _line_counts(self, line: str) -> tuple[np.ndarray, np.ndarray]:
        return self._summed([self._rows(word) for word in char_words(line)], None)

    def counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        lines = [self._line(line) for line in text.split("\n")]
        return self._summed([rows for rows, _ in lines], [counts for _, counts in lines])

    @staticmethod
    def _summed(rows: list[np.ndarray], counts: list[np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct row once with its total (weighted by `counts`, else each occurrence is 1):
        over the text's rows, not the vocabulary's 33,000."""
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        every = np.concatenate(rows)
        found, at = np.unique(every, return_inverse=True)
        weights = np.concatenate(counts) if counts is not None else None
        return found, np.bincount(at, weights=weights, minlength=len(found)).astype(np.float64)


class Classifier:
    """The exported model: category probabilities for a text, with numpy only."""

    def __init__(self, data: Any) -> None:
        self.classes = [str(c) for c in data["classes"]]
        self.words = _WordFeatures(_terms(data["word_vocabulary"]), data["word_idf"])
        self.chars = _CharFeatures(_terms(data["char_vocabulary"]), data["char_idf"])
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


def _terms(blob: np.ndarray) -> list[str]:
    """A vocabulary as `export` stores it: its terms in UTF-8, one per line (no term holds a line
    break: tokens and n-grams are cut at white space)."""
    return blob.tobytes().decode("utf-8").split("\n")


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
        # UTF-8 bytes rather than numpy's fixed-width strings (four bytes a letter, padded to the
        # longest term): 0.25 MB instead of 1.7 MB, so the file needs no compression to stay
        # small, and loads in ~9 ms instead of ~24 ms at every start.
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)

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
    np.savez(path, **export(fit(texts, labels)))
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
