"""Renders the example digest chart of docs/outreach.md: eight weeks across a year end, one of them
without sends, the team's threshold at 13%.

    .venv/bin/python bench/digest_example.py docs/digest-example.png
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.digest import chart_png  # noqa: E402
from models.digest import DigestFigures, Rate, Week  # noqa: E402

WEEKS = [("2026-W49", Rate(310, 52)), ("2026-W50", Rate(280, 41)), ("2026-W51", Rate(190, 22)),
         ("2026-W52", Rate(0, 0)), ("2026-W53", Rate(60, 9)), ("2027-W01", Rate(240, 26)),
         ("2027-W02", Rate(330, 40)), ("2027-W03", Rate(295, 47))]


def main(path: str) -> None:
    figures = DigestFigures("T0EXAMPLE", Week("2027-W03", 0.0, 0.0), 0, None, None, [], [], [], [], WEEKS)
    png = chart_png(figures, 0.13)
    assert png is not None
    Path(path).write_bytes(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/digest-example.png")
