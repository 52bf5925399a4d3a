"""Import of team moves: matched by employee code and start date."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.importers.plan import Change, Plan, RowChecker, StaffRef, staff_by_code, teams_by_name
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError, shown
from dashboard.recording import after_leaving, before_hire
from dashboard.dates import show
from models import Team, TeamMembership, TeamSupervisor
from models.vocabulary import Role

KIND = Kind("moves", "Team moves", (
    Column("employee_code", True, "The worker's (or supervisor's) employee code.", "E1042"),
    Column("program", True, "Program of the new team.", "Community Recovery"),
    Column("team", True, "The team joined on the start date.", "Eastside Outreach"),
    Column("start_date", True, "First day on the team, YYYY-MM-DD; not in the future.", "2025-06-02"),
), "A peer worker joins the team on the start date and leaves their previous team that day. "
   "A supervisor's row adds a team they supervise from that date.")


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
    teams = teams_by_name(session)
    team_names = {tid: name for tid, name in session.execute(select(Team.id, Team.name))}
    archived = set(session.scalars(select(Team.id).where(Team.archived_on.is_not(None))))
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
        elif team_id in archived:
            check.fail("team", "the team is archived; restore it on the People page first")
        if staff and start:
            if before_hire(start, staff.hire_date):
                check.fail("start_date", f"before the hire date ({show(staff.hire_date)})")
            elif after_leaving(start, staff.left_on):
                check.fail("start_date", f"on or after the day the person left ({show(staff.left_on)})")
            check.once(first_row, (staff.code, start), "start_date", "a move for this person on this date")
        if plan.rejects(check):
            continue
        assert staff and team_id and start
        checked.append((row, staff, team_id, start))

    worker_ids = {s.id for _r, s, _t, _d in checked if s.role == Role.PEER_WORKER}
    supervisor_ids = {s.id for _r, s, _t, _d in checked if s.role == Role.SUPERVISOR}
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
        label = f"{staff.code} {staff.full_name} → {team_names.get(team_id, team_id)} from {show(start)}"
        if staff.role == Role.SUPERVISOR:
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
                                        f"recorded team change ({show(previous[0])}); earlier history is "
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

