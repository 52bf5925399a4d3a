"""The compliance view on a tiny hand-built agency, every expected number worked out by hand in a comment.

Period: the first quarter of 2026 (1 Jan - 31 Mar, 90 days; January, February (28 days) and March are full
months). Default standard (in force since 2000-01-01): in-training 7 days / 240 min a month,
initially-certified 14 / 120, fully-certified 31 / 60; group sessions count. A second version, in force from
1 Mar 2026, sets fully-certified to 14 days / 60 minutes with group sessions NOT counting (other stages as
before). Required sessions = floor(sum over months of the days employed in the period / the max days of the
rule on the month's first day).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db import Database
from dashboard.queries.common import Window
from dashboard.queries.compliance import ComplianceFilter, ComplianceRow, TeamRollup, iter_rows, rollup, rows
from dashboard.scope import Scope
from models import CertificationStage, StandardRule, SupervisionStandard
from tests.unit.test_supervision_metrics import Agency

Q1 = Window(date(2026, 1, 1), date(2026, 3, 31))
EVERYONE = Scope.agency()


def add_march_standard(s: Session) -> None:
    """Version 2 from 2026-03-01: fully-certified 14 days / 60 min, group sessions do not count."""
    first = s.scalar(select(SupervisionStandard).order_by(SupervisionStandard.effective_from))
    v2 = SupervisionStandard(name="Stricter for fully certified", effective_from=date(2026, 3, 1))
    s.add(v2)
    s.flush()
    for rule in s.scalars(select(StandardRule).where(StandardRule.standard_id == first.id)).all():
        code = s.scalar(select(CertificationStage.code).where(CertificationStage.id == rule.stage_id))
        fully = code == "fully-certified"
        s.add(StandardRule(standard_id=v2.id, stage_id=rule.stage_id,
                           max_days_between_individual=14 if fully else rule.max_days_between_individual,
                           min_minutes_per_month=rule.min_minutes_per_month,
                           group_counts_toward_minimum=not fully and rule.group_counts_toward_minimum))
    s.flush()


@pytest.fixture
def agency(reference_db: Database) -> dict[str, int]:
    with reference_db.session() as s:
        a = Agency(s)
        team_a, team_b = a.team("Team A"), a.team("Team B")
        sue = a.staff("Sue Supervisor", "supervisor", date(2019, 1, 1))
        tom = a.staff("Tom Supervisor", "supervisor", date(2019, 1, 1))
        a.supervise(sue, team_a)
        a.supervise(tom, team_b)

        # Ann: a gap crossing the period start (before the stricter version: only Jan-Feb gaps are 31-day ones).
        ann = a.worker("Ann", team_a)
        for day in (date(2025, 12, 10), date(2026, 1, 20), date(2026, 2, 15), date(2026, 3, 10), date(2026, 3, 23)):
            a.individual(ann, day)
        # Bea: hired mid-period (16 Feb), initially certified.
        bea = a.worker("Bea", team_a, hired=date(2026, 2, 16), stage="initially-certified")
        for day in (date(2026, 2, 20), date(2026, 3, 2), date(2026, 3, 13), date(2026, 3, 26)):
            a.individual(bea, day)
        # Cy: moves from Team A to Team B on 15 Feb.
        cy = a.worker("Cy", team_a)
        for day in (date(2025, 12, 20), date(2026, 1, 10), date(2026, 2, 5), date(2026, 3, 3), date(2026, 3, 16),
                    date(2026, 3, 28)):
            a.individual(cy, day)
        a.move(cy, team_b, date(2026, 2, 15))
        # Dee: group sessions counted in January (first version), not in March (second version).
        dee = a.worker("Dee", team_b)
        for day, minutes in ((date(2025, 12, 28), 60), (date(2026, 1, 25), 30), (date(2026, 2, 20), 60),
                             (date(2026, 3, 6), 30), (date(2026, 3, 19), 30)):
            a.individual(dee, day, minutes)
        a.group([dee], date(2026, 1, 10), 90)
        a.group([dee], date(2026, 3, 12), 90)
        # Eve: March short because the group session no longer counts.
        eve = a.worker("Eve", team_b)
        for day, minutes in ((date(2025, 12, 28), 30), (date(2026, 1, 20), 60), (date(2026, 2, 15), 60),
                             (date(2026, 3, 1), 15), (date(2026, 3, 14), 15), (date(2026, 3, 27), 15)):
            a.individual(eve, day, minutes)
        a.group([eve], date(2026, 3, 10), 90)
        # Fay: the standard changes mid-period; a March gap is judged by the March limit.
        fay = a.worker("Fay", team_b)
        for day in (date(2025, 12, 28), date(2026, 1, 25), date(2026, 2, 20), date(2026, 3, 10), date(2026, 3, 30)):
            a.individual(fay, day)
        # Gus: left on 14 Feb (last day 13 Feb).
        gus = a.worker("Gus", team_a, left_on=date(2026, 2, 14))
        for day in (date(2025, 12, 20), date(2026, 1, 15), date(2026, 2, 10)):
            a.individual(gus, day)
        add_march_standard(s)
        return {"team_a": team_a.id, "team_b": team_b.id, "sue": sue.id, "tom": tom.id,
                "initially": a.stages["initially-certified"]}


def by_name(result: list[ComplianceRow]) -> dict[str, ComplianceRow]:
    return {r.worker_name: r for r in result}


def test_one_row_per_worker_with_the_numbers_worked_by_hand(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        result = rows(s, EVERYONE, Q1, ComplianceFilter())
    got = by_name(result)
    # Ordered by team name, then worker name; Cy is on Team B at the period's end.
    assert [r.worker_name for r in result] == ["Ann", "Bea", "Gus", "Cy", "Dee", "Eve", "Fay"]

    ann = got["Ann"]
    # Dec 10 -> Jan 20 = 21 + 20 = 41 > 31 (rule on Dec 10: first version). Jan 20 -> Feb 15 = 26, Feb 15 ->
    # Mar 10 = 13 + 10 = 23 (starts in Feb: 31), Mar 10 -> Mar 23 = 13 (14), open Mar 23 -> Mar 31 = 8.
    # Held 4 (Jan 20, Feb 15, Mar 10, Mar 23). Required floor(31/31 + 28/31 + 31/14) = floor(4.117) = 4.
    # Minutes 60 + 60 + 120 = 240 of 3 x 60.
    assert (ann.team_name, ann.supervisors, ann.stage) == ("Team A", "Sue Supervisor", "Fully certified")
    assert (ann.held_sessions, ann.required_sessions, ann.minutes, ann.minimum_minutes, ann.longest_gap_days) == \
        (4, 4, 240, 180, 41)
    assert ann.status == "not met"
    assert ann.reasons == ("gap of 41 days from 10 Dec 2025 to 20 Jan 2026; limit 31",)

    bea = got["Bea"]
    # Hired Feb 16, anchor = hire date: 16->20 Feb = 4, Feb 20 -> Mar 2 = 8 + 2 = 10, 11, 13, open 26 -> 31 = 5.
    # February: employed 13 of 28 days, minimum ceil(120 x 13 / 28) = ceil(55.7) = 56, held 60; March 180 >= 120.
    # January: not employed, no minimum. Minimum 56 + 120 = 176, minutes 240. Required floor(13/14 + 31/14) = 3.
    assert (bea.held_sessions, bea.required_sessions, bea.minutes, bea.minimum_minutes, bea.longest_gap_days) == \
        (4, 3, 240, 176, 13)
    assert bea.status == "met" and bea.reasons == () and bea.stage == "Initially certified"

    cy = got["Cy"]
    # Moved to Team B on Feb 15: shown with Team B and its supervisor. Gaps: Dec 20 -> Jan 10 = 21, 26, 26,
    # Mar 3 -> 16 = 13, 16 -> 28 = 12, open 3. Minutes 60, 60, 180.
    assert (cy.team_name, cy.supervisors, cy.status, cy.held_sessions, cy.minutes) == \
        ("Team B", "Tom Supervisor", "met", 5, 300)

    dee = got["Dee"]
    # January (first version, group counts): 30 + 90 = 120; February 60; March (second version, group does
    # not count): 30 + 30 = 60 >= 60. Gaps 28, 26, Feb 20 -> Mar 6 = 14 (31), 13 (14), open Mar 19 -> 31 = 12.
    assert (dee.status, dee.minutes, dee.minimum_minutes, dee.longest_gap_days, dee.held_sessions) == \
        ("met", 240, 180, 28, 4)

    eve = got["Eve"]
    # March: 15 x 3 = 45 (the 90-minute group session no longer counts) < 60. Gaps 23, 26, 14, 13, 13, open 4.
    assert eve.status == "not met" and eve.reasons == ("March 2026: 45 of 60 minutes",)
    assert (eve.minutes, eve.held_sessions) == (60 + 60 + 45, 5)

    fay = got["Fay"]
    # Feb 20 -> Mar 10 = 8 + 10 = 18 starts in February, judged by 31: fine. Mar 10 -> Mar 30 = 20 > 14.
    assert fay.reasons == ("gap of 20 days in March 2026 (10 to 30 Mar); limit 14",)
    assert fay.longest_gap_days == 28  # Dec 28 -> Jan 25 = 3 + 25

    gus = got["Gus"]
    # Left Feb 14: gaps 26, 26, open Feb 10 -> Feb 13 = 3. January 60 >= 60; February employed 13 of 28 days:
    # minimum ceil(60 x 13 / 28) = ceil(27.9) = 28, held 60; March not employed. Minimum 60 + 28 = 88.
    # Required floor(31/31 + 13/31) = 1; held 2.
    assert (gus.status, gus.held_sessions, gus.required_sessions, gus.minutes, gus.minimum_minutes,
            gus.longest_gap_days) == ("met", 2, 1, 120, 88, 26)


def test_the_team_rollup_counts_the_same_rows(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        result = rows(s, EVERYONE, Q1, ComplianceFilter())
    # Team A: Ann (not met), Bea, Gus (met) -> 3 workers, 2 met. Team B: Cy, Dee (met), Eve, Fay (not met).
    assert rollup(result) == [TeamRollup(agency["team_a"], "Team A", "Program", 3, 2),
                              TeamRollup(agency["team_b"], "Team B", "Program", 4, 2)]


def test_filters_by_team_supervisor_and_stage(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        team_a = rows(s, EVERYONE, Q1, ComplianceFilter(team_ids=frozenset({agency["team_a"]})))
        toms = rows(s, EVERYONE, Q1, ComplianceFilter(supervisor_id=agency["tom"]))
        stage = rows(s, EVERYONE, Q1, ComplianceFilter(stage_id=agency["initially"]))
        none = rows(s, EVERYONE, Q1, ComplianceFilter(supervisor_id=agency["tom"],
                                                     team_ids=frozenset({agency["team_a"]})))
    # Cy was on Team A until Feb 15: with only Team A in view, that is the team shown.
    assert [(r.worker_name, r.team_name) for r in team_a] == [("Ann", "Team A"), ("Bea", "Team A"),
                                                              ("Cy", "Team A"), ("Gus", "Team A")]
    assert [r.worker_name for r in toms] == ["Cy", "Dee", "Eve", "Fay"]
    assert [r.worker_name for r in stage] == ["Bea"]
    assert none == []


def test_a_supervisor_scope_never_shows_other_teams(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        mine = rows(s, Scope(team_ids=frozenset({agency["team_b"]})), Q1,
                    ComplianceFilter(team_ids=frozenset({agency["team_a"]})))
        own = rows(s, Scope(team_ids=frozenset({agency["team_b"]})), Q1, ComplianceFilter())
    assert mine == []
    assert {r.team_name for r in own} == {"Team B"}


def test_by_month_judges_each_month_with_its_own_standard(reference_db: Database, agency: dict[str, int]) -> None:
    with reference_db.session() as s:
        months = [r for r in iter_rows(s, EVERYONE, Q1, ComplianceFilter(), by_month=True, stream=True)
                  if r.worker_name in ("Fay", "Cy")]
    # Cy: January and February (to Feb 14) on Team A... but a month's team is the one at its end: January Team A,
    # February and March Team B. Fay: January and February met; March: Mar 10 -> 30 = 20 > 14.
    assert [(r.worker_name, r.period_start, r.period_end, r.team_name, r.status) for r in months] == [
        ("Cy", date(2026, 1, 1), date(2026, 1, 31), "Team A", "met"),
        ("Cy", date(2026, 2, 1), date(2026, 2, 28), "Team B", "met"),
        ("Cy", date(2026, 3, 1), date(2026, 3, 31), "Team B", "met"),
        ("Fay", date(2026, 1, 1), date(2026, 1, 31), "Team B", "met"),
        ("Fay", date(2026, 2, 1), date(2026, 2, 28), "Team B", "met"),
        ("Fay", date(2026, 3, 1), date(2026, 3, 31), "Team B", "not met"),
    ]
    march = months[-1]
    # March alone: sessions Mar 10, Mar 30 held; minutes 120 of 60; required floor(31/14) = 2.
    assert (march.held_sessions, march.required_sessions, march.minutes, march.minimum_minutes) == (2, 2, 120, 60)


def test_the_view_agrees_with_the_overview_on_the_demo_agency(demo_db: Database) -> None:
    """The overview's "meeting the standard" KPI judges the workers on a team on the window's last day the way
    the compliance view does (which also lists those who left or moved away during the window)."""
    from dashboard.queries.common import MetricSettings, TeamFilter
    from dashboard.queries.supervision import due_dates, kpi_supervision

    window = Window(date(2026, 7, 1), date(2026, 9, 30))
    with demo_db.session() as s:
        result = rows(s, EVERYONE, window, ComplianceFilter())
        kpis = kpi_supervision(s, EVERYONE, window, TeamFilter(), MetricSettings())
        on_a_team = {d.worker_id for d in due_dates(s, EVERYONE, window.end, TeamFilter())}
    judged = [r for r in result if r.worker_id in on_a_team]
    met = sum(r.status == "met" for r in judged)
    assert len(judged) == kpis.active_workers and kpis.meeting_share == pytest.approx(met / len(judged))
