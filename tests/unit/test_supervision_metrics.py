"""Supervision metrics on tiny hand-built agencies, every expected number worked out by hand in a comment.

The default standard (seed_data/standard_default.json, in force since 2000-01-01):
in-training 7 days / 240 min a month, initially-certified 14 / 120, fully-certified 31 / 60; group counts.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from sqlalchemy import select, update

from dashboard.db import Database
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.queries.supervision import (DueDate, GapViolation, MeetingPoint, MonthShortfall, OverdueWorker,
                                           due_dates, frequency, kpi_supervision, meeting_trend, overdue_now,
                                           standard_status, supervision_mix, supervisor_signals)
from dashboard.scope import Scope
from models import StandardRule, SupervisionStandard, Team
from tests.builders import Agency
from tests.conftest import DEMO_END

EVERYONE = Scope.agency()
NO_FILTER = TeamFilter()
NO_SUPPRESSION = MetricSettings(min_cell_workers=0)
SPRING = Window(date(2026, 3, 1), date(2026, 5, 31))  # 92 days; March, April and May are full months


def by_name(rows: Iterable[object]) -> dict[str, object]:
    return {row.worker_name: row for row in rows}  # type: ignore[attr-defined]


def by_team(rows: Iterable[object]) -> dict[int, object]:
    return {row.team_id: row for row in rows}  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------------------
# Meeting the standard


def test_a_gap_crossing_the_window_start_counts_from_the_last_session_before_the_window(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        ann = a.worker("Ann", team)  # fully certified: 31 days, 60 minutes
        for day in (date(2026, 2, 10), date(2026, 3, 20), date(2026, 4, 15), date(2026, 5, 10)):
            a.individual(ann, day)
        cy = a.worker("Cy", team)
        for day in (date(2025, 10, 1), date(2026, 3, 5), date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 28)):
            a.individual(cy, day)
        dot = a.worker("Dot", team)
        for day in (date(2026, 1, 20), date(2026, 3, 1), date(2026, 3, 30), date(2026, 4, 29), date(2026, 5, 28)):
            a.individual(dot, day)
        bob = a.worker("Bob", team)
        # Dec 1 -> Feb 20 is 81 days, but entirely before the window: it does not count.
        for day in (date(2025, 12, 1), date(2026, 2, 20), date(2026, 3, 20), date(2026, 4, 15), date(2026, 5, 10)):
            a.individual(bob, day)
        rows = by_name(standard_status(s, EVERYONE, SPRING, NO_FILTER))

    ann_row, bob_row = rows["Ann"], rows["Bob"]
    # Ann: Feb 10 -> Mar 20 = 18 (rest of Feb) + 20 = 38 > 31. Then Mar 20 -> Apr 15 = 11 + 15 = 26,
    # Apr 15 -> May 10 = 15 + 10 = 25, and the open gap May 10 -> May 31 = 21.
    assert ann_row.gap_violations == (GapViolation(date(2026, 2, 10), date(2026, 3, 20), 38, 31),)
    assert ann_row.longest_gap_days == 38
    assert ann_row.reasons == ("gap of 38 days from 10 Feb to 20 Mar 2026; limit 31",)
    assert ann_row.meets is False
    # Three sessions inside the window (Feb 10 is before it), 60 minutes each; every month has 60 >= 60.
    assert (ann_row.individual_sessions, ann_row.minutes, ann_row.month_shortfalls) == (3, 180, ())
    # Cy: the last session before the window is long before it, and is still the one the gap counts from:
    # Oct 1 -> Mar 5 = 30 (Oct) + 30 + 31 + 31 + 28 + 5 = 155.
    assert rows["Cy"].gap_violations == (GapViolation(date(2025, 10, 1), date(2026, 3, 5), 155, 31),)
    # Dot: a session on the window's first day ends a gap that overlaps the window by that day:
    # Jan 20 -> Mar 1 = 11 + 28 + 1 = 40 > 31. (Then 29, 30, 29 and the open 3.)
    assert rows["Dot"].gap_violations == (GapViolation(date(2026, 1, 20), date(2026, 3, 1), 40, 31),)
    assert rows["Dot"].individual_sessions == 4
    # Bob: Feb 20 -> Mar 20 = 8 + 20 = 28 <= 31; the rest as Ann.
    assert bob_row.meets is True and bob_row.reasons == () and bob_row.longest_gap_days == 28
    assert (bob_row.worker_name, bob_row.team_name, bob_row.stage_code) == ("Bob", "Team", "fully-certified")


def test_without_a_session_before_the_window_the_first_gap_counts_from_the_hire_date(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        cal = a.worker("Cal", a.team("Team"), hired=date(2026, 1, 15))
        for day in (date(2026, 3, 5), date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 28)):
            a.individual(cal, day)
        (row,) = standard_status(s, EVERYONE, SPRING, NO_FILTER)
    # Hire Jan 15 -> Mar 5 = 16 (rest of Jan) + 28 (Feb) + 5 = 49 > 31. Then 27, 29, 28 and the open 3.
    assert row.gap_violations == (GapViolation(date(2026, 1, 15), date(2026, 3, 5), 49, 31),)
    assert row.longest_gap_days == 49
    assert row.month_shortfalls == ()
    assert not row.meets


def test_a_worker_hired_mid_window_is_judged_from_hire_with_a_pro_rated_first_month(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        dee = a.worker("Dee", a.team("Team"), hired=date(2026, 3, 10), stage="initially-certified")  # 14 d, 120 min
        for day in (date(2026, 3, 20), date(2026, 4, 2), date(2026, 4, 15), date(2026, 4, 28), date(2026, 5, 8),
                    date(2026, 5, 20)):
            a.individual(dee, day)
        (row,) = standard_status(s, EVERYONE, SPRING, NO_FILTER)
    # Gaps: hire Mar 10 -> Mar 20 = 10, 13, 13, 13, Apr 28 -> May 8 = 10, 12, open May 20 -> 31 = 11: all <= 14.
    assert row.gap_violations == () and row.longest_gap_days == 13
    # March: employed Mar 10..31 = 22 of 31 days: 120 * 22 / 31 = 85.16, rounded up to 86; held 60.
    # April 3 x 60 = 180 >= 120; May 2 x 60 = 120 >= 120.
    assert row.month_shortfalls == (MonthShortfall(date(2026, 3, 1), 60, 86),)
    assert row.reasons == ("March 2026: 60 of 86 minutes (pro-rated: employed 22 of 31 days)",)
    assert (row.individual_sessions, row.minutes) == (6, 360)


def test_a_worker_who_left_is_judged_to_the_last_employed_day_with_the_last_month_pro_rated(
        reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        eve = a.worker("Eve", team, left_on=date(2026, 4, 20))  # last employed day Apr 19
        a.individual(eve, date(2026, 2, 25))
        a.individual(eve, date(2026, 3, 19))
        a.group([eve], date(2026, 4, 10), minutes=45)
        (row,) = standard_status(s, EVERYONE, SPRING, NO_FILTER)
    # Feb 25 -> Mar 19 = 3 + 19 = 22. Open gap Mar 19 -> Apr 19 (last employed day) = 12 + 19 = 31 <= 31
    # (to the window end it would be 73, to left_on 32: both would fail).
    assert row.longest_gap_days == 31 and row.gap_violations == ()
    # March 60 >= 60. April: employed Apr 1..19 = 19 of 30 days: 60 * 19 / 30 = 38; the 45-minute group
    # session counts. May: not employed, not judged.
    assert row.month_shortfalls == ()
    assert row.meets is True
    assert (row.individual_sessions, row.minutes, row.team_name) == (1, 105, "Team")


def test_a_left_worker_short_in_the_pro_rated_month_gets_the_pro_rated_minimum(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        eve = a.worker("Eve", a.team("Team"), left_on=date(2026, 4, 20))
        a.individual(eve, date(2026, 2, 25))
        a.individual(eve, date(2026, 3, 19))
        a.individual(eve, date(2026, 4, 1), minutes=30)
        (row,) = standard_status(s, EVERYONE, SPRING, NO_FILTER)
    # Gaps 22, 13 and the open Apr 1 -> Apr 19 = 18: fine. April: 30 of ceil(60 * 19 / 30) = 38.
    assert row.gap_violations == ()
    assert row.month_shortfalls == (MonthShortfall(date(2026, 4, 1), 30, 38),)
    assert row.reasons == ("April 2026: 30 of 38 minutes (pro-rated: employed 19 of 30 days)",)


def test_a_gap_is_judged_by_the_stage_held_on_its_first_day(reference_db: Database) -> None:
    window = Window(date(2026, 3, 20), date(2026, 4, 15))  # no full month: only gaps are judged
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        fay = a.worker("Fay", team, hired=date(2025, 10, 1), stage="in-training")
        gus = a.worker("Gus", team, hired=date(2025, 10, 1), stage="in-training")
        for person in (fay, gus):
            a.promote(person, "initially-certified", date(2026, 4, 1))  # 7 days before Apr 1, 14 from it
        for day in (date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 4), date(2026, 4, 11)):
            a.individual(fay, day)
        for day in (date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 1), date(2026, 4, 11)):
            a.individual(gus, day)
        rows = by_name(standard_status(s, EVERYONE, window, NO_FILTER))
    # Fay: Mar 18 -> 25 = 7 (in training, ok); Mar 25 -> Apr 4 = 10 starts in training: limit 7, violated;
    # Apr 4 -> 11 = 7 and open Apr 11 -> 15 = 4 under initially certified.
    assert rows["Fay"].gap_violations == (GapViolation(date(2026, 3, 25), date(2026, 4, 4), 10, 7),)
    # Gus: 7, 7, then Apr 1 -> Apr 11 = 10 starting on the first initially-certified day: limit 14, fine.
    assert rows["Gus"].meets is True and rows["Gus"].longest_gap_days == 10
    assert rows["Gus"].stage_code == "initially-certified"
    assert rows["Fay"].individual_sessions == 3  # Mar 25, Apr 4, Apr 11 (Mar 18 is before the window)


def test_a_standard_changed_mid_window_judges_each_gap_and_month_by_the_version_then_in_force(
        reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        stricter = SupervisionStandard(name="Stricter", effective_from=date(2026, 4, 1))
        s.add(stricter)
        s.flush()
        for code, max_days, minimum in (("in-training", 7, 240), ("initially-certified", 14, 120),
                                        ("fully-certified", 14, 90)):
            s.add(StandardRule(standard_id=stricter.id, stage_id=a.stages[code], max_days_between_individual=max_days,
                               min_minutes_per_month=minimum, group_counts_toward_minimum=False))
        hal = a.worker("Hal", a.team("Team"))
        for day, minutes in ((date(2026, 2, 25), 60), (date(2026, 3, 20), 60), (date(2026, 4, 10), 60),
                             (date(2026, 4, 20), 60), (date(2026, 5, 1), 60), (date(2026, 5, 20), 20)):
            a.individual(hal, day, minutes)
        a.group([hal], date(2026, 5, 15), minutes=60)
        (row,) = standard_status(s, EVERYONE, SPRING, NO_FILTER)
    # Gaps: Feb 25 -> Mar 20 = 23 (old: 31); Mar 20 -> Apr 10 = 21, starts under the old standard: 31, ok;
    # Apr 10 -> 20 = 10 and Apr 20 -> May 1 = 11 (new: 14, ok); May 1 -> May 20 = 19 > 14; open May 20 -> 31 = 11.
    assert row.gap_violations == (GapViolation(date(2026, 5, 1), date(2026, 5, 20), 19, 14),)
    assert row.longest_gap_days == 23
    # March (old: 60, group counts): 60, ok. April (new: 90): 120, ok. May (new: 90, group does not count):
    # 60 + 20 = 80 < 90 (with the 60-minute group session it would be 140).
    assert row.month_shortfalls == (MonthShortfall(date(2026, 5, 1), 80, 90),)
    assert row.reasons == ("gap of 19 days in May 2026 (1 to 20 May); limit 14", "May 2026: 80 of 90 minutes")
    assert (row.individual_sessions, row.minutes) == (5, 60 + 120 + 80)


@pytest.mark.parametrize(("group_counts", "expected"), [
    (True, ()),  # 30 individual + 45 group = 75 >= 60
    (False, (MonthShortfall(date(2026, 3, 1), 30, 60),)),  # 30 < 60
])
def test_group_sessions_count_toward_the_minimum_only_when_the_rule_says_so(
        reference_db: Database, group_counts: bool, expected: tuple[MonthShortfall, ...]) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        s.execute(update(StandardRule).where(StandardRule.stage_id == a.stages["fully-certified"])
                  .values(group_counts_toward_minimum=group_counts))
        ivy = a.worker("Ivy", a.team("Team"))
        a.individual(ivy, date(2026, 2, 20), 30)
        a.individual(ivy, date(2026, 3, 10), 30)
        a.group([ivy], date(2026, 3, 20), minutes=45)
        (row,) = standard_status(s, EVERYONE, Window(date(2026, 3, 1), date(2026, 3, 31)), NO_FILTER)
    # Gaps Feb 20 -> Mar 10 = 18 and open Mar 10 -> 31 = 21: both within 31.
    assert row.gap_violations == ()
    assert row.month_shortfalls == expected
    assert row.minutes == (75 if group_counts else 30)


def test_a_worker_without_a_certification_stage_cannot_meet_the_standard(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        nia = a.worker("Nia", a.team("Team"), stage=None)
        a.individual(nia, date(2026, 3, 25))
        (row,) = standard_status(s, EVERYONE, Window(date(2026, 3, 20), date(2026, 3, 31)), NO_FILTER)
        (due,) = due_dates(s, EVERYONE, date(2026, 3, 31), NO_FILTER)
    # Hire 2025-01-01 -> Mar 25 = 448 days with no rule: reported, not silently passed. Open gap: 6 days.
    assert not row.meets and row.gap_violations == () and row.stage_code is None
    assert row.reasons[0] == ("gap of 448 days from 1 Jan 2025 to 25 Mar 2026; no standard rule applies "
                              "(no certification stage recorded on 1 Jan 2025, or no rule for the "
                              "worker's stage in the standard in force then)")
    assert (due.status, due.limit, due.next_due, due.days_since) == ("no_standard", None, None, 6)


def test_a_team_move_reports_the_team_at_the_window_end_or_the_last_team_in_view(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        first, second = a.team("First"), a.team("Second")
        jo = a.worker("Jo", first)
        a.move(jo, second, date(2026, 4, 15))
        a.individual(jo, date(2026, 3, 10))
        a.individual(jo, date(2026, 4, 5))
        a.individual(jo, date(2026, 5, 2))
        everyone = standard_status(s, EVERYONE, SPRING, NO_FILTER)
        first_only = standard_status(s, Scope(team_ids=frozenset({first.id})), SPRING, NO_FILTER)
        second_only = standard_status(s, EVERYONE, SPRING, TeamFilter(team_ids=frozenset({second.id})))
        first_id, second_id = first.id, second.id
    assert [(r.worker_name, r.team_id, r.team_name) for r in everyone] == [("Jo", second_id, "Second")]
    # A supervisor of First sees Jo for the part of the window Jo was on First, under First.
    assert [(r.worker_name, r.team_id) for r in first_only] == [("Jo", first_id)]
    assert [(r.worker_name, r.team_id) for r in second_only] == [("Jo", second_id)]
    # The whole window is judged either way: 3 sessions.
    assert first_only[0].individual_sessions == second_only[0].individual_sessions == 3


# ---------------------------------------------------------------------------------------------------------------
# Due dates and overdue


def test_due_dates_give_on_track_due_soon_and_overdue_with_hand_worked_dates(reference_db: Database) -> None:
    as_of = date(2026, 5, 31)
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        kim = a.worker("Kim", team)
        a.individual(kim, date(2026, 5, 20))
        a.group([kim], date(2026, 5, 10), minutes=30)
        lou = a.worker("Lou", team)
        a.individual(lou, date(2026, 5, 3))
        mo = a.worker("Mo", team)
        a.individual(mo, date(2026, 4, 25))
        a.group([mo], date(2026, 5, 28))  # a group session does not reset the individual clock
        max_ = a.worker("Max", team)
        a.individual(max_, date(2026, 4, 30))
        sev, eig = a.worker("Sev", team), a.worker("Eig", team)
        a.individual(sev, date(2026, 5, 7))
        a.individual(eig, date(2026, 5, 8))
        a.worker("Ned", team, hired=date(2026, 5, 27), stage="in-training")
        pat = a.worker("Pat", team)
        a.individual(pat, date(2025, 11, 1))
        a.individual(pat, date(2025, 12, 1))  # long before the recent look-back: found all the same
        a.worker("Gone", team, left_on=date(2026, 5, 15))
        rows = by_name(due_dates(s, EVERYONE, as_of, NO_FILTER))
        overdue = overdue_now(s, EVERYONE, as_of, NO_FILTER)
        ids = {name: row.worker_id for name, row in rows.items()}
        one = {name: due_dates(s, EVERYONE, as_of, NO_FILTER, worker_id=ids[name]) for name in ("Kim", "Ned", "Mo")}
        team_id = team.id

    def due(name: str) -> tuple[object, ...]:
        row = rows[name]
        assert isinstance(row, DueDate)
        return (row.last_individual, row.days_since, row.limit, row.next_due, row.days_until_due, row.status)

    assert set(rows) == {"Kim", "Lou", "Mo", "Max", "Sev", "Eig", "Ned", "Pat"}  # Gone left on May 15
    # Kim: May 20 + 31 = Jun 20; 11 days since, 20 to go.
    assert due("Kim") == (date(2026, 5, 20), 11, 31, date(2026, 6, 20), 20, "on_track")
    # Lou: May 3 + 31 = Jun 3; 28 since, 3 to go: due within 7 days.
    assert due("Lou") == (date(2026, 5, 3), 28, 31, date(2026, 6, 3), 3, "due_soon")
    # Sev: May 7 + 31 = Jun 7, 7 days to go: still "within 7 days". Eig: May 8 + 31 = Jun 8, 8 to go.
    assert due("Sev") == (date(2026, 5, 7), 24, 31, date(2026, 6, 7), 7, "due_soon")
    assert due("Eig") == (date(2026, 5, 8), 23, 31, date(2026, 6, 8), 8, "on_track")
    # Max: Apr 30 + 31 = May 31 = today: 31 since is not more than 31, so due (today), not overdue.
    assert due("Max") == (date(2026, 4, 30), 31, 31, date(2026, 5, 31), 0, "due_soon")
    # Mo: Apr 25 + 31 = May 26; 36 since > 31.
    assert due("Mo") == (date(2026, 4, 25), 36, 31, date(2026, 5, 26), -5, "overdue")
    # Ned: no session; hired May 27 in training: May 27 + 7 = Jun 3; 4 since, 3 to go.
    assert due("Ned") == (None, 4, 7, date(2026, 6, 3), 3, "due_soon")
    # Pat: Dec 1 -> May 31 = 30 + 31 + 28 + 31 + 30 + 31 = 181; due Jan 1.
    assert due("Pat") == (date(2025, 12, 1), 181, 31, date(2026, 1, 1), -150, "overdue")
    # This month: Kim 60 + 30 (group counts) = 90 of 60; Ned hired May 27: 240 * 5 / 31 = 38.7 -> 39.
    assert (rows["Kim"].minutes_this_month, rows["Kim"].required_this_month) == (90, 60)
    assert (rows["Ned"].minutes_this_month, rows["Ned"].required_this_month) == (0, 39)
    assert all(one[name] == [rows[name]] for name in one)  # one worker's row, as in the team's list
    assert overdue == [OverdueWorker(ids["Pat"], "Pat", team_id, date(2025, 12, 1), 181, 31),
                       OverdueWorker(ids["Mo"], "Mo", team_id, date(2026, 4, 25), 36, 31)]


def test_due_dates_follow_a_stage_change(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        ola = a.worker("Ola", a.team("Team"), hired=date(2025, 1, 1), stage="in-training")
        a.promote(ola, "initially-certified", date(2026, 5, 25))
        a.individual(ola, date(2026, 5, 20))
        before = due_dates(s, EVERYONE, date(2026, 5, 24), NO_FILTER)[0]
        after = due_dates(s, EVERYONE, date(2026, 5, 28), NO_FILTER)[0]
    # May 24, in training: May 20 + 7 = May 27, 4 since, 3 to go.
    assert (before.limit, before.next_due, before.status) == (7, date(2026, 5, 27), "due_soon")
    # May 28, initially certified: May 20 + 14 = Jun 3; 8 since (over the old 7, but the stage changed).
    assert (after.limit, after.next_due, after.days_since, after.status) == (14, date(2026, 6, 3), 8, "due_soon")


# ---------------------------------------------------------------------------------------------------------------
# Frequency, mix, supervisor signals


def test_frequency_per_team_with_odd_and_even_numbers_of_gaps(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        odd, even = a.team("Odd"), a.team("Even")
        w1, w2, w3 = (a.worker(name, odd) for name in ("W1", "W2", "W3"))
        for day in (date(2026, 3, 2), date(2026, 3, 12), date(2026, 3, 30)):
            a.individual(w1, day)  # gaps 10, 18
        for day in (date(2026, 4, 1), date(2026, 4, 8)):
            a.individual(w2, day)  # gap 7
        a.individual(w3, date(2026, 2, 25))  # before the window: no gap to May 5 counted
        a.individual(w3, date(2026, 5, 5))
        a.group([w1, w2, w3], date(2026, 4, 20), minutes=90)
        w4 = a.worker("W4", even, stage="in-training")
        w5 = a.worker("W5", even, stage="initially-certified")
        a.worker("W6", even)
        for day in (date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 11)):
            a.individual(w4, day, 30)  # gaps 4, 6
        for day in (date(2026, 4, 1), date(2026, 4, 11), date(2026, 5, 1)):
            a.individual(w5, day, 30)  # gaps 10, 20
        rows = by_team(frequency(s, EVERYONE, SPRING, NO_FILTER, MetricSettings()))
        odd_id, even_id, program_id = odd.id, even.id, a.program.id

    months = 92 / 30.4375  # SPRING is 92 days
    o = rows[odd_id]
    assert (o.team_name, o.program_id, o.workers, o.suppressed) == ("Odd", program_id, 3, False)
    # 3 + 2 + 1 = 6 individual sessions / 3 workers / 3.0226 months = 0.6617
    assert o.individual_per_worker_month == pytest.approx(6 / 3 / months)
    assert o.individual_per_worker_month == pytest.approx(0.661685, abs=1e-6)
    # 6 x 60 individual + 90 group x 3 attendees = 630 minutes = 10.5 hours / 3 / 3.0226 = 1.1579
    assert o.hours_per_worker_month == pytest.approx(1.157948, abs=1e-6)
    # gaps 7, 10, 18: the middle one
    assert o.median_gap_days == 10
    # all fully certified: 30.4375 / 31 = 0.98185
    assert o.expected_individual_per_worker_month == pytest.approx(0.981855, abs=1e-6)
    e = rows[even_id]
    # gaps 4, 6, 10, 20: (6 + 10) / 2
    assert e.median_gap_days == 8
    # 6 sessions x 30 minutes = 3 hours / 3 workers / 3.0226 months = 0.33085
    assert e.hours_per_worker_month == pytest.approx(0.330842, abs=1e-6)
    # (30.4375/7 + 30.4375/14 + 30.4375/31) / 3 = (4.34821 + 2.17411 + 0.98185) / 3 = 2.50139
    assert e.expected_individual_per_worker_month == pytest.approx(2.501392, abs=1e-6)


def test_frequency_counts_a_movers_sessions_for_the_team_at_the_window_end(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        first, second = a.team("First"), a.team("Second")
        jo = a.worker("Jo", first)
        a.worker("Stay", first)
        a.move(jo, second, date(2026, 4, 15))
        a.individual(jo, date(2026, 3, 10))  # while on First
        a.individual(jo, date(2026, 5, 2))  # on Second
        rows = by_team(frequency(s, EVERYONE, SPRING, NO_FILTER, MetricSettings(min_cell_workers=0)))
        first_id, second_id = first.id, second.id
    months = 92 / 30.4375
    # Second: Jo alone, both sessions: 2 / 1 / 3.0226 = 0.6617; one gap Mar 10 -> May 2 = 21 + 30 + 2 = 53.
    assert rows[second_id].workers == 1
    assert rows[second_id].individual_per_worker_month == pytest.approx(2 / months)
    assert rows[second_id].median_gap_days == 53
    # First: Stay only, no sessions.
    assert (rows[first_id].workers, rows[first_id].individual_per_worker_month) == (1, 0)
    assert rows[first_id].median_gap_days is None


def test_supervision_mix_counts_each_session_once_per_team_by_its_minutes(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team, other = a.team("Team"), a.team("Other")
        w1, w2, w3 = (a.worker(name, team) for name in ("W1", "W2", "W3"))
        o1, o2, o3 = (a.worker(name, other) for name in ("O1", "O2", "O3"))
        a.individual(w1, date(2026, 3, 5), 60, "administrative")
        a.individual(w2, date(2026, 3, 6), 30, "supportive")
        a.group([w1, w2, w3, o1], date(2026, 4, 1), 90, "clinical_educational")
        a.individual(w3, date(2026, 5, 1), 20, "direct_observation")
        a.individual(w1, date(2026, 2, 27), 500, "administrative")  # before the window
        a.individual(o2, date(2026, 4, 2), 100, "administrative")
        a.group([o2, o3], date(2026, 4, 3), 60, "supportive")
        rows = by_team(supervision_mix(s, EVERYONE, SPRING, NO_FILTER, MetricSettings()))
        team_id, other_id = team.id, other.id
    # Team: 60 admin + 30 supportive + 90 clinical (once, though 3 attended) + 20 observation = 200; 60 / 200.
    assert rows[team_id].minutes_by_kind == (("administrative", 60), ("supportive", 30),
                                             ("clinical_educational", 90), ("direct_observation", 20))
    assert rows[team_id].administrative_share == pytest.approx(0.3)
    # Other: 100 admin + 60 supportive + the shared 90 clinical = 250; 100 / 250.
    assert rows[other_id].administrative_share == pytest.approx(0.4)


def test_fte_per_supervisor_sums_every_team_a_supervisor_has_and_flags_it_over_the_limit(
        reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        first, second = a.team("First"), a.team("Second")
        sam = a.staff("Sam", "supervisor", date(2020, 1, 1))
        peer = a.staff("Pia", "supervisor", date(2020, 1, 1), peer_credential=True)
        former = a.staff("Fred", "supervisor", date(2020, 1, 1), peer_credential=True)
        a.supervise(sam, first)
        a.supervise(sam, second)
        a.supervise(peer, second)
        a.supervise(former, first, until=date(2026, 5, 1))  # no longer on First at the window end
        for name, fte in (("A1", "1.00"), ("A2", "1.00"), ("A3", "0.50")):
            a.worker(name, first, fte=fte)
        a.worker("A4", first, left_on=date(2026, 5, 30))  # gone by May 31: not counted
        for name, fte in (("B1", "1.00"), ("B2", "1.00"), ("B3", "1.00"), ("B4", "1.00"), ("B5", "0.80")):
            a.worker(name, second, fte=fte)
        rows = by_team(supervisor_signals(s, EVERYONE, SPRING, NO_FILTER, MetricSettings()))
        relaxed = by_team(supervisor_signals(s, EVERYONE, SPRING, NO_FILTER,
                                             MetricSettings(fte_per_supervisor_limit=8.0)))
        first_id, second_id = first.id, second.id
    # Sam: First 1 + 1 + 0.5 = 2.5, Second 4 x 1 + 0.8 = 4.8: 7.3 > 7. Pia: Second only, 4.8.
    one, two = rows[first_id], rows[second_id]
    assert (one.supervisors, one.fte_per_supervisor, one.over_limit) == (1, pytest.approx(7.3), True)
    assert (two.supervisors, two.fte_per_supervisor, two.over_limit) == (2, pytest.approx(7.3), True)
    # First: its only supervisor (Sam) has no peer credential (Fred left First on May 1); Second has Pia.
    assert (one.peer_credential_share, two.peer_credential_share) == (0.0, 1.0)
    assert relaxed[first_id].over_limit is False  # 7.3 <= 8


def test_small_teams_are_suppressed_unless_suppression_is_off(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Pair")
        sam = a.staff("Sam", "supervisor", date(2020, 1, 1), peer_credential=True)
        a.supervise(sam, team)
        w1, w2 = a.worker("W1", team), a.worker("W2", team)
        a.individual(w1, date(2026, 3, 5), 60, "administrative")
        a.individual(w2, date(2026, 3, 6), 60, "supportive")
        a.individual(w2, date(2026, 3, 16), 60, "supportive")
        default, off = MetricSettings(), MetricSettings(min_cell_workers=0)
        hidden = (frequency(s, EVERYONE, SPRING, NO_FILTER, default)[0],
                  supervision_mix(s, EVERYONE, SPRING, NO_FILTER, default)[0],
                  supervisor_signals(s, EVERYONE, SPRING, NO_FILTER, default)[0])
        shown = (frequency(s, EVERYONE, SPRING, NO_FILTER, off)[0],
                 supervision_mix(s, EVERYONE, SPRING, NO_FILTER, off)[0],
                 supervisor_signals(s, EVERYONE, SPRING, NO_FILTER, off)[0])
    freq, mix, signals = hidden
    assert freq.suppressed and mix.suppressed and signals.suppressed  # 2 workers < 3
    assert (freq.individual_per_worker_month, freq.hours_per_worker_month, freq.median_gap_days,
            freq.expected_individual_per_worker_month) == (None, None, None, None)
    assert (mix.minutes_by_kind, mix.administrative_share) == ((), None)
    assert (signals.peer_credential_share, signals.fte_per_supervisor, signals.over_limit) == (None, None, False)
    freq, mix, signals = shown
    assert not (freq.suppressed or mix.suppressed or signals.suppressed)
    assert freq.median_gap_days == 10  # W2: Mar 6 -> 16
    assert mix.administrative_share == pytest.approx(60 / 180)
    assert (signals.peer_credential_share, signals.fte_per_supervisor) == (1.0, pytest.approx(2.0))


# ---------------------------------------------------------------------------------------------------------------
# Trend and KPIs


def test_meeting_trend_judges_each_month_over_the_workers_on_its_last_day(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        quin = a.worker("Quin", team)
        for day in (date(2026, 2, 20), date(2026, 3, 15), date(2026, 4, 30)):
            a.individual(quin, day)
        ria = a.worker("Ria", team, hired=date(2026, 4, 10))
        a.individual(ria, date(2026, 4, 15))
        sid = a.worker("Sid", team, left_on=date(2026, 4, 20))
        a.individual(sid, date(2026, 1, 10))
        points = meeting_trend(s, EVERYONE, date(2026, 5, 15), 3, NO_FILTER, NO_SUPPRESSION)
    # March (Quin, Sid): Quin Feb 20 -> Mar 15 = 23, open to Mar 31 = 16, 60 minutes: meets.
    #   Sid Jan 10 -> open to Mar 31 = 80 > 31: does not. 1 of 2.
    # April (Quin, Ria; Sid left Apr 20): Quin Mar 15 -> Apr 30 = 46 > 31: no. Ria hired Apr 10 -> Apr 15 = 5,
    #   open to Apr 30 = 15; 60 minutes of ceil(60 * 21 / 30) = 42: meets. 1 of 2.
    # May 1-15 (not a full month, so no minutes check): Quin Apr 30 -> May 15 = 15, Ria Apr 15 -> May 15 = 30:
    #   both meet. 2 of 2.
    assert points == [MeetingPoint(date(2026, 3, 31), 2, 0.5), MeetingPoint(date(2026, 4, 30), 2, 0.5),
                      MeetingPoint(date(2026, 5, 15), 2, 1.0)]


def test_kpis_judge_the_standard_over_the_workers_on_a_team_at_the_windows_end(reference_db: Database) -> None:
    window = Window(date(2026, 5, 1), date(2026, 5, 31))  # 31 days
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team")
        a.supervise(a.staff("Sue", "supervisor", date(2020, 1, 1)), team)
        a.supervise(a.staff("Ex", "supervisor", date(2020, 1, 1)), team, until=date(2026, 5, 10))
        k1, k2 = a.worker("K1", team), a.worker("K2", team)
        k3 = a.worker("K3", team, left_on=date(2026, 5, 20))
        a.individual(k1, date(2026, 4, 20))
        a.individual(k1, date(2026, 5, 15))
        a.individual(k2, date(2026, 4, 10))
        a.group([k1, k2], date(2026, 5, 5), minutes=90)
        a.individual(k3, date(2026, 5, 1), 30)
        kpis = kpi_supervision(s, EVERYONE, window, NO_FILTER, NO_SUPPRESSION)
    # Active on May 31: K1, K2 (K3 left May 20). Supervisors on May 31: Sue (Ex ended May 10).
    assert (kpis.active_workers, kpis.supervisors) == (2, 1)
    # Judged over May, the same two people as "Active peer workers" (K3, who left on May 20, is not judged: the
    # card beside it does not count him): K1 (Apr 20 -> May 15 = 25, open 16; 60 + 90 minutes) meets; K2
    # (Apr 10 -> open May 31 = 51) does not: 1 of 2.
    assert kpis.meeting_share == pytest.approx(1 / 2)
    assert kpis.shown_workers == 2
    assert kpis.overdue_now == 1  # K2: 51 > 31
    # Active workers' minutes in May: K1 60 + 90, K2 90 = 240 = 4 hours / 2 workers / (31 / 30.4375) = 1.96371
    assert kpis.hours_per_worker_month == pytest.approx(1.963710, abs=1e-6)


def test_a_suppressed_team_adds_nothing_to_the_kpis_but_the_head_counts(reference_db: Database) -> None:
    window = Window(date(2026, 5, 1), date(2026, 5, 31))  # 31 days; fully certified: 31 days, 60 minutes
    with reference_db.session() as s:
        a = Agency(s)
        big, small = a.team("Big"), a.team("Small")
        b1, b2, b3 = (a.worker(name, big) for name in ("B1", "B2", "B3"))
        s1, s2 = a.worker("S1", small), a.worker("S2", small)
        for worker, first, second in ((b1, date(2026, 4, 20), date(2026, 5, 15)),
                                      (b2, date(2026, 4, 25), date(2026, 5, 20)),
                                      (s1, date(2026, 4, 25), date(2026, 5, 20))):
            a.individual(worker, first)
            a.individual(worker, second, 120 if worker is s1 else 60)
        a.individual(b3, date(2026, 4, 1))
        a.individual(s2, date(2026, 3, 1))
        a.leave(s2, date(2026, 5, 25))
        big_only, big_and_small = TeamFilter(team_ids=frozenset({big.id})), TeamFilter(team_ids=frozenset({big.id,
                                                                                                          small.id}))
        alone, with_small, everyone = (kpi_supervision(s, EVERYONE, window, filters, MetricSettings())
                                       for filters in (big_only, big_and_small, NO_FILTER))
        unsuppressed = kpi_supervision(s, EVERYONE, window, NO_FILTER, NO_SUPPRESSION)
    # Big (3 workers): B1 (Apr 20 -> May 15 = 25, open 16, 60 minutes) and B2 (25, 11, 60) meet; B3 (Apr 1 -> open
    # May 31 = 60 > 31) does not and is overdue. Minutes in May: 60 + 60 = 2 hours / 3 workers / (31 / 30.4375).
    # Small (2 workers < 3, suppressed): S1 meets (120 minutes); S2 (Mar 1, on leave from May 25) does not and is
    # on leave, so not overdue. Small adds to the head count and to nothing else.
    assert (alone.active_workers, with_small.active_workers, everyone.active_workers) == (3, 5, 5)
    assert (alone.small_teams, with_small.small_teams, everyone.small_teams) == (0, 1, 1)
    big_hours = 2 / 3 / (31 / 30.4375)
    for kpis in (alone, with_small, everyone):
        assert (kpis.shown_workers, kpis.meeting_share, kpis.overdue_now, kpis.on_leave_now,
                kpis.hours_per_worker_month, kpis.all_suppressed) == (3, pytest.approx(2 / 3), 1, 0,
                                                                      pytest.approx(big_hours), False)
    # Suppression off: 3 of 5 meet (B1, B2, S1); overdue B3 only; S2 on leave; May: 60 + 60 + 120 = 4 hours.
    assert (unsuppressed.shown_workers, unsuppressed.meeting_share, unsuppressed.overdue_now,
            unsuppressed.on_leave_now, unsuppressed.small_teams) == (5, pytest.approx(3 / 5), 1, 1, 0)
    assert unsuppressed.hours_per_worker_month == pytest.approx(4 / 5 / (31 / 30.4375))
    with reference_db.session() as s:  # Small alone: every number but the head count is withheld
        only_small = kpi_supervision(s, EVERYONE, window, TeamFilter(team_ids=frozenset({small.id})),
                                     MetricSettings())
    assert (only_small.active_workers, only_small.all_suppressed, only_small.meeting_share,
            only_small.overdue_now, only_small.hours_per_worker_month) == (2, True, None, 0, None)


def test_the_meeting_trend_leaves_out_a_team_in_the_months_it_is_suppressed(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        big, small = a.team("Big"), a.team("Small")
        for name in ("B1", "B2", "B3"):  # an individual session every 20 days: meets every month
            worker = a.worker(name, big)
            for day in (date(2026, 2, 25), date(2026, 3, 17), date(2026, 4, 6), date(2026, 4, 26)):
                a.individual(worker, day)
        s1, s2 = a.worker("S1", small), a.worker("S2", small)  # no session since 2025: never meets
        s3 = a.worker("S3", small, hired=date(2026, 4, 10))  # Small has 3 workers from April 10
        for worker in (s1, s2, s3):
            a.individual(worker, date(2025, 12, 1))
        settings = MetricSettings()
        big_only = meeting_trend(s, EVERYONE, date(2026, 4, 30), 2, TeamFilter(team_ids=frozenset({big.id})),
                                 settings)
        both = meeting_trend(s, EVERYONE, date(2026, 4, 30), 2, NO_FILTER, settings)
    # March: Small has 2 workers on Mar 31, suppressed: Big alone, 3 of 3 meet, with or without Small in the filter.
    # April: Small has 3 on Apr 30 and is shown: 3 of 6 (S1, S2 far past 31 days; S3 hired Apr 10, nothing since).
    assert big_only == [MeetingPoint(date(2026, 3, 31), 3, 1.0), MeetingPoint(date(2026, 4, 30), 3, 1.0)]
    assert both == [MeetingPoint(date(2026, 3, 31), 3, 1.0), MeetingPoint(date(2026, 4, 30), 6, 0.5)]


# ---------------------------------------------------------------------------------------------------------------
# Scope


def test_a_supervisor_scope_never_returns_another_teams_workers_and_a_forged_filter_returns_nothing(
        reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        mine, theirs = a.team("Mine"), a.team("Theirs")
        sam = a.staff("Sam", "supervisor", date(2020, 1, 1))
        a.supervise(sam, mine)
        a.supervise(sam, theirs)
        for name in ("M1", "M2", "M3"):
            a.individual(a.worker(name, mine), date(2026, 5, 1))
        for name in ("T1", "T2", "T3"):
            a.individual(a.worker(name, theirs), date(2026, 5, 1))
        scope = Scope(team_ids=frozenset({mine.id}))
        forged = TeamFilter(team_ids=frozenset({theirs.id}))
        settings = MetricSettings()
        end = SPRING.end
        mine_id = mine.id
        assert {r.worker_name for r in standard_status(s, scope, SPRING, NO_FILTER)} == {"M1", "M2", "M3"}
        assert {r.worker_name for r in due_dates(s, scope, end, NO_FILTER)} == {"M1", "M2", "M3"}
        assert {r.team_id for r in frequency(s, scope, SPRING, NO_FILTER, settings)} == {mine_id}
        assert {r.team_id for r in supervision_mix(s, scope, SPRING, NO_FILTER, settings)} == {mine_id}
        (signals,) = supervisor_signals(s, scope, SPRING, NO_FILTER, settings)
        # Sam's load counts the team out of view too (3 + 3 workers at 1.0 FTE), without naming anyone there.
        assert (signals.team_id, signals.fte_per_supervisor) == (mine_id, pytest.approx(6.0))
        assert kpi_supervision(s, scope, SPRING, NO_FILTER, settings).active_workers == 3

        for viewer in (scope, Scope(team_ids=frozenset(), worker_id=None)):  # forged filter; a peer's scope
            filters = forged if viewer is scope else NO_FILTER
            assert standard_status(s, viewer, SPRING, filters) == []
            assert due_dates(s, viewer, end, filters) == []
            assert overdue_now(s, viewer, end, filters) == []
            assert frequency(s, viewer, SPRING, filters, settings) == []
            assert supervision_mix(s, viewer, SPRING, filters, settings) == []
            assert supervisor_signals(s, viewer, SPRING, filters, settings) == []
            assert [p.workers for p in meeting_trend(s, viewer, end, 2, filters, settings)] == [0, 0]
            kpis = kpi_supervision(s, viewer, SPRING, filters, settings)
            assert (kpis.active_workers, kpis.supervisors, kpis.meeting_share, kpis.overdue_now,
                    kpis.hours_per_worker_month) == (0, 0, None, 0, None)


@pytest.mark.parametrize("days", [90, 365])
def test_the_kpis_agree_with_the_per_worker_functions_on_the_demo_agency(demo_db: Database, days: int) -> None:
    window = Window.last_days(days, DEMO_END)
    with demo_db.session() as s:
        kpis = kpi_supervision(s, EVERYONE, window, NO_FILTER, MetricSettings())
        rows = standard_status(s, EVERYONE, window, NO_FILTER)
        overdue = overdue_now(s, EVERYONE, DEMO_END, NO_FILTER)
        due = due_dates(s, EVERYONE, DEMO_END, NO_FILTER)
        riverside = s.scalar(select(Team.id).where(Team.name == "Riverside Health Home"))
    # The same judgement three ways (the KPIs skip naming long-ago sessions; the verdicts must not change), over
    # the workers on a team on the window's last day: those with a due date.
    judged = [r for r in rows if r.worker_id in {d.worker_id for d in due}]
    assert len(judged) == len(due)
    assert (days == 365) == (len(judged) < len(rows))  # over a year some left: the KPI does not judge them
    assert kpis.meeting_share == pytest.approx(sum(r.meets for r in judged) / len(judged))
    assert kpis.overdue_now == len(overdue) == sum(d.status == "overdue" for d in due)
    assert kpis.active_workers == len(due)
    assert kpis.on_leave_now == sum(d.status == "on_leave" for d in due) == 1  # the planted Kevin Rivera
    # The planted pattern: Riverside Health Home has fallen behind, most of its workers are overdue.
    team_due = [d for d in due if d.team_id == riverside]
    assert sum(d.status == "overdue" for d in team_due) > len(team_due) / 2
