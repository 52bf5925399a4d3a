"""Kept window verdicts: the Overview's "Meeting the standard" over a window ending today is judged once per worker,
kept in window_judgements and read back, and every write the judgement reads (through the database's triggers) makes
that worker's verdict stale, so the card always equals the window judged live.

The agency is test_compliance's (first quarter of 2026). Over the quarter, of the six workers on a team on 31 March
(Gus left in February), Bea, Cy and Dee meet the standard; Ann (a 41-day gap), Eve (March 45 of 60 minutes) and Fay
(a 20-day March gap, limit 14) do not: 3 of 6.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard.db import Database
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.queries.supervision import kept_windows, kpi_supervision, standard_status
from dashboard.scope import Scope
from models import Staff, WindowJudgement
from tests.unit.test_compliance import Q1, agency  # noqa: F401  (the fixture)
from tests.unit.test_month_judgements import WRITES

TODAY = Q1.end  # the page's today: the quarter ends on it
EVERYONE = Scope.agency()
NO_SUPPRESSION = MetricSettings(min_cell_workers=0)  # Team A has two workers on 31 March


def meeting(s: Session, today: date | None, window: Window = Q1) -> tuple[int, float | None]:
    kpis = kpi_supervision(s, EVERYONE, window, TeamFilter(), NO_SUPPRESSION, today)
    return kpis.shown_workers, kpis.meeting_share


def kept(s: Session) -> dict[str, int]:
    """Worker name -> kept verdict (1: not met), for every kept row."""
    return dict(s.execute(select(Staff.full_name, WindowJudgement.bad)
                          .join(Staff, Staff.id == WindowJudgement.worker_id)).all())


@pytest.mark.parametrize("listed", [kept_windows.LISTED, 0], ids=["named", "found by their missing rows"])
def test_a_window_ending_today_is_judged_once_kept_and_read_back(reference_db: Database, agency: dict[str, int],
                                                                 listed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_windows, "LISTED", listed)  # how the workers to judge are picked: both give the same
    with reference_db.session() as s:
        assert meeting(s, TODAY) == (6, 0.5) == meeting(s, None)
        assert kept(s) == {"Ann": 1, "Bea": 0, "Cy": 0, "Dee": 0, "Eve": 1, "Fay": 1}
        # Tamper with Bea's kept verdict (as if judged wrongly) to see that the next view reads the row.
        s.execute(update(WindowJudgement).values(bad=1).where(
            WindowJudgement.worker_id == s.scalar(select(Staff.id).where(Staff.full_name == "Bea"))))
    with reference_db.session() as s:
        assert meeting(s, TODAY) == (6, 2 / 6)
        assert meeting(s, None) == (6, 0.5)  # judged live, never read from the rows


def test_a_keep_the_database_refuses_leaves_the_window_judged_live(reference_db: Database, agency: dict[str, int],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_windows, "_keep", lambda *_args: None)  # as when another view holds the rows
    with reference_db.session() as s:
        assert meeting(s, TODAY) == (6, 0.5)
        assert s.scalar(select(func.count()).select_from(WindowJudgement)) == 0


def test_a_window_ending_before_today_is_judged_live_and_nothing_is_kept(reference_db: Database,
                                                                        agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        assert meeting(s, date(2026, 4, 2)) == (6, 0.5)  # the quarter, seen on 2 April
        assert s.scalar(select(func.count()).select_from(WindowJudgement)) == 0


def test_the_next_days_keep_deletes_the_windows_that_ended_before_it(reference_db: Database,
                                                                    agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        meeting(s, TODAY)
    with reference_db.session() as s:
        # On 1 April, the 90 days to 1 April: the quarter's rows (ending 31 March) go, the new window's stay.
        meeting(s, date(2026, 4, 1), Window(date(2026, 1, 2), date(2026, 4, 1)))
        ends = set(s.scalars(select(WindowJudgement.period_end_excl)))
    assert ends == {date(2026, 4, 2)}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_after_each_write_the_kept_verdicts_equal_the_window_judged_live(reference_db: Database,
                                                                        agency: dict[str, int], write: str) -> None:
    whose, change, *prepare = WRITES[write]
    for step in prepare:
        with reference_db.session() as s:
            step(s, agency)
    with reference_db.session() as s:
        meeting(s, TODAY)
    with reference_db.session() as s:
        change(s, agency)
    with reference_db.session() as s:
        # Falsify what was kept before the write, so that reading a stale row shows: the worker's verdict set to the
        # opposite of their verdict now, or (a write to the standard or the stages) everyone's to the verdict that
        # makes the share wrong.
        now = {ws.worker_id: ws.meets for ws in standard_status(s, EVERYONE, Q1, TeamFilter(), kept=False)}
        if whose is None:
            s.execute(update(WindowJudgement).values(bad=0 if not all(now.values()) else 1))
        else:
            subject = s.scalar(select(Staff.id).where(Staff.full_name == whose))
            s.execute(update(WindowJudgement).values(bad=1 if now[subject] else 0)
                      .where(WindowJudgement.worker_id == subject))
    with reference_db.session() as s:
        assert meeting(s, TODAY) == meeting(s, None)
