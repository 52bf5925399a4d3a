"""Kept month judgements: a by-month judgement read from month_judgements equals each month judged on its own, and
every write the judgement reads (through the database's triggers, not the app) makes the kept rows stale.

The agency is test_compliance's (first quarter of 2026, every month whole); the oracle for a month is
standard_status over that month as the window, which never reads month_judgements.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from dashboard.db import Database, one_snapshot
from dashboard.queries.common import TeamFilter, Window
from dashboard.queries.supervision import (GapViolation, MonthShortfall, iter_standard_status, month_periods,
                                          standard_status)
from dashboard.scope import Scope
from models import (EVERYONE, CertificationStage, JudgementVersion, Leave, MonthJudgement, SessionAttendee,
                    StageAssignment, Staff, StandardRule, SupervisionSession, SupervisionStandard)
from tests.builders import Agency
from tests.databases import TemplateFactory
from tests.unit.test_compliance import Q1, agency  # noqa: F401  (the fixture)

EVERYONE_SCOPE = Scope.agency()


def judged_by_month(s: Session, window: Window = Q1) -> list[tuple[object, ...]]:
    return [(ws.worker_name, ws.period_start, ws.team_name, ws.stage_code, ws.meets, ws.individual_sessions,
             ws.minutes, ws.required_minutes, ws.required_individual_sessions, ws.longest_gap_days, ws.reasons,
             ws.leave_days) for ws in iter_standard_status(s, EVERYONE_SCOPE, window, TeamFilter(), by_month=True)]


def judged_month_by_month(s: Session, window: Window = Q1) -> list[tuple[object, ...]]:
    """The oracle: each calendar month judged as a window of its own (no month_judgements involved)."""
    rows = []
    for month in month_periods(window):
        rows += [(ws.worker_name, month.start, ws.team_name, ws.stage_code, ws.meets, ws.individual_sessions,
                  ws.minutes, ws.required_minutes, ws.required_individual_sessions, ws.longest_gap_days,
                  ws.reasons, ws.leave_days)
                 for ws in standard_status(s, EVERYONE_SCOPE, month, TeamFilter(), kept=False)]
    # iter_standard_status's order: team name, worker name, then month
    order = {(r[2], r[0], r[1]): r for r in rows}
    return [order[key] for key in sorted(order)]


@contextmanager
def reading(db: Database, snapshot: bool = True) -> Iterator[Session]:
    """A transaction as the exports read: one snapshot (on PostgreSQL, repeatable read; read committed otherwise,
    where the months the window cuts are judged with the rest, not each on its own)."""
    with db.session() as s:
        if snapshot:
            one_snapshot(s)
        yield s


def worker(s: Session, name: str) -> Staff:
    return s.scalars(select(Staff).where(Staff.full_name == name)).one()


def version(s: Session, worker_id: int) -> int:
    return s.scalar(select(JudgementVersion.version).where(JudgementVersion.worker_id == worker_id)) or 0


def fay_march(s: Session) -> tuple[object, ...]:
    return next(r for r in judged_by_month(s) if r[0] == "Fay" and r[1] == date(2026, 3, 1))


@pytest.mark.parametrize("snapshot", [True, False], ids=["one snapshot", "read committed"])
def test_months_read_back_from_month_judgements_equal_each_month_judged_alone(reference_db: Database,
                                                                              agency: dict[str, int],
                                                                              snapshot: bool) -> None:
    with reading(reference_db, snapshot) as s:
        first = judged_by_month(s)  # judges and keeps the three months of every worker
    with reading(reference_db, snapshot) as s:
        second = judged_by_month(s)  # read back
        kept = s.scalar(select(func.count()).select_from(MonthJudgement).where(MonthJudgement.kind == 0))
        oracle = judged_month_by_month(s)
    # Ann, Bea (from Feb), Cy, Dee, Eve, Fay: 3 months each but Bea's 2; Gus left 14 Feb: 2.
    assert kept == 5 * 3 + 2 + 2
    assert first == second == oracle
    # Cy's team is read at each month's end, never kept: Team A in January, Team B after his move on 15 Feb.
    assert [(r[1].month, r[2]) for r in second if r[0] == "Cy"] == [(1, "Team A"), (2, "Team B"), (3, "Team B")]


@pytest.mark.parametrize("snapshot", [True, False], ids=["one snapshot", "read committed"])
def test_months_the_window_cuts_are_judged_each_time_and_never_kept(reference_db: Database, agency: dict[str, int],
                                                                     snapshot: bool) -> None:
    cut = Window(date(2026, 1, 15), date(2026, 3, 20))  # January and March cut, February whole
    with reading(reference_db, snapshot) as s:
        first = judged_by_month(s, cut)
    with reading(reference_db, snapshot) as s:
        second = judged_by_month(s, cut)
        kept_months = set(s.scalars(select(MonthJudgement.month).distinct()))
        oracle = judged_month_by_month(s, cut)
    assert first == second == oracle
    assert kept_months == {date(2026, 2, 1)}
    # Fay's March to the 20th: the Mar 10 -> Mar 30 gap is open at the cut, Mar 10 -> 20 = 10 days, within 14.
    assert next(r for r in second if r[0] == "Fay" and r[1] == date(2026, 3, 1))[4:6] == (True, 1)


def test_a_kept_month_is_what_is_read_until_a_write_makes_it_stale(reference_db: Database,
                                                                    agency: dict[str, int]) -> None:
    with reading(reference_db) as s:
        judged_by_month(s)
        fay = worker(s, "Fay").id
        # Tamper with Fay's kept March (as if judged wrongly) to see which rows the next reading uses.
        s.execute(update(MonthJudgement).values(minutes=999).where(
            MonthJudgement.worker_id == fay, MonthJudgement.month == date(2026, 3, 1), MonthJudgement.kind == 0))
    with reading(reference_db) as s:
        assert fay_march(s)[6] == 999  # the kept row, not a judgement
    with reference_db.session() as s:
        session = SupervisionSession(held_on=date(2026, 3, 20), minutes=60, format="individual", kind="supportive",
                                     modality="video", supervisor_id=agency["tom"])
        s.add(session)
        s.flush()
        s.add(SessionAttendee(session_id=session.id, worker_id=worker(s, "Fay").id))
    with reading(reference_db) as s:
        # Judged again: Mar 10 -> 20 -> 30, both 10 days within March's 14; the longest gap overlapping March is
        # Feb 20 -> Mar 10, 18 days (it starts in February: limit 31); 60 x 3 = 180 minutes of 60.
        name, month, team, stage, meets, held, minutes, minimum, required, longest, reasons, _ = fay_march(s)
        assert (meets, held, minutes, minimum, required, longest, reasons) == (True, 3, 180, 60, 2, 18, ())


# Each write the judgement reads, as the app or anyone with SQL could make it: (whose version it bumps (None:
# everyone's), the write, and what is there before it, if anything).
Write = Callable[[Session, dict[str, int]], None]


def _session_of(s: Session, name: str, day: date) -> SupervisionSession:
    return s.scalars(select(SupervisionSession).join(SessionAttendee)
                     .where(SessionAttendee.worker_id == worker(s, name).id, SupervisionSession.held_on == day)).one()


def _move_session(s: Session, ids: dict[str, int]) -> None:
    _session_of(s, "Fay", date(2026, 3, 30)).held_on = date(2026, 3, 22)


def _shorten_session(s: Session, ids: dict[str, int]) -> None:
    _session_of(s, "Eve", date(2026, 3, 1)).minutes = 5


def _make_group(s: Session, ids: dict[str, int]) -> None:
    _session_of(s, "Fay", date(2026, 3, 10)).format = "group"


def _delete_session(s: Session, ids: dict[str, int]) -> None:
    s.delete(_session_of(s, "Ann", date(2026, 2, 15)))


def _remove_attendee(s: Session, ids: dict[str, int]) -> None:
    session = _session_of(s, "Ann", date(2026, 1, 20))
    s.execute(delete(SessionAttendee).where(SessionAttendee.session_id == session.id))


def _leaving(s: Session, ids: dict[str, int]) -> None:
    worker(s, "Dee").left_on = date(2026, 3, 15)


def _hiring(s: Session, ids: dict[str, int]) -> None:
    worker(s, "Bea").hire_date = date(2026, 2, 10)


def _new_stage(s: Session, ids: dict[str, int]) -> None:
    cy = worker(s, "Cy")
    current = s.scalars(select(StageAssignment).where(StageAssignment.staff_id == cy.id,
                                                      StageAssignment.end_date.is_(None))).one()
    current.end_date = date(2026, 2, 1)
    s.add(StageAssignment(staff_id=cy.id, stage_id=ids["initially"], start_date=date(2026, 2, 1)))


def _stage_removed(s: Session, ids: dict[str, int]) -> None:
    s.execute(delete(StageAssignment).where(StageAssignment.staff_id == worker(s, "Ann").id))


def _leave_taken(s: Session, ids: dict[str, int]) -> None:
    s.add(Leave(staff_id=worker(s, "Fay").id, start_date=date(2026, 3, 11), end_date=date(2026, 3, 25)))


def _leave_changed(s: Session, ids: dict[str, int]) -> None:
    s.scalars(select(Leave).where(Leave.staff_id == worker(s, "Fay").id)).one().end_date = date(2026, 3, 13)


def _rule_changed(s: Session, ids: dict[str, int]) -> None:
    s.execute(update(StandardRule).values(min_minutes_per_month=StandardRule.min_minutes_per_month + 100))


def _standard_added(s: Session, ids: dict[str, int]) -> None:
    first = s.scalar(select(SupervisionStandard).order_by(SupervisionStandard.effective_from))
    v3 = SupervisionStandard(name="Monthly only", effective_from=date(2026, 2, 1))
    s.add(v3)
    s.flush()
    for rule in s.scalars(select(StandardRule).where(StandardRule.standard_id == first.id)).all():
        s.add(StandardRule(standard_id=v3.id, stage_id=rule.stage_id, max_days_between_individual=31,
                           min_minutes_per_month=0, group_counts_toward_minimum=True))


def _stage_renamed(s: Session, ids: dict[str, int]) -> None:
    s.execute(update(CertificationStage).where(CertificationStage.code == "fully-certified")
              .values(code="fully-certified-2"))


WRITES: dict[str, tuple[str | None, Write] | tuple[str | None, Write, Write]] = {
    "a session's date": ("Fay", _move_session),
    "a session's minutes": ("Eve", _shorten_session),
    "a session's format": ("Fay", _make_group),
    "a session deleted": ("Ann", _delete_session),
    "an attendee removed": ("Ann", _remove_attendee),
    "a leaving date": ("Dee", _leaving),
    "a hire date": ("Bea", _hiring),
    "a stage assignment added and ended": ("Cy", _new_stage),
    "stage assignments deleted": ("Ann", _stage_removed),
    "a leave taken": ("Fay", _leave_taken),
    "a leave changed": ("Fay", _leave_changed, _leave_taken),
    "a rule changed": (None, _rule_changed),
    "a standard version added": (None, _standard_added),
    "a stage's code changed": (None, _stage_renamed),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_the_judgement_reads_makes_the_kept_months_stale(reference_db: Database, agency: dict[str, int],
                                                                    write: str) -> None:
    whose, change, *prepare = WRITES[write]
    for step in prepare:
        with reference_db.session() as s:
            step(s, agency)
    with reading(reference_db) as s:
        before = judged_by_month(s)
        subject = EVERYONE if whose is None else worker(s, whose).id
        bystander = worker(s, "Gus").id
        versions = version(s, subject), version(s, bystander)
    with reference_db.session() as s:
        change(s, agency)
    with reading(reference_db) as s:
        assert version(s, subject) > versions[0]
        if whose is not None:  # a worker's write leaves the others' kept months alone
            assert version(s, bystander) == versions[1]
        after = judged_by_month(s)
        assert after == judged_month_by_month(s)
    assert after != before  # each write changes something in the quarter's judgement


def test_team_moves_and_names_change_nothing_kept(reference_db: Database, agency: dict[str, int]) -> None:
    """What depends on the team is read with the periods, so a team move needs no new judgement."""
    with reference_db.session() as s:
        judged_by_month(s)
        fay = worker(s, "Fay")
        before = version(s, fay.id)
        fay.full_name = "Fay Renamed"
    with reference_db.session() as s:
        assert version(s, fay.id) == before
        names = {r[0] for r in judged_by_month(s)}
    assert "Fay Renamed" in names and "Fay" not in names


def test_when_keeping_is_refused_every_month_is_judged_in_the_reading_statement(
        reference_db: Database, agency: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Another export writing the same months first (PostgreSQL refuses the second under repeatable read), or any
    write since a SQLite snapshot began, refuses the keeping: the export is then judged whole, never short."""
    from sqlalchemy.exc import OperationalError

    from dashboard.queries.supervision import kept as keeping

    def refused(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO month_judgements", {}, Exception("could not serialize access"))

    monkeypatch.setattr(keeping.postgresql, "insert", refused)
    monkeypatch.setattr(keeping.sqlite, "insert", refused)
    with reading(reference_db) as s:
        result = judged_by_month(s)
        kept = s.scalar(select(func.count()).select_from(MonthJudgement))
        oracle = judged_month_by_month(s)
    assert kept == 0
    assert result == oracle and len(result) == 5 * 3 + 2 + 2


# Windows of whole months (a quarter, as the compliance page asks for) are composed from the kept months.

WHOLE_MONTH_WINDOWS = {"the quarter": Q1, "January": Window(date(2026, 1, 1), date(2026, 1, 31)),
                       "February and March": Window(date(2026, 2, 1), date(2026, 3, 31))}


def judged_over(s: Session, window: Window, kept: bool = True) -> list[tuple[object, ...]]:
    return [(ws.worker_name, ws.team_name, ws.stage_code, ws.meets, ws.individual_sessions, ws.minutes,
             ws.required_minutes, ws.required_individual_sessions, ws.longest_gap_days, ws.gap_violations,
             ws.month_shortfalls, ws.reasons, ws.leave_days, ws.period_start, ws.period_end)
            for ws in standard_status(s, EVERYONE_SCOPE, window, TeamFilter(), kept=kept)]


@pytest.mark.parametrize("window", sorted(WHOLE_MONTH_WINDOWS))
def test_a_window_of_whole_months_composed_from_its_kept_months_equals_it_judged_alone(
        reference_db: Database, agency: dict[str, int], window: str) -> None:
    period = WHOLE_MONTH_WINDOWS[window]
    with reading(reference_db) as s:
        first = judged_over(s, period)  # keeps the months, then composes
        kept = s.scalar(select(func.count()).select_from(MonthJudgement).where(MonthJudgement.kind == 0))
    with reading(reference_db) as s:
        second = judged_over(s, period)  # composed from what the first kept
        oracle = judged_over(s, period, kept=False)
    assert kept > 0
    assert first == second == oracle


@pytest.mark.parametrize("write", sorted(WRITES))
def test_after_each_write_the_composed_quarter_equals_the_quarter_judged_alone(
        reference_db: Database, agency: dict[str, int], write: str) -> None:
    _, change, *prepare = WRITES[write]
    for step in prepare:
        with reference_db.session() as s:
            step(s, agency)
    with reading(reference_db) as s:
        before = judged_over(s, Q1)
    with reference_db.session() as s:
        change(s, agency)
    with reading(reference_db) as s:
        after = judged_over(s, Q1)
        assert after == judged_over(s, Q1, kept=False)
    assert after != before


def test_the_composed_quarter_is_read_from_the_kept_months(reference_db: Database, agency: dict[str, int]) -> None:
    """Not judged again behind the kept rows' back: a kept row altered by hand (no trigger sees it) shows."""
    with reading(reference_db) as s:
        fay = next(r for r in judged_over(s, Q1) if r[0] == "Fay")
    with reference_db.session() as s:
        s.execute(update(MonthJudgement).where(MonthJudgement.worker_id == worker(s, "Fay").id,
                                               MonthJudgement.month == date(2026, 2, 1), MonthJudgement.kind == 0)
                  .values(minutes=MonthJudgement.minutes + 7))
    with reading(reference_db) as s:
        altered = next(r for r in judged_over(s, Q1) if r[0] == "Fay")
    assert altered[5] == fay[5] + 7


def test_a_gap_across_three_months_is_judged_once_at_its_full_length(reference_db: Database) -> None:
    """Hal (fully certified: 31 days, 60 minutes a month): individual sessions on 15 Dec 2025 and 20 Mar 2026.
    Over the first quarter of 2026 the gap is 16 + 31 + 28 + 20 = 95 days > 31, and its months measure it at 47
    (to 31 Jan), 75 (to 28 Feb) and 95: listed once, at 95. The open gap 20 -> 31 Mar is 11. Held 1 (20 Mar);
    minutes 0, 0, 60 of 60 each: January and February short, minimum 180. Required floor(31/31 + 28/31 + 31/31)
    = floor(2.90) = 2."""
    with reference_db.session() as s:
        a = Agency(s)
        hal = a.worker("Hal", a.team("Team H"))
        for day in (date(2025, 12, 15), date(2026, 3, 20)):
            a.individual(hal, day)
    expected = ("Hal", "Team H", "fully-certified", False, 1, 60, 180, 2, 95,
                (GapViolation(date(2025, 12, 15), date(2026, 3, 20), 95, 31),),
                (MonthShortfall(date(2026, 1, 1), 0, 60), MonthShortfall(date(2026, 2, 1), 0, 60)),
                ("gap of 95 days from 15 Dec 2025 to 20 Mar 2026; limit 31", "January 2026: 0 of 60 minutes",
                 "February 2026: 0 of 60 minutes"), 0, date(2026, 1, 1), date(2026, 3, 31))
    for _ in range(2):  # kept, then read back
        with reading(reference_db) as s:
            assert judged_over(s, Q1) == [expected]
    with reading(reference_db) as s:
        assert judged_over(s, Q1, kept=False) == [expected]


def test_when_keeping_is_refused_the_quarter_is_judged_from_the_records(
        reference_db: Database, agency: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two views of the same stale quarter at once: the one refused (see above) judges the quarter itself."""
    from sqlalchemy.exc import OperationalError

    from dashboard.queries.supervision import kept as keeping

    def refused(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO month_judgements", {}, Exception("could not serialize access"))

    with reading(reference_db) as s:
        oracle = judged_over(s, Q1, kept=False)
    monkeypatch.setattr(keeping.postgresql, "insert", refused)
    monkeypatch.setattr(keeping.sqlite, "insert", refused)
    with reading(reference_db) as s:
        result = judged_over(s, Q1)
        kept = s.scalar(select(func.count()).select_from(MonthJudgement))
    assert kept == 0
    assert result == oracle and [r[0] for r in result] == ["Ann", "Bea", "Gus", "Cy", "Dee", "Eve", "Fay"]


def test_two_views_keeping_the_same_quarter_at_once_both_show_it_whole(
        reference_db: Database, agency: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a monkeypatch: two transactions read their snapshots, the first keeps the quarter's months and commits
    while the second is keeping them too. The second's write then meets rows its snapshot cannot see (PostgreSQL:
    could not serialize; SQLite: the snapshot is stale), its keeping is refused, and it judges the quarter from the
    records: both show the same rows, and the months are kept once."""
    import threading

    from dashboard.queries.supervision import status

    kept_by: dict[str, bool] = {}
    keep = status._keep_month_judgements

    def recorded(*args: object) -> bool:
        kept_by[threading.current_thread().name] = answer = keep(*args)  # type: ignore[arg-type]
        return answer

    monkeypatch.setattr(status, "_keep_month_judgements", recorded)
    with reading(reference_db) as s:
        oracle = judged_over(s, Q1, kept=False)
    first, second = reference_db.sessions(), reference_db.sessions()
    for s in (first, second):
        one_snapshot(s)
        s.execute(select(1))  # the snapshot is taken here
    results: dict[str, object] = {}

    def second_view() -> None:
        try:
            results["second"] = judged_over(second, Q1)
            second.commit()
        except Exception as error:  # shown by the assertion below
            results["second"] = error

    try:
        results["first"] = judged_over(first, Q1)  # keeps; its rows wait for the commit
        thread = threading.Thread(target=second_view, name="second")
        thread.start()
        thread.join(0.5)  # the second now waits on the first's rows (or lock)
        first.commit()
        thread.join(30)
    finally:
        first.close()
        second.close()
    assert kept_by == {"MainThread": True, "second": False}
    assert results["first"] == oracle
    assert results["second"] == oracle
    with reading(reference_db) as s:
        assert s.scalar(select(func.count()).select_from(MonthJudgement).where(MonthJudgement.kind == 0)) == 19
        assert judged_over(s, Q1) == oracle


def test_a_change_of_the_judgements_definition_makes_every_kept_month_stale(reference_db: Database,
                                                                            agency: dict[str, int],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """No trigger sees a change of code: kept rows carry the definition they were judged by, and rows judged under
    another are judged again (as after fix 1 of the numbers issue, which changed how a gap counts leave)."""
    from dashboard.queries.supervision import kept as keeping

    with reading(reference_db) as s:
        judged_by_month(s)
        fay = worker(s, "Fay").id
        assert set(s.scalars(select(MonthJudgement.definition).distinct())) == {keeping.JUDGEMENT_DEFINITION}
        s.execute(update(MonthJudgement).values(minutes=999).where(
            MonthJudgement.worker_id == fay, MonthJudgement.month == date(2026, 3, 1), MonthJudgement.kind == 0))
    with reading(reference_db) as s:
        assert fay_march(s)[6] == 999  # same definition, same versions: the kept row is what is read
    monkeypatch.setattr(keeping, "JUDGEMENT_DEFINITION", keeping.JUDGEMENT_DEFINITION + 1)
    with reading(reference_db) as s:
        assert fay_march(s)[6] == 120  # judged again: Fay's two 60-minute March sessions
        assert judged_by_month(s) == judged_month_by_month(s)
        kept = s.execute(select(MonthJudgement.definition, func.count()).where(MonthJudgement.kind == 0)
                         .group_by(MonthJudgement.definition)).all()
    # Every kept month (19, as in the first test) is now at the new definition; none is left at the old one.
    assert kept == [(keeping.JUDGEMENT_DEFINITION, 19)]


def test_rows_kept_before_migration_0007_are_of_the_first_definition_and_judged_again(
        templates: TemplateFactory) -> None:
    """A database at 0006 with a kept month: after the upgrade its rows say definition 1, older than the code's,
    so a reading judges the month again instead of serving them."""
    from alembic import command

    from dashboard.db import alembic_config, connect
    from dashboard.queries import supervision

    with templates.fresh("empty_at_0006", lambda db: None) as db:
        command.upgrade(alembic_config(db.engine), "0006")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO month_judgements (worker_id, month, version, everyone_version, kind, seq, "
                              "minutes) VALUES (7, '2026-03-01', 0, 0, 0, 1, 999)"))
        command.upgrade(alembic_config(db.engine), "head")
        with connect(db.engine.url.render_as_string(hide_password=False)).session() as s:
            assert s.execute(select(MonthJudgement.definition, MonthJudgement.minutes)).all() == [(1, 999)]
    assert supervision.JUDGEMENT_DEFINITION > 1


# The code that decides what a month judgement says, fingerprinted per JUDGEMENT_DEFINITION (comments, docstrings
# and layout left out): a change to it without a new definition would leave kept months judged by the old rule.
JUDGING_MODULES = ("rule.py", "reasons.py", "sql.py")
# Definition 2: the attendances read by their own held_on since migration 0009 (a refactor; capture identical).
# 86cdc399…: before _meeting_counts' per-period rows were shared with its per-team form (meeting_months; a refactor).
FINGERPRINTS = {2: "27785cd97240324e"}  # 2aa5e318…: before a reason named a missing rule; 59ffe829…: before the
# reasons wrote a gap without a rule in words (their text is made when read, from the kept numbers and days)


def judging_code_fingerprint() -> str:
    import ast
    import hashlib
    from pathlib import Path

    from dashboard.queries import supervision

    digest = hashlib.sha256()
    for name in JUDGING_MODULES:
        tree = ast.parse((Path(supervision.__file__).parent / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]  # a docstring says, not does
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:16]


def test_a_change_to_the_judging_code_comes_with_a_new_judgement_definition() -> None:
    from dashboard.queries.supervision import JUDGEMENT_DEFINITION

    found = judging_code_fingerprint()
    assert FINGERPRINTS.get(JUDGEMENT_DEFINITION) == found, (
        f"the code of supervision/{', '.join(JUDGING_MODULES)} changed. If what a month judgement says changed, "
        "raise JUDGEMENT_DEFINITION in rule.py (kept months are then judged again); either way record "
        f"FINGERPRINTS[{JUDGEMENT_DEFINITION}] = {found!r} here (a refactor that changes no judgement keeps the "
        "definition and records the new fingerprint under it).")


def _kept_summaries(db: Database) -> tuple[int, set[int]]:
    """How many whole months are kept, and whose."""
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(MonthJudgement).where(MonthJudgement.kind == 0)) or 0,
                set(s.scalars(select(MonthJudgement.worker_id).distinct())))


def test_months_kept_ahead_on_two_connections_are_read_as_each_month_judged_alone(
        reference_db: Database, agency: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """keep_months_ahead (before a by-month export): on PostgreSQL each of two connections keeps the stale months of
    its share of the workers and commits; the read then judges nothing. Only when at least half of the last whole
    month's workers are stale; SQLite, which writes one transaction at a time, leaves it all to the read."""
    from dashboard.queries.supervision import ahead, kept

    monkeypatch.setattr(ahead, "MIN_STALE_WORKERS", 1)  # the hand-worked agency has 7 workers, an agency 2,000
    postgres = reference_db.engine.dialect.name == "postgresql"
    assert ahead.keep_months_ahead(reference_db.session, EVERYONE_SCOPE, Q1, TeamFilter()) == (2 if postgres else 0)
    count, whose = _kept_summaries(reference_db)
    if not postgres:
        assert count == 0
        return
    # 19 whole months (test_months_read_back_from_month_judgements_equal_each_month_judged_alone), of workers of both
    # shares (ids odd and even).
    assert count == 19 and {worker_id % 2 for worker_id in whose} == {0, 1}
    judging: list[object] = []
    monkeypatch.setattr(kept, "_judgement_rows", lambda *args, **kwargs: judging.append(args))
    with reading(reference_db) as s:
        assert judged_by_month(s) == judged_month_by_month(s)
    assert judging == []  # every month was read from month_judgements
    monkeypatch.undo()
    monkeypatch.setattr(ahead, "MIN_STALE_WORKERS", 1)
    assert ahead.keep_months_ahead(reference_db.session, EVERYONE_SCOPE, Q1, TeamFilter()) == 0  # nothing stale
    # Fay's session moved: 1 of March's 6 workers stale, fewer than half, left to the read.
    with reference_db.session() as s:
        _move_session(s, agency)
    assert ahead.keep_months_ahead(reference_db.session, EVERYONE_SCOPE, Q1, TeamFilter()) == 0
    # A rule changed: everyone's months are stale.
    with reference_db.session() as s:
        _rule_changed(s, agency)
    assert ahead.keep_months_ahead(reference_db.session, EVERYONE_SCOPE, Q1, TeamFilter()) == 2
    with reading(reference_db) as s:
        assert judged_by_month(s) == judged_month_by_month(s)
    assert _kept_summaries(reference_db)[0] == 19


def test_a_share_that_fails_to_keep_ahead_writes_nothing_and_is_judged_by_the_read(
        reference_db: Database, agency: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    from dashboard.queries.supervision import ahead

    if reference_db.engine.dialect.name != "postgresql":
        pytest.skip("keeping ahead runs on PostgreSQL only (the test above checks SQLite does nothing)")
    keep = ahead._keep_month_judgements

    def odd_fails(session: Session, judged: object, *args: object) -> bool:
        answer = keep(session, judged, *args)  # type: ignore[arg-type]
        if session.scalar(select(func.min(text("worker_id % 2"))).select_from(judged)) == 1:  # type: ignore[arg-type]
            raise OperationalError("keep", {}, Exception("the connection was lost"))
        return answer

    monkeypatch.setattr(ahead, "MIN_STALE_WORKERS", 1)
    monkeypatch.setattr(ahead, "_keep_month_judgements", odd_fails)
    assert ahead.keep_months_ahead(reference_db.session, EVERYONE_SCOPE, Q1, TeamFilter()) == 1
    count, whose = _kept_summaries(reference_db)
    assert whose and {worker_id % 2 for worker_id in whose} == {0}  # the odd share's rows were rolled back
    with reading(reference_db) as s:
        assert judged_by_month(s) == judged_month_by_month(s)
    assert _kept_summaries(reference_db)[0] == 19
