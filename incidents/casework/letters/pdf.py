"""A letter as a PDF: WeasyPrint, tagged PDF/UA-1, fetching nothing but the app's own static
files (the same maker as the case file and the statistics report)."""

from __future__ import annotations

from pathlib import Path

from incidents.stats import export

MARKING = "OFFICIAL-SENSITIVE"


def to_pdf(html: str, static_folder: Path) -> bytes:
    fetcher = export.report_fetcher(static_folder, lambda name: b"")
    return export.to_pdf(html, fetcher)
