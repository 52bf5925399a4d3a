"""Import of competency ratings: matched by worker, competency, rater role, rater and date."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from dashboard.audit import Actor
from dashboard.bulk import allocate_ids, bulk_insert
from dashboard.importers.plan import (Calendar, Plan, RowChecker, StaffRef, active_framework_competencies,
                                      active_scale_levels, chunks, new_rows, read_competencies, read_person,
                                      record_created, staff_by_code)
from dashboard.importers.reading import Column, Kind, ParsedFile, RowError
from dashboard.recording import NOTE_LIMIT, after_leaving, before_hire, level_on_scale
from dashboard.dates import show
from models import RATER_ROLES, CompetencyRating, CurrentRating, utcnow
from models.vocabulary import RaterRole, Role

KIND = Kind("ratings", "Competency ratings", (
    Column("rated_on", True, "Date of the rating, YYYY-MM-DD; not in the future.", "2025-10-06"),
    Column("worker_code", True, "Employee code of the peer worker rated.", "E1042"),
    Column("competency", True, "Competency code in the active framework.", "VIII.3"),
    Column("level", True, "A level on the agency's rating scale.", "3"),
    Column("rater_role", False, "supervisor (default) or self.", "supervisor"),
    Column("rater_code", False, "Supervisor's employee code; blank for a self-rating.", "E0007"),
    Column("note", False, "Free text.", ""),
), "A rating is matched by worker, competency, rater and date; all history is kept.")


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


# The rating row rules: as the form's (dashboard/recording.py, check_ratings), with the hire and leaving dates
# and the scale decided by recording.py's before_hire, after_leaving and level_on_scale; see sessions.py.
def check_rating_facts(check: RowChecker, rated_on: date | None, worker: StaffRef | None,
                       rater_role: str | None, rater: StaffRef | None, calendar: Calendar) -> None:
    if worker and rated_on:
        if before_hire(rated_on, worker.hire_date):
            check.fail("rated_on", f"before the worker's hire date ({show(worker.hire_date)})")
        elif after_leaving(rated_on, worker.left_on):
            check.fail("rated_on", f"{worker.code} had left ({show(worker.left_on)}); a worker is not rated "
                                   "after leaving")
        elif rater_role == RaterRole.SUPERVISOR and rater and after_leaving(rated_on, rater.left_on):
            check.fail("rater_code", f"{rater.code} had left ({show(rater.left_on)})")
        elif rater_role == RaterRole.SUPERVISOR and rater and \
                not calendar.team_of(worker.id, rated_on) & calendar.teams_supervised(rater.id, rated_on):
            check.fail("rater_code", f"{rater.code} did not supervise {worker.code}'s team on that date")


def make_plan(session: Session, parsed: ParsedFile, today: date, date_order: str) -> Plan:
    plan = Plan(KIND, len(parsed.rows), list(parsed.errors))
    by_code = staff_by_code(session)
    competencies = active_framework_competencies(session)
    scale_id, levels = active_scale_levels(session)
    low, high = (min(levels), max(levels)) if levels else (1, 0)
    staged: list[tuple[RowChecker, date | None, StaffRef | None, str | None, StaffRef | None, dict[str, Any]]] = []
    for row, values in parsed.rows:
        check = RowChecker(row, values, today, date_order)
        rated_on = check.date("rated_on")
        worker = read_person(check, "worker_code", by_code, Role.PEER_WORKER, "one worker per rating")
        competency = read_competencies(check, "competency", competencies, required=True)
        if len(competency) > 1:
            check.fail("competency", "one competency per row")
        level = check.whole_number("level", low, high, "level on the agency's scale")
        if level is not None and not level_on_scale(level, levels):
            check.fail("level", "not a level on the agency's scale")
        rater_role = check.choice("rater_role", RATER_ROLES, default=RaterRole.SUPERVISOR)
        rater: StaffRef | None = None
        if rater_role == RaterRole.SELF:
            if values.get("rater_code") and worker and values["rater_code"] != worker.code:
                check.fail("rater_code", "a self-rating is by the worker: leave it blank or use the worker's code")
            rater = worker
        elif rater_role == RaterRole.SUPERVISOR:
            rater = read_person(check, "rater_code", by_code, Role.SUPERVISOR, "one rater per rating")
        note = check.text("note", required=False, max_length=NOTE_LIMIT)
        staged.append((check, rated_on, worker, rater_role, rater,
                       {"competency": competency[0] if len(competency) == 1 else None, "level": level,
                        "note": note}))
    calendar = Calendar.load(session, {s[4].id for s in staged if s[3] == RaterRole.SUPERVISOR and s[4]},
                             {s[2].id for s in staged if s[2]})
    checked: list[RatingRow] = []
    for check, rated_on, worker, rater_role, rater, fields in staged:
        check_rating_facts(check, rated_on, worker, rater_role, rater, calendar)
        if plan.rejects(check):
            continue
        assert rated_on and worker and rater_role and rater and fields["competency"] and fields["level"]
        checked.append(RatingRow(check.row, rated_on, worker.id, fields["competency"], fields["level"], rater_role,
                                 rater.id, fields["note"]))
    existing = _recorded_ratings(session, checked)
    names = {ref.id: ref.code for ref in by_code.values()}
    codes = {cid: code for code, cid in competencies.items()}
    to_insert = new_rows(
        plan, "rating", checked, existing, details=lambda item: item.level,
        label=lambda item: f"{show(item.rated_on)} {names[item.worker_id]} {codes[item.competency_id]} = "
                           f"{item.level} ({item.rater_role})",
        duplicate=lambda item, earlier: RowError(
            item.row, "competency", codes[item.competency_id],
            f"duplicate row: the same worker, competency, rater and date are on row {earlier}"),
        conflict=lambda item, level: RowError(
            item.row, "level", str(item.level), f"a different level ({level}) is recorded for this worker, "
            "competency, rater and date; record a new rating in the app"))

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
    for chunk in chunks(sorted({r.worker_id for r in rows})):
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
    for chunk in chunks(sorted({k[0] for k in newest})):
        for w, c, role, on, rid in session.execute(
                select(current.c.worker_id, current.c.competency_id, current.c.rater_role, current.c.rated_on,
                       current.c.rating_id).where(current.c.worker_id.in_(chunk))):
            recorded[(w, c, role)] = (on, rid)
    replace = {k: v for k, v in newest.items() if k not in recorded or v[:2] > recorded[k]}
    if not replace:
        return
    connection = session.connection()
    stale = [k for k in replace if k in recorded]
    for chunk in chunks(stale, 1000):
        connection.execute(delete(current).where(
            tuple_(current.c.worker_id, current.c.competency_id, current.c.rater_role).in_(chunk)))
    connection.execute(insert(current), [
        {"worker_id": w, "competency_id": c, "rater_role": role, "rating_id": rid, "level": level, "rated_on": on}
        for (w, c, role), (on, rid, level) in replace.items()])

