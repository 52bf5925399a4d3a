"""Coverage, attention, single points of failure, trend and drill-down: hand-worked numbers on a tiny agency."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard.current_ratings import rebuild_current_ratings
from dashboard.db import Database
from dashboard.queries import coverage as cov
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.scope import Scope
from models import (Competency, CompetencyRating, CurrentRating, Program, RatingScale, SessionAttendee,
                    SessionCompetency, Staff, SupervisionSession, Team, TeamMembership)
from tests.conftest import DEMO_END

# Primary competencies per principle in seed_data/frameworks/samhsa-2015.json (default mapping):
#   recovery-oriented    II 5 + III 4 + VII 6 = 15
#   person-centered      IV 4 + V 5           =  9
#   voluntary            VI 5 + XI 7          = 12
#   relationship-focused I 5 + IX 6 + X 6     = 17
#   trauma-informed      VIII 5 + XII 4       =  9      (total 62)
PRINCIPLES = ("recovery-oriented", "person-centered", "voluntary", "relationship-focused", "trauma-informed")
PER_PRINCIPLE = {"recovery-oriented": 15, "person-centered": 9, "voluntary": 12, "relationship-focused": 17,
                 "trauma-informed": 9}

END = date(2026, 6, 30)  # staleness 365 days: a rating counts when rated_on > 2025-06-30
WINDOW = Window(date(2026, 4, 1), END)
PAST_END = date(2026, 4, 5)  # before the last rating (2026-05-01): the history path; cutoff 2025-04-05
DEFAULT = MetricSettings()  # staleness 365, min 3 workers, proficient level 3 (default scale), holding 0.75
NO_SUPPRESSION = MetricSettings(min_cell_workers=0)
AGENCY = Scope.agency()
EVERYTHING = TeamFilter()


@dataclass
class Agency:
    """Ids of the tiny agency.

    P1: team A (w1, w2, w3; w4 from 2026-05-15; w8 until 2026-06-01, when they left), team B (w5, w6;
    w4 until 2026-05-15; w7 hired 2026-07-10, after END, though placed on B from 2026-06-15), team D
    (nobody). P2: team C (w9).
    """

    p1: int
    p2: int
    a: int
    b: int
    c: int
    d: int
    supervisor: int
    w: dict[int, int]  # worker number -> staff id
    competency: dict[str, int]  # code -> id
    scale: int


def build_agency(s: Session) -> Agency:
    p1, p2 = Program(name="P1"), Program(name="P2")
    s.add_all([p1, p2])
    s.flush()
    teams = {name: Team(program_id=(p2 if name == "C" else p1).id, name=name) for name in "ABCD"}
    supervisor = Staff(full_name="Sue", role="supervisor", hire_date=date(2020, 1, 1))
    hired = date(2024, 1, 1)
    workers = {n: Staff(full_name=f"Worker {n}", role="peer_worker", hire_date=hired) for n in range(1, 10)}
    workers[7].hire_date = date(2026, 7, 10)
    workers[8].left_on = date(2026, 6, 1)
    s.add_all([*teams.values(), supervisor, *workers.values()])
    s.flush()
    start, move = date(2025, 1, 1), date(2026, 5, 15)
    memberships = [(1, "A", start, None), (2, "A", start, None), (3, "A", start, None),
                   (4, "B", start, move), (4, "A", move, None), (5, "B", start, None), (6, "B", start, None),
                   # w7 is placed on B ahead of the start date; w8's leaving is recorded on the staff
                   # record only. Both must drop out by the staff dates, not by the membership.
                   (7, "B", date(2026, 6, 15), None), (8, "A", start, None), (9, "C", start, None)]
    s.add_all([TeamMembership(staff_id=workers[n].id, team_id=teams[t].id, start_date=begin, end_date=until)
               for n, t, begin, until in memberships])
    s.flush()
    agency = Agency(p1.id, p2.id, teams["A"].id, teams["B"].id, teams["C"].id, teams["D"].id, supervisor.id,
                    {n: w.id for n, w in workers.items()},
                    {code: id_ for code, id_ in s.execute(select(Competency.code, Competency.id))},
                    s.scalar(select(RatingScale.id).where(RatingScale.is_active)) or 0)
    return agency


def rate(s: Session, ag: Agency, worker: int, code: str, level: int, on: date, role: str = "supervisor") -> None:
    rater = ag.w[worker] if role == "self" else ag.supervisor
    s.add(CompetencyRating(worker_id=ag.w[worker], competency_id=ag.competency[code], scale_id=ag.scale,
                           level=level, rater_id=rater, rater_role=role, rated_on=on))
    s.flush()  # one at a time, so ids follow the order written (the same-day tie-break)


def base_ratings(s: Session, ag: Agency) -> None:
    """The ratings every coverage test starts from; the last one is dated 2026-05-01 (<= END)."""
    march = date(2026, 3, 1)
    rate(s, ag, 1, "VIII.1", 3, march)
    rate(s, ag, 1, "VIII.2", 4, march)
    rate(s, ag, 1, "VIII.3", 2, march)
    rate(s, ag, 1, "VIII.4", 4, march, role="self")  # self ratings never count
    rate(s, ag, 1, "IX.1", 3, march)  # IX: relationship-focused primary, trauma-informed only secondary
    rate(s, ag, 2, "VIII.1", 3, date(2025, 6, 30))  # exactly 365 days before END: stale at END
    rate(s, ag, 2, "VIII.2", 3, date(2025, 7, 1))  # 364 days before END: still current
    rate(s, ag, 3, "XII.1", 3, date(2026, 1, 10))
    rate(s, ag, 3, "XII.1", 2, date(2026, 4, 10))  # the newer rating wins: not proficient any more
    rate(s, ag, 3, "XII.2", 1, date(2026, 4, 1))
    rate(s, ag, 4, "VIII.5", 4, date(2026, 2, 1))
    rate(s, ag, 4, "XII.4", 3, date(2026, 2, 1))
    rate(s, ag, 5, "VIII.1", 3, date(2026, 5, 1))
    rate(s, ag, 5, "VIII.2", 4, date(2026, 5, 1))
    rate(s, ag, 5, "VIII.2", 2, date(2026, 5, 1))  # same day, recorded later: this one is current
    rate(s, ag, 8, "VIII.1", 4, march)  # w8 left on 2026-06-01
    rate(s, ag, 9, "VIII.1", 3, march)


@pytest.fixture
def agency(reference_db: Database) -> Agency:
    with reference_db.session() as s:
        ag = build_agency(s)
        base_ratings(s, ag)
        rebuild_current_ratings(s)
    return ag


def cells_by_key(cells: list[cov.CoverageCell]) -> dict[tuple[int, str], tuple[Any, ...]]:
    return {(c.team_id, c.principle_code): (c.workers, c.pairs, c.proficient, c.rated, c.proficient_share,
                                            c.rated_share, c.suppressed) for c in cells}


# ---------------------------------------------------------------------------------------------- coverage


def test_coverage_counts_current_supervisor_ratings_of_the_team_at_window_end(reference_db: Database,
                                                                               agency: Agency) -> None:
    with reference_db.session() as s:
        cells = cov.coverage(s, AGENCY, WINDOW, EVERYTHING, DEFAULT)
    got = cells_by_key(cells)
    # Team order: program name, then team name -> A, B, D (P1), then C (P2); principles in framework order.
    assert [(c.team_id, c.principle_code) for c in cells] == [
        (t, p) for t in (agency.a, agency.b, agency.d, agency.c) for p in PRINCIPLES]
    # Team A at END: w1, w2, w3 and w4 (moved in 2026-05-15); w8 left 2026-06-01, w4 no longer in B.
    # Trauma-informed: pairs 4 × 9 = 36.
    #   w1 VIII.1 L3 P, VIII.2 L4 P, VIII.3 L2 rated (self VIII.4 ignored)  -> rated 3, proficient 2
    #   w2 VIII.1 stale (2025-06-30), VIII.2 L3 P (2025-07-01)             -> rated 1, proficient 1
    #   w3 XII.1 L2 (newer than the L3), XII.2 L1                          -> rated 2, proficient 0
    #   w4 VIII.5 L4 P, XII.4 L3 P                                         -> rated 2, proficient 2
    #   rated 3+1+2+2 = 8, proficient 2+1+0+2 = 5
    assert got[(agency.a, "trauma-informed")] == (4, 36, 5, 8, 5 / 36, 8 / 36, False)
    # Relationship-focused: 4 × 17 = 68 pairs; only w1's IX.1 L3 (the category's primary principle).
    assert got[(agency.a, "relationship-focused")] == (4, 68, 1, 1, 1 / 68, 1 / 68, False)
    # Nothing rated for the other principles: a share of 0, not "no value".
    assert got[(agency.a, "recovery-oriented")] == (4, 60, 0, 0, 0.0, 0.0, False)  # 4 × 15
    assert got[(agency.a, "voluntary")] == (4, 48, 0, 0, 0.0, 0.0, False)  # 4 × 12
    # Team B at END: w5 and w6 (w4 moved out, w7 not hired yet) = 2 workers < 3: suppressed, counts kept.
    # w5 VIII.1 L3 P; VIII.2 L4 and L2 the same day, the L2 recorded later wins -> rated 2, proficient 1.
    assert got[(agency.b, "trauma-informed")] == (2, 18, 1, 2, None, None, True)
    # Team C: w9 alone; team D: nobody (included, nothing to share).
    assert got[(agency.c, "trauma-informed")] == (1, 9, 1, 1, None, None, True)
    assert got[(agency.d, "trauma-informed")] == (0, 0, 0, 0, None, None, True)


def test_suppression_off_at_zero_shows_small_teams_and_empty_teams_stay_empty(reference_db: Database,
                                                                               agency: Agency) -> None:
    with reference_db.session() as s:
        got = cells_by_key(cov.coverage(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION))
        at_two = cells_by_key(cov.coverage(s, AGENCY, WINDOW, EVERYTHING, MetricSettings(min_cell_workers=2)))
    # B: 2 workers × 9 = 18 pairs, proficient 1, rated 2.
    assert got[(agency.b, "trauma-informed")] == (2, 18, 1, 2, 1 / 18, 2 / 18, False)
    assert got[(agency.c, "trauma-informed")] == (1, 9, 1, 1, 1 / 9, 1 / 9, False)
    assert got[(agency.d, "trauma-informed")] == (0, 0, 0, 0, None, None, False)  # no pairs: no share
    assert at_two[(agency.b, "trauma-informed")][-1] is False  # 2 workers, minimum 2: shown
    assert at_two[(agency.c, "trauma-informed")][-1] is True  # 1 worker, minimum 2: hidden


def test_coverage_of_a_past_end_date_uses_membership_and_ratings_as_they_were_then(reference_db: Database,
                                                                                   agency: Agency) -> None:
    with reference_db.session() as s:
        got = cells_by_key(cov.coverage(s, AGENCY, Window(date(2026, 1, 6), PAST_END), EVERYTHING, DEFAULT))
    # A on 2026-04-05: w1, w2, w3, w8 (w8 had not left, w4 still in B). Cutoff 2025-04-05.
    #   w1 VIII.1 P, VIII.2 P, VIII.3 rated              -> rated 3, proficient 2
    #   w2 VIII.1 (2025-06-30, not stale yet) P, VIII.2 P -> rated 2, proficient 2
    #   w3 XII.1 L3 (the L2 came 2026-04-10), XII.2 L1   -> rated 2, proficient 1
    #   w8 VIII.1 L4 P                                   -> rated 1, proficient 1
    assert got[(agency.a, "trauma-informed")] == (4, 36, 6, 8, 6 / 36, 8 / 36, False)
    # B on 2026-04-05: w4, w5, w6 = 3 workers, 27 pairs; w4 VIII.5 P and XII.4 P; w5's ratings are later.
    assert got[(agency.b, "trauma-informed")] == (3, 27, 2, 2, 2 / 27, 2 / 27, False)


def test_a_rating_after_the_end_date_switches_to_the_history_and_is_not_counted(reference_db: Database,
                                                                               agency: Agency) -> None:
    with reference_db.session() as s:
        rate(s, agency, 5, "VIII.1", 1, date(2026, 7, 5))  # after END: current_ratings now holds this one
        rebuild_current_ratings(s)
        got = cells_by_key(cov.coverage(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION))
    # As of END w5's VIII.1 is still the L3 of 2026-05-01: B unchanged at proficient 1, rated 2 of 18.
    assert got[(agency.b, "trauma-informed")] == (2, 18, 1, 2, 1 / 18, 2 / 18, False)


def test_the_current_table_and_the_history_give_identical_cells(reference_db: Database, agency: Agency,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with reference_db.session() as s:
        from_table = cov.coverage(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)
        points_from_table = cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)
        drill_from_table = cov.drilldown(s, AGENCY, WINDOW, agency.a, "trauma-informed", NO_SUPPRESSION)
        # Prove which path runs: with current_ratings emptied, the history path alone still has the answer.
        s.execute(delete(CurrentRating))
        monkeypatch.setattr(cov, "_reads_current_table", lambda session, end: False)
        from_history = cov.coverage(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)
        assert cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION) == points_from_table
        assert cov.drilldown(s, AGENCY, WINDOW, agency.a, "trauma-informed", NO_SUPPRESSION) == drill_from_table
        monkeypatch.setattr(cov, "_reads_current_table", lambda session, end: True)
        from_empty_table = cov.coverage(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)
    assert from_history == from_table
    assert sum(c.rated for c in from_table) == 8 + 1 + 2 + 1  # A trauma 8 + A relationship 1 + B 2 + C 1
    assert sum(c.rated for c in from_empty_table) == 0


def test_both_paths_agree_on_the_demo_agency(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    window = Window.last_days(90, DEMO_END)
    with demo_db.session() as s:
        assert cov._reads_current_table(s, DEMO_END)
        from_table = cov.coverage(s, AGENCY, window, EVERYTHING, DEFAULT)
        teams = sorted({c.team_id for c in from_table})
        drills = [cov.drilldown(s, AGENCY, window, t, "trauma-informed", DEFAULT) for t in teams]
        monkeypatch.setattr(cov, "_reads_current_table", lambda session, end: False)
        assert cov.coverage(s, AGENCY, window, EVERYTHING, DEFAULT) == from_table
        assert [cov.drilldown(s, AGENCY, window, t, "trauma-informed", DEFAULT) for t in teams] == drills
    assert sum(c.rated for c in from_table) > 100  # the comparison is over real data, not empty cells


def test_every_trend_point_equals_the_heatmap_summed_on_that_date(demo_db: Database) -> None:
    with demo_db.session() as s:
        trend = cov.coverage_trend(s, AGENCY, DEMO_END, 14, EVERYTHING, DEFAULT)
        heatmaps = [cov.coverage(s, AGENCY, Window(point.as_of, point.as_of), EVERYTHING, DEFAULT)
                    for point in trend]
    assert [p.as_of for p in trend][-3:] == [date(2026, 8, 31), date(2026, 9, 30), DEMO_END]
    for point, cells in zip(trend, heatmaps, strict=True):
        cells = [c for c in cells if not c.suppressed]  # a suppressed team adds to no total
        pairs = sum(c.pairs for c in cells)
        workers = sum(c.workers for c in cells if c.principle_code == "trauma-informed")  # once per team
        assert (point.workers, point.proficient_share, point.rated_share) == (
            workers, sum(c.proficient for c in cells) / pairs, sum(c.rated for c in cells) / pairs), point.as_of


# ------------------------------------------------------------------------------------------------- scope


def test_scope_limits_every_metric_and_a_forged_filter_returns_nothing(reference_db: Database,
                                                                        agency: Agency) -> None:
    only_a = Scope(team_ids=frozenset({agency.a}))
    forged = TeamFilter(team_ids=frozenset({agency.b}))
    with reference_db.session() as s:
        assert {c.team_id for c in cov.coverage(s, only_a, WINDOW, EVERYTHING, DEFAULT)} == {agency.a}
        assert {c.team_id for c in cov.attention(s, only_a, WINDOW, EVERYTHING, DEFAULT)} == {agency.a}
        assert {p.team_id for p in cov.single_points_of_failure(s, only_a, WINDOW, EVERYTHING, DEFAULT)} == {agency.a}
        assert cov.coverage(s, only_a, WINDOW, forged, DEFAULT) == []
        assert cov.attention(s, only_a, WINDOW, forged, DEFAULT) == []
        assert cov.single_points_of_failure(s, only_a, WINDOW, forged, DEFAULT) == []
        assert cov.coverage_trend(s, only_a, END, 1, forged, DEFAULT) == [cov.TrendPoint(END, None, None, 0)]
        # A peer worker's scope has no teams at all.
        assert cov.coverage(s, Scope(team_ids=frozenset(), worker_id=agency.w[1]), WINDOW, EVERYTHING,
                            DEFAULT) == []
        # The program filter narrows within the scope: P2 holds team C only.
        assert {c.team_id for c in cov.coverage(s, AGENCY, WINDOW, TeamFilter(program_id=agency.p2),
                                                  DEFAULT)} == {agency.c}


# --------------------------------------------------------------------------------------------- attention


def session(s: Session, ag: Agency, on: date, workers: list[int], codes: list[str], fmt: str = "individual") -> None:
    row = SupervisionSession(held_on=on, minutes=60, format=fmt, kind="clinical_educational",
                             modality="in_person", supervisor_id=ag.supervisor)
    s.add(row)
    s.flush()
    s.add_all([SessionAttendee(session_id=row.id, worker_id=ag.w[n]) for n in workers])
    s.add_all([SessionCompetency(session_id=row.id, competency_id=ag.competency[c]) for c in codes])
    s.flush()


def test_attention_counts_sessions_for_the_team_the_attendee_was_on_that_day(reference_db: Database,
                                                                              agency: Agency) -> None:
    with reference_db.session() as s:
        # A group session with workers of both teams (w4 was still in B on 2026-05-01).
        session(s, agency, date(2026, 5, 1), [1, 5, 4], ["VIII.1", "XII.1", "IX.1"], fmt="group")
        session(s, agency, date(2026, 6, 1), [4], ["VIII.2"])  # w4 now in A
        session(s, agency, date(2026, 4, 15), [4], ["VIII.4", "VIII.5"])  # w4 still in B
        session(s, agency, date(2026, 5, 20), [8], ["XII.2"])  # w8 in A until leaving 2026-06-01
        session(s, agency, date(2026, 3, 1), [2], ["VIII.3"])  # before the window
        session(s, agency, date(2026, 7, 2), [1], ["XII.3"])  # after the window
        session(s, agency, date(2026, 5, 5), [9], ["XII.4"])  # team C only
        cells = {(c.team_id, c.principle_code): (c.workers, c.competencies, c.discussed, c.share, c.suppressed)
                 for c in cov.attention(s, AGENCY, WINDOW, EVERYTHING, DEFAULT)}
    # A: VIII.1, XII.1 (group, via w1), VIII.2 (w4 after the move), XII.2 (w8 before leaving) = 4 of 9.
    #    Not VIII.4/VIII.5: w4 was in B then. Workers during the window: w1, w2, w3, w4, w8 = 5.
    assert cells[(agency.a, "trauma-informed")] == (5, 9, 4, 4 / 9, False)
    assert cells[(agency.a, "relationship-focused")] == (5, 17, 1, 1 / 17, False)  # IX.1 in the group
    assert cells[(agency.a, "recovery-oriented")] == (5, 15, 0, 0.0, False)
    # B: VIII.1, XII.1 (group, via w5 and w4), VIII.4, VIII.5 (w4 before the move) = 4 of 9; not VIII.2.
    #    Workers during the window: w5, w6, w4 (until 2026-05-15) = 3; w7 starts after it. But on END only w5 and
    #    w6: suppressed, as its coverage cells are (one decision per team and window, whatever the mode).
    assert cells[(agency.b, "trauma-informed")] == (3, 9, 4, None, True)
    assert cells[(agency.b, "relationship-focused")] == (3, 17, 1, None, True)
    with reference_db.session() as s:
        unsuppressed = {(c.team_id, c.principle_code): c.share
                        for c in cov.attention(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)}
    assert (unsuppressed[(agency.b, "trauma-informed")], unsuppressed[(agency.b, "relationship-focused")]) == (
        4 / 9, 1 / 17)
    # C: one worker, XII.4: counted but suppressed. D: nobody.
    assert cells[(agency.c, "trauma-informed")] == (1, 9, 1, None, True)
    assert cells[(agency.d, "trauma-informed")] == (0, 9, 0, None, True)


# ------------------------------------------------------------------------------- single points of failure


def test_single_points_of_failure_need_75_percent_of_a_principles_competencies(reference_db: Database,
                                                                                agency: Agency) -> None:
    trauma = ["VIII.1", "VIII.2", "VIII.3", "VIII.4", "VIII.5", "XII.1", "XII.2", "XII.3", "XII.4"]
    with reference_db.session() as s:
        for code in trauma:
            rate(s, agency, 1, code, 3, date(2026, 3, 20))  # w1: 9 of 9 (supersedes VIII.3 L2)
            rate(s, agency, 8, code, 4, date(2026, 3, 20))  # w8 holds it too, but left before END
        for code in ["VIII.1", "VIII.3", "VIII.4", "VIII.5", "XII.1"]:
            rate(s, agency, 2, code, 3, date(2026, 3, 20))  # w2: these 5 + VIII.2 from 2025-07-01 = 6 of 9
        rebuild_current_ratings(s)
        points = cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING, DEFAULT)
        unsuppressed = cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING, NO_SUPPRESSION)
        looser = cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING,
                                              MetricSettings(principle_holding_share=0.66))
        everything = cov.single_points_of_failure(s, AGENCY, WINDOW, EVERYTHING,
                                                  MetricSettings(principle_holding_share=1.0))
    by_team: dict[int, dict[str, int]] = {}
    for p in points:
        by_team.setdefault(p.team_id, {})[p.principle_code] = p.holders
    # 0.75 × 9 = 6.75: w1 (9) holds trauma-informed, w2 (6) does not, w8 has left -> one holder.
    # Nobody holds any other principle -> 0 holders each.
    assert by_team[agency.a] == {"recovery-oriented": 0, "person-centered": 0, "voluntary": 0,
                                 "relationship-focused": 0, "trauma-informed": 1}
    # B (w5, w6) and C (w9) are too small to show: no entry, whoever holds what (the table says n<3).
    assert set(by_team) == {agency.a}
    # With suppression off they are listed; D has no workers: never listed.
    assert {p.team_id for p in unsuppressed} == {agency.a, agency.b, agency.c}
    assert {p.principle_code: p.holders for p in unsuppressed if p.team_id == agency.c} == {p: 0 for p in PRINCIPLES}
    # 0.66 × 9 = 5.94: now w2's 6 count too -> two holders, trauma-informed is no longer a single point.
    assert {p.principle_code for p in looser if p.team_id == agency.a} == set(PRINCIPLES) - {"trauma-informed"}
    # 1.0 × 9 = 9: exactly all nine still counts ("at least"), so w1 remains the one holder.
    assert [p.holders for p in everything if (p.team_id, p.principle_code) == (agency.a, "trauma-informed")] == [1]


# -------------------------------------------------------------------------------------------------- trend


def test_month_ends_end_on_the_end_date_itself() -> None:
    assert cov.month_ends(date(2026, 3, 15), 3) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]
    assert cov.month_ends(date(2026, 1, 31), 2) == [date(2025, 12, 31), date(2026, 1, 31)]
    with pytest.raises(ValueError):
        cov.month_ends(END, 0)


def test_coverage_trend_follows_membership_and_ratings_at_each_month_end(reference_db: Database,
                                                                         agency: Agency) -> None:
    p1 = TeamFilter(program_id=agency.p1)  # teams A, B, D
    with reference_db.session() as s:
        trend = cov.coverage_trend(s, AGENCY, END, 3, p1, DEFAULT)
        only_b = cov.coverage_trend(s, Scope(team_ids=frozenset({agency.b})), END, 3, EVERYTHING, DEFAULT)
        only_a = cov.coverage_trend(s, AGENCY, END, 3, TeamFilter(team_ids=frozenset({agency.a})), DEFAULT)
    # Pairs = workers × 62 competencies.
    # 2026-04-30 (cutoff 2025-04-30): A w1 w2 w3 w8, B w4 w5 w6 = 7 workers, 434 pairs.
    #   w1 VIII.1 P VIII.2 P VIII.3 r IX.1 P (4 rated, 3 P); w2 VIII.1 P VIII.2 P (2, 2);
    #   w3 XII.1 L2 r XII.2 r (2, 0); w8 VIII.1 P (1, 1); w4 VIII.5 P XII.4 P (2, 2); w5 nothing yet.
    #   rated 11, proficient 8
    # 2026-05-31 (cutoff 2025-05-31): A w1 w2 w3 w8 w4; B w5 w6 is 2 workers < 3, suppressed on that date, so it
    #   adds nothing (its w5 VIII.1 P, VIII.2 L2 r would give itself away against the A-only trend):
    #   5 workers, 310 pairs, rated 4+2+2+1+2 = 11, proficient 3+2+0+1+2 = 8.
    # 2026-06-30 (cutoff 2025-06-30): A w1 w2 w3 w4 (B still suppressed) = 4 workers, 248 pairs.
    #   w2's VIII.1 is stale now (1, 1), w8 has left: rated 4+1+2+2 = 9, proficient 3+1+0+2 = 6
    assert trend == [cov.TrendPoint(date(2026, 4, 30), 8 / 434, 11 / 434, 7),
                     cov.TrendPoint(date(2026, 5, 31), 8 / 310, 11 / 310, 5),
                     cov.TrendPoint(END, 6 / 248, 9 / 248, 4)]
    # A alone gives the same points once B is suppressed: nothing of B's can be had by subtraction.
    assert only_a[1:] == trend[1:]
    # B alone: 3 workers on 2026-04-30 (w4 VIII.5 P, XII.4 P: 2 of 186), then 2 workers: suppressed, nobody counted.
    assert only_b == [cov.TrendPoint(date(2026, 4, 30), 2 / 186, 2 / 186, 3),
                      cov.TrendPoint(date(2026, 5, 31), None, None, 0),
                      cov.TrendPoint(END, None, None, 0)]


# ---------------------------------------------------------------------------------------------- drill-down


def counts(drill: cov.Drilldown) -> dict[str, tuple[int, int, int]]:
    return {c.code: (c.proficient, c.rated_not_proficient, c.not_rated)
            for category in drill.categories for c in category.competencies}


def test_drilldown_splits_the_team_by_competency_and_suggests_guides_for_the_weakest_categories(
        reference_db: Database, agency: Agency) -> None:
    with reference_db.session() as s:
        # Lift IV and IX (trauma-informed secondary categories) above VIII and XII.
        for worker, codes in ((1, ["IV.1", "IV.2", "IX.2", "IX.3"]), (2, ["IV.1", "IV.2", "IX.1", "IX.2", "IX.3"])):
            for code in codes:
                rate(s, agency, worker, code, 3, date(2026, 3, 15))
        rebuild_current_ratings(s)
        drill = cov.drilldown(s, AGENCY, WINDOW, agency.a, "trauma-informed", DEFAULT)
    assert drill is not None
    assert (drill.team.name, drill.team.program_name, drill.principle_name, drill.workers, drill.suppressed) == (
        "A", "P1", "Trauma-informed", 4, False)
    # Primary categories first (VIII, XII), then secondary ones in framework order (IV, IX).
    assert [(c.code, c.is_primary) for c in drill.categories] == [
        ("VIII", True), ("XII", True), ("IV", False), ("IX", False)]
    got = counts(drill)
    # Workers w1..w4; (proficient, rated not proficient, not rated).
    assert [got[f"VIII.{n}"] for n in range(1, 6)] == [(1, 0, 3), (2, 0, 2), (0, 1, 3), (0, 0, 4), (1, 0, 3)]
    assert [got[f"XII.{n}"] for n in range(1, 5)] == [(0, 1, 3), (0, 1, 3), (0, 0, 4), (1, 0, 3)]
    assert [got[f"IX.{n}"] for n in range(1, 7)] == [(2, 0, 2)] * 3 + [(0, 0, 4)] * 3
    # VIII 4 / (4 × 5) = 0.2; XII 1 / 16 = 0.0625; IV 4 / 16 = 0.25; IX 6 / 24 = 0.25.
    assert [c.proficient_share for c in drill.categories] == [0.2, 0.0625, 0.25, 0.25]
    # Weakest two: XII (6%), VIII (20%). Guides (seed_data/guides.json), trauma-informed links and categories:
    #   SAMHSA core: principle, VIII, XII (2 weak) | Peers for Progress: principle, VIII, XII (2)
    #   DBHIDS toolkit: principle, XII (1) | Whole-health guide: principle, XII (1) | CASRA: neither -> left out
    both = "linked to Trauma-informed; linked to XII (6% proficient); linked to VIII (20% proficient)"
    one = "linked to Trauma-informed; linked to XII (6% proficient)"
    assert [(g.guide.title, g.reason) for g in drill.guides] == [
        ("Core Competencies for Peer Workers in Behavioral Health Services", both),
        ("Program Development Guide: Ongoing Monitoring, Supervision, and Support", both),
        ("Peer Support Toolkit", one),
        ("Supervisor Guide: Peer Support Whole Health and Wellness", one),
    ]
    assert drill.guides[0].guide.url.startswith("https://www.samhsa.gov/")


def test_drilldown_names_guides_linked_only_to_a_weak_category_after_those_linked_to_the_principle(
        reference_db: Database, agency: Agency) -> None:
    with reference_db.session() as s:
        rate(s, agency, 1, "VI.1", 3, date(2026, 3, 15))
        rate(s, agency, 1, "XI.1", 3, date(2026, 3, 15))
        rebuild_current_ratings(s)
        drill = cov.drilldown(s, AGENCY, WINDOW, agency.a, "voluntary", DEFAULT)
    assert drill is not None
    # Voluntary: primary VI, XI; secondary V, VIII. Team A, 4 workers:
    #   VI 1 / 20 = 0.05, XI 1 / 28 = 0.0357, V 0 / 20 = 0, VIII (w1 VIII.1, VIII.2; w2 VIII.2; w4 VIII.5) 4 / 20 = 0.2
    assert [(c.code, c.proficient_share) for c in drill.categories] == [
        ("VI", 0.05), ("XI", 1 / 28), ("V", 0.0), ("VIII", 0.2)]
    # Weakest: V (0%), XI (4%). SAMHSA core: voluntary, V, XI (2 weak). CASRA: voluntary, V (1). Whole-health
    # guide: V only, not linked to voluntary (1; after CASRA in the guides' order). Peers for Progress
    # (VIII is not weak) and DBHIDS: neither -> left out.
    assert [(g.guide.title, g.reason) for g in drill.guides] == [
        ("Core Competencies for Peer Workers in Behavioral Health Services",
         "linked to Voluntary; linked to V (0% proficient); linked to XI (4% proficient)"),
        ("Meaningful Roles for Peer Providers in Integrated Healthcare: A Guide",
         "linked to Voluntary; linked to V (0% proficient)"),
        ("Supervisor Guide: Peer Support Whole Health and Wellness", "linked to V (0% proficient)"),
    ]


def test_drilldown_never_calls_a_fully_proficient_category_weak(reference_db: Database, agency: Agency) -> None:
    with reference_db.session() as s:
        for code in ["VIII.1", "VIII.2", "VIII.3", "VIII.4", "VIII.5", "XII.1", "XII.2", "XII.3", "XII.4",
                     "IV.1", "IV.2", "IV.3", "IV.4", "IX.1"]:
            rate(s, agency, 9, code, 4, date(2026, 3, 15))
        rebuild_current_ratings(s)
        drill = cov.drilldown(s, AGENCY, WINDOW, agency.c, "trauma-informed", NO_SUPPRESSION)
    assert drill is not None
    # Team C is w9 alone: VIII 5/5, XII 4/4, IV 4/4 proficient; IX 1/6. Only IX is a gap.
    assert [(c.code, c.proficient_share) for c in drill.categories] == [
        ("VIII", 1.0), ("XII", 1.0), ("IV", 1.0), ("IX", 1 / 6)]
    assert [g.reason for g in drill.guides] == [
        "linked to Trauma-informed; linked to IX (17% proficient)",  # SAMHSA core
        "linked to Trauma-informed; linked to IX (17% proficient)",  # DBHIDS toolkit
        "linked to Trauma-informed; linked to IX (17% proficient)",  # Peers for Progress
        "linked to Trauma-informed",  # whole-health guide (V, VII, X, XII)
    ]


def test_drilldown_of_a_small_team_withholds_counts_but_keeps_categories_and_guides(reference_db: Database,
                                                                                   agency: Agency) -> None:
    with reference_db.session() as s:
        drill = cov.drilldown(s, AGENCY, WINDOW, agency.b, "trauma-informed", DEFAULT)
    assert drill is not None and drill.workers == 2 and drill.suppressed
    assert [(c.code, c.competencies, c.proficient_share) for c in drill.categories] == [
        ("VIII", (), None), ("XII", (), None), ("IV", (), None), ("IX", (), None)]
    # No weak categories named for a suppressed team: the guides linked to the principle, in their order.
    assert [(g.guide.title, g.reason) for g in drill.guides] == [
        ("Core Competencies for Peer Workers in Behavioral Health Services", "linked to Trauma-informed"),
        ("Peer Support Toolkit", "linked to Trauma-informed"),
        ("Program Development Guide: Ongoing Monitoring, Supervision, and Support", "linked to Trauma-informed"),
        ("Supervisor Guide: Peer Support Whole Health and Wellness", "linked to Trauma-informed"),
    ]


def test_drilldown_is_none_outside_the_scope_or_for_an_unknown_principle(reference_db: Database,
                                                                         agency: Agency) -> None:
    only_a = Scope(team_ids=frozenset({agency.a}))
    with reference_db.session() as s:
        assert cov.drilldown(s, only_a, WINDOW, agency.b, "trauma-informed", DEFAULT) is None
        assert cov.drilldown(s, Scope(team_ids=frozenset()), WINDOW, agency.a, "trauma-informed", DEFAULT) is None
        assert cov.drilldown(s, only_a, WINDOW, agency.a, "no-such-principle", DEFAULT) is None
        assert cov.drilldown(s, only_a, WINDOW, agency.a, "trauma-informed", DEFAULT) is not None


@pytest.mark.parametrize("min_cell_workers", [3, 9], ids=["default", "some teams suppressed"])
def test_overall_coverage_is_the_trends_point_on_the_windows_last_day(demo_today_db: Database,
                                                                      min_cell_workers: int) -> None:
    """The KPI sums the heatmap's shown cells (from the current-rating table, today); the trend recomputes the
    same day from the ratings' history. Both are the README's one definition, so they must agree."""
    settings = MetricSettings(min_cell_workers=min_cell_workers)
    today = date.today()
    with demo_today_db.session() as s:
        for window in (Window.last_days(90, today), Window(date(2026, 1, 1), date(2026, 6, 30))):
            cells = cov.coverage(s, Scope.agency(), window, TeamFilter(), settings)
            kpi = cov.overall_coverage(cells)
            [point] = cov.coverage_trend(s, Scope.agency(), window.end, 1, TeamFilter(), settings)
            assert kpi is not None and kpi == pytest.approx(point.proficient_share)
            hidden = {c.team_id for c in cells if c.suppressed}
            assert bool(hidden) == (min_cell_workers == 9)  # the demo's teams have 6 to 9 workers today


def test_drilldown_leaves_out_a_retired_guide(reference_db: Database, agency: Agency) -> None:
    from dashboard.audit import Actor
    from dashboard.guides import guide, retire
    from models import ResourceGuide

    with reference_db.session() as s:
        rate(s, agency, 1, "VI.1", 3, date(2026, 3, 15))
        rebuild_current_ratings(s)
        before = [g.guide.title for g in cov.drilldown(s, AGENCY, WINDOW, agency.a, "voluntary", DEFAULT).guides]
        gone = s.scalar(select(ResourceGuide.id).where(ResourceGuide.title == before[0]))
        seen = guide(s, gone)
        assert seen is not None
        retire(s, Actor(None, "test"), seen.values(), date(2026, 5, 1))
        after = [g.guide.title for g in cov.drilldown(s, AGENCY, WINDOW, agency.a, "voluntary", DEFAULT).guides]
    # The SAMHSA core guide led the suggestions; retired, the other two remain in the same order.
    assert before[0] == "Core Competencies for Peer Workers in Behavioral Health Services"
    assert after == before[1:] and len(after) == 2
