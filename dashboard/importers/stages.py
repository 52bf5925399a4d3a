"""Import of certification stages: a worker's stage from a date, matched by employee code and from date."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.bulk import allocate_ids
from dashboard.importers.plan import Change, Plan, RowChecker, StaffRef, staff_by_code
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from dashboard.people import STALE_WORKER, Span, WorkerRef, change_problems, changed_rows, histories
from dashboard.recording import Problem, Rejected
from dashboard.dates import show
from models import CertificationStage, StageAssignment
from models.vocabulary import Role

KIND = Kind("stages", "Certification stages", (
    Column("employee_code", True, "The peer worker's employee code.", "E1042"),
    Column("stage", True, "A stage on the People page's list, by name or code.", "Initially certified"),
    Column("from_date", True, "The day the stage took effect, YYYY-MM-DD; not before the hire date, not in the "
           "future.", "2025-06-02"),
), "The worker holds the stage from the date until their next stage. A worker's rows apply in date order after "
   "their recorded history; a row already recorded changes nothing. Stages decide which rule of the standard "
   "judges the worker.")


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
    stages: dict[str, tuple[int, str]] = {}
    for sid, stage_code, stage_name in session.execute(select(CertificationStage.id, CertificationStage.code,
                                                              CertificationStage.name)):
        stages[stage_code.lower()] = stages[stage_name.lower()] = (sid, stage_name)
    checked: list[tuple[int, StaffRef, int, str, date]] = []
    first_row: dict[tuple[str | None, date], int] = {}
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        code = check.text("employee_code", max_length=40)
        stage_text = check.text("stage", max_length=80)
        start = check.date("from_date", past_only=False)
        staff = by_code.get(code) if code else None
        if code and staff is None:
            check.fail("employee_code", "unknown employee code (import staff first)")
        elif staff is not None and staff.role != Role.PEER_WORKER:
            check.fail("employee_code", f"{code} is a {staff.role.replace('_', ' ')}; stages are recorded for "
                                        "peer workers")
        stage = stages.get(" ".join(stage_text.split()).lower()) if stage_text else None
        if stage_text and stage is None:
            check.fail("stage", "not a stage on the list (People page): "
                                + ", ".join(sorted({name for _i, name in stages.values()})))
        if staff and start:
            check.once(first_row, (staff.code, start), "from_date", "a stage from this date for this person")
        if check.errors:
            plan.errors.extend(check.errors)
            continue
        assert staff and stage and start
        checked.append((row, staff, stage[0], stage[1], start))

    # Each worker's rows apply in date order, each against the history the earlier ones leave.
    spans: dict[int, list[Span]] = defaultdict(list, histories(session, [s.id for _r, s, _i, _n, _d in checked]))
    operations: list[tuple[int, int, date, str]] = []
    for row, staff, stage_id, stage_name, start in sorted(checked, key=lambda c: (c[1].id, c[4])):
        worker = WorkerRef(staff.id, staff.code, staff.full_name, staff.hire_date, staff.left_on)
        action, problems = change_problems(worker, spans[staff.id], stage_id, start, today)
        label = f"{staff.code} {staff.full_name}: {stage_name} from {show(start)}"
        if problems:
            plan.errors.extend(RowError(row, "from_date", start.isoformat(), p.message) for p in problems)
            continue
        if action == "unchanged":
            plan.add(Change(row, "unchanged", "stage", label))
            continue
        if action == "correct":
            plan.errors.append(RowError(row, "stage", stage_name, "a different stage is recorded for this person "
                                        "from this date; correct it on the People page"))
            continue
        operations.append((staff.id, stage_id, start, action))
        # What the history looks like after this row: the latest entry ends, a new one opens (id 0: not yet saved).
        before = spans[staff.id]
        if before and (before[-1].end is None or before[-1].end > start):
            before[-1] = Span(before[-1].id, before[-1].value_id, before[-1].name, before[-1].start, start)
        before.append(Span(0, stage_id, stage_name, start, None))
        plan.add(Change(row, "create", "stage", label))

    def apply(s: Session, actor: Actor) -> None:
        """The page's apply_change, in bulk: ids taken up front and one flush at the end, so that 40,000 rows do
        not cost 40,000 round trips. Each recorded entry a row ends is compared and set (refused if it changed)."""
        now = histories(s, [staff_id for staff_id, _i, _d, _a in operations])
        new_ids = iter(allocate_ids(s, StageAssignment.__table__, len(operations)))
        created: dict[int, StageAssignment] = {}
        for staff_id, stage_id, start, _action in operations:  # each worker's rows in date order, all appends
            spans = now.get(staff_id, [])
            latest = spans[-1] if spans else None
            if latest is not None and (latest.end is None or latest.end > start):
                if latest.id in created:
                    created[latest.id].end_date = start
                else:
                    ended = (StageAssignment.end_date.is_(None) if latest.end is None
                             else StageAssignment.end_date == latest.end)
                    if changed_rows(s, update(StageAssignment).where(StageAssignment.id == latest.id, ended)
                                    .values(end_date=start)) != 1:
                        raise Rejected([Problem("worker", STALE_WORKER)])
                record(s, actor, "update", "stage_assignment", latest.id, {"end_date": latest.end},
                       {"end_date": start})
                spans = [*spans[:-1], Span(latest.id, latest.value_id, latest.name, latest.start, start)]
            new_id = next(new_ids)
            created[new_id] = StageAssignment(id=new_id, staff_id=staff_id, stage_id=stage_id, start_date=start)
            record(s, actor, "create", "stage_assignment", new_id, None,
                   {"staff_id": staff_id, "stage_id": stage_id, "start_date": start})
            now[staff_id] = [*spans, Span(new_id, stage_id, "", start, None)]
        s.add_all(created.values())
        s.flush()

    plan.apply = apply
    return plan
