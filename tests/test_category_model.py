"""The committed category model: it loads, numpy computes what scikit-learn computes, a rebuild
from the corpus reproduces it, and it never learned from the held-back split."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models import corpus
from models.category import MODEL_PATH, Classifier, build, char_ngrams, classifier, export, fit, training_data
from models.records import CATEGORIES


@pytest.fixture(scope="module")
def committed() -> Classifier:
    model = classifier()
    assert model is not None, f"{MODEL_PATH} is missing: run `make model`"
    return model


def test_the_committed_model_is_small_and_knows_every_category(committed: Classifier) -> None:
    assert MODEL_PATH.stat().st_size < 2 * 1024 * 1024
    assert sorted(committed.classes) == sorted(CATEGORIES)
    probabilities = committed.probabilities("Would you be open to a freelance contract at a day rate?")
    assert abs(sum(probabilities.values()) - 1) < 1e-6
    assert max(probabilities, key=probabilities.get) == "consulting_offer"


def test_numpy_inference_equals_scikit_learns(committed: Classifier) -> None:
    texts, labels = training_data()
    pipeline = fit(texts, labels)
    ours = Classifier(export(pipeline))
    sample = [corpus.text_of(i) for i in corpus.load("all")[::7]] + ["", "🙂", "C++ and Rust, Q3!"]
    expected = pipeline.predict_proba(sample)
    for text, row in zip(sample, expected):
        got = ours.probabilities(text)
        assert np.allclose([got[c] for c in pipeline.classes_], row, atol=1e-5), text


def test_char_ngrams_match_scikit_learns_char_wb() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    analyse = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    for text in ("Hi Kari, ja!", "a  bb   ccc\tdddd\nÆrlig talt", "x"):
        assert char_ngrams(text) == analyse(text)


def test_a_rebuild_reproduces_the_committed_model(committed: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "category.npz"
    build(path)
    rebuilt = classifier(path)
    assert rebuilt is not None
    for item in corpus.load("all"):
        text = corpus.text_of(item)
        a, b = committed.probabilities(text), rebuilt.probabilities(text)
        assert max(a, key=a.get) == max(b, key=b.get), item["id"]
        assert all(abs(a[c] - b[c]) < 1e-4 for c in a), item["id"]


def test_the_held_back_split_is_fixed_and_never_trained_on() -> None:
    items = corpus.load("all")
    heldback = corpus.load("heldback")
    assert 0.1 < len(heldback) / len(items) < 0.3
    assert all(corpus.split_of(i["id"]) == "heldback" for i in heldback)
    texts, _ = training_data()
    assert not {corpus.text_of(i) for i in heldback} & set(texts)
