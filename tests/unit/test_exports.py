"""The export writers against formula injection (OWASP): a text cell that starts like a formula arrives as text,
read back with csv and openpyxl; numbers stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dashboard.exports import HEADER, csv_chunks, write_xlsx
from dashboard.queries.compliance import ComplianceRow

# One per start a spreadsheet reads as a formula: = + - @ tab and carriage return.
FORMULAS = ['=HYPERLINK("http://x.example","y")', "+SUM(1,1)", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def row(name: str, team: str = "Team A", minutes: int = 60, gap: int | None = 12) -> ComplianceRow:
    return ComplianceRow(worker_id=7, worker_name=name, program_name="Program", team_name=team,
                         supervisors="Sam Supervisor", stage="Certified", period_start=date(2026, 7, 1),
                         period_end=date(2026, 9, 30), required_sessions=3, held_sessions=3, minutes=minutes,
                         minimum_minutes=60, longest_gap_days=gap, status="met", reasons=())


def read_csv(rows: list[ComplianceRow]) -> list[dict[str, str]]:
    text = "".join(csv_chunks(rows))
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def read_xlsx(rows: list[ComplianceRow], parameters: list[tuple[str, str]] = ()) -> object:  # type: ignore[assignment]
    out = io.BytesIO()
    assert write_xlsx(rows, list(parameters), out) == len(rows)
    return load_workbook(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_a_formula_in_a_name_is_text_in_the_csv_prefixed_by_a_single_quote(formula: str) -> None:
    [cells] = read_csv([row(formula, team=formula)])
    assert (cells["Worker"], cells["Team"]) == ("'" + formula, "'" + formula)
    assert (cells["Supervisors"], cells["Minutes"], cells["Worker ID"]) == ("Sam Supervisor", "60", "7")


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_a_formula_in_a_name_is_a_text_cell_in_every_sheet_of_the_workbook(formula: str) -> None:
    book = read_xlsx([row(formula, team=formula)], [("Teams", formula), (formula, "x")])
    table = book["Compliance"]
    assert [c.value for c in table[1]] == HEADER
    worker, team = table.cell(2, HEADER.index("Worker") + 1), table.cell(2, HEADER.index("Team") + 1)
    rollup_team = book["Team roll-up"].cell(2, 2)
    about = book["Parameters"]
    for cell in (worker, team, rollup_team, about.cell(2, 2), about.cell(3, 1)):
        # Read back as the text written, stored as text and marked with Excel's quote prefix: never a formula.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True), cell.coordinate
    assert table.cell(2, HEADER.index("Supervisors") + 1).quotePrefix is False  # other text as it was


def test_numbers_stay_numbers_and_only_text_is_neutralised() -> None:
    """A real -5 (a number) is written as the number in both files; the text "-5" is text."""
    [cells] = read_csv([row("-5", minutes=-5, gap=-5)])
    assert (cells["Worker"], cells["Minutes"], cells["Longest gap (days)"]) == ("'-5", "-5", "-5")
    table = read_xlsx([row("-5", minutes=-5, gap=-5)])["Compliance"]
    minutes = table.cell(2, HEADER.index("Minutes") + 1)
    assert (minutes.value, minutes.data_type) == (-5, "n")
    worker = table.cell(2, HEADER.index("Worker") + 1)
    assert (worker.value, worker.data_type, worker.quotePrefix) == ("-5", "s", True)
    assert table.cell(2, HEADER.index("Period start") + 1).value.date() == date(2026, 7, 1)


def test_each_batch_of_the_csv_is_the_rows_written_cell_by_cell() -> None:
    """csv_chunks writes a batch as it is and writes it again cell by cell only when it finds a cell that could start
    a formula: the file must be what neutralising every cell of every row gives, whatever batch a formula falls in,
    quoted by the csv module or not, first cell of a line or last."""
    from dashboard.exports import csv_cells, values

    names = ["Ann", "Bo, Jr.", 'Cy "C"', "Dee\nsecond line", "-", "Eve-Marie", *FORMULAS, "x=1", "a,=b"]
    rows = [row(name, team=names[(i * 7) % len(names)], minutes=(i % 5) - 2)
            for i, name in enumerate(names * 3)]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(csv_cells(values(r)) for r in rows)
    for batch in (1, 2, 5, 1000):
        assert "".join(csv_chunks(rows, batch)) == "\ufeff" + expected.getvalue(), batch
    clean = [row("Ann")] * 4 + [row("=1+1")] + [row("Bea")] * 3
    chunks = list(csv_chunks(clean, batch=4))
    assert len(chunks) == 2 and "'=1+1" in chunks[1] and "'" not in chunks[0].replace("\ufeff", "")
    assert list(csv_chunks([])) == ["\ufeff" + ",".join(HEADER) + "\r\n"]
