"""The exports of a statistics page: a CSV of exactly the published figures (safe to open in a
spreadsheet) and a tagged PDF report for the governing body's meeting, drawn by WeasyPrint with
a URL fetcher that can reach only the app's own static files and the page's charts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from incidents.stats.charts import CHART_NAMES
from incidents.stats.published import PublishedPage
from incidents.stats.tables import Page
from incidents.stats.terms import year_label

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Only URLs under this made-up origin are ever fetched, and never from the network.
PDF_ORIGIN = "https://report.invalid/"


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading quote defuses formula characters."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def csv_rows(page: Page | PublishedPage) -> Iterator[list[str]]:
    yield ["Academic year", "Table", "Row", "Column", "Value"]
    for table in page.tables:
        for row in table.rows:
            for col in table.columns:
                yield [
                    year_label(page.year),
                    table.title,
                    row.label,
                    col.label,
                    page.text(table, row.key, col.key),  # type: ignore[arg-type]
                ]


def to_csv(page: Page | PublishedPage) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(page):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def report_fetcher(static_folder: Path, chart: Callable[[str], bytes]) -> Any:
    """A WeasyPrint URL fetcher that serves the report's own resources and refuses everything
    else (no network, no files outside the static folder)."""
    return _fetcher_class()(static_folder.resolve(), chart)


@cache
def _fetcher_class() -> type:
    # WeasyPrint takes half a second to import: only a PDF download pays for it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ReportFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
        def __init__(self, static: Path, chart: Callable[[str], bytes]) -> None:
            super().__init__(allowed_protocols=())
            self._static = static
            self._chart = chart

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if not url.startswith(PDF_ORIGIN):
                raise ValueError("the report may only use its own resources")
            path = url[len(PDF_ORIGIN) :].split("?", 1)[0]
            if path.startswith("chart/") and path.endswith(".svg"):
                name = path[len("chart/") : -len(".svg")]
                if name in CHART_NAMES:
                    body = self._chart(name)
                    return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})
            if path.startswith("static/"):
                target = (self._static / path[len("static/") :]).resolve()
                if target.is_file() and target.is_relative_to(self._static):
                    media = "text/css" if target.suffix == ".css" else "application/octet-stream"
                    return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": media})
            raise ValueError("not a resource of the report")

    return ReportFetcher


def to_pdf(html: str, fetcher: Any) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_ORIGIN, url_fetcher=fetcher)
    # PDF/UA-1: a tagged PDF that screen readers can follow (headings, tables, alt text).
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
