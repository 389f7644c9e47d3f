"""The review of every example and corpus draft is what `tests/fixtures/review_snapshot.jsonl`
says (issue 12: no quality may be lost for speed). A deliberate change regenerates the snapshot
(`python -m tests.review_snapshot --write`) and names the findings that moved."""
from __future__ import annotations

import json

from rules import Reviewer
from tests.review_snapshot import SNAPSHOT, snapshot


def test_every_review_is_as_recorded(reviewer: Reviewer) -> None:
    expected = {row["key"]: row for row in map(json.loads, SNAPSHOT.read_text(encoding="utf-8").splitlines())}
    actual = {row["key"]: json.loads(json.dumps(row)) for row in snapshot(reviewer)}
    assert sorted(actual) == sorted(expected), "drafts were added or removed: regenerate the snapshot"
    moved = [f"{key}: {field} {expected[key][field]!r} -> {actual[key][field]!r}"
             for key in sorted(actual) for field in actual[key] if actual[key][field] != expected[key][field]]
    assert moved == [], f"{len(moved)} changes, first: " + "\n".join(moved[:10])
