"""Import of staff: matched by employee code (an uncoded staff record with the same name, role and hire date is
adopted)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.importers.plan import Change, Plan, RowChecker, create_and_update, staff_by_code
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from models import STAFF_ROLES, Staff

KIND = Kind("staff", "Staff", (
    Column("employee_code", True, "The agency's employee number; the key rows are matched by.", "E1042"),
    Column("full_name", True, "As shown in the app.", "Pat Peer"),
    Column("role", True, "peer_worker or supervisor.", "peer_worker"),
    Column("hire_date", True, "YYYY-MM-DD.", "2024-03-01"),
    Column("fte", False, "Above 0, at most 1; default 1.", "0.8"),
    Column("left_on", False, "The day the person left (no longer on staff from that day); not before the "
           "hire date.", ""),
    Column("peer_credential", False, "Supervisors: yes if they hold a peer credential.", "no"),
), "New codes are added; known codes update the name, FTE, leaving date and credential. A record "
   "without a code and with the same name, role and hire date is given the code.")


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


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
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
        role = check.choice("role", STAFF_ROLES)
        hired = check.date("hire_date", past_only=False)
        fte = _fte(check)
        left_on = check.date("left_on", required=False, past_only=False)
        credential = _yes_no(check, "peer_credential")
        if hired and left_on and left_on < hired:
            check.fail("left_on", "leaving date is before the hire date")
        if code is not None and code in first_row:
            check.fail("employee_code", f"duplicate row: this code is on row {first_row[code]}")
        if plan.rejects(check):
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
        create_and_update(s, actor, Staff, "staff", creates, updates)

    plan.apply = apply
    return plan

