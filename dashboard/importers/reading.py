"""Reading an import file: bytes → ParsedFile (encoding, header, CSV errors), and the value readers (dates, lists).

A kind is described by its columns (Kind, Column); each kind's module under dashboard/importers/ defines one.
Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

DATE_ORDERS = ("iso", "mdy", "dmy")
LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")
# Excel counts days from 1899-12-30; a bare number in this range in a date column is such a serial.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(20000, 80000)  # 1954-10-03 .. 2119-01-10
SHOWN_CHARACTERS = 60  # a value echoed in a report is cut to this many characters


def shown(value: str) -> str:
    """A value as a report echoes it: whole when short, else its start, '…' and its length."""
    if len(value) <= SHOWN_CHARACTERS:
        return value
    return f"{value[:SHOWN_CHARACTERS]}… ({len(value):,} characters)"



@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    columns: tuple[Column, ...]
    note: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def template_csv(self) -> str:
        """The header and one example row (the columns' examples), as the Import page offers it."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.column_names)
        writer.writerow(c.example for c in self.columns)
        return buffer.getvalue()



@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (header = 1; 0 = the file as a whole), the column, what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown(self.value))



class ImportRefused(Exception):
    """The file as a whole cannot be read (wrong format, encoding, header); nothing row-level to report."""

    def __init__(self, message: str, row: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column



@dataclass
class ParsedFile:
    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, column -> stripped text), the kind's columns only
    errors: list[RowError]
    warnings: list[str] = field(default_factory=list)  # what is read differently from the file, not refused


def read_csv(data: bytes, kind: Kind) -> ParsedFile:
    """Decode and split a CSV file; refuse what is not a UTF-8 comma-separated file with the kind's required columns.

    Columns the kind does not have are named in a warning and left out of the rows (never read or written).

    A UTF-8 byte-order mark and Windows (or old Mac) line endings are accepted; completely empty rows
    (Excel leaves them at the end) are skipped but still counted, so row numbers match the spreadsheet.
    """
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("This is an Excel workbook, not a CSV file. In Excel choose File › Save As › "
                            "'CSV UTF-8 (Comma delimited)' and upload that file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused("The file is UTF-16 ('Unicode text'). Save it as 'CSV UTF-8 (Comma delimited)'.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportRefused(f"The file is not UTF-8 text (first bad byte on row {line}). Save it as "
                            "'CSV UTF-8 (Comma delimited)'.", row=line) from None
    if "\x00" in text:
        raise ImportRefused("The file contains NUL bytes; it is not a text CSV file.")
    if not text.strip():
        raise ImportRefused("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportRefused(f"The CSV is malformed ({exc}).", row=reader.line_num) from None
    header_cells = records[0] if records else []
    header = tuple(h.strip().lower().replace(" ", "_") for h in header_cells)
    if len(header) == 1 and (";" in header_cells[0] or "\t" in header_cells[0]):
        separator = "semicolons" if ";" in header_cells[0] else "tabs"
        raise ImportRefused(f"The columns are separated by {separator}, not commas. Save the file as "
                            "'CSV UTF-8 (Comma delimited)'.", row=1)
    errors: list[RowError] = []
    seen: set[str] = set()
    for name in header:
        if name in seen and name in kind.column_names:
            errors.append(RowError(1, name, name, "column appears twice in the header"))
        seen.add(name)
    # Exports from other systems carry columns of their own: they are named in a warning and not read.
    unknown = list(dict.fromkeys(h for h in header if h and h not in kind.column_names))
    warnings = [f"Ignored {'column' if len(unknown) == 1 else f'{len(unknown)} columns'} not read for "
                f"{kind.label.lower()}: {', '.join(shown(name) for name in unknown)}. The columns read are "
                f"{', '.join(kind.column_names)}."] if unknown else []
    for column in kind.columns:
        if column.required and column.name not in header:
            errors.append(RowError(1, column.name, "", "required column is missing from the header"))
    if errors:
        return ParsedFile(header, [], errors, warnings)
    rows: list[tuple[int, dict[str, str]]] = []
    width = len(header)
    read = [(index, name) for index, name in enumerate(header) if name in kind.column_names]
    for number, values in enumerate(records[1:], start=2):
        stripped = [v.strip() for v in values]
        if not any(stripped):
            continue
        if len(values) != width:
            if len(values) > width and any(stripped[width:]):
                errors.append(RowError(number, "", "", f"{len(values)} values but the header has {width} "
                                                       "columns (a comma inside a value needs quotes)"))
                continue
            stripped = (stripped + [""] * width)[:width]  # Excel drops trailing empty cells now and then
        rows.append((number, {name: stripped[index] for index, name in read}))
    return ParsedFile(header, rows, errors, warnings)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_SLASH = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})(?: 0?0:00(?::00)?)?$")


@functools.lru_cache(maxsize=8192)  # a file has few distinct dates: read each once
def parse_date(value: str, date_order: str = "iso") -> date:
    """A date as people and Excel write it; raises ValueError with a message a person can act on.

    Accepts YYYY-MM-DD (with a midnight time, as Excel adds), YYYY/MM/DD, Excel serial numbers, and
    day/month/year or month/day/year only when the caller says which (date_order) — 03/04/2026 is
    April in one country and March in another, so it is never guessed.
    """
    text = value.strip()
    try:
        if match := _ISO.match(text) or _YMD_SLASH.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _SLASH.match(text):
            if len(match[3]) != 4:
                raise ValueError("two-digit year: write the year in full (YYYY-MM-DD)")
            if date_order == "iso":
                raise ValueError("day and month order is ambiguous: write YYYY-MM-DD, or choose the "
                                 "file's date order (month/day or day/month)")
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            month, day = (first, second) if date_order == "mdy" else (second, first)
            return date(year, month, day)
        if text.isdigit() and int(text) in EXCEL_SERIALS:
            return EXCEL_EPOCH + timedelta(days=int(text))
    except ValueError as exc:
        if "ambiguous" in str(exc) or "two-digit" in str(exc):
            raise
        raise ValueError("not a real calendar date") from None
    raise ValueError("not a date: write YYYY-MM-DD")


def split_list(value: str) -> list[str]:
    if ";" not in value and "|" not in value:
        return [value] if value else []  # values arrive stripped
    return [part for part in LIST_SEPARATOR.split(value.strip()) if part]


@functools.lru_cache(maxsize=1024)
def choice_key(value: str) -> str:
    """'Clinical educational', 'In-person' → 'clinical_educational', 'in_person'."""
    return re.sub(r"[\s\-/]+", "_", value.strip().lower())

