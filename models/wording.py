"""Counted nouns in the words a user reads: "1 reply", "2,000 replies", never "1 replies"."""
from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """`count` with thousands separators and the noun that agrees with it."""
    return f"{count:,} {one if count == 1 else many}"
