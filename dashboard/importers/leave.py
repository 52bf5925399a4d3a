"""Import of leave of absence: matched by employee code and first day away."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.importers.plan import Change, Plan, RowChecker, StaffRef, create_and_update, staff_by_code
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from dashboard.recording import leave_problems
from dashboard.dates import show
from models import Leave
from models.vocabulary import Role

KIND = Kind("leave", "Leave of absence", (
    Column("employee_code", True, "The peer worker's employee code.", "E1042"),
    Column("start_date", True, "First day away, YYYY-MM-DD (up to a year ahead).", "2025-11-03"),
    Column("end_date", False, "The day back, YYYY-MM-DD; blank while not known.", "2025-12-01"),
), "A leave is matched by person and first day away; a known one gets the day back from the file. Days "
   "away are left out of supervision gaps and monthly minimums. No reason is recorded.")


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
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
        elif staff is not None and staff.role != Role.PEER_WORKER:
            check.fail("employee_code", f"{code} is a {staff.role}; leave is recorded for peer workers")
        if staff and start:
            check.once(first_row, (staff.code, start), "start_date", "a leave from this date for this person")
        if plan.rejects(check):
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
        until = f"back on {show(back_on)}" if back_on else "return not known"
        label = f"{staff.code} {staff.full_name}: away from {show(start)}, {until}"
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
        create_and_update(s, actor, Leave, "leave", creates, updates)

    plan.apply = apply
    return plan

