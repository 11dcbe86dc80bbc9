"""Charts of a statistics page, drawn server-side as SVG with pygal and served as images, so no
script reaches the browser and the page keeps its strict CSP. A chart plots exactly the
published figures: a hidden count is left out (a gap), never drawn at its true value."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

from incidents.stats.layout import PERIODS, TERMS, TOTAL
from incidents.stats.tables import Page

CHART_NAMES = ("tracks", "terms")
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)
# GOV.UK colours with enough contrast against white (WCAG 2.2 non-text contrast, 3:1).
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8", "#505a5f", "#00703c", "#d4351c"),
    font_family="arial, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    title_font_size=18,
)


@dataclass(frozen=True)
class ChartData:
    """What a chart plots, also used for its alt text and tests: None is a gap."""

    name: str
    title: str
    x_labels: list[str]
    series: list[tuple[str, list[int | None]]]
    alt: str


def chart_data(page: Page, name: str) -> ChartData:
    if name == "tracks":
        table = page.table("tracks")
        rows = [r for r in table.rows if r.key != TOTAL]
        cols = {c.key: c.label for c in table.columns}
        series = [
            (cols[col], [page.number(table, r.key, col) for r in rows]) for col in ("year", "last")
        ]
        return ChartData(
            name,
            "Cases by track, this year and last year",
            [r.label for r in rows],
            series,
            "Bar chart of cases by track this year and last year. The same figures are in the "
            "table 'Cases by track'.",
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
                        None if t in page.future_terms else page.number(table, TOTAL, t)
                        for t in TERMS
                    ],
                )
            ],
            "Line chart of all cases in each term this year. The same figures are in the "
            "'All cases' row of the table 'Cases by track'.",
        )
    raise KeyError(name)


def _axis(data: ChartData) -> list[int]:
    """Y-axis ticks in steps of ten or more: no small number appears on a chart, even as a
    label, so a reader never mistakes a tick for a count."""
    highest = max((v for _label, values in data.series for v in values if v is not None), default=0)
    step = 10
    while highest > step * 5:
        step *= 2
    top = max(step, -(-highest // step) * step)
    return list(range(0, top + 1, step))


def render_svg(data: ChartData) -> bytes:
    ticks = _axis(data)
    common = {
        "y_labels": ticks,
        "range": (0, ticks[-1]),
        "js": [],  # pygal's tooltips are a script: served as an image, there is none
        "style": _STYLE,
        "title": data.title,
        "x_labels": data.x_labels,
        "show_y_guides": True,
        "print_values": False,
        "include_x_axis": True,
        "legend_at_bottom": True,
        "width": 800,
        "height": 400,
        "x_label_rotation": 20,
        "no_data_text": "No figures to show",
        "allow_interruptions": True,
        "disable_xml_declaration": False,
    }
    chart = pygal.Line(**common) if data.name == "terms" else pygal.Bar(**common)
    for label, values in data.series:
        chart.add(label, values)
    svg: bytes = chart.render()
    # pygal still writes its config as an inline script even with js=[]: nothing may run.
    return _SCRIPT.sub(b"", svg)
