"""The plan of an import and its report: the row checker, what every kind's planner shares (staff and team
look-ups, the calendar of who was where, the bulk audit events), and import_file, which reads a file, plans it and
applies the plan all or nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, plain, record
from dashboard.bulk import bulk_insert
from dashboard.importers.reading import (DATE_ORDERS, ImportRefused, Kind, ParsedFile, RowError, choice_key,
                                         parse_date, read_csv, shown, split_list)
from dashboard.recording import in_future
from dashboard.dates import show
from models import (AuditEvent, Competency, Framework, Program, RatingLevel, RatingScale, Staff, Team, TeamMembership,
                    TeamSupervisor, utcnow)
from models.vocabulary import Role

Planner = Callable[[Session, ParsedFile, date, str], "Plan"]  # a kind's make_plan

MAX_ERRORS = 1000  # a file with more problems than this is reported in part (the count stays exact)
PREVIEW_ROWS = 500  # planned changes listed in a report; the counts cover all of them


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
        if past_only and in_future(day, self.today):
            self.fail(column, f"date is in the future (today is {show(self.today)})")
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
        chosen = choice_key(value)
        if chosen not in allowed:
            self.fail(column, f"not one of: {', '.join(allowed)}")
            return None
        return chosen

    def whole_number(self, column: str, low: int, high: int, what: str) -> int | None:
        number = self.integer(column)
        if number is not None and not low <= number <= high:
            self.fail(column, f"{what} must be between {low} and {high}")
            return None
        return number

    def integer(self, column: str) -> int | None:
        value = self.values.get(column, "")
        if not value:
            self.fail(column, "required value is empty")
            return None
        text = value[:-2] if value.endswith(".0") else value  # Excel writes 60 as 60.0 now and then
        if not re.fullmatch(r"[+-]?\d+", text):
            self.fail(column, "not a whole number")
            return None
        return int(text)



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

    def rejects(self, check: RowChecker) -> bool:
        """Whether a row failed its checks; its errors join the plan's."""
        self.errors.extend(check.errors)
        return bool(check.errors)


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


def staff_by_code(session: Session) -> dict[str, StaffRef]:
    rows = session.execute(select(Staff.id, Staff.employee_code, Staff.full_name, Staff.role, Staff.hire_date,
                                  Staff.left_on, Staff.fte, Staff.peer_credential)
                           .where(Staff.employee_code.is_not(None)))
    return {r.employee_code: StaffRef(*r) for r in rows}


def teams_by_name(session: Session) -> dict[tuple[str, str], int]:
    """(program name lower-cased, team name lower-cased) -> team id: names match whatever their case."""
    rows = session.execute(select(Program.name, Team.name, Team.id).join(Team, Team.program_id == Program.id))
    return {(p.lower(), t.lower()): i for p, t, i in rows}



def create_and_update(s: Session, actor: Actor, model: Any, entity: str, creates: list[dict[str, Any]],
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
        for chunk in chunks(sorted(set(supervisor_ids))):
            for sid, tid, start, end in session.execute(select(
                    TeamSupervisor.staff_id, TeamSupervisor.team_id, TeamSupervisor.start_date,
                    TeamSupervisor.end_date).where(TeamSupervisor.staff_id.in_(chunk))):
                supervised[sid].append((tid, start, end))
        for chunk in chunks(sorted(set(worker_ids))):
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


def chunks(values: Sequence[Any], size: int = 5000) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def active_framework_competencies(session: Session) -> dict[str, int]:
    rows = session.execute(select(Competency.code, Competency.id).join(
        Framework, Framework.id == Competency.framework_id).where(Framework.is_active))
    return {code.upper(): cid for code, cid in rows}


def active_scale_levels(session: Session) -> tuple[int | None, set[int]]:
    scale_id = session.scalar(select(RatingScale.id).where(RatingScale.is_active))
    levels = set(session.scalars(select(RatingLevel.level).where(RatingLevel.scale_id == scale_id)))
    return scale_id, levels


def read_people(check: RowChecker, column: str, by_code: dict[str, StaffRef], role: str,
            required: bool = True) -> list[StaffRef]:
    codes = split_list(check.values.get(column, ""))
    if not codes and required:
        check.fail(column, "required value is empty")
    found: list[StaffRef] = []
    seen: set[str] = set()
    for code in codes:
        person = by_code.get(code)
        if code in seen:
            check.fail(column, f"{shown(code)} is listed twice", code)
        elif person is None:
            check.fail(column, f"unknown {'worker' if role == Role.PEER_WORKER else 'supervisor'}: {shown(code)}", code)
        elif person.role != role:
            check.fail(column, f"{code} is a {person.role.replace('_', ' ')}, not a "
                               f"{role.replace('_', ' ')}", code)
        else:
            found.append(person)
        seen.add(code)
    return found


def read_person(check: RowChecker, column: str, by_code: dict[str, StaffRef], role: str, too_many: str
                ) -> StaffRef | None:
    """The one person a column names (read_people's checks), or None with `too_many` as the error for several."""
    people = read_people(check, column, by_code, role)
    if len(people) > 1:
        check.fail(column, too_many)
    return people[0] if len(people) == 1 else None


class KeyedRow(Protocol):
    """A checked file row with its natural key (the key rows are matched by)."""

    @property
    def row(self) -> int: ...

    @property
    def key(self) -> Hashable: ...


KeyedT = TypeVar("KeyedT", bound=KeyedRow)


def new_rows(plan: Plan, entity: str, rows: Sequence[KeyedT], recorded: Mapping[Any, Any],
             details: Callable[[KeyedT], Any], label: Callable[[KeyedT], str],
             duplicate: Callable[[KeyedT, int], RowError], conflict: Callable[[KeyedT, Any], RowError]
             ) -> list[KeyedT]:
    """Sort checked rows by natural key and return those to create, in file order. A key already on an earlier
    row is an error (`duplicate`, given that row); a recorded key is "unchanged" when its details are the
    file's and an error otherwise (`conflict`, given what is recorded); every other row is a "create"."""
    first: dict[Any, int] = {}
    to_insert: list[KeyedT] = []
    for item in rows:
        if item.key in first:
            plan.errors.append(duplicate(item, first[item.key]))
            continue
        first[item.key] = item.row
        if item.key in recorded:
            if recorded[item.key] == details(item):
                plan.add(Change(item.row, "unchanged", entity, label(item)))
            else:
                plan.errors.append(conflict(item, recorded[item.key]))
            continue
        to_insert.append(item)
        plan.add(Change(item.row, "create", entity, label(item)))
    return to_insert


def read_competencies(check: RowChecker, column: str, competencies: dict[str, int],
                    required: bool) -> list[int]:
    codes = split_list(check.values.get(column, ""))
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


def import_file(session: Session, kind: Kind, planner: Planner, data: bytes, *, file_name: str, actor: Actor,
                today: date, commit: bool = False, date_order: str = "iso") -> ImportReport:
    """Check a whole file of one kind and report what it would change; with commit=True and no errors, apply it.

    Everything happens in the caller's session (one transaction): the plan is made and applied on the
    same view of the database. A refused file or any row error writes nothing, not even an audit event.
    """
    if date_order not in DATE_ORDERS:
        raise ImportRefused(f"unknown date order {date_order!r}; choose one of {', '.join(DATE_ORDERS)}")
    kind_key = kind.key
    try:
        parsed = read_csv(data, kind)
    except ImportRefused as refused:
        return ImportReport(kind_key, file_name, 0, (RowError(refused.row, refused.column, "", str(refused)),),
                            1, (), {}, committed=False)
    plan = planner(session, parsed, today, date_order)
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

