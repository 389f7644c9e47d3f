"""The digest's bar chart, drawn with Pillow in memory: no display, no files written, no font
downloaded — DejaVu Sans ships in `bot/fonts/` (with its licence), because Pillow's built-in font
has no æ, ø, å or accented letters, and Norwegian and Italian charts need them.

`bar_chart_png` takes plain values and returns PNG bytes. Everything it uses is made per call, so
threads share nothing; Pillow is imported inside it, as the module is imported on hot paths. Its
own words and numbers ("no sends", "N sent", the threshold, the axis) are in the current reader's
language (`bot.i18n.reading`); the title and the slots' labels come made.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.i18n import _, current, ngettext

WIDTH, HEIGHT = 700, 340
LEFT, RIGHT, TOP, BOTTOM = 63, 602, 34, 282  # the plot's frame, in pixels from the top left
BAR, NO_SENDS, THRESHOLD, INK = "#2e7d9a", "#777777", "#c62828", "#000000"
BAR_WIDTH = 0.7  # of a week's slot
DASH, GAP = 5, 3  # the threshold line's dashes, in pixels
TICK = 4  # tick length, outside the frame
SPACING = 1  # between the lines of a label
SCALE = 2  # drawn at twice the size, then reduced
FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"


def _step(span: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving 4 to 8 ticks on 0..span."""
    power = 10.0 ** math.floor(math.log10(span / 5))
    return next(power * m for m in (1, 2, 2.5, 5, 10) if span / (power * m) <= 7)


def _text(draw: Any, text: str, font: Any, x: float, y: float, h: str = "center", v: str = "top",
          fill: str = INK, box: str | None = None) -> None:
    """Text placed by its box (in output pixels): h is "left", "center" or "right" of x, v "top", "center"
    or "bottom" of y; with `box`, on a rectangle of that colour."""
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, align=h, spacing=SPACING * SCALE)
    width, height = right - left, bottom - top
    x0 = x * SCALE - {"left": 0, "center": width / 2, "right": width}[h]
    y0 = y * SCALE - {"top": 0, "center": height / 2, "bottom": height}[v]
    if box:
        pad = 2 * SCALE
        draw.rectangle((x0 - pad, y0 - pad, x0 + width + pad, y0 + height + pad), fill=box)
    draw.multiline_text((x0 - left, y0 - top), text, font=font, fill=fill, align=h, spacing=SPACING * SCALE)


def _box(draw: Any, left: int, top: int, right: int, bottom: int, **style: Any) -> None:
    """The output pixels left..right × top..bottom (inclusive), whole at SCALE: a line or a bar keeps its exact colour."""
    draw.rectangle((left * SCALE, top * SCALE, (right + 1) * SCALE - 1, (bottom + 1) * SCALE - 1), **style)


def _tick(value: float) -> str:
    """An axis value with as many decimals as it needs ("5", "2.5", "0.25"), the reader's way."""
    shown = f"{value:g}"
    return current().number(value, len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0)


def bar_chart_png(title: str, labels: Sequence[str], rates: Sequence[float | None], sent: Sequence[int],
                  threshold: float, axis_label: str | None = None) -> bytes:
    """One bar per slot: its rate (a fraction, None for a slot without sends: a gap marked "no sends")
    labelled with "NN%" and "N,NNN sent"; a dashed threshold line labelled right of the plot;
    `labels` (may be two lines) under the slots. Drawn at SCALE and reduced, so small text keeps its spacing."""
    from PIL import Image, ImageDraw, ImageFont

    t = current()
    axis_label = _("response rate (%)") if axis_label is None else axis_label
    small, medium, large = (ImageFont.truetype(str(FONT), size * SCALE) for size in (10, 11, 12))
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), "white")
    draw = ImageDraw.Draw(image)
    top = max([100 * threshold] + [100 * r for r in rates if r is not None]) or 1.0
    limit = top * 1.3
    slot = (RIGHT - LEFT) / len(labels)

    def row(percent: float) -> int:
        return round(BOTTOM - percent / limit * (BOTTOM - TOP))

    def centre(index: int) -> float:
        return LEFT + (index + 0.6) * slot  # the slots run from -0.6 to n - 0.4, as a bar chart's do

    half = BAR_WIDTH * slot / 2
    for index, rate in enumerate(rates):
        if rate is not None:
            _box(draw, round(centre(index) - half), row(100 * rate), round(centre(index) + half) - 1, BOTTOM, fill=BAR)
    line = row(100 * threshold)
    for x in range(LEFT + 1, RIGHT, DASH + GAP):
        _box(draw, x, line, min(x + DASH, RIGHT) - 1, line, fill=THRESHOLD)
    for index, (rate, count) in enumerate(zip(rates, sent, strict=True)):  # over the line, on white
        if rate is None:
            _text(draw, _("no sends"), small, centre(index), row(top * 0.04), v="bottom", fill=NO_SENDS)
        else:
            figures = t.percent(rate) + "\n" + ngettext("{count} sent", "{count} sent", count)
            _text(draw, figures, small, centre(index), row(100 * rate + top * 0.02) - 3, v="bottom", box="white")
    for side in ((LEFT, TOP, RIGHT, TOP), (LEFT, BOTTOM, RIGHT, BOTTOM), (LEFT, TOP, LEFT, BOTTOM),
                 (RIGHT, TOP, RIGHT, BOTTOM)):
        _box(draw, *side, fill=INK)
    step = _step(limit)
    for tick in range(int(limit / step + 1e-9) + 1):
        y = row(tick * step)
        _box(draw, LEFT - TICK, y, LEFT - 1, y, fill=INK)
        _text(draw, _tick(tick * step), medium, LEFT - TICK - 3, y, h="right", v="center")
    for index, label in enumerate(labels):
        x = round(centre(index))
        _box(draw, x, BOTTOM + 1, x, BOTTOM + TICK, fill=INK)
        _text(draw, label, small, x, BOTTOM + TICK + 4)
    # Translators: beside the chart's dashed line, three short lines (about 12 characters each). The chart's
    # font has no accented letters (nor æ, ø, å): keep this and the chart's other words to plain letters.
    beside = _("policy\nthreshold\n{threshold}", threshold=t.percent(threshold))
    _text(draw, beside, small, RIGHT + 6, line, h="left", v="center", fill=THRESHOLD)
    _text(draw, title, medium, (LEFT + RIGHT) / 2, TOP - 8, v="bottom")
    # The axis label, drawn level on its own mask and turned a quarter to read upwards.
    left, upper, right, lower = draw.textbbox((0, 0), axis_label, font=large)
    mask = Image.new("L", (int(right - left) + 2, int(lower - upper) + 2), 0)
    ImageDraw.Draw(mask).text((1 - left, 1 - upper), axis_label, font=large, fill=255)
    mask = mask.rotate(90, expand=True)
    x, y = 12 * SCALE, round((TOP + BOTTOM) * SCALE / 2 - mask.height / 2)
    image.paste(INK, (x, y, x + mask.width, y + mask.height), mask)
    buffer = io.BytesIO()
    image.reduce(SCALE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
