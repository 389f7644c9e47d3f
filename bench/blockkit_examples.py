"""Writes the Block Kit examples of docs/blockkit/<lang>/ for every interface language, each
pasteable into Slack's Block Kit Builder (https://app.slack.com/block-kit-builder):

- `review.json`: the review message of a corpus draft written in that language (a mass template
  with an unfilled placeholder: findings of every severity, the engine's note on offline
  spelling, the "Not applicable here…" menus and the buttons), as `{"blocks": [...]}`;
- `app-home.json`: an admin's App Home (their figures and policy status, their recent reviews
  of the language's example drafts, the team settings, the team's rules section and the
  Language menu), as the view object `{"type": "home", "blocks": [...]}`.

The drafts are reviewed by the real engine with offline spelling (Hunspell, as without
LANGUAGETOOL_URL) and rendered by the real templates inside `bot.i18n.reading(lang)`. Every
time and date comes from the fixed `NOW`, so the files change only when the words or the
engine do; tests/test_i18n_surfaces.py regenerates them and compares.

    .venv/bin/python bench/blockkit_examples.py [docs/blockkit]
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.blocks import home_view, review_message  # noqa: E402
from bot.i18n import reading, ui_languages  # noqa: E402
from bot.inputs import read  # noqa: E402
from bot.team_rules import DISMISSAL_DAYS  # noqa: E402
from models.outreach import PeriodFigures, UserFigures  # noqa: E402
from models.team_settings import TeamSettings  # noqa: E402
from models.policy import NORMAL, PolicyConfig, current_period, initial_status  # noqa: E402
from models.records import Draft, Review  # noqa: E402
from rules import ReviewContext, Reviewer  # noqa: E402
from rules.grammar import build_checker  # noqa: E402

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=timezone.utc).timestamp()  # a Wednesday morning
HOUR = 3600.0
# The reviewed draft of each language: a corpus mass template ("mass/placeholder") with an error,
# warnings and suggestions. A new interface language needs one here.
REVIEWED = {"en": ("eval/corpus/en-career.jsonl", "en-c-046"), "nb": ("eval/corpus/nb-career.jsonl", "nb-c-057"),
            "it": ("eval/corpus/it-career.jsonl", "it-c-006")}
# App Home's recent reviews after it: the language's example drafts, as they came, newest first.
RECENT = (("examples/{lang}-personalized.md", "channel", 26 * HOUR), ("examples/{lang}-borderline.json", "modal", 3 * 24 * HOUR),
          ("examples/{lang}-mass-template.txt", "shortcut", 6 * 24 * HOUR))
TIMEZONES = {"en": "Europe/London", "nb": "Europe/Oslo", "it": "Europe/Rome"}
DRAFT_KEY = "d_5f0c2a9e1b7d4c36"  # what the buttons and menus carry: a stored draft's id


def _draft(path: str, item_id: str | None = None) -> Draft:
    for item in read([str(ROOT / path)]):
        if item.draft is not None and (item_id is None or item.draft.id == item_id):
            return item.draft
    raise LookupError(f"{path}: no draft {item_id or ''}")


def _row(draft: Draft, review: Review, source: str, at: float) -> dict[str, Any]:
    """A draft with its review as `Store.recent_reviews` gives it to App Home."""
    return {"draft_id": draft.id, "source": source, "subject": draft.subject, "excerpt": draft.body[:80],
            "deleted_at": None, "score": review.score, "verdict": review.verdict, "language": review.language,
            "category": review.category, "created_at": at}


def _figures(reviews: list[Review]) -> UserFigures:
    """A recruiter's figures as `models.outreach.user_figures` gives them: the drafts reviewed, and
    sends and replies of an ordinary month, in the period running at `NOW`."""
    policy = PolicyConfig()
    period = current_period(initial_status(policy), NOW, policy)
    return UserFigures(days=policy.window_days, drafts=len(reviews),
                       average_score=sum(r.score for r in reviews) / len(reviews), sent=46, responses=9, state=NORMAL,
                       until=None, team_sent=612, team_responses=83, team_flagged=1,
                       period=PeriodFigures(NORMAL, period.start, period.end, period.judged_at, sent=24, responses=5,
                                            accepted=4, declined=1, pending=19, at_risk=False),
                       policy=policy)


def examples(lang: str, reviewer: Reviewer) -> dict[str, dict[str, Any]]:
    """The files of `docs/blockkit/<lang>/`, by name."""
    path, item_id = REVIEWED[lang]
    first = _draft(path, item_id)
    reviewed = [(first, reviewer.review(first, ReviewContext(now=NOW)), "command", HOUR)]
    for pattern, source, ago in RECENT:
        draft = _draft(pattern.format(lang=lang))
        reviewed.append((draft, reviewer.review(draft, ReviewContext(now=NOW - ago)), source, ago))
    team = TeamSettings(alert_channel="C0ALERTS", digest_channel="C0DIGEST", digest_weekday=0, digest_hour=9,
                        timezone=TIMEZONES.get(lang, "UTC"), language=lang)
    with reading(lang):
        message = review_message(reviewed[0][1], draft_key=DRAFT_KEY)
        home = home_view([_row(d, r, source, NOW - ago) for d, r, source, ago in reviewed],
                         _figures([r for _d, r, _s, _a in reviewed]), team.timezone, team,
                         team_rules={"ranked": [], "changes": [], "days": DISMISSAL_DAYS})
    return {"review.json": {"blocks": message["blocks"]}, "app-home.json": home}


def as_text(example: dict[str, Any]) -> str:
    return json.dumps(example, ensure_ascii=False, indent=2) + "\n"


def write(folder: Path, reviewer: Reviewer | None = None) -> list[Path]:
    """Writes every language's examples under `folder`; the paths written."""
    if reviewer is None:
        reviewer = Reviewer.load(grammar=build_checker(None))
    written = []
    for lang in ui_languages():
        for name, example in examples(lang, reviewer).items():
            path = folder / lang / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(as_text(example), encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for written in write(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "blockkit")):
        print(written.relative_to(ROOT) if written.is_relative_to(ROOT) else written)
