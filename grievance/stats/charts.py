"""Charts drawn on the server as accessible SVG: no script, no inline style.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say what it shows;
the page puts the same numbers in a table beside it. Colours come from classes styled by
``static/stats.css``, with presentation attributes as the fallback when the sheet is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
FILL = {
    "bar": "#0b4f6c",
    "bar second": "#b35c00",
    "bar zone-green": "#2e7d32",
    "bar zone-yellow": "#c99700",
    "bar zone-red": "#b3261e",
    "bar zone-none": "#9e9e9e",
}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: no data) and an optional class."""

    label: str
    value: float | None
    css: str = "bar"


@dataclass(frozen=True)
class Line:
    """A labelled horizontal reference line (a zone threshold)."""

    value: float
    label: str
    css: str = "threshold"


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text or "0"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    lines: Sequence[Line] = (),
    value_suffix: str = "",
) -> Markup:
    """Draw vertical bars over labelled columns (months, histogram bins)."""
    slot, left, top, bottom = 34, 44, 16, 58
    plot_height = 160
    width = left + slot * max(len(bars), 1) + 10
    height = top + plot_height + bottom
    values = [bar.value for bar in bars if bar.value is not None]
    if maximum is None:
        maximum = max([*values, *(line.value for line in lines), 1])
    top_value = maximum or 1
    base = top + plot_height

    def y(value: float) -> float:
        return base - plot_height * min(value, top_value) / top_value

    parts = _open(chart_id, title, desc, width, height)
    parts.append(
        f'<g class="axis"><line x1="{left}" y1="{base}" x2="{width - 6}" y2="{base}" '
        f'stroke="#555" stroke-width="1"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555" stroke-width="1"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="10" class="tick">'
        f"{escape(_number(top_value))}{escape(value_suffix)}</text>"
        f'<text x="{left - 4}" y="{base}" text-anchor="end" font-size="10" '
        f'class="tick">0</text></g>'
    )
    for line in lines:
        ly = round(y(line.value), 1)
        parts.append(
            f'<g class="{escape(line.css)}"><line x1="{left}" y1="{ly}" x2="{width - 6}" y2="{ly}" '
            f'stroke="#555" stroke-dasharray="4 3" stroke-width="1"/>'
            f'<text x="{width - 8}" y="{ly - 3}" text-anchor="end" font-size="10">'
            f"{escape(line.label)}</text></g>"
        )
    parts.append('<g class="bars">')
    for index, bar in enumerate(bars):
        x = left + slot * index + 5
        if bar.value is not None and bar.value > 0:
            by = round(y(bar.value), 1)
            parts.append(
                f'<rect class="{escape(bar.css)}" x="{x}" y="{by}" width="{slot - 10}" '
                f'height="{round(base - by, 1)}" fill="{FILL.get(bar.css, FILL["bar"])}"/>'
            )
        label_x = x + (slot - 10) / 2
        parts.append(
            f'<text class="label" x="{label_x}" y="{base + 12}" font-size="10" '
            f'text-anchor="end" transform="rotate(-45 {label_x} {base + 12})">'
            f"{escape(bar.label)}</text>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def bar_list_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    maximum: float = 100.0,
    value_suffix: str = "",
    lines: Sequence[Line] = (),
) -> Markup:
    """Draw horizontal bars, one per labelled row (a ranking)."""
    row, label_width, plot_width, top = 18, 190, 260, 8
    width = label_width + plot_width + 60
    height = top + row * max(len(bars), 1) + 8
    parts = _open(chart_id, title, desc, width, height)
    for line in lines:
        lx = round(label_width + plot_width * min(line.value, maximum) / maximum, 1)
        parts.append(
            f'<g class="{escape(line.css)}"><line x1="{lx}" y1="{top}" x2="{lx}" '
            f'y2="{height - 4}" stroke="#555" stroke-dasharray="4 3" stroke-width="1"/></g>'
        )
    parts.append('<g class="bars">')
    for index, bar in enumerate(bars):
        y = top + row * index
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{y + 12}" font-size="11" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text class="value" x="{label_width + 4}" y="{y + 12}" font-size="11">–</text>'
            )
            continue
        length = round(plot_width * min(max(bar.value, 0), maximum) / maximum, 1)
        parts.append(
            f'<rect class="{escape(bar.css)}" x="{label_width}" y="{y + 3}" width="{length}" '
            f'height="{row - 6}" fill="{FILL.get(bar.css, FILL["bar"])}"/>'
            f'<text class="value" x="{label_width + length + 4}" y="{y + 12}" font-size="11">'
            f"{escape(_number(bar.value))}{escape(value_suffix)}</text>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()
