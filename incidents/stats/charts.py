"""Charts of a statistics page, drawn server-side as SVG and served as images, so no script
reaches the browser and the page keeps its strict CSP. A chart plots exactly the published
figures. A hidden count is drawn as hidden: a short hatched bar (or marker) labelled `c` at
the foot of the axis, whose height says nothing, never a gap that reads as zero. A term that
has not started is left out. Every plotted value is labelled, so one point reads on its own."""

from __future__ import annotations

import html
from dataclasses import dataclass

from incidents.stats.layout import PERIODS, TERMS, TOTAL
from incidents.stats.published import PublishedPage
from incidents.stats.tables import Page

CHART_NAMES = ("tracks", "terms")
# GOV.UK colours with enough contrast against white (WCAG 2.2 non-text contrast, 3:1).
_COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#d4351c")
HIDDEN = "c"  # a value in a series that is hidden: drawn hatched, labelled c


@dataclass(frozen=True)
class ChartData:
    """What a chart plots, also used for its alt text and tests: None is a gap."""

    name: str
    title: str
    x_labels: list[str]
    # Each value: a published count, HIDDEN, or None (a term that has not started).
    series: list[tuple[str, list[int | str | None]]]
    alt: str


def _value(page: Page | PublishedPage, table: object, row: str, col: str) -> int | str | None:
    number = page.number(table, row, col)  # type: ignore[arg-type]
    return number if number is not None else HIDDEN


def chart_data(page: Page | PublishedPage, name: str) -> ChartData:
    if name == "tracks":
        table = page.table("tracks")
        rows = [r for r in table.rows if r.key != TOTAL]
        cols = {c.key: c.label for c in table.columns}
        series = [
            (cols[col], [_value(page, table, r.key, col) for r in rows])
            for col in ("year", "last")
            if col in cols
        ]
        return ChartData(
            name,
            "Cases by track, this year and last year",
            [r.label for r in rows],
            series,
            "Bar chart of cases by track this year and last year. Hidden figures are drawn as "
            "short hatched bars labelled c. The same figures are in the table 'Cases by track'.",
        )
    if name == "terms":
        table = page.table("tracks")
        labels = {c.key: c.label for c in table.columns if c.key in PERIODS}
        return ChartData(
            name,
            "All cases by term this year",
            [labels[t] for t in TERMS],
            # A term that has not started is a gap, not a fall to zero.
            [
                (
                    "All cases",
                    [
                        None if t in page.future_terms else _value(page, table, TOTAL, t)
                        for t in TERMS
                    ],
                )
            ],
            "Chart of all cases in each term this year, one labelled point a term. Hidden "
            "figures are drawn as hatched markers labelled c. The same figures are in the "
            "'All cases' row of the table 'Cases by track'.",
        )
    raise KeyError(name)


def _axis(data: ChartData) -> list[int]:
    """Y-axis ticks in steps of ten or more: no small number appears on a chart, even as a
    label, so a reader never mistakes a tick for a count."""
    highest = max(
        (v for _label, values in data.series for v in values if isinstance(v, int)), default=0
    )
    step = 10
    while highest > step * 5:
        step *= 2
    top = max(step, -(-highest // step) * step)
    return list(range(0, top + 1, step))


_W, _H, _LEFT, _TOP, _BOTTOM = 800, 400, 60, 50, 110
_HATCH_HEIGHT = 18  # a hidden value's mark: the same for every hidden value


def render_svg(data: ChartData) -> bytes:
    ticks = _axis(data)
    plot_w, plot_h = _W - _LEFT - 20, _H - _TOP - _BOTTOM
    base = _TOP + plot_h

    def y(v: int) -> float:
        return base - plot_h * v / ticks[-1]

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" font-family="arial, sans-serif">',
        f"<title>{html.escape(data.title)}</title><desc>{html.escape(data.alt)}</desc>",
        '<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#0b0c0c" stroke-width="3"/></pattern></defs>',
        f'<rect width="{_W}" height="{_H}" fill="#ffffff"/>',
        f'<text x="{_W / 2}" y="28" font-size="18" text-anchor="middle" fill="#0b0c0c">'
        f"{html.escape(data.title)}</text>",
    ]
    for tick in ticks:
        out.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#b1b4b6"/>'
            f'<text x="{_LEFT - 8}" y="{y(tick) + 5:.1f}" font-size="14" text-anchor="end" '
            f'fill="#0b0c0c">{tick}</text>'
        )
    groups = len(data.x_labels) or 1
    group_w = plot_w / groups
    n_series = len(data.series) or 1
    for i, label in enumerate(data.x_labels):
        cx = _LEFT + group_w * (i + 0.5)
        out.append(
            f'<text x="{cx:.1f}" y="{base + 22}" font-size="14" text-anchor="middle" '
            f'fill="#0b0c0c">{html.escape(label)}</text>'
        )
    line_chart = data.name == "terms"
    for s_index, (series_label, values) in enumerate(data.series):
        colour = _COLOURS[s_index % len(_COLOURS)]
        points: list[tuple[float, float]] = []
        for i, value in enumerate(values):
            if value is None:
                continue
            if line_chart:
                cx = _LEFT + group_w * (i + 0.5)
            else:
                bar_w = group_w * 0.8 / n_series
                cx = _LEFT + group_w * i + group_w * 0.1 + bar_w * (s_index + 0.5)
            if value == HIDDEN:
                width = 16 if line_chart else group_w * 0.8 / n_series
                out.append(
                    f'<rect x="{cx - width / 2:.1f}" y="{base - _HATCH_HEIGHT}" '
                    f'width="{width:.1f}" height="{_HATCH_HEIGHT}" fill="url(#hatch)" '
                    f'stroke="{colour}" stroke-width="2"/>'
                    f'<text x="{cx:.1f}" y="{base - _HATCH_HEIGHT - 6}" font-size="14" '
                    f'text-anchor="middle" fill="#0b0c0c">c</text>'
                )
                continue
            if not isinstance(value, int):
                continue
            top = y(value)
            if line_chart:
                points.append((cx, top))
                out.append(f'<circle cx="{cx:.1f}" cy="{top:.1f}" r="6" fill="{colour}"/>')
            else:
                width = group_w * 0.8 / n_series
                out.append(
                    f'<rect x="{cx - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                    f'height="{base - top:.1f}" fill="{colour}"/>'
                )
            out.append(
                f'<text x="{cx:.1f}" y="{top - 8:.1f}" font-size="14" text-anchor="middle" '
                f'fill="#0b0c0c">{value}</text>'
            )
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>'
            )
        ly = _H - 40 + 0 * s_index
        lx = _LEFT + 260 * s_index
        out.append(
            f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{lx + 20}" y="{ly + 12}" font-size="14" fill="#0b0c0c">'
            f"{html.escape(series_label)}</text>"
        )
    hx = _LEFT + 260 * len(data.series)
    out.append(
        f'<rect x="{hx}" y="{_H - 40}" width="14" height="14" fill="url(#hatch)" stroke="#0b0c0c"/>'
        f'<text x="{hx + 20}" y="{_H - 28}" font-size="14" fill="#0b0c0c">c: hidden</text>'
    )
    out.append("</svg>")
    return "".join(out).encode()
