"""Reading a staff list exported from a school MIS (SIMS, Arbor, Bromcom...): one row per
person with name, role, email and start date. Pure: bytes in, rows and per-row problems out,
nothing saved. A problem with the whole file (encoding, columns, size) raises FileProblem."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email

from incidents.validation import plain_name

MAX_ROWS = 10_000
MAX_NAME = 120
MAX_ROLE = 120
MAX_EMAIL = 254
# The headings each column goes by in the common exports, compared case- and space-blind.
COLUMNS = {
    "name": ("name", "full name", "fullname", "staff name", "legal name"),
    "role": ("role", "job title", "staff role", "post", "position"),
    "email": ("email", "email address", "work email", "school email"),
    "start date": ("start date", "employment start date", "date started", "started"),
}
# A cell a spreadsheet would run as a formula when the file is opened again (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class StaffRow:
    line: int  # as a spreadsheet numbers it: the heading is row 1
    name: str
    role: str
    email: str
    started_on: date | None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class Parsed:
    rows: list[StaffRow]
    problems: list[RowProblem]


def _key(heading: str) -> str:
    return " ".join(heading.replace("_", " ").split()).casefold()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not in UTF-8. In Excel, save it with “Save as” and choose "
            "“CSV UTF-8 (Comma delimited)”, then upload it again"
        ) from None


def _columns(headings: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, heading in enumerate(headings):
        for column, names in COLUMNS.items():
            if _key(heading) in names and column not in found:
                found[column] = index
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        raise FileProblem(
            "The file must have columns called name, role, email and start date. "
            f"Missing: {', '.join(missing)}"
        )
    return found


def _date(value: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _row(line: int, cells: dict[str, str]) -> StaffRow | RowProblem:
    for column, value in cells.items():
        if value.startswith(FORMULA_STARTS):
            return RowProblem(
                line,
                f"The {column} starts with “{value[:1].strip() or 'a tab'}”, which a spreadsheet "
                "runs as a formula. Remove it and upload the file again",
            )
    name = plain_name(cells["name"])
    if not name:
        return RowProblem(line, "The name is empty")
    if len(name) > MAX_NAME:
        return RowProblem(line, f"The name is longer than {MAX_NAME} characters")
    role = plain_name(cells["role"])
    if len(role) > MAX_ROLE:
        return RowProblem(line, f"The role is longer than {MAX_ROLE} characters")
    raw_email = cells["email"].strip()
    if not raw_email:
        return RowProblem(line, "The email address is empty")
    try:
        email = validate_email(raw_email[: MAX_EMAIL + 1], check_deliverability=False)
    except EmailNotValidError:
        return RowProblem(line, "The email address is not in the right format")
    if len(raw_email) > MAX_EMAIL:
        return RowProblem(line, "The email address is too long")
    started = None
    if cells["start date"].strip():
        started = _date(cells["start date"].strip())
        if started is None:
            return RowProblem(line, "The start date is not a date like 01/09/2024")
    return StaffRow(line, name, role, email.normalized.lower(), started)


def parse(data: bytes) -> Parsed:
    """Every row, read or refused with its reason; duplicates of an earlier row's email are
    refused too (the first one counts)."""
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty") from None
    except csv.Error:
        raise FileProblem("The file is not a CSV file") from None
    where = _columns(headings)
    rows: list[StaffRow] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise FileProblem(
                    f"The file has more than {MAX_ROWS:,} rows. Split it and upload each part"
                )
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            values = {c: (cells[i] if i < len(cells) else "") for c, i in where.items()}
            result = _row(number, values)
            if isinstance(result, RowProblem):
                problems.append(result)
            elif result.email in first_line:
                problems.append(
                    RowProblem(number, f"The same email address as row {first_line[result.email]}")
                )
            else:
                first_line[result.email] = number
                rows.append(result)
    except csv.Error:
        raise FileProblem("The file is not a CSV file that can be read") from None
    if not rows and not problems:
        raise FileProblem("The file has no rows under its headings")
    return Parsed(rows, problems)
