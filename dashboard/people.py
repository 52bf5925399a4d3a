"""Certification stages (the agency's list: add, rename, order) and a peer worker's dated history: their stage, and
their team (a move from a date).

The People page, the `stages` import and the command line all go through these functions, so each rule is written
once. Every write is audited with old and new values in the caller's transaction and raises Rejected (nothing
written) with a message per field. An edit names what the editor saw (a stage's name and place, a worker's latest
stage entry); when the record changed since, the save is refused, as the session form refuses a stale session.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard import dates
from dashboard.audit import Actor, record
from dashboard.recording import MAX_ID, Problem, Rejected, after_leaving, before_hire, in_future
from dashboard.dates import show
from models import (CertificationStage, CredentialRequirement, StageAssignment, Staff, StandardRule, Team,
                    TeamMembership)
from models.vocabulary import Role

NAME_LIMIT = 80
STALE_STAGES = ("Someone else changed the list of stages after you opened this page. Nothing was saved: the list "
                "now shows their change; try again.")
STALE_WORKER = ("Someone else changed this worker's history after you opened it. Nothing was saved: it now shows "
                "their change; try again.")


@dataclass(frozen=True)
class StageRow:
    id: int
    code: str
    name: str
    sort_order: int
    workers_now: int  # peer workers holding it today


@dataclass(frozen=True)
class Span:
    """One entry of a worker's history: the stage (or team) held from start until end (None: still held)."""

    id: int
    value_id: int
    name: str
    start: date
    end: date | None


@dataclass(frozen=True)
class WorkerRef:
    id: int
    code: str | None
    full_name: str
    hire_date: date
    left_on: date | None


def changed_rows(session: Session, statement: Executable) -> int:
    """Rows an UPDATE or DELETE changed: a compare-and-set that matched none found the record changed since."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


# ---------------------------------------------------------------------------------------------------------------
# The agency's list of stages


def stage_rows(session: Session, today: date) -> list[StageRow]:
    held = (select(StageAssignment.stage_id, func.count().label("n"))
            .where(StageAssignment.start_date <= today,
                   (StageAssignment.end_date.is_(None)) | (StageAssignment.end_date > today))
            .group_by(StageAssignment.stage_id).subquery())
    rows = session.execute(select(CertificationStage.id, CertificationStage.code, CertificationStage.name,
                                  CertificationStage.sort_order, func.coalesce(held.c.n, 0))
                           .outerjoin(held, held.c.stage_id == CertificationStage.id)
                           .order_by(CertificationStage.sort_order, CertificationStage.name))
    return [StageRow(*row) for row in rows]


def _stage_name(raw: object, field: str) -> tuple[str | None, list[Problem]]:
    if not isinstance(raw, str) or not raw.strip():
        return None, [Problem(field, "Give the stage a name, e.g. “Initially certified”.")]
    name = " ".join(raw.split())
    if len(name) > NAME_LIMIT:
        return None, [Problem(field, f"The name is {len(name)} characters; keep it to {NAME_LIMIT}.")]
    return name, []


def _code_for(name: str) -> str:
    """The stage's code (exports' `stage=` parameter): its name in lower case with hyphens, e.g. in-training."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "stage"


def _name_taken(session: Session, name: str, other_than: int | None = None) -> bool:
    return bool(session.scalar(select(func.count()).select_from(CertificationStage).where(
        func.lower(CertificationStage.name) == name.lower(), CertificationStage.id != (other_than or 0))))


def add_stage(session: Session, actor: Actor, raw_name: object) -> int:
    """A new stage at the end of the list; returns its id. A standard has no rule for it until one is saved."""
    name, problems = _stage_name(raw_name, "name")
    if name is not None and _name_taken(session, name):
        problems.append(Problem("name", f"A stage called “{name}” is already on the list."))
    if name is None or problems:
        raise Rejected(problems)
    code = base = _code_for(name)
    taken = set(session.scalars(select(CertificationStage.code)))
    suffix = 2
    while code in taken:
        code, suffix = f"{base[:37]}-{suffix}", suffix + 1
    last = session.scalar(select(func.max(CertificationStage.sort_order))) or 0
    stage = CertificationStage(code=code, name=name, sort_order=last + 1)
    session.add(stage)
    session.flush()
    record(session, actor, "create", "certification_stage", stage.id, None,
           {"code": code, "name": name, "sort_order": stage.sort_order})
    return stage.id


def _seen_stage(session: Session, stage_id: object, seen: Sequence[tuple[int, str]]) -> CertificationStage:
    """The stage the editor chose, as long as the list is still the one they saw (ids and names, in order)."""
    if not isinstance(stage_id, int) or isinstance(stage_id, bool) or not 1 <= stage_id <= MAX_ID:
        raise Rejected([Problem("stage", "Choose a stage on the list.")])
    stage = session.get(CertificationStage, stage_id)
    if stage is None:
        raise Rejected([Problem("stage", "That stage is not on the list.")])
    current = [tuple(row) for row in session.execute(select(CertificationStage.id, CertificationStage.name)
                                                     .order_by(CertificationStage.sort_order, CertificationStage.name))]
    shown = ([tuple(item) for item in seen if isinstance(item, list | tuple) and len(item) == 2]
             if isinstance(seen, list | tuple) else None)
    if shown is None or current != shown:
        raise Rejected([Problem("stage", STALE_STAGES)])
    return stage


def rename_stage(session: Session, actor: Actor, stage_id: object, raw_name: object,
                 seen: Sequence[tuple[int, str]]) -> None:
    """Rename a stage (its code, used in saved export addresses, stays)."""
    stage = _seen_stage(session, stage_id, seen)
    name, problems = _stage_name(raw_name, "rename")
    if name is not None and _name_taken(session, name, other_than=stage.id):
        problems.append(Problem("rename", f"A stage called “{name}” is already on the list."))
    if name is None or problems:
        raise Rejected(problems)
    if name == stage.name:
        raise Rejected([Problem("rename", f"The stage is already called “{name}”.")])
    old = stage.name
    # Compare-and-set: a rename committed between our read and this write matches no row.
    if changed_rows(session, update(CertificationStage).where(CertificationStage.id == stage.id,
                                                        CertificationStage.name == old)
                       .values(name=name)) != 1:
        raise Rejected([Problem("stage", STALE_STAGES)])
    session.expire(stage)
    record(session, actor, "update", "certification_stage", stage.id, {"name": old}, {"name": name})


def move_stage(session: Session, actor: Actor, stage_id: object, step: int,
               seen: Sequence[tuple[int, str]]) -> None:
    """Move a stage one place up (step -1) or down (+1) the list; the list's order is the order shown everywhere."""
    stage = _seen_stage(session, stage_id, seen)
    ordered = list(session.scalars(select(CertificationStage).order_by(CertificationStage.sort_order,
                                                                       CertificationStage.name)))
    index = ordered.index(stage)
    if step not in (-1, 1) or not 0 <= index + step < len(ordered):
        raise Rejected([Problem("stage", f"“{stage.name}” is already {'first' if step < 0 else 'last'}.")])
    old = {s.id: s.sort_order for s in ordered}
    ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
    changed = {}
    for position, item in enumerate(ordered, start=1):
        if old[item.id] != position:
            if changed_rows(session, update(CertificationStage).where(CertificationStage.id == item.id,
                                                                CertificationStage.sort_order == old[item.id])
                               .values(sort_order=position)) != 1:
                raise Rejected([Problem("stage", STALE_STAGES)])
            changed[item.id] = position
    session.expire_all()
    record(session, actor, "update", "certification_stages", None,
           {"order": [s for s, _ in sorted(old.items(), key=lambda kv: kv[1])]},
           {"order": [s.id for s in ordered]})


def delete_stage(session: Session, actor: Actor, stage_id: object, seen: Sequence[tuple[int, str]]) -> str:
    """Delete a stage no one has ever held and nothing names: no stage entry (past or present), no rule of any
    standard version, no credential requirement. Returns the deleted stage's name; the rest of the list keeps its
    order."""
    stage = _seen_stage(session, stage_id, seen)
    held = session.scalar(select(func.count()).select_from(StageAssignment)
                          .where(StageAssignment.stage_id == stage.id)) or 0
    rules = session.scalar(select(func.count()).select_from(StandardRule).where(StandardRule.stage_id == stage.id)) or 0
    requirements = [name for name, codes in session.execute(select(CredentialRequirement.name,
                                                                   CredentialRequirement.stage_codes))
                    if isinstance(codes, list) and stage.code in codes]
    problems: list[Problem] = []
    if held:
        problems.append(Problem("stage", f"“{stage.name}” cannot be deleted: {held} stage "
                                         f"entr{'ies name' if held != 1 else 'y names'} it in workers' histories "
                                         "(past entries included). Rename it instead."))
    if rules:
        problems.append(Problem("stage", f"“{stage.name}” cannot be deleted: {rules} version"
                                         f"{'s' if rules != 1 else ''} of the supervision standard "
                                         f"{'have' if rules != 1 else 'has'} a rule for it."))
    if requirements:
        problems.append(Problem("stage", f"“{stage.name}” cannot be deleted: the credential requirement"
                                         f"{'s' if len(requirements) != 1 else ''} {', '.join(requirements)} "
                                         f"appl{'y' if len(requirements) != 1 else 'ies'} to it."))
    if problems:
        raise Rejected(problems)
    deleted_id = stage.id
    old: dict[str, Any] = {"code": stage.code, "name": stage.name, "sort_order": stage.sort_order}
    try:
        # A stage entry or rule written since the checks above makes the foreign key refuse the delete (the
        # caller's transaction is then rolled back whole, as for any refusal).
        deleted = changed_rows(session, delete(CertificationStage).where(CertificationStage.id == stage.id,
                                                                        CertificationStage.name == old["name"]))
    except IntegrityError:
        raise Rejected([Problem("stage", STALE_STAGES)]) from None
    if deleted != 1:
        raise Rejected([Problem("stage", STALE_STAGES)])
    session.expunge(stage)
    record(session, actor, "delete", "certification_stage", deleted_id, old, None)
    return str(old["name"])


# ---------------------------------------------------------------------------------------------------------------
# A worker's stage history


def peer_workers(session: Session) -> list[WorkerRef]:
    return [WorkerRef(*row) for row in session.execute(
        select(Staff.id, Staff.employee_code, Staff.full_name, Staff.hire_date, Staff.left_on)
        .where(Staff.role == Role.PEER_WORKER).order_by(Staff.full_name, Staff.id))]


def without_stage(session: Session, today: date) -> list[WorkerRef]:
    """Peer workers on staff today who hold no stage today: the compliance view cannot judge them."""
    holding = select(StageAssignment.staff_id).where(
        StageAssignment.start_date <= today,
        (StageAssignment.end_date.is_(None)) | (StageAssignment.end_date > today))
    return [WorkerRef(*row) for row in session.execute(
        select(Staff.id, Staff.employee_code, Staff.full_name, Staff.hire_date, Staff.left_on)
        .where(Staff.role == Role.PEER_WORKER, Staff.hire_date <= today,
               (Staff.left_on.is_(None)) | (Staff.left_on > today), Staff.id.not_in(holding))
        .order_by(Staff.full_name, Staff.id))]


@dataclass(frozen=True)
class DatedHistory:
    """One kind of a peer worker's dated history: what each entry holds, and how it is audited."""

    model: Any  # StageAssignment or TeamMembership: staff_id, <column>, start_date, end_date
    column: str
    named_by: Any  # the table the column points at, for the entry's name
    entity: str  # the audit event's entity
    what: str  # in messages: "stage", "team"


STAGES = DatedHistory(StageAssignment, "stage_id", CertificationStage, "stage_assignment", "stage")
TEAMS = DatedHistory(TeamMembership, "team_id", Team, "team_membership", "team")


def history(session: Session, staff_id: int, kind: DatedHistory = STAGES) -> list[Span]:
    """The worker's entries of one kind (stages by default), earliest first."""
    return histories(session, [staff_id], kind).get(staff_id, [])


def histories(session: Session, staff_ids: Sequence[int], kind: DatedHistory = STAGES) -> dict[int, list[Span]]:
    """Several workers' entries in one query per 5,000 workers (an import's), each earliest first."""
    model, value = kind.model, getattr(kind.model, kind.column)
    found: dict[int, list[Span]] = {}
    ids = sorted(set(staff_ids))
    for first in range(0, len(ids), 5000):
        for staff_id, *row in session.execute(
                select(model.staff_id, model.id, value, kind.named_by.name, model.start_date, model.end_date)
                .join(kind.named_by, kind.named_by.id == value)
                .where(model.staff_id.in_(ids[first:first + 5000])).order_by(model.staff_id, model.start_date)):
            found.setdefault(staff_id, []).append(Span(*row))
    return found


def change_problems(worker: WorkerRef, spans: Sequence[Span], value_id: int, start: date, today: date,
                    kind: DatedHistory = STAGES) -> tuple[str, list[Problem]]:
    """What recording `value_id` (a stage, a team) from `start` does to the worker's history (the forms and the
    stages import ask): "unchanged" (already recorded), "correct" (the latest entry starts that day with another
    value), "append" (a change after the latest entry), or problems. Earlier history is never rewritten here:
    remove the later entries first."""
    problems = []
    if in_future(start, today):
        problems.append(Problem("from_date", f"The date is in the future (today is {show(today)}); record a "
                                             f"{kind.what} from the day it took effect."))
    if before_hire(start, worker.hire_date):
        problems.append(Problem("from_date", f"The date is before the hire date ({show(worker.hire_date)}); "
                                             f"a {kind.what} held when hired starts on the hire date."))
    if after_leaving(start, worker.left_on):
        problems.append(Problem("from_date", f"The date is on or after the day the worker left "
                                             f"({show(worker.left_on)})."))
    if problems:
        return "", problems
    same_day = next((s for s in spans if s.start == start), None)
    latest = spans[-1] if spans else None
    if same_day is not None and same_day.value_id == value_id:
        return "unchanged", []
    if same_day is not None and same_day is latest:
        return "correct", []
    if same_day is not None or (latest is not None and start < latest.start):
        assert latest is not None
        return "", [Problem("from_date", f"The worker's latest {kind.what} entry starts on {show(latest.start)}; "
                                         "earlier history is not rewritten. Remove the later entries first.")]
    if latest is not None and latest.value_id == value_id and latest.end is None:
        return "unchanged", []
    return "append", []


def apply_change(session: Session, actor: Actor, staff_id: int, spans: Sequence[Span], value_id: int,
                 start: date, action: str, kind: DatedHistory = STAGES) -> list[Span]:
    """Write what change_problems decided: correct the latest entry, or end the latest entry on `start` and open
    a new one; returns the history as it now is (an import applies a worker's next row to it without re-reading).
    Compare-and-set on the latest entry, so a concurrent change is refused."""
    model, column = kind.model, getattr(kind.model, kind.column)
    latest = spans[-1] if spans else None
    if action == "correct":
        assert latest is not None
        if changed_rows(session, update(model).where(model.id == latest.id, column == latest.value_id)
                           .values({kind.column: value_id})) != 1:
            raise Rejected([Problem("worker", STALE_WORKER)])
        record(session, actor, "update", kind.entity, latest.id, {kind.column: latest.value_id},
               {kind.column: value_id})
        return [*spans[:-1], Span(latest.id, value_id, latest.name, latest.start, latest.end)]
    if latest is not None and (latest.end is None or latest.end > start):
        ended = model.end_date.is_(None) if latest.end is None else model.end_date == latest.end
        if changed_rows(session, update(model).where(model.id == latest.id, ended)
                           .values(end_date=start)) != 1:
            raise Rejected([Problem("worker", STALE_WORKER)])
        record(session, actor, "update", kind.entity, latest.id, {"end_date": latest.end}, {"end_date": start})
    created = model(staff_id=staff_id, start_date=start, **{kind.column: value_id})
    session.add(created)
    session.flush()
    record(session, actor, "create", kind.entity, created.id, None,
           {"staff_id": staff_id, kind.column: value_id, "start_date": start})
    ended = ([Span(latest.id, latest.value_id, latest.name, latest.start, start)]
             if latest is not None and (latest.end is None or latest.end > start) else list(spans[-1:]))
    return [*spans[:-1], *ended, Span(created.id, value_id, "", start, None)]


def _worker(session: Session, staff_id: object) -> WorkerRef:
    row = None
    if isinstance(staff_id, int) and not isinstance(staff_id, bool) and 1 <= staff_id <= MAX_ID:
        row = session.execute(select(Staff.id, Staff.employee_code, Staff.full_name, Staff.hire_date,
                                     Staff.left_on).where(Staff.id == staff_id,
                                                          Staff.role == Role.PEER_WORKER)).one_or_none()
    if row is None:
        raise Rejected([Problem("worker", "Choose a peer worker on the list.")])
    return WorkerRef(*row)


def _check_seen(spans: Sequence[Span], expected_latest: object) -> None:
    """The editor names the latest entry they saw (0: none); any other state is a concurrent change."""
    latest_id = spans[-1].id if spans else 0
    if expected_latest != latest_id or isinstance(expected_latest, bool):
        raise Rejected([Problem("worker", STALE_WORKER)])


def record_change(session: Session, actor: Actor, staff_id: object, value_id: object, raw_start: object,
                  expected_latest: object, today: date, kind: DatedHistory = STAGES) -> str:
    """The People page's "Record stage" (and "Move to team", kind TEAMS): the worker holds the stage (is on the
    team) from the date on; returns what was done ("append" or "correct"). Rejected, nothing written, when
    anything is wrong or already recorded. An archived team takes no one."""
    worker = _worker(session, staff_id)
    problems = []
    value = (session.get(kind.named_by, value_id)
             if isinstance(value_id, int) and not isinstance(value_id, bool) and 1 <= value_id <= MAX_ID else None)
    if value is None or getattr(value, "archived_on", None) is not None:
        problems.append(Problem(kind.what, f"Choose a {kind.what} on the list."))
    start = None
    if isinstance(raw_start, str) and raw_start.strip():
        try:
            start = dates.parse(raw_start)
        except ValueError:
            pass
    if start is None:
        problems.append(Problem("from_date", f"Give the date the {kind.what} took effect: "
                                             f"{dates.asked_for(mid_sentence=True)}"))
    if problems or value is None or start is None:
        raise Rejected(problems)
    spans = history(session, worker.id, kind)
    _check_seen(spans, expected_latest)
    action, problems = change_problems(worker, spans, value.id, start, today, kind)
    if problems:
        raise Rejected(problems)
    if action == "unchanged":
        raise Rejected([Problem(kind.what, f"{worker.full_name} already has {value.name} on {show(start)}.")])
    apply_change(session, actor, worker.id, spans, value.id, start, action, kind)
    return action


def record_stage(session: Session, actor: Actor, staff_id: object, stage_id: object, raw_start: object,
                 expected_latest: object, today: date) -> str:
    return record_change(session, actor, staff_id, stage_id, raw_start, expected_latest, today, STAGES)


def remove_latest(session: Session, actor: Actor, staff_id: object, expected_latest: object,
                  kind: DatedHistory = STAGES) -> None:
    """Take back the worker's latest entry (recorded by mistake); the entry before it holds again."""
    worker = _worker(session, staff_id)
    spans = history(session, worker.id, kind)
    _check_seen(spans, expected_latest)
    if not spans:
        raise Rejected([Problem("worker", f"{worker.full_name} has no {kind.what} recorded.")])
    latest = spans[-1]
    if changed_rows(session, kind.model.__table__.delete().where(kind.model.id == latest.id)) != 1:
        raise Rejected([Problem("worker", STALE_WORKER)])
    record(session, actor, "delete", kind.entity, latest.id,
           {"staff_id": worker.id, kind.column: latest.value_id, "start_date": latest.start,
            "end_date": latest.end}, None)
    if len(spans) > 1 and spans[-2].end == latest.start:
        # The entry before runs on as long as the removed one did (to the day it ended, or on).
        previous = spans[-2]
        session.execute(update(kind.model).where(kind.model.id == previous.id).values(end_date=latest.end))
        record(session, actor, "update", kind.entity, previous.id, {"end_date": previous.end},
               {"end_date": latest.end})


def remove_latest_stage(session: Session, actor: Actor, staff_id: object, expected_latest: object) -> None:
    remove_latest(session, actor, staff_id, expected_latest, STAGES)
