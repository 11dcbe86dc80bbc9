"""Reading the MIS staff list: every bad file or row gets a clear reason; nothing is saved here."""

from __future__ import annotations

from datetime import date

import pytest

from incidents.admin.people.staff_csv import MAX_ROWS, FileProblem, parse

HEAD = "Name,Role,Email,Start date\r\n"


def test_a_good_file_reads_every_row() -> None:
    parsed = parse(
        (
            HEAD + "Ann Lee,Year 4 teacher,Ann.Lee@School.example,01/09/2024\r\n"
            "Bo Chan,Site manager,bo@school.example,\r\n\r\n"
        ).encode("utf-8-sig")
    )
    assert [(r.line, r.name, r.email, r.started_on) for r in parsed.rows] == [
        (2, "Ann Lee", "ann.lee@school.example", date(2024, 9, 1)),
        (3, "Bo Chan", "bo@school.example", None),
    ]
    assert parsed.problems == []


def test_headings_from_the_common_exports_are_recognised() -> None:
    parsed = parse(
        b"Full Name,Job Title,Work Email,Employment Start Date\nA B,T,a@s.example,2024-09-01\n"
    )
    assert parsed.rows[0].started_on == date(2024, 9, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Name,Role,Email,Start date\nJosé,T,j@s.example,\n".encode("cp1252"), "not in UTF-8"),
        (b"Name,Email\nA,a@s.example\n", "Missing: role, start date"),
        (b"", "The file is empty"),
        (HEAD.encode(), "no rows"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data: bytes, message: str) -> None:
    with pytest.raises(FileProblem, match=message):
        parse(data)


def test_more_than_10000_rows_is_refused_and_10000_is_read() -> None:
    rows = "".join(f"P {i},T,p{i}@s.example,\n" for i in range(MAX_ROWS))
    assert len(parse((HEAD + rows).encode()).rows) == MAX_ROWS
    with pytest.raises(FileProblem, match="more than 10,000 rows"):
        parse((HEAD + rows + "Extra,T,x@s.example,\n").encode())


def test_bad_rows_are_refused_one_by_one_with_their_reason() -> None:
    parsed = parse(
        (
            HEAD
            + "Ann Lee,Teacher,ann@s.example,\n"  # 2: fine
            + '=HYPERLINK("http://x"),Teacher,b@s.example,\n'  # 3
            + "Cy,@SUM(1),c@s.example,\n"  # 4
            + ",Teacher,d@s.example,\n"  # 5
            + "Di,Teacher,not-an-email,\n"  # 6
            + "Ed,Teacher,e@s.example,31/02/2024\n"  # 7
            + "Ann Again,Teacher,ANN@s.example,\n"  # 8: duplicate of 2
            + "Fi,Teacher,\n"  # 9: short row, no email
        ).encode()
    )
    assert [r.line for r in parsed.rows] == [2]
    reasons = {p.line: p.reason for p in parsed.problems}
    assert "runs as a formula" in reasons[3] and "“=”" in reasons[3]
    assert "role starts with “@”" in reasons[4]
    assert reasons[5] == "The name is empty"
    assert "not in the right format" in reasons[6]
    assert "not a date" in reasons[7]
    assert reasons[8] == "The same email address as row 2"
    assert reasons[9] == "The email address is empty"
