"""Leave of absence in the judgement: leave days are left out of gaps, monthly minimums, sessions required and
due dates. Every expected number is worked out by hand in a comment.

Period: the first quarter of 2026 (1 Jan - 31 Mar; January 31 days, February 28, March 31). Everyone is
fully certified under the default standard: at most 31 days between individual sessions, 60 minutes a month,
individual sessions of 60 minutes. A leave is half-open: [first day away, day back). A gap's days are the days
after its start up to and including the day it is measured to, less the days of those on leave.
"""
from __future__ import annotations

from datetime import date

import pytest

from dashboard.db import Database
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.queries.supervision import (DueDate, MonthShortfall, SupervisionKpis, WorkerStandard, due_dates,
                                           iter_standard_status, kpi_supervision, overdue_now, standard_status)
from dashboard.scope import Scope
from tests.builders import Agency

Q1 = Window(date(2026, 1, 1), date(2026, 3, 31))
AS_OF = date(2026, 3, 31)
EVERYONE = Scope.agency()
NO_FILTER = TeamFilter()


@pytest.fixture
def judged(reference_db: Database) -> tuple[dict[str, WorkerStandard], dict[str, DueDate], list[str],
                                         SupervisionKpis]:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        hal = a.worker("Hal", team)  # away 5 Jan - 15 Feb, back 16 Feb
        for day in (date(2025, 12, 20), date(2026, 2, 20), date(2026, 3, 15)):
            a.individual(hal, day)
        a.leave(hal, date(2026, 1, 5), date(2026, 2, 16))
        ida = a.worker("Ida", team)  # away from 1 Feb, return not known
        for day in (date(2025, 12, 28), date(2026, 1, 5), date(2026, 1, 25)):
            a.individual(ida, day)
        a.leave(ida, date(2026, 2, 1))
        joe = a.worker("Joe", team)  # away 10-19 Jan: a gap too long even without those days
        for day in (date(2025, 12, 30), date(2026, 2, 20), date(2026, 3, 20)):
            a.individual(joe, day)
        a.leave(joe, date(2026, 1, 10), date(2026, 1, 20))
        kim = a.worker("Kim", team)  # away from 20 Mar, back 10 Apr
        for day in (date(2025, 12, 28), date(2026, 1, 25), date(2026, 2, 20), date(2026, 3, 10)):
            a.individual(kim, day)
        a.leave(kim, date(2026, 3, 20), date(2026, 4, 10))
        lou = a.worker("Lou", team)  # away 1 Feb - 20 Mar, back 21 Mar: would be overdue without the leave
        for day in (date(2025, 12, 25), date(2026, 1, 20)):
            a.individual(lou, day)
        a.leave(lou, date(2026, 2, 1), date(2026, 3, 21))
        mo = a.worker("Mo", team)  # overdue when his leave began on 1 Mar; away since
        a.individual(mo, date(2025, 12, 1))
        a.leave(mo, date(2026, 3, 1))
        ned = a.worker("Ned", team)  # away 10 Jun - 31 Aug 2025, long before the period; no session since 1 Jun
        a.individual(ned, date(2025, 6, 1))
        a.leave(ned, date(2025, 6, 10), date(2025, 9, 1))
        standards = {w.worker_name: w for w in standard_status(s, EVERYONE, Q1, NO_FILTER)}
        due = {d.worker_name: d for d in due_dates(s, EVERYONE, AS_OF, NO_FILTER)}
        overdue = [o.worker_name for o in overdue_now(s, EVERYONE, AS_OF, NO_FILTER)]
        kpis = kpi_supervision(s, EVERYONE, Q1, NO_FILTER, MetricSettings())
        for ws in iter_standard_status(s, EVERYONE, Q1, NO_FILTER, by_month=True):
            standards[f"{ws.worker_name} {ws.period_start:%b}"] = ws
    return standards, due, overdue, kpis


def test_leave_days_do_not_count_in_gaps(judged) -> None:  # type: ignore[no-untyped-def]
    standards = judged[0]
    hal = standards["Hal"]
    # Dec 20 -> Feb 20 = 11 + 31 + 20 = 62 days, of which 5 Jan - 15 Feb on leave = 27 + 15 = 42: 20 days.
    # Feb 20 -> Mar 15 = 8 + 15 = 23; open Mar 15 -> Mar 31 = 16. Longest 23, no gap over 31.
    assert hal.longest_gap_days == 23 and hal.gap_violations == ()
    joe = standards["Joe"]
    # Dec 30 -> Feb 20 = 1 + 31 + 20 = 52, less 10 days on leave (10-19 Jan) = 42 > 31.
    assert joe.longest_gap_days == 42
    assert joe.reasons[0] == "gap of 42 days from 30 Dec 2025 to 20 Feb 2026 (not counting 10 days on leave); " \
                             "limit 31"
    ida = standards["Ida"]
    # Open gap Jan 25 -> Mar 31 = 6 + 28 + 31 = 65, less leave Feb 1 - Mar 31 = 28 + 31 = 59: 6 days.
    # Longest: Jan 5 -> Jan 25 = 20.
    assert ida.longest_gap_days == 20
    mo = standards["Mo"]
    # Open gap Dec 1 -> Mar 31 = 30 + 31 + 28 + 31 = 120, less leave Mar 1 - Mar 31 = 31: 89 days.
    assert mo.longest_gap_days == 89
    assert mo.reasons[0] == "gap of 89 days from 1 Dec 2025 to 31 Mar 2026 (not counting 31 days on leave); " \
                            "limit 31"
    ned = standards["Ned"]
    # Open gap Jun 1 2025 -> Mar 31 2026 = 30 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 28 + 30 = 303, less leave
    # 10 Jun - 31 Aug = 21 + 31 + 31 = 83: 220 days (a leave ending long before the period still counts).
    assert ned.reasons[0] == "gap of 220 days from 1 Jun 2025 to 31 Mar 2026 (not counting 83 days on leave); " \
                             "limit 31"


def test_the_monthly_minimum_is_pro_rated_over_the_days_not_on_leave(judged) -> None:  # type: ignore[no-untyped-def]
    standards = judged[0]
    hal = standards["Hal"]
    # January: on leave 5-31 Jan = 27 days, at work 4: ceil(60 x 4 / 31) = ceil(7.7) = 8, held 0: short.
    # February: on leave 1-15 Feb = 15, at work 13: ceil(60 x 13 / 28) = ceil(27.9) = 28, held 60.
    # March: 60 of 60. Minimum 8 + 28 + 60 = 96; minutes 120; leave 27 + 15 = 42 days.
    # Sessions required: floor((4 + 13 + 31) / 31) = floor(1.55) = 1; held 2 (Feb 20, Mar 15).
    assert hal.month_shortfalls == (MonthShortfall(date(2026, 1, 1), 0, 8, 27),)
    assert hal.reasons == ("January 2026: 0 of 8 minutes (pro-rated: at work 4 of 31 days, 27 on leave)",)
    assert (hal.meets, hal.minutes, hal.required_minutes, hal.leave_days, hal.required_individual_sessions,
            hal.individual_sessions) == (False, 120, 96, 42, 1, 2)
    ida = standards["Ida"]
    # January 120 of 60; February and March wholly on leave: nothing required. Minimum 60; leave 28 + 31 = 59.
    # Sessions required: floor(31 / 31) = 1; held 2 (Jan 5, Jan 25).
    assert (ida.meets, ida.reasons, ida.minutes, ida.required_minutes, ida.leave_days,
            ida.required_individual_sessions, ida.individual_sessions) == (True, (), 120, 60, 59, 1, 2)
    joe = standards["Joe"]
    # January: on leave 10 days, at work 21: ceil(60 x 21 / 31) = ceil(40.6) = 41, held 0.
    assert joe.reasons[1:] == ("January 2026: 0 of 41 minutes (pro-rated: at work 21 of 31 days, 10 on leave)",)
    kim = standards["Kim"]
    # Gaps 28, 26, 18; open Mar 10 -> 31 = 21, less leave 20-31 Mar = 12: 9. March: on leave 20-31 Mar = 12
    # days, at work 19: ceil(60 x 19 / 31) = ceil(36.8) = 37, held 60. Minimum 60 + 60 + 37 = 157.
    assert (kim.meets, kim.required_minutes, kim.leave_days, kim.longest_gap_days) == (True, 157, 12, 28)
    mo = standards["Mo"]
    # January and February 0 of 60; March wholly on leave: not judged. Minimum 120.
    assert mo.reasons[1:] == ("January 2026: 0 of 60 minutes", "February 2026: 0 of 60 minutes")
    assert mo.required_minutes == 120


def test_by_month_each_month_counts_its_own_leave(judged) -> None:  # type: ignore[no-untyped-def]
    standards = judged[0]
    jan, feb, mar = standards["Hal Jan"], standards["Hal Feb"], standards["Hal Mar"]
    # January: 27 days away, 4 at work: 0 of ceil(60 x 4 / 31) = 8 minutes; sessions required floor(4 / 31) = 0.
    # The gap from Dec 20, cut at Jan 31: 42 days less 27 away (5-31 Jan) = 15.
    assert (jan.leave_days, jan.required_minutes, jan.required_individual_sessions, jan.longest_gap_days,
            jan.meets) == (27, 8, 0, 15, False)
    # February: 15 away; Dec 20 -> Feb 20 = 62 less 42 = 20 days, then Feb 20 -> 28 = 8. 60 of 28 minutes.
    assert (feb.leave_days, feb.required_minutes, feb.longest_gap_days, feb.meets) == (15, 28, 20, True)
    assert (mar.leave_days, mar.required_minutes, mar.meets) == (0, 60, True)


def test_due_dates_stop_the_clock_while_away(judged) -> None:  # type: ignore[no-untyped-def]
    due = judged[1]

    def row(name: str) -> tuple[object, ...]:
        d = due[name]
        return d.status, d.days_since, d.next_due, d.days_until_due, d.back_on

    # Hal: Mar 15 -> Mar 31 = 16 days; due Mar 31 + 15 = Apr 15.
    assert row("Hal") == ("on_track", 16, date(2026, 4, 15), 15, None)
    # Ida: away with no return date: Jan 25 -> Mar 31 = 65, less 59 days on leave = 6; no due date yet.
    assert row("Ida") == ("on_leave", 6, None, None, None)
    # Kim: Mar 10 -> Mar 31 = 21, less 20-31 Mar = 12: 9. Back Apr 10, which counts: 10 days on Apr 10, 31 on
    # Apr 10 + 21 = May 1 (31 days from Mar 31).
    assert row("Kim") == ("on_leave", 9, date(2026, 5, 1), 31, date(2026, 4, 10))
    # Lou: Jan 20 -> Mar 31 = 11 + 28 + 31 = 70, less Feb 1 - Mar 20 = 28 + 20 = 48: 22. Due Mar 31 + 9 = Apr 9.
    assert row("Lou") == ("on_track", 22, date(2026, 4, 9), 9, None)
    # Lou's March: at work 21-31 Mar = 11 days: ceil(60 x 11 / 31) = ceil(21.3) = 22 required, 0 held.
    assert (due["Lou"].minutes_this_month, due["Lou"].required_this_month) == (0, 22)
    # Mo: Dec 1 -> Mar 31 = 120, less 31 = 89 days, past 31, but he is away: on leave, not overdue.
    assert row("Mo") == ("on_leave", 89, None, None, None)
    # Ned: 303 - 83 = 220 days since Jun 1; next due = Mar 31 + (31 - 220) = Mar 31 - 189 days = 23 Sep 2025
    # (Jun 1 + 31 days at work: Jul 2, pushed back by the 83 days away).
    assert row("Ned") == ("overdue", 220, date(2025, 9, 23), -189, None)


def test_overdue_counts_leave_out_those_away_and_the_trend_agrees(judged) -> None:  # type: ignore[no-untyped-def]
    standards, _due, overdue, kpis = judged
    # Only Ned is past 31 days on Mar 31 at work (Mo is 90 days past, but away).
    assert overdue == ["Ned"]
    # Lou: January 60 of 60, February wholly away, March at work 21-31 Mar = 11 days: 0 of 22 minutes.
    assert standards["Lou"].reasons == ("March 2026: 0 of 22 minutes (pro-rated: at work 11 of 31 days, 20 on leave)",)
    # The KPI's share judges the quarter like standard_status: Ida and Kim meet it; Hal, Joe, Lou, Mo, Ned do not.
    meeting = sorted(name for name, ws in standards.items() if ws.meets and " " not in name)
    assert meeting == ["Ida", "Kim"]
    assert kpis.meeting_share == pytest.approx(2 / 7)
    # Away on Mar 31: Ida (since 1 Feb), Kim (20 Mar - 10 Apr), Mo (since 1 Mar); Hal and Lou are back. All 7 active.
    assert (kpis.active_workers, kpis.on_leave_now, kpis.overdue_now) == (7, 3, 1)


def test_a_day_away_on_the_day_measured_to_is_not_a_gap_day(reference_db: Database) -> None:
    """The issue's case: last individual session 27 Oct, away from 10 Nov (back 1 Dec), judged over October and
    November and seen on the roster on 30 Nov. 27 Oct -> 30 Nov = 4 + 30 = 34 days; away 10-30 Nov = 21 of
    them (30 Nov included: it is the day measured to); 13 at work."""
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        pat = a.worker("Pat", team, hired=date(2026, 1, 5))
        for day in (date(2026, 9, 29), date(2026, 10, 27)):
            a.individual(pat, day)
        a.leave(pat, date(2026, 11, 10), date(2026, 12, 1))
        window = Window(date(2026, 10, 1), date(2026, 11, 30))
        [ws] = standard_status(s, EVERYONE, window, NO_FILTER)
        [kept_ws] = standard_status(s, EVERYONE, window, NO_FILTER)  # the second read composes the kept months
        [records_ws] = standard_status(s, EVERYONE, window, NO_FILTER, kept=False)
        months = {m.period_start.month: m for m in iter_standard_status(s, EVERYONE, window, NO_FILTER,
                                                                          by_month=True)}
        [due] = due_dates(s, EVERYONE, date(2026, 11, 30), NO_FILTER)
        [due_back] = due_dates(s, EVERYONE, date(2026, 12, 1), NO_FILTER)
    # Gaps: 29 Sep -> 27 Oct = 28 days; open 27 Oct -> 30 Nov = 13 at work.
    assert ws.longest_gap_days == kept_ws.longest_gap_days == records_ws.longest_gap_days == 28
    # November alone: the gap from 27 Oct measured to 30 Nov is its longest; October's: 27 Oct -> 31 Oct = 4, so
    # 29 Sep -> 27 Oct = 28.
    assert (months[11].longest_gap_days, months[10].longest_gap_days) == (13, 28)
    # The roster on 30 Nov: 13 days since, on leave. Back on 1 Dec, the 14th day at work: due 1 Dec + 31 - 14 =
    # 18 Dec (the fully certified limit, 31 days).
    assert (due.status, due.days_since, due.next_due) == ("on_leave", 13, date(2026, 12, 18))
    assert (due_back.status, due_back.days_since, due_back.next_due) == ("on_track", 14, date(2026, 12, 18))
