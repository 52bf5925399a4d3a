"""CSV import of teams, staff, team moves, leave, supervision sessions and ratings: parse → validate → plan → apply.

One service for the upload page and the command line. A run reads the whole file, checks every row
against the database with a few set-based queries, and plans what would change. A dry run stops there;
a commit applies the plan in the caller's transaction, and only when no row has an error (all or
nothing). Rows are matched by natural keys, so importing the same file twice changes nothing:

- teams: program name, and team name within the program;
- staff: employee code (an uncoded staff record with the same name, role and hire date is adopted);
- moves: employee code and start date;
- leave: employee code and first day away;
- sessions: supervisor, date and the set of attendees;
- ratings: worker, competency, rater role, rater and date.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, plain, record
from dashboard.recording import MAX_MINUTES, MIN_MINUTES, NOTE_LIMIT, leave_problems
from models import (AuditEvent, Competency, CompetencyRating, CurrentRating, Framework, Leave, Program, RatingLevel,
                    RatingScale,
                    SESSION_FORMATS, SESSION_KINDS, SESSION_MODALITIES, SessionAttendee, SessionCompetency,
                    Staff, SupervisionSession, Team, TeamMembership, TeamSupervisor, utcnow)

MAX_ERRORS = 1000  # a file with more problems than this is reported in part (the count stays exact)
PREVIEW_ROWS = 500  # planned changes listed in a report; the counts cover all of them
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


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("teams", "Programs and teams", (
        Column("program", True, "Program name; created when new.", "Community Recovery"),
        Column("team", True, "Team name within the program; created when new.", "Eastside Outreach"),
        Column("program_description", False, "Optional; replaces the program's description when given.",
               "Outreach and peer recovery support"),
    ), "One row per team. Programs and teams are matched by name, so re-importing changes nothing."),
    Kind("staff", "Staff", (
        Column("employee_code", True, "The agency's employee number; the key rows are matched by.", "E1042"),
        Column("full_name", True, "As shown in the app.", "Pat Peer"),
        Column("role", True, "peer_worker or supervisor.", "peer_worker"),
        Column("hire_date", True, "YYYY-MM-DD.", "2024-03-01"),
        Column("fte", False, "Above 0, at most 1; default 1.", "0.8"),
        Column("left_on", False, "The day the person left (no longer on staff from that day); not before the "
               "hire date.", ""),
        Column("peer_credential", False, "Supervisors: yes if they hold a peer credential.", "no"),
    ), "New codes are added; known codes update the name, FTE, leaving date and credential. A record "
       "without a code and with the same name, role and hire date is given the code."),
    Kind("moves", "Team moves", (
        Column("employee_code", True, "The worker's (or supervisor's) employee code.", "E1042"),
        Column("program", True, "Program of the new team.", "Community Recovery"),
        Column("team", True, "The team joined on the start date.", "Eastside Outreach"),
        Column("start_date", True, "First day on the team, YYYY-MM-DD; not in the future.", "2025-06-02"),
    ), "A peer worker joins the team on the start date and leaves their previous team that day. "
       "A supervisor's row adds a team they supervise from that date."),
    Kind("leave", "Leave of absence", (
        Column("employee_code", True, "The peer worker's employee code.", "E1042"),
        Column("start_date", True, "First day away, YYYY-MM-DD (up to a year ahead).", "2025-11-03"),
        Column("end_date", False, "The day back, YYYY-MM-DD; blank while not known.", "2025-12-01"),
    ), "A leave is matched by person and first day away; a known one gets the day back from the file. Days "
       "away are left out of supervision gaps and monthly minimums. No reason is recorded."),
    Kind("sessions", "Supervision sessions", (
        Column("held_on", True, "Date of the session, YYYY-MM-DD; not in the future.", "2025-10-06"),
        Column("supervisor_code", True, "Employee code of the supervisor.", "E0007"),
        Column("format", True, "individual or group.", "individual"),
        Column("kind", True, "administrative, supportive, clinical_educational or direct_observation.",
               "supportive"),
        Column("modality", True, "in_person, video or phone.", "in_person"),
        Column("minutes", True, f"Whole minutes, {MIN_MINUTES}–{MAX_MINUTES}.", "60"),
        Column("attendee_codes", True, "Employee codes of the peer workers, separated by ';'. "
               "Individual: one; group: two or more.", "E1042"),
        Column("competencies", False, "Competency codes discussed, separated by ';'.", "VIII.3; IX.6"),
        Column("note", False, "Free text about the supervision (no client information).", ""),
    ), "A session is matched by supervisor, date and attendees; a row that matches a recorded session "
       "with the same details changes nothing."),
    Kind("ratings", "Competency ratings", (
        Column("rated_on", True, "Date of the rating, YYYY-MM-DD; not in the future.", "2025-10-06"),
        Column("worker_code", True, "Employee code of the peer worker rated.", "E1042"),
        Column("competency", True, "Competency code in the active framework.", "VIII.3"),
        Column("level", True, "A level on the agency's rating scale.", "3"),
        Column("rater_role", False, "supervisor (default) or self.", "supervisor"),
        Column("rater_code", False, "Supervisor's employee code; blank for a self-rating.", "E0007"),
        Column("note", False, "Free text.", ""),
    ), "A rating is matched by worker, competency, rater and date; all history is kept."),
)}


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (header = 1; 0 = the file as a whole), the column, what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown(self.value))


@dataclass(frozen=True)
class Change:
    row: int
    action: str  # create | update | move | unchanged
    entity: str
    summary: str


@dataclass(frozen=True)
class ImportReport:
    kind: str
    file_name: str
    rows: int
    errors: tuple[RowError, ...]
    error_count: int
    changes: tuple[Change, ...]  # the first PREVIEW_ROWS, unchanged rows left out
    counts: dict[str, int]  # action -> rows
    committed: bool
    warnings: tuple[str, ...] = ()  # e.g. columns the kind does not read: ignored, the rows still checked

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def changing(self) -> int:
        return sum(n for action, n in self.counts.items() if action != "unchanged")


class ImportRefused(Exception):
    """The file as a whole cannot be read (wrong format, encoding, header); nothing row-level to report."""

    def __init__(self, message: str, row: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column


# ---------------------------------------------------------------------------------------------- parsing

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


def _split_list(value: str) -> list[str]:
    if ";" not in value and "|" not in value:
        return [value] if value else []  # values arrive stripped
    return [part for part in LIST_SEPARATOR.split(value.strip()) if part]


@functools.lru_cache(maxsize=1024)
def _choice(value: str) -> str:
    """'Clinical educational', 'In-person' → 'clinical_educational', 'in_person'."""
    return re.sub(r"[\s\-/]+", "_", value.strip().lower())


class RowChecker:
    """Collects one row's problems; field readers return None after recording what is wrong."""

    def __init__(self, row: int, values: dict[str, str], today: date, date_order: str) -> None:
        self.row = row
        self.values = values
        self.today = today
        self.date_order = date_order
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str, value: str | None = None) -> None:
        self.errors.append(RowError(self.row, column, self.values.get(column, "") if value is None else value,
                                    message))

    def text(self, column: str, required: bool = True, max_length: int = 120) -> str | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, "required value is empty")
            return None
        if len(value) > max_length:
            self.fail(column, f"longer than {max_length} characters")
            return None
        return value

    def date(self, column: str, required: bool = True, past_only: bool = True) -> date | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, "required value is empty")
            return None
        try:
            day = parse_date(value, self.date_order)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None
        if past_only and day > self.today:
            self.fail(column, f"date is in the future (today is {self.today.isoformat()})")
            return None
        return day

    def once(self, seen: dict[Any, int], key: Any, column: str, what: str) -> None:
        """A row whose natural key an earlier row of the file has is a duplicate; otherwise remember this one."""
        if key in seen:
            self.fail(column, f"duplicate row: {what} is on row {seen[key]}")
        else:
            seen[key] = self.row

    def choice(self, column: str, allowed: Sequence[str], default: str | None = None) -> str | None:
        value = self.values.get(column, "")
        if not value:
            if default is not None:
                return default
            self.fail(column, "required value is empty")
            return None
        chosen = _choice(value)
        if chosen not in allowed:
            self.fail(column, f"not one of: {', '.join(allowed)}")
            return None
        return chosen

    def whole_number(self, column: str, low: int, high: int, what: str) -> int | None:
        value = self.values.get(column, "")
        if not value:
            self.fail(column, "required value is empty")
            return None
        text = value[:-2] if value.endswith(".0") else value  # Excel writes 60 as 60.0 now and then
        if not re.fullmatch(r"[+-]?\d+", text):
            self.fail(column, "not a whole number")
            return None
        number = int(text)
        if not low <= number <= high:
            self.fail(column, f"{what} must be between {low} and {high}")
            return None
        return number


# ---------------------------------------------------------------------------------------------- planning

@dataclass
class Plan:
    """What a file would change: the errors, the changes to show, and the callable that applies them."""

    kind: Kind
    rows: int
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    apply: Callable[[Session, Actor], None] | None = None

    def changing_count(self) -> int:
        return sum(n for action, n in self.counts.items() if action != "unchanged")

    def add(self, change: Change) -> None:
        self.counts[change.action] += 1
        if change.action != "unchanged" and len(self.changes) < PREVIEW_ROWS:
            self.changes.append(change)


@dataclass(frozen=True)
class StaffRef:
    id: int
    code: str | None
    full_name: str
    role: str
    hire_date: date
    left_on: date | None
    fte: Decimal
    peer_credential: bool


def _staff_by_code(session: Session) -> dict[str, StaffRef]:
    rows = session.execute(select(Staff.id, Staff.employee_code, Staff.full_name, Staff.role, Staff.hire_date,
                                  Staff.left_on, Staff.fte, Staff.peer_credential)
                           .where(Staff.employee_code.is_not(None)))
    return {r.employee_code: StaffRef(*r) for r in rows}


def _teams_by_name(session: Session) -> dict[tuple[str, str], int]:
    """(program name lower-cased, team name lower-cased) -> team id: names match whatever their case."""
    rows = session.execute(select(Program.name, Team.name, Team.id).join(Team, Team.program_id == Program.id))
    return {(p.lower(), t.lower()): i for p, t, i in rows}


# --- teams

def plan_teams(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["teams"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    programs = {name.lower(): (pid, name, description) for pid, name, description in
                session.execute(select(Program.id, Program.name, Program.description))}
    teams = _teams_by_name(session)
    new_programs: dict[str, tuple[str, str | None]] = {}
    described: dict[str, tuple[int, str]] = {}  # program key -> (row, description) first given
    new_teams: list[tuple[int, str, str]] = []  # (row, program key, team name)
    first_row: dict[tuple[str, str], int] = {}
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        program = check.text("program")
        team = check.text("team")
        description = check.text("program_description", required=False, max_length=500)
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert program is not None and team is not None
        key = (program.lower(), team.lower())
        if key in first_row:
            plan.errors.append(RowError(row, "team", team, f"duplicate row: the same team is on row {first_row[key]}"))
            continue
        first_row[key] = row
        program_key = program.lower()
        if description is not None:
            if program_key in described and described[program_key][1] != description:
                plan.errors.append(RowError(row, "program_description", description, "a different description "
                                            f"for the same program is on row {described[program_key][0]}"))
                continue
            described.setdefault(program_key, (row, description))
        if program_key not in programs and program_key not in new_programs:
            new_programs[program_key] = (program, description)
            plan.add(Change(row, "create", "program", program))
        elif program_key in programs and description is not None and programs[program_key][2] != description \
                and described[program_key][0] == row:
            plan.add(Change(row, "update", "program", f"{programs[program_key][1]}: description"))
        if key in teams:
            plan.add(Change(row, "unchanged", "team", f"{team} ({program})"))
        else:
            new_teams.append((row, program_key, team))
            plan.add(Change(row, "create", "team", f"{team} ({program})"))

    def apply(s: Session, actor: Actor) -> None:
        program_ids = {k: v[0] for k, v in programs.items()}
        for program_key, (name, description) in new_programs.items():
            created = Program(name=name, description=description)
            s.add(created)
            s.flush()
            program_ids[program_key] = created.id
            record(s, actor, "create", "program", created.id, None, {"name": name, "description": description})
        for program_key, (_row, description) in described.items():
            if program_key in programs and programs[program_key][2] != description:
                pid, name, old = programs[program_key]
                s.execute(update(Program).where(Program.id == pid).values(description=description))
                record(s, actor, "update", "program", pid, {"description": old}, {"description": description})
        for _row, program_key, name in new_teams:
            created_team = Team(program_id=program_ids[program_key], name=name)
            s.add(created_team)
            s.flush()
            record(s, actor, "create", "team", created_team.id, None,
                   {"program_id": program_ids[program_key], "name": name})

    plan.apply = apply
    return plan


# --- staff

def _fte(check: RowChecker) -> Decimal | None:
    value = check.values.get("fte", "")
    if not value:
        return Decimal("1.00")
    try:
        fte = Decimal(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except InvalidOperation:
        check.fail("fte", "not a number")
        return None
    if not fte.is_finite() or not Decimal(0) < fte <= Decimal(1):
        check.fail("fte", "FTE must be above 0 and at most 1")
        return None
    if fte != fte.quantize(Decimal("0.01")):
        check.fail("fte", "at most two decimals")
        return None
    return fte.quantize(Decimal("0.01"))


def _yes_no(check: RowChecker, column: str) -> bool | None:
    value = check.values.get(column, "").lower()
    if value in ("", "no", "n", "false", "0"):
        return False
    if value in ("yes", "y", "true", "1"):
        return True
    check.fail(column, "write yes or no")
    return None


def plan_staff(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["staff"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    by_code = _staff_by_code(session)
    uncoded: dict[tuple[str, str, date], list[int]] = defaultdict(list)
    for sid, name, role, hired in session.execute(select(Staff.id, Staff.full_name, Staff.role, Staff.hire_date)
                                                  .where(Staff.employee_code.is_(None))):
        uncoded[(name.lower(), role, hired)].append(sid)
    first_row: dict[str, int] = {}
    adopted: dict[int, int] = {}  # staff id -> row
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]] = []  # (staff id, old, new)
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        code = check.text("employee_code", max_length=40)
        name = check.text("full_name")
        role = check.choice("role", ("peer_worker", "supervisor"))
        hired = check.date("hire_date", past_only=False)
        fte = _fte(check)
        left_on = check.date("left_on", required=False, past_only=False)
        credential = _yes_no(check, "peer_credential")
        if hired and left_on and left_on < hired:
            check.fail("left_on", "leaving date is before the hire date")
        if code is not None and code in first_row:
            check.fail("employee_code", f"duplicate row: this code is on row {first_row[code]}")
        if check.errors:
            plan.errors.extend(check.errors)
            if code is not None:
                first_row.setdefault(code, row)
            continue
        assert code and name and role and hired and fte is not None and credential is not None
        first_row[code] = row
        fields = {"full_name": name, "role": role, "hire_date": hired, "fte": fte, "left_on": left_on,
                  "peer_credential": credential}
        known = by_code.get(code)
        if known is None:
            candidates = [sid for sid in uncoded.get((name.lower(), role, hired), []) if sid not in adopted]
            if len(candidates) > 1:
                plan.errors.append(RowError(row, "employee_code", code, "several uncoded staff records have this "
                                            "name, role and hire date; give them codes in the app first"))
                continue
            if candidates:
                adopted[candidates[0]] = row
                current = session.execute(select(Staff.full_name, Staff.role, Staff.hire_date, Staff.fte,
                                                 Staff.left_on, Staff.peer_credential)
                                          .where(Staff.id == candidates[0])).one()._asdict()
                new = {"employee_code": code, **{k: v for k, v in fields.items() if current[k] != v}}
                old = {"employee_code": None, **{k: current[k] for k in new if k != "employee_code"}}
                updates.append((candidates[0], old, new))
                plan.add(Change(row, "update", "staff", f"{name}: code {code} given to the existing record"))
                continue
            creates.append({"employee_code": code, **fields})
            plan.add(Change(row, "create", "staff", f"{code} {name} ({role})"))
            continue
        if known.role != role:
            plan.errors.append(RowError(row, "role", values.get("role", ""), f"{code} is recorded as {known.role}; "
                                        "a role is not changed by import"))
            continue
        current = {"full_name": known.full_name, "role": known.role, "hire_date": known.hire_date,
                   "fte": known.fte, "left_on": known.left_on, "peer_credential": known.peer_credential}
        new = {k: v for k, v in fields.items() if current[k] != v}
        if not new:
            plan.add(Change(row, "unchanged", "staff", code))
            continue
        updates.append((known.id, {k: current[k] for k in new}, new))
        plan.add(Change(row, "update", "staff", f"{code}: " + ", ".join(f"{k} {current[k]} → {v}"
                                                                        for k, v in new.items())))

    def apply(s: Session, actor: Actor) -> None:
        _create_and_update(s, actor, Staff, "staff", creates, updates)

    plan.apply = apply
    return plan


# --- moves

def plan_moves(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["moves"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    by_code = _staff_by_code(session)
    teams = _teams_by_name(session)
    team_names = {tid: name for tid, name in session.execute(select(Team.id, Team.name))}
    checked: list[tuple[int, StaffRef, int, date]] = []
    first_row: dict[tuple[str | None, date], int] = {}
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        code = check.text("employee_code", max_length=40)
        program = check.text("program")
        team = check.text("team")
        start = check.date("start_date")
        staff = by_code.get(code) if code else None
        if code and staff is None:
            check.fail("employee_code", "unknown employee code (import staff first)")
        team_id = teams.get((program.lower(), team.lower())) if program and team else None
        if program and team and team_id is None:
            check.fail("team", f"no team '{shown(team)}' in program '{shown(program)}' (import teams first)")
        if staff and start:
            if start < staff.hire_date:
                check.fail("start_date", f"before the hire date ({staff.hire_date.isoformat()})")
            elif staff.left_on and start >= staff.left_on:
                check.fail("start_date", f"on or after the day the person left ({staff.left_on.isoformat()})")
            check.once(first_row, (staff.code, start), "start_date", "a move for this person on this date")
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert staff and team_id and start
        checked.append((row, staff, team_id, start))

    worker_ids = {s.id for _r, s, _t, _d in checked if s.role == "peer_worker"}
    supervisor_ids = {s.id for _r, s, _t, _d in checked if s.role == "supervisor"}
    memberships: dict[int, list[tuple[date, date | None, int, int]]] = defaultdict(list)
    if worker_ids:
        for mid, sid, tid, start, end in session.execute(
                select(TeamMembership.id, TeamMembership.staff_id, TeamMembership.team_id,
                       TeamMembership.start_date, TeamMembership.end_date)
                .where(TeamMembership.staff_id.in_(sorted(worker_ids)))):
            memberships[sid].append((start, end, tid, mid))
    supervising: set[tuple[int, int]] = set()
    if supervisor_ids:
        supervising = {(sid, tid) for sid, tid in session.execute(
            select(TeamSupervisor.staff_id, TeamSupervisor.team_id)
            .where(TeamSupervisor.staff_id.in_(sorted(supervisor_ids)), TeamSupervisor.end_date.is_(None)))}
    # Each worker's moves apply in date order after their recorded history; never inside it.
    operations: list[tuple[str, int, int, date, int | None]] = []  # (what, staff id, team id, start, close id)
    latest: dict[int, tuple[date, int, int | None]] = {}  # staff id -> (start, team id, membership id or None)
    for sid, history in memberships.items():
        start, _end, tid, mid = max(history)
        latest[sid] = (start, tid, mid if _end is None else None)
    recorded = {(sid, start): tid for sid, history in memberships.items() for start, _e, tid, _m in history}
    for row, staff, team_id, start in sorted(checked, key=lambda c: (c[1].id, c[3])):
        label = f"{staff.code} {staff.full_name} → {team_names.get(team_id, team_id)} from {start.isoformat()}"
        if staff.role == "supervisor":
            if (staff.id, team_id) in supervising:
                plan.add(Change(row, "unchanged", "team supervisor", label))
            else:
                supervising.add((staff.id, team_id))
                operations.append(("supervise", staff.id, team_id, start, None))
                plan.add(Change(row, "create", "team supervisor", label))
            continue
        if (staff.id, start) in recorded:
            if recorded[(staff.id, start)] == team_id:
                plan.add(Change(row, "unchanged", "team membership", label))
            else:
                plan.errors.append(RowError(row, "team", team_names.get(team_id, ""), "a different team is "
                                            "recorded for this person from this date; correct it in the app"))
            continue
        previous = latest.get(staff.id)
        if previous and start < previous[0]:
            plan.errors.append(RowError(row, "start_date", start.isoformat(), "before the person's latest "
                                        f"recorded team change ({previous[0].isoformat()}); earlier history is "
                                        "not rewritten by import"))
            continue
        if previous and previous[1] == team_id and previous[2] is not None:
            plan.add(Change(row, "unchanged", "team membership", label + " (already on this team)"))
            continue
        operations.append(("move", staff.id, team_id, start, previous[2] if previous else None))
        latest[staff.id] = (start, team_id, -1)  # -1: opened by this import
        recorded[(staff.id, start)] = team_id
        plan.add(Change(row, "move", "team membership", label))

    def apply(s: Session, actor: Actor) -> None:
        open_ids: dict[int, int] = {}
        for what, sid, tid, start, close_id in operations:
            if what == "supervise":
                created = TeamSupervisor(team_id=tid, staff_id=sid, start_date=start)
                s.add(created)
                s.flush()
                record(s, actor, "create", "team_supervisor", created.id, None,
                       {"staff_id": sid, "team_id": tid, "start_date": start})
                continue
            closing = open_ids.get(sid) if close_id == -1 else close_id
            if closing is not None:
                s.execute(update(TeamMembership).where(TeamMembership.id == closing).values(end_date=start))
                record(s, actor, "update", "team_membership", closing, {"end_date": None}, {"end_date": start})
            membership = TeamMembership(staff_id=sid, team_id=tid, start_date=start)
            s.add(membership)
            s.flush()
            open_ids[sid] = membership.id
            record(s, actor, "create", "team_membership", membership.id, None,
                   {"staff_id": sid, "team_id": tid, "start_date": start})

    plan.apply = apply
    return plan


# --- leave

def plan_leave(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["leave"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    by_code = _staff_by_code(session)
    checked: list[tuple[int, StaffRef, date, date | None]] = []
    first_row: dict[tuple[str | None, date], int] = {}
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        code = check.text("employee_code", max_length=40)
        start = check.date("start_date", past_only=False)
        back_on = check.date("end_date", required=False, past_only=False)
        staff = by_code.get(code) if code else None
        if code and staff is None:
            check.fail("employee_code", "unknown employee code (import staff first)")
        elif staff is not None and staff.role != "peer_worker":
            check.fail("employee_code", f"{code} is a {staff.role}; leave is recorded for peer workers")
        if staff and start:
            check.once(first_row, (staff.code, start), "start_date", "a leave from this date for this person")
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert staff and start
        checked.append((row, staff, start, back_on))

    recorded: dict[int, dict[date, tuple[int, date | None]]] = defaultdict(dict)  # staff -> start -> (id, back)
    if checked:
        for leave_id, sid, start, back in session.execute(
                select(Leave.id, Leave.staff_id, Leave.start_date, Leave.end_date)
                .where(Leave.staff_id.in_(sorted({s.id for _r, s, _d, _b in checked})))):
            recorded[sid][start] = (leave_id, back)
    # Each person's leaves after the import: the recorded ones, with the file's day back where it names one.
    after: dict[int, dict[date, date | None]] = {sid: {d: b for d, (_i, b) in by_start.items()}
                                                 for sid, by_start in recorded.items()}
    for _row, staff, start, back_on in checked:
        after.setdefault(staff.id, {})[start] = back_on
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]] = []  # (leave id, old values, new values)
    for row, staff, start, back_on in checked:
        others = [(d, b) for d, b in after[staff.id].items() if d != start]
        problems = leave_problems(start, back_on, staff.hire_date, staff.left_on, others, today)
        if problems:
            shown = {"start_date": start.isoformat(), "end_date": back_on.isoformat() if back_on else ""}
            plan.errors.extend(RowError(row, p.field, shown.get(p.field, ""), p.message) for p in problems)
            continue
        until = f"back on {back_on.isoformat()}" if back_on else "return not known"
        label = f"{staff.code} {staff.full_name}: away from {start.isoformat()}, {until}"
        known = recorded[staff.id].get(start)
        if known is None:
            creates.append({"staff_id": staff.id, "start_date": start, "end_date": back_on})
            plan.add(Change(row, "create", "leave", label))
        elif known[1] == back_on:
            plan.add(Change(row, "unchanged", "leave", label))
        else:
            updates.append((known[0], {"end_date": known[1]}, {"end_date": back_on}))
            plan.add(Change(row, "update", "leave", label))

    def apply(s: Session, actor: Actor) -> None:
        _create_and_update(s, actor, Leave, "leave", creates, updates)

    plan.apply = apply
    return plan


def _create_and_update(s: Session, actor: Actor, model: Any, entity: str, creates: list[dict[str, Any]],
                       updates: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> None:
    """Insert `creates` and apply `updates` ((id, old values, new values)), each with its audit event."""
    for fields_ in creates:
        created = model(**fields_)
        s.add(created)
        s.flush()
        record(s, actor, "create", entity, created.id, None, fields_)
    for row_id, old, new in updates:
        s.execute(update(model).where(model.id == row_id).values(**new))
        record(s, actor, "update", entity, row_id, old, new)


# --- what sessions and ratings are checked against

@dataclass
class Calendar:
    """Who was where when, loaded once for the people in a file: the facts the row rules need."""

    supervised: dict[int, list[tuple[int, date, date | None]]]  # supervisor -> (team, start, end)
    member_of: dict[int, list[tuple[int, date, date | None]]]  # worker -> (team, start, end)

    @classmethod
    def load(cls, session: Session, supervisor_ids: Iterable[int], worker_ids: Iterable[int]) -> Calendar:
        supervised: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        member_of: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for chunk in _chunks(sorted(set(supervisor_ids))):
            for sid, tid, start, end in session.execute(select(
                    TeamSupervisor.staff_id, TeamSupervisor.team_id, TeamSupervisor.start_date,
                    TeamSupervisor.end_date).where(TeamSupervisor.staff_id.in_(chunk))):
                supervised[sid].append((tid, start, end))
        for chunk in _chunks(sorted(set(worker_ids))):
            for sid, tid, start, end in session.execute(select(
                    TeamMembership.staff_id, TeamMembership.team_id, TeamMembership.start_date,
                    TeamMembership.end_date).where(TeamMembership.staff_id.in_(chunk))):
                member_of[sid].append((tid, start, end))
        return cls(supervised, member_of)

    @staticmethod
    def _on(spans: list[tuple[int, date, date | None]], day: date) -> set[int]:
        return {tid for tid, start, end in spans if start <= day and (end is None or day < end)}

    def teams_supervised(self, supervisor_id: int, day: date) -> set[int]:
        return self._on(self.supervised.get(supervisor_id, []), day)

    def team_of(self, worker_id: int, day: date) -> set[int]:
        return self._on(self.member_of.get(worker_id, []), day)


def _chunks(values: Sequence[Any], size: int = 5000) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _active_framework_competencies(session: Session) -> dict[str, int]:
    rows = session.execute(select(Competency.code, Competency.id).join(
        Framework, Framework.id == Competency.framework_id).where(Framework.is_active))
    return {code.upper(): cid for code, cid in rows}


def _active_scale(session: Session) -> tuple[int | None, set[int]]:
    scale_id = session.scalar(select(RatingScale.id).where(RatingScale.is_active))
    levels = set(session.scalars(select(RatingLevel.level).where(RatingLevel.scale_id == scale_id)))
    return scale_id, levels


# The session and rating row rules: the same rules as the supervisor's form (dashboard/recording.py,
# check_session and check_ratings), applied to a whole file with the facts loaded once (Calendar) instead
# of a few queries per row. tests/unit/test_importers.py checks row by row that both give the same
# verdict; a rule added there must be added here.

def check_session_facts(check: RowChecker, held_on: date | None, supervisor: StaffRef | None,
                        format_: str | None, attendees: list[StaffRef], calendar: Calendar) -> None:
    if supervisor and held_on and held_on <= check.today:
        supervised = calendar.teams_supervised(supervisor.id, held_on)
        for worker in attendees:
            if held_on < worker.hire_date:
                check.fail("attendee_codes", f"{worker.code} was hired later ({worker.hire_date.isoformat()})",
                           worker.code or "")
            elif worker.left_on and held_on >= worker.left_on:
                check.fail("attendee_codes", f"{worker.code} had left ({worker.left_on.isoformat()})",
                           worker.code or "")
            elif not calendar.team_of(worker.id, held_on) & supervised:
                check.fail("attendee_codes", f"{worker.code} was not on a team this supervisor supervised "
                                             "on that date", worker.code or "")
    if format_ == "individual" and len(attendees) > 1:
        check.fail("attendee_codes", "an individual session has exactly one attendee")
    if format_ == "group" and 0 < len(attendees) < 2:
        check.fail("attendee_codes", "a group session needs at least two attendees")


def _people(check: RowChecker, column: str, by_code: dict[str, StaffRef], role: str,
            required: bool = True) -> list[StaffRef]:
    codes = _split_list(check.values.get(column, ""))
    if not codes and required:
        check.fail(column, "required value is empty")
    found: list[StaffRef] = []
    seen: set[str] = set()
    for code in codes:
        person = by_code.get(code)
        if code in seen:
            check.fail(column, f"{shown(code)} is listed twice", code)
        elif person is None:
            check.fail(column, f"unknown {'worker' if role == 'peer_worker' else 'supervisor'}: {shown(code)}", code)
        elif person.role != role:
            check.fail(column, f"{code} is a {person.role.replace('_', ' ')}, not a "
                               f"{role.replace('_', ' ')}", code)
        else:
            found.append(person)
        seen.add(code)
    return found


def _competency_ids(check: RowChecker, column: str, competencies: dict[str, int],
                    required: bool) -> list[int]:
    codes = _split_list(check.values.get(column, ""))
    if not codes and required:
        check.fail(column, "required value is empty")
    found: list[int] = []
    for code in codes:
        cid = competencies.get(code.upper())
        if cid is None:
            check.fail(column, f"{shown(code)} is not a competency in the active framework", code)
        elif cid in found:
            check.fail(column, f"{shown(code)} is listed twice", code)
        else:
            found.append(cid)
    return found


# --- sessions

@dataclass(frozen=True)
class SessionRow:
    row: int
    held_on: date
    supervisor_id: int
    format: str
    kind: str
    modality: str
    minutes: int
    attendee_ids: tuple[int, ...]  # sorted
    competency_ids: tuple[int, ...]  # sorted
    note: str | None

    @property
    def key(self) -> tuple[int, date, tuple[int, ...]]:
        return (self.supervisor_id, self.held_on, self.attendee_ids)

    @property
    def details(self) -> tuple[Any, ...]:
        return (self.format, self.kind, self.modality, self.minutes, self.competency_ids, self.note or None)


def plan_sessions(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["sessions"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    by_code = _staff_by_code(session)
    competencies = _active_framework_competencies(session)
    staged: list[tuple[RowChecker, date | None, StaffRef | None, str | None, list[StaffRef], dict[str, Any]]] = []
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        held_on = check.date("held_on")
        supervisors = _people(check, "supervisor_code", by_code, "supervisor")
        supervisor = supervisors[0] if len(supervisors) == 1 else None
        if len(supervisors) > 1:
            check.fail("supervisor_code", "one supervisor per session")
        format_ = check.choice("format", SESSION_FORMATS)
        fields = {"kind": check.choice("kind", SESSION_KINDS), "modality": check.choice("modality", SESSION_MODALITIES),
                  "minutes": check.whole_number("minutes", MIN_MINUTES, MAX_MINUTES, "minutes"),
                  "competency_ids": _competency_ids(check, "competencies", competencies, required=False),
                  "note": check.text("note", required=False, max_length=NOTE_LIMIT)}
        attendees = _people(check, "attendee_codes", by_code, "peer_worker")
        staged.append((check, held_on, supervisor, format_, attendees, fields))
    calendar = Calendar.load(session, {s[2].id for s in staged if s[2]}, {w.id for s in staged for w in s[4]})
    checked: list[SessionRow] = []
    for check, held_on, supervisor, format_, attendees, fields in staged:
        check_session_facts(check, held_on, supervisor, format_, attendees, calendar)
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert held_on and supervisor and format_
        checked.append(SessionRow(check.row, held_on, supervisor.id, format_, fields["kind"], fields["modality"],
                                  fields["minutes"], tuple(sorted(w.id for w in attendees)),
                                  tuple(sorted(fields["competency_ids"])), fields["note"]))
    existing = _recorded_sessions(session, checked)
    first: dict[tuple[int, date, tuple[int, ...]], int] = {}
    to_insert: list[SessionRow] = []
    names = {ref.id: ref.code for ref in by_code.values()}
    for item in checked:
        label = f"{item.held_on.isoformat()} {names[item.supervisor_id]} with " + \
                ", ".join(str(names[w]) for w in item.attendee_ids)
        if item.key in first:
            plan.errors.append(RowError(item.row, "attendee_codes", "", "duplicate row: the same supervisor, date "
                                        f"and attendees are on row {first[item.key]}"))
            continue
        first[item.key] = item.row
        if item.key in existing:
            if existing[item.key] == item.details:
                plan.add(Change(item.row, "unchanged", "session", label))
            else:
                plan.errors.append(RowError(item.row, "attendee_codes", "", "a session with this supervisor, date "
                                            "and attendees is already recorded with other details; correct it "
                                            "in the app"))
            continue
        to_insert.append(item)
        plan.add(Change(item.row, "create", "session", label))

    def apply(s: Session, actor: Actor) -> None:
        ids = insert_sessions(s, to_insert, actor)
        # What the form's "create" event holds (recording._session_values), plus the file's row.
        record_created(s, actor, "create", "supervision_session", (
            (sid, {"held_on": r.held_on, "minutes": r.minutes, "format": r.format, "kind": r.kind,
                   "modality": r.modality, "supervisor_id": r.supervisor_id, "note": r.note,
                   "attendee_ids": sorted(r.attendee_ids), "competency_ids": sorted(r.competency_ids),
                   "version": 1, "row": r.row}) for sid, r in zip(ids, to_insert)))

    plan.apply = apply
    return plan


def _recorded_sessions(session: Session, rows: Sequence[SessionRow]) -> dict[tuple[int, date, tuple[int, ...]],
                                                                              tuple[Any, ...]]:
    """Sessions already recorded with a file row's natural key, with their details: a few set-based queries.

    Narrows in steps: the supervisors' sessions in the file's date range, kept when a file row has the
    same supervisor and day; their attendees; and details and topics only for sessions whose key matches.
    """
    if not rows:
        return {}
    supervisors = sorted({r.supervisor_id for r in rows})
    pairs = {(r.supervisor_id, r.held_on) for r in rows}
    wanted_keys = {r.key for r in rows}
    first, last = min(r.held_on for r in rows), max(r.held_on for r in rows)
    in_range = and_(SupervisionSession.supervisor_id.in_(supervisors), SupervisionSession.held_on.between(first, last))
    candidates = {sid: (sup, held) for sid, sup, held in session.execute(
        select(SupervisionSession.id, SupervisionSession.supervisor_id, SupervisionSession.held_on).where(in_range))
        if (sup, held) in pairs}
    if not candidates:
        return {}
    attendees: dict[int, list[int]] = defaultdict(list)
    for sid, worker in session.execute(select(SessionAttendee.session_id, SessionAttendee.worker_id)
                                       .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
                                       .where(in_range)):
        if sid in candidates:
            attendees[sid].append(worker)
    matched = {sid: (sup, held, tuple(sorted(attendees.get(sid, ())))) for sid, (sup, held) in candidates.items()}
    matched = {sid: key for sid, key in matched.items() if key in wanted_keys}
    found: dict[tuple[int, date, tuple[int, ...]], tuple[Any, ...]] = {}
    for chunk in _chunks(sorted(matched)):
        topics: dict[int, list[int]] = defaultdict(list)
        for sid, cid in session.execute(select(SessionCompetency.session_id, SessionCompetency.competency_id)
                                        .where(SessionCompetency.session_id.in_(chunk))):
            topics[sid].append(cid)
        for sid, fmt, kind, modality, minutes, note in session.execute(
                select(SupervisionSession.id, SupervisionSession.format, SupervisionSession.kind,
                       SupervisionSession.modality, SupervisionSession.minutes, SupervisionSession.note)
                .where(SupervisionSession.id.in_(chunk))):
            found[matched[sid]] = (fmt, kind, modality, minutes, tuple(sorted(topics.get(sid, ()))), note or None)
    return found


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for `count` new rows, taken up front so that executemany needs no RETURNING (row-at-a-time on SQLite).

    PostgreSQL hands them out from the table's sequence (safe alongside other writers). SQLite has one
    writer at a time; a writer that slipped in between makes the insert fail on the key, and the whole
    import rolls back.
    """
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sequence = connection.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        return list(connection.scalars(select(func.nextval(sequence)).select_from(
            func.generate_series(1, count))))
    start = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write rows (tuples in `columns` order, already checked) in the caller's transaction, the fastest way each
    database offers: COPY on PostgreSQL, the driver's executemany on SQLite (SQLAlchemy's per-row parameter
    processing cost as much as the insert itself). Dates go as ISO text, timestamps as naive UTC.
    """
    if not rows:
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
                               [tuple(_sqlite_value(v) for v in row) for row in rows])


AUDIT_COLUMNS = ("occurred_at", "user_id", "username", "address", "action", "entity", "entity_id", "new_values")


def record_created(session: Session, actor: Actor, action: str, entity: str,
                   events: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """One audit event per created row ((entity id, new values)), as audit.record writes them, in bulk: the
    audit log shows every imported session and rating, not only the file."""
    now = utcnow().replace(tzinfo=None)
    # json's C encoder calls plain() only for what JSON lacks (dates): 0.4 s instead of 0.9 s per 100k events.
    encode = json.JSONEncoder(default=plain).encode
    bulk_insert(session, AuditEvent.__table__, AUDIT_COLUMNS,
                [(now, actor.user_id, actor.username, actor.address, action, entity, str(entity_id), encode(new))
                 for entity_id, new in events])


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types store: dates and timestamps as text, the same format it reads back."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


SESSION_COLUMNS = ("id", "held_on", "minutes", "format", "kind", "modality", "supervisor_id", "note",
                   "created_by_id", "created_at", "updated_by_id", "updated_at", "version")


def session_tuples(ids: Sequence[int], rows: Sequence[SessionRow], user_id: int | None
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]], list[tuple[int, int]]]:
    """Sessions, attendees and topics as tuples for bulk_insert
    (SESSION_COLUMNS; session, worker; session, competency)."""
    now = utcnow().replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    sessions = [(sid, r.held_on, r.minutes, r.format, r.kind, r.modality, r.supervisor_id, r.note, user_id, now,
                 user_id, now, 1) for sid, r in zip(ids, rows)]
    attendees = [(sid, w) for sid, r in zip(ids, rows) for w in r.attendee_ids]
    topics = [(sid, c) for sid, r in zip(ids, rows) for c in r.competency_ids]
    return sessions, attendees, topics


def insert_sessions(session: Session, rows: Sequence[SessionRow], actor: Actor) -> list[int]:
    """Bulk-insert checked sessions with their attendees and topics, ids taken up front; returns the new ids."""
    if not rows:
        return []
    ids = allocate_ids(session, SupervisionSession.__table__, len(rows))
    sessions, attendees, topics = session_tuples(ids, rows, actor.user_id)
    bulk_insert(session, SupervisionSession.__table__, SESSION_COLUMNS, sessions)
    bulk_insert(session, SessionAttendee.__table__, ("session_id", "worker_id"), attendees)
    bulk_insert(session, SessionCompetency.__table__, ("session_id", "competency_id"), topics)
    return ids


# --- ratings

@dataclass(frozen=True)
class RatingRow:
    row: int
    rated_on: date
    worker_id: int
    competency_id: int
    level: int
    rater_role: str
    rater_id: int
    note: str | None

    @property
    def key(self) -> tuple[int, int, str, int, date]:
        return (self.worker_id, self.competency_id, self.rater_role, self.rater_id, self.rated_on)


def check_rating_facts(check: RowChecker, rated_on: date | None, worker: StaffRef | None,
                       rater_role: str | None, rater: StaffRef | None, calendar: Calendar) -> None:
    if worker and rated_on:
        if rated_on < worker.hire_date:
            check.fail("rated_on", f"before the worker's hire date ({worker.hire_date.isoformat()})")
        elif worker.left_on and rated_on >= worker.left_on:
            check.fail("rated_on", f"{worker.code} had left ({worker.left_on.isoformat()}); a worker is not rated "
                                   "after leaving")
        elif rater_role == "supervisor" and rater and rater.left_on and rated_on >= rater.left_on:
            check.fail("rater_code", f"{rater.code} had left ({rater.left_on.isoformat()})")
        elif rater_role == "supervisor" and rater and \
                not calendar.team_of(worker.id, rated_on) & calendar.teams_supervised(rater.id, rated_on):
            check.fail("rater_code", f"{rater.code} did not supervise {worker.code}'s team on that date")


def plan_ratings(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    kind = KINDS["ratings"]
    plan = Plan(kind, len(parsed.rows), list(parsed.errors))
    by_code = _staff_by_code(session)
    competencies = _active_framework_competencies(session)
    scale_id, levels = _active_scale(session)
    low, high = (min(levels), max(levels)) if levels else (1, 0)
    staged: list[tuple[RowChecker, date | None, StaffRef | None, str | None, StaffRef | None, dict[str, Any]]] = []
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        rated_on = check.date("rated_on")
        workers = _people(check, "worker_code", by_code, "peer_worker")
        worker = workers[0] if len(workers) == 1 else None
        if len(workers) > 1:
            check.fail("worker_code", "one worker per rating")
        competency = _competency_ids(check, "competency", competencies, required=True)
        if len(competency) > 1:
            check.fail("competency", "one competency per row")
        level = check.whole_number("level", low, high, "level on the agency's scale")
        if level is not None and level not in levels:
            check.fail("level", "not a level on the agency's scale")
        rater_role = check.choice("rater_role", ("supervisor", "self"), default="supervisor")
        rater: StaffRef | None = None
        if rater_role == "self":
            if values.get("rater_code") and worker and values["rater_code"] != worker.code:
                check.fail("rater_code", "a self-rating is by the worker: leave it blank or use the worker's code")
            rater = worker
        elif rater_role == "supervisor":
            raters = _people(check, "rater_code", by_code, "supervisor")
            rater = raters[0] if len(raters) == 1 else None
        note = check.text("note", required=False, max_length=NOTE_LIMIT)
        staged.append((check, rated_on, worker, rater_role, rater,
                       {"competency": competency[0] if len(competency) == 1 else None, "level": level,
                        "note": note}))
    calendar = Calendar.load(session, {s[4].id for s in staged if s[3] == "supervisor" and s[4]},
                             {s[2].id for s in staged if s[2]})
    checked: list[RatingRow] = []
    for check, rated_on, worker, rater_role, rater, fields in staged:
        check_rating_facts(check, rated_on, worker, rater_role, rater, calendar)
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert rated_on and worker and rater_role and rater and fields["competency"] and fields["level"]
        checked.append(RatingRow(check.row, rated_on, worker.id, fields["competency"], fields["level"], rater_role,
                                 rater.id, fields["note"]))
    existing = _recorded_ratings(session, checked)
    names = {ref.id: ref.code for ref in by_code.values()}
    codes = {cid: code for code, cid in competencies.items()}
    first: dict[tuple[int, int, str, int, date], int] = {}
    to_insert: list[RatingRow] = []
    for item in checked:
        label = f"{item.rated_on.isoformat()} {names[item.worker_id]} {codes[item.competency_id]} = {item.level} " \
                f"({item.rater_role})"
        if item.key in first:
            plan.errors.append(RowError(item.row, "competency", codes[item.competency_id], "duplicate row: the same "
                                        f"worker, competency, rater and date are on row {first[item.key]}"))
            continue
        first[item.key] = item.row
        if item.key in existing:
            if existing[item.key] == item.level:
                plan.add(Change(item.row, "unchanged", "rating", label))
            else:
                plan.errors.append(RowError(item.row, "level", str(item.level), "a different level "
                                            f"({existing[item.key]}) is recorded for this worker, competency, rater "
                                            "and date; record a new rating in the app"))
            continue
        to_insert.append(item)
        plan.add(Change(item.row, "create", "rating", label))

    def apply(s: Session, actor: Actor) -> None:
        assert scale_id is not None
        ids = insert_ratings(s, to_insert, scale_id, actor)
        # As the form records ratings: one "rate" event per worker, rater role and date, with the levels.
        rated: dict[tuple[int, str, date], dict[str, Any]] = {}
        for rating_id, r in zip(ids, to_insert):
            event = rated.setdefault((r.worker_id, r.rater_role, r.rated_on), {
                "rater_role": r.rater_role, "rated_on": r.rated_on, "levels": {}, "rating_ids": [], "rows": []})
            event["levels"][str(r.competency_id)] = r.level
            event["rating_ids"].append(rating_id)
            event["rows"].append(r.row)
        record_created(s, actor, "rate", "competency_ratings",
                       ((worker_id, event) for (worker_id, _role, _day), event in rated.items()))

    plan.apply = apply
    return plan


def _recorded_ratings(session: Session, rows: Sequence[RatingRow]) -> dict[tuple[int, int, str, int, date], int]:
    if not rows:
        return {}
    ratings = CompetencyRating.__table__
    first, last = min(r.rated_on for r in rows), max(r.rated_on for r in rows)
    found: dict[tuple[int, int, str, int, date], int] = {}
    for chunk in _chunks(sorted({r.worker_id for r in rows})):
        for w, c, role, rater, on, level in session.execute(
                select(ratings.c.worker_id, ratings.c.competency_id, ratings.c.rater_role, ratings.c.rater_id,
                       ratings.c.rated_on, ratings.c.level)
                .where(ratings.c.worker_id.in_(chunk), ratings.c.rated_on.between(first, last))
                .order_by(ratings.c.id)):
            found[(w, c, role, rater, on)] = level  # the latest recorded wins
    return found


def insert_ratings(session: Session, rows: Sequence[RatingRow], scale_id: int, actor: Actor) -> list[int]:
    """Bulk-insert checked ratings and bring current_ratings up to date for the pairs they touch."""
    if not rows:
        return []
    now = utcnow().replace(tzinfo=None)
    ids = allocate_ids(session, CompetencyRating.__table__, len(rows))
    bulk_insert(session, CompetencyRating.__table__,
                ("id", "worker_id", "competency_id", "scale_id", "level", "rater_id", "rater_role", "rated_on",
                 "note", "created_by_id", "created_at"),
                [(rid, r.worker_id, r.competency_id, scale_id, r.level, r.rater_id, r.rater_role, r.rated_on, r.note,
                  actor.user_id, now) for rid, r in zip(ids, rows)])
    _advance_current_ratings(session, [(r, i) for r, i in zip(rows, ids)])
    return ids


def _advance_current_ratings(session: Session, inserted: Sequence[tuple[RatingRow, int]]) -> None:
    """For each pair the new ratings touch, keep whichever is latest (date, then id): recorded or new."""
    newest: dict[tuple[int, int, str], tuple[date, int, int]] = {}
    for r, rating_id in inserted:
        key = (r.worker_id, r.competency_id, r.rater_role)
        candidate = (r.rated_on, rating_id, r.level)
        if key not in newest or candidate[:2] > newest[key][:2]:
            newest[key] = candidate
    current = CurrentRating.__table__
    recorded: dict[tuple[int, int, str], tuple[date, int]] = {}
    for chunk in _chunks(sorted({k[0] for k in newest})):
        for w, c, role, on, rid in session.execute(
                select(current.c.worker_id, current.c.competency_id, current.c.rater_role, current.c.rated_on,
                       current.c.rating_id).where(current.c.worker_id.in_(chunk))):
            recorded[(w, c, role)] = (on, rid)
    replace = {k: v for k, v in newest.items() if k not in recorded or v[:2] > recorded[k]}
    if not replace:
        return
    connection = session.connection()
    stale = [k for k in replace if k in recorded]
    for chunk in _chunks(stale, 1000):
        connection.execute(delete(current).where(
            tuple_(current.c.worker_id, current.c.competency_id, current.c.rater_role).in_(chunk)))
    connection.execute(insert(current), [
        {"worker_id": w, "competency_id": c, "rater_role": role, "rating_id": rid, "level": level, "rated_on": on}
        for (w, c, role), (on, rid, level) in replace.items()])


# ---------------------------------------------------------------------------------------------- the service

PLANNERS: dict[str, Callable[[Session, ParsedFile, date, str], Plan]] = {
    "teams": plan_teams, "staff": plan_staff, "moves": plan_moves, "leave": plan_leave,
    "sessions": plan_sessions, "ratings": plan_ratings,
}


def run_import(session: Session, kind_key: str, data: bytes, *, file_name: str, actor: Actor, today: date,
               commit: bool = False, date_order: str = "iso") -> ImportReport:
    """Check a whole file and report what it would change; with commit=True and no errors, apply it.

    Everything happens in the caller's session (one transaction): the plan is made and applied on the
    same view of the database. A refused file or any row error writes nothing, not even an audit event.
    """
    if kind_key not in KINDS:
        raise ImportRefused(f"unknown import kind {kind_key!r}; choose one of {', '.join(KINDS)}")
    if date_order not in DATE_ORDERS:
        raise ImportRefused(f"unknown date order {date_order!r}; choose one of {', '.join(DATE_ORDERS)}")
    kind = KINDS[kind_key]
    try:
        parsed = read_csv(data, kind)
    except ImportRefused as refused:
        return ImportReport(kind_key, file_name, 0, (RowError(refused.row, refused.column, "", str(refused)),),
                            1, (), {}, committed=False)
    plan = PLANNERS[kind_key](session, parsed, today, date_order)
    errors = sorted(plan.errors, key=lambda e: (e.row, kind.column_names.index(e.column)
                                                 if e.column in kind.column_names else -1))
    committed = False
    if commit and not errors and plan.changing_count() > 0 and plan.apply is not None:
        plan.apply(session, actor)
        record(session, actor, "import", f"{kind_key} file", None, None, {
            "file": file_name, "sha256": hashlib.sha256(data).hexdigest(), "rows": plan.rows,
            **{action: n for action, n in sorted(plan.counts.items())}})
        session.flush()
        committed = True
    return ImportReport(kind_key, file_name, plan.rows, tuple(errors[:MAX_ERRORS]), len(errors),
                        tuple(plan.changes), dict(plan.counts), committed, tuple(parsed.warnings))

