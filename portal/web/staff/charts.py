"""Bar charts drawn on the server as inline SVG: no script, no external file, nothing for the CSP to allow.

The caller passes texts already in the page's language (labels, title, description, number formatting);
the chart only places them. Colours come from presentation attributes, which the CSP does not govern
(inline `style` would be blocked), and the stylesheet refines them. Screen readers get `role="img"` with
the title and a description that states the figures in words; the page shows the same figures in a table."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56  # margins for the axes' labels


@dataclass(frozen=True)
class Bar:
    label: str  # shown under the bar when `show_label`, and in its tooltip
    value: int
    show_label: bool = True


def nice_ticks(largest: int, most: int = 5) -> list[int]:
    """Round values for the vertical axis, from 0 to at least `largest`, at most `most` + 1 of them:
    steps of 1, 2 or 5 times a power of ten, so a supervisor reads 0, 5, 10, 15 and never 0, 3.4, 6.8."""
    if largest <= 0:
        return [0, 1]
    raw = largest / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    top = math.ceil(largest / step) * step
    return list(range(0, top + 1, step))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, x_label: str, y_label: str,
              number: Callable[[int], str], chart_id: str) -> Markup:
    """An SVG bar chart. `number` formats counts for the page's language (Khmer digits in Khmer);
    `chart_id` keeps the ids of the title and description unique on the page."""
    ticks = nice_ticks(max((bar.value for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    scale = plot_h / ticks[-1]
    slot = plot_w / max(len(bars), 1)
    bar_w = max(slot * 0.7, 1)
    # Every piece is a literal Markup whose .format() escapes the values put into it.
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" '
               'aria-label="{title}" aria-describedby="{id}-desc" focusable="false">'
               '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
               '<g class="chart-grid" aria-hidden="true">').format(
            id=chart_id, w=WIDTH, h=HEIGHT, title=title, desc=description),
    ]
    for tick in ticks:
        y = _number(base - tick * scale)
        parts.append(Markup(
            '<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#c9ced6" stroke-width="1"/>'
            '<text class="chart-tick" x="{tx}" y="{y}" text-anchor="end" dominant-baseline="middle" font-size="12" '
            'fill="#4f5660">{text}</text>').format(left=LEFT, right=WIDTH - RIGHT, tx=LEFT - 6, y=y, text=number(tick)))
    parts.append(Markup('</g><g class="chart-bars">'))
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + (slot - bar_w) / 2
        height = bar.value * scale
        parts.append(Markup(
            '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="#0b3a7e">'
            '<title>{label}: {value}</title></rect>').format(
            x=_number(x), y=_number(base - height), w=_number(bar_w), h=_number(height), label=bar.label,
            value=number(bar.value)))
        if bar.show_label:
            parts.append(Markup(
                '<text class="chart-label" x="{x}" y="{y}" text-anchor="middle" font-size="12" fill="#1b1b1b">'
                '{label}</text>').format(x=_number(x + bar_w / 2), y=base + 16, label=bar.label))
    middle_x, middle_y = _number(LEFT + plot_w / 2), _number(TOP + plot_h / 2)
    parts.append(Markup(
        '</g><line class="chart-axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#1b1b1b" '
        'stroke-width="1"/>'
        '<text class="chart-axis-label" x="{mx}" y="{xy}" text-anchor="middle" font-size="13" fill="#1b1b1b">'
        '{x_label}</text>'
        '<text class="chart-axis-label" x="14" y="{my}" text-anchor="middle" font-size="13" fill="#1b1b1b" '
        'transform="rotate(-90 14 {my})">{y_label}</text></svg>').format(
        left=LEFT, right=WIDTH - RIGHT, base=base, mx=middle_x, xy=HEIGHT - 8, my=middle_y, x_label=x_label,
        y_label=y_label))
    return Markup("").join(parts)
