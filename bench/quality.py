"""Review quality on the labelled corpus (`eval/corpus/`), by PRODUCT.md §3's judgements.

    .venv/bin/python bench/quality.py                  # the held-back split: the figures to quote
    .venv/bin/python bench/quality.py --split train    # the part rules and models are tuned on
    .venv/bin/python bench/quality.py --split train --errors   # what was misjudged (train only)
    .venv/bin/python bench/quality.py --cv 5           # k-fold cross-validation of the category model

Each item is reviewed as `inmail-review check --format jsonl` would (offline spelling, the
recipient profile given, no declared language or category). A family "flags" a draft when it
gives a `warning` or `error`. Printed per judgement and language: precision, recall and F1
(mass template = `generic-template` flags it; not personalised = `personalization` flags it;
category mismatch = `category-match` flags it), accuracy for category, language and too long,
the category confusion matrix, and the false-alarm rate: the share of good drafts (personal,
no template, within the limits, open to the category, with a subject) that get any warning. Numbers only; nothing is asserted.
Listing errors of the held-back split is refused: it must stay unseen while tuning.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import corpus  # noqa: E402
from models.records import CATEGORIES, Draft, Review  # noqa: E402

LANGS = ("en", "nb", "it")
SHORT = dict(zip(CATEGORIES, ("car", "con", "nv", "ji", "er", "bd", "rr", "gbt")))


@dataclass(frozen=True)
class Judged:
    item: dict[str, Any]
    review: Review

    def flags(self, family: str) -> bool:
        return any(f.family == family and f.severity in ("warning", "error") for f in self.review.findings)

    @property
    def predicted(self) -> dict[str, Any]:
        return {
            "mass_template": self.flags("generic-template"),
            "not_personalised": self.flags("personalization"),
            "category_mismatch": any(f.rule == "category-match/not-open-to" and f.severity != "suggestion"
                                     for f in self.review.findings),
            "category": self.review.category,
            "language": self.review.language,
            "too_long": any(f.rule in ("length/body-limit", "length/subject-limit") for f in self.review.findings),
        }

    @property
    def expected(self) -> dict[str, Any]:
        labels = self.item["labels"]
        return {**labels, "not_personalised": not labels["personalised"]}


def judge(items: Iterable[dict[str, Any]], reviewer: Any) -> list[Judged]:
    return [Judged(item, reviewer.review(Draft.from_dict(corpus.draft_input(item)))) for item in items]


def prf(judged: list[Judged], key: str) -> str:
    tp = sum(j.predicted[key] and j.expected[key] for j in judged)
    fp = sum(j.predicted[key] and not j.expected[key] for j in judged)
    fn = sum(not j.predicted[key] and j.expected[key] for j in judged)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.2f}  R {r:.2f}  F1 {f1:.2f}  (tp {tp}, fp {fp}, fn {fn})"


def accuracy(judged: list[Judged], key: str) -> str:
    right = sum(j.predicted[key] == j.expected[key] for j in judged)
    return f"{right / len(judged):.2f}  ({right}/{len(judged)})" if judged else "-"


def mismatch_at(judged: list[Judged], threshold: float) -> str:
    """What `not-open-to` would score if it fired only at this confidence or above."""
    tp = fp = fn = 0
    for j in judged:
        open_to = (j.item.get("recipient") or {}).get("open_to") or []
        sure = 1 - sum(j.review.category_scores.get(c, 0.0) for c in open_to)
        said = bool(open_to) and j.review.category not in open_to and sure >= threshold
        tp += said and j.expected["category_mismatch"]
        fp += said and not j.expected["category_mismatch"]
        fn += not said and j.expected["category_mismatch"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return f"P {p:.2f}  R {r:.2f}  F1 {2 * p * r / (p + r) if p + r else 0:.2f}"


def good(j: Judged) -> bool:
    """A draft nothing should be said against: personal, no template, within the limits, to
    someone open to its category, with a subject (LinkedIn requires one)."""
    labels = j.item["labels"]
    return (labels["personalised"] and not labels["mass_template"] and not labels["too_long"]
            and not labels["category_mismatch"] and bool(j.item.get("subject")))


def false_alarms(judged: list[Judged]) -> tuple[str, Counter[str]]:
    goods = [j for j in judged if good(j)]
    warned = [j for j in goods if any(f.severity in ("warning", "error") for f in j.review.findings)]
    rules = Counter(f.rule for j in warned for f in j.review.findings if f.severity in ("warning", "error"))
    share = len(warned) / len(goods) if goods else 0.0
    return f"{share:.0%} of {len(goods)} good drafts get a warning or error ({len(warned)})", rules


def report(judged: list[Judged], title: str) -> None:
    print(f"\n== {title}: {len(judged)} items ==")
    groups = {"all": judged, **{lang: [j for j in judged if j.item["labels"]["language"] == lang] for lang in LANGS}}
    for name, key in (("mass template", "mass_template"), ("not personalised", "not_personalised"),
                      ("category mismatch", "category_mismatch")):
        print(f"{name}:")
        for lang, part in groups.items():
            print(f"  {lang:>3}: {prf(part, key)}")
    for name, key in (("category", "category"), ("language", "language"), ("too long", "too_long")):
        print(f"{name} accuracy: " + "   ".join(f"{lang} {accuracy(part, key)}" for lang, part in groups.items()))
    print("category mismatch by how sure the category is outside open_to (min_confidence in category-match.yml):")
    for threshold in (0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9):
        print(f"  >= {threshold:.2f}: {mismatch_at(judged, threshold)}")
    alarms, rules = false_alarms(judged)
    print(f"false alarms: {alarms}; by rule: {dict(rules.most_common(6))}")
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for j in judged:
        confusion[j.expected["category"]][j.predicted["category"] or "null"] += 1
    columns = [*CATEGORIES, "null"]
    print("category confusion (rows: label, columns: judged)")
    print("      " + " ".join(f"{SHORT.get(c, c):>4}" for c in columns))
    for c in CATEGORIES:
        print(f"{SHORT[c]:>5} " + " ".join(f"{confusion[c][col]:>4}" for col in columns))


def errors(judged: list[Judged]) -> None:
    for j in judged:
        wrong = [k for k in ("mass_template", "not_personalised", "category", "category_mismatch", "language")
                 if j.predicted[k] != j.expected[k]]
        if wrong:
            rules = sorted({f"{f.rule}:{f.severity[0]}" for f in j.review.findings if f.severity != "suggestion"})
            said = ", ".join(f"{k}={j.predicted[k]} (label {j.expected[k]})" for k in wrong)
            print(f"{j.item['id']} [{j.item.get('group', '')}] {said}; {' '.join(rules)}")


def cross_validate(reviewer: Any, folds: int) -> None:
    """k-fold over the training split: the category model is retrained on k-1 folds and the
    whole review judged on the fold it never saw (needs the `model` extra)."""
    from models.category import Classifier, export, fit

    items = corpus.load("train")
    judged: list[Judged] = []
    for k in range(folds):
        train = [i for n, i in enumerate(items) if n % folds != k]
        model = Classifier(export(fit([corpus.text_of(i) for i in train], [i["labels"]["category"] for i in train])))
        for lang in LANGS:
            reviewer.compiled(lang).categories.classifier = model
        judged += judge([i for n, i in enumerate(items) if n % folds == k], reviewer)
    report(judged, f"{folds}-fold cross-validation on the training split")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["heldback", "train", "all"], default="heldback")
    parser.add_argument("--errors", action="store_true", help="list misjudged items (not for the held-back split)")
    parser.add_argument("--cv", type=int, metavar="K", help="k-fold cross-validation of the category model")
    args = parser.parse_args()
    from bot.reviewer import load_reviewer
    from bot.settings import Settings

    reviewer = load_reviewer(Settings.from_env({}))
    if args.cv:
        cross_validate(reviewer, args.cv)
        return 0
    if args.errors and args.split != "train":
        parser.error("--errors lists the training split only: the held-back split stays unseen while tuning")
    judged = judge(corpus.load(args.split), reviewer)
    report(judged, f"{args.split} split")
    if args.errors:
        errors(judged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
