"""The labelled development corpus (`eval/corpus/*.jsonl`) and its fixed held-back split.

Which items are held back is decided by a hash of each item's id, not by position or by hand,
so the split never moves when items are added and nobody can pick the easy ones: about one in
five items is `heldback`, and no rule, weight or model may be tuned on those. Training and
cross-validation read `split="train"` only; `make quality` reports both parts.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Literal

CORPUS_DIR = Path(__file__).resolve().parents[1] / "eval" / "corpus"
HELDBACK_SHARE = 5  # one in five

Split = Literal["train", "heldback", "all"]


def split_of(item_id: str) -> str:
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return "heldback" if int.from_bytes(digest[:4], "big") % HELDBACK_SHARE == 0 else "train"


def load(split: Split = "all", directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every corpus item of `split`, in file order (files sorted by name)."""
    return [item for item in _items(directory) if split == "all" or split_of(item["id"]) == split]


def _items(directory: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not valid JSON: {exc.msg}") from None


def draft_input(item: dict[str, Any]) -> dict[str, Any]:
    """The item as the engine sees it: the draft fields of PRODUCT.md §2, no labels."""
    return {k: item[k] for k in ("id", "subject", "body", "recipient") if item.get(k) is not None}


def text_of(item: dict[str, Any]) -> str:
    """What the category classifier reads: subject and body."""
    return f"{item.get('subject') or ''}\n{item['body']}".strip()
