"""The workspace queries on a tiny hand-built agency; every expected value worked out by hand in a comment.

Kim (Team A, supervised by Ana) has these supervisor ratings in category I (scale 1–4, proficient at 3;
staleness 365 days), as of TODAY = 2026-05-31:
    I.4 = 4 on 2024-01-01   (stale today: more than 365 days old)
    I.1 = 2 on 2026-04-10, then I.1 = 3 on 2026-05-01
    I.2 = 1 and I.3 = 2 on 2026-05-01
and self ratings I.1 = 1, I.2 = 2 on 2026-05-15.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.current_ratings import rebuild_current_ratings
from dashboard.db import Database
from dashboard.queries import workspace as ws
from dashboard.queries.common import MetricSettings, TeamFilter, Window
from dashboard.queries.coverage import coverage
from dashboard.queries.resources import list_guides
from dashboard.queries.supervision import overdue_now
from dashboard.scope import Scope
from models import (Category, CategoryPrinciple, Competency, CompetencyRating, Principle, RatingScale, ResourceGuide,
                    SessionCompetency, SupervisionSession)
from tests.builders import Agency
from tests.conftest import DEMO_END

TODAY = date(2026, 5, 31)
SETTINGS = MetricSettings()  # staleness 365 days


@dataclass(frozen=True)
class World:
    team_a: int
    kim: int
    zed: int
    gone: int
    principle_of_i: str           # category I's primary principle (from the reference framework)
    competencies_of_i_principle: int
    principle_x: str              # the primary principle of category X
    principle_count: int


def competency(s: Session, code: str) -> int:
    return s.scalar(select(Competency.id).where(Competency.code == code))


def primary_principle(s: Session, category_code: str) -> str:
    return s.scalar(select(Principle.name).join(CategoryPrinciple, CategoryPrinciple.principle_id == Principle.id)
                    .join(Category, Category.id == CategoryPrinciple.category_id)
                    .where(Category.code == category_code, CategoryPrinciple.is_primary))


@pytest.fixture
def world(reference_db: Database) -> Iterator[tuple[Database, World]]:
    with reference_db.session() as s:
        a = Agency(s)
        team_a, team_b = a.team("A"), a.team("B")
        kim, zed = a.worker("Kim", team_a), a.worker("Zed", team_b)
        gone = a.worker("Gone", team_a, left_on=date(2026, 5, 1))
        scale = s.scalar(select(RatingScale.id).where(RatingScale.is_active))

        def rate(code: str, level: int, on: date, role: str = "supervisor") -> None:
            s.add(CompetencyRating(worker_id=kim.id, competency_id=competency(s, code), scale_id=scale, level=level,
                                   rater_id=a.lead.id if role == "supervisor" else kim.id, rater_role=role,
                                   rated_on=on))
        rate("I.4", 4, date(2024, 1, 1))
        rate("I.1", 2, date(2026, 4, 10))
        rate("I.1", 3, date(2026, 5, 1))
        rate("I.2", 1, date(2026, 5, 1))
        rate("I.3", 2, date(2026, 5, 1))
        rate("I.1", 1, date(2026, 5, 15), "self")
        rate("I.2", 2, date(2026, 5, 15), "self")
        s.flush()
        rebuild_current_ratings(s)
        # Sessions: May 1 individual on I.1; May 10 individual on nothing; May 20 group on X.1.
        for day, topics, people in ((date(2026, 5, 1), ["I.1"], [kim]), (date(2026, 5, 10), [], [kim]),
                                    (date(2026, 5, 20), ["X.1"], [kim, zed])):
            a.held(people, day, 60, "individual" if len(people) == 1 else "group", "supportive")
            session_id = s.scalar(select(func.max(SupervisionSession.id)))
            s.add_all([SessionCompetency(session_id=session_id, competency_id=competency(s, c)) for c in topics])
        principle_i = primary_principle(s, "I")
        in_principle = s.scalar(select(func.count()).select_from(Competency)
                                .join(CategoryPrinciple, CategoryPrinciple.category_id == Competency.category_id)
                                .join(Principle, Principle.id == CategoryPrinciple.principle_id)
                                .where(CategoryPrinciple.is_primary, Principle.name == principle_i))
        world = World(team_a.id, kim.id, zed.id, gone.id, principle_i, in_principle, primary_principle(s, "X"),
                      s.scalar(select(func.count()).select_from(Principle)))
        s.commit()
    yield reference_db, world


def test_who_may_be_looked_at(world: tuple[Database, World]) -> None:
    db, w = world
    ana = Scope(frozenset({w.team_a}))
    with db.session() as s:
        assert ws.visible_worker(s, ana, w.kim, TODAY).name == "Kim"
        assert ws.visible_worker(s, ana, w.zed, TODAY) is None       # another team
        assert ws.visible_worker(s, ana, w.gone, TODAY) is None      # left on May 1
        assert ws.visible_worker(s, ana, str(w.kim), TODAY) is None  # ids arrive parsed or not at all
        kim_self = Scope(frozenset(), worker_id=w.kim)
        assert ws.visible_worker(s, kim_self, w.kim, TODAY).team_name == "A"
        assert ws.visible_worker(s, kim_self, w.zed, TODAY) is None


def test_the_profile_puts_supervisor_and_self_side_by_side_and_flags_two_levels_apart(
        world: tuple[Database, World]) -> None:
    db, w = world
    with db.session() as s:
        kim = ws.visible_worker(s, Scope.agency(), w.kim, TODAY)
        categories = ws.competency_profile(s, kim)
    assert len(categories) == 12 and categories[0].code == "I"
    first = categories[0]
    levels = {c.code: (c.supervisor_level, c.self_level, c.flagged) for c in first.competencies}
    # I.1: supervisor 3 (the later of 2 and 3), self 1: two apart, flagged. I.2: 1 vs 2, not flagged.
    assert levels["I.1"] == (3, 1, True)
    assert levels["I.2"] == (1, 2, False)
    assert levels["I.3"] == (2, None, False)
    assert levels["I.4"] == (4, None, False)  # the profile shows the latest rating whatever its age
    # Supervisor mean (3 + 1 + 2 + 4) / 4 = 2.5; self mean (1 + 2) / 2 = 1.5; one flag.
    assert (first.supervisor_mean, first.self_mean, first.flags) == (2.5, 1.5, 1)
    assert all(c.supervisor_mean is None for c in categories[1:])


def test_rating_history_is_the_mean_of_the_ratings_current_at_each_month_end(world: tuple[Database, World]) -> None:
    db, w = world
    with db.session() as s:
        kim = ws.visible_worker(s, Scope.agency(), w.kim, TODAY)
        history = ws.rating_history(s, kim, TODAY, months=3)
    # Mar 31: only I.4 = 4 -> 4.0 over 1. Apr 30: I.1 = 2, I.4 = 4 -> 3.0 over 2.
    # May 31: I.1 = 3, I.2 = 1, I.3 = 2, I.4 = 4 -> 10 / 4 = 2.5 over 4.
    assert [(p.category_code, p.as_of, p.mean_level, p.rated) for p in history] == [
        ("I", date(2026, 3, 31), 4.0, 1), ("I", date(2026, 4, 30), 3.0, 2), ("I", date(2026, 5, 31), 2.5, 4)]


def test_principles_not_discussed_in_the_last_sessions(world: tuple[Database, World]) -> None:
    db, w = world
    with db.session() as s:
        kim = ws.visible_worker(s, Scope.agency(), w.kim, TODAY)
        last_two = ws.not_discussed(s, kim, 2)
        last_three = ws.not_discussed(s, kim, 3)
    # Last 2 sessions (May 20 on X.1, May 10 on nothing): only X's principle came up.
    assert last_two.sessions == 2 and w.principle_x not in last_two.principles
    assert len(last_two.principles) == w.principle_count - 1
    # Adding May 1 (I.1) brings in category I's principle too.
    assert last_three.sessions == 3
    assert set(last_two.principles) - set(last_three.principles) == {w.principle_of_i} - {w.principle_x}


def test_the_roster_counts_current_ratings_per_principle(world: tuple[Database, World]) -> None:
    db, w = world
    with db.session() as s:
        rows = ws.roster(s, Scope(frozenset({w.team_a})), TODAY, TeamFilter(), SETTINGS)
    assert [r.due.worker_name for r in rows] == ["Kim"]  # Gone left on May 1
    shares = {p.name: (p.proficient, p.rated, p.competencies) for p in rows[0].principles}
    # Category I's principle: I.1 = 3 is proficient; I.2 = 1 and I.3 = 2 are rated, not proficient; I.4 is stale.
    assert shares[w.principle_of_i] == (1, 3, w.competencies_of_i_principle)
    assert all(v[:2] == (0, 0) for k, v in shares.items() if k != w.principle_of_i)


def test_guides_follow_the_weakest_category_and_principle_with_reasons(world: tuple[Database, World]) -> None:
    db, w = world
    with db.session() as s:
        kim = ws.visible_worker(s, Scope.agency(), w.kim, TODAY)
        guides = ws.guides_for_worker(s, ws.competency_profile(s, kim))
        for_i = {g.title for g in list_guides(s, category_code="I")}
        for_principle = {g.title for g in list_guides(s)
                         if w.principle_of_i in g.principle_names}
    # Category I averages 2.5: below proficient (3), and 2.5 has reached level 2, "Developing".
    # Its principle (Relationship-focused: I, IX and X, 17 competencies), by the latest supervisor ratings the
    # profile shows beside the guides, stale I.4 = 4 included: I.1 = 3 and I.4 = 4 proficient, 4 rated. 2 of 17 is
    # below half, so it is the weakest principle.
    assert (w.principle_of_i, w.competencies_of_i_principle) == ("Relationship-focused", 17)
    assert {g.guide.title for g in guides} == for_i | for_principle
    reasons = {g.guide.title: g.reason for g in guides}
    for title in for_i:
        assert "linked to I, rated developing (average 2.5)" in reasons[title]
    for title in for_principle:
        assert ("linked to Relationship-focused: 2 of its 17 competencies proficient or above in the latest "
                "supervisor ratings (4 of 17 rated)") in reasons[title]


def test_a_worker_whose_latest_ratings_are_all_proficient_gets_no_guide_for_stale_ones(
        reference_db: Database) -> None:
    """The issue's case: category averages 3.4-3.8 beside guides that said "5 of 17 competencies rated
    proficient in the last 365 days" because 12 of the 17 ratings were older than that."""
    fresh, stale = date(2026, 5, 1), date(2024, 6, 1)
    levels = {"I.1": (4, fresh), "I.2": (3, fresh), "I.3": (3, stale), "I.4": (4, stale), "I.5": (3, stale),
              "IX.1": (3, fresh), "IX.2": (4, fresh), "IX.3": (3, stale), "IX.4": (4, stale), "IX.5": (3, stale),
              "IX.6": (4, stale),
              "X.1": (4, fresh), "X.2": (4, stale), "X.3": (4, stale), "X.4": (4, stale), "X.5": (4, stale),
              "X.6": (3, stale)}
    with reference_db.session() as s:
        a = Agency(s)
        lee = a.worker("Lee", a.team("A"))
        scale = s.scalar(select(RatingScale.id).where(RatingScale.is_active))
        s.add_all([CompetencyRating(worker_id=lee.id, competency_id=competency(s, code), scale_id=scale, level=level,
                                    rater_id=a.lead.id, rater_role="supervisor", rated_on=on)
                   for code, (level, on) in levels.items()])
        s.flush()
        rebuild_current_ratings(s)
        s.commit()
    with reference_db.session() as s:
        worker = ws.visible_worker(s, Scope.agency(), lee.id, TODAY)
        categories = ws.competency_profile(s, worker)
        means = {c.code: c.supervisor_mean for c in categories if c.supervisor_mean is not None}
        # I: (4+3+3+4+3)/5 = 3.4; IX: (3+4+3+4+3+4)/6 = 3.5; X: (4*5+3)/6 = 3.83.
        assert {code: round(mean, 2) for code, mean in means.items()} == {"I": 3.4, "IX": 3.5, "X": 3.83}
        # The roster leaves the 12 stale ratings out: 5 of 17 proficient and rated. The profile's basis counts
        # all 17 latest ratings: 17 of 17 proficient, so no principle (and no category) is weak.
        roster = ws.roster(s, Scope.agency(), TODAY, TeamFilter(), SETTINGS)
        assert [(p.proficient, p.rated) for p in roster[0].principles if p.name == "Relationship-focused"] == [(5, 5)]
        assert ws.guides_for_worker(s, categories) == []


def test_the_roster_agrees_with_the_overview(demo_db: Database) -> None:
    """On the demo agency, for the supervisor's scope: the roster's overdue rows are the overview's overdue
    workers, and its per-worker principle counts add up to the heatmap's proficient counts per team."""
    from dashboard.auth import Viewer
    from dashboard.scope import scope_for
    with demo_db.session() as s:
        supervisor = s.scalar(select(func.min(SupervisionSession.supervisor_id)))
        scope = scope_for(s, Viewer(0, "x", "x", "supervisor", supervisor), DEMO_END)
        rows = ws.roster(s, scope, DEMO_END, TeamFilter(), SETTINGS)
        overdue = overdue_now(s, scope, DEMO_END, TeamFilter())
        cells = coverage(s, scope, Window(DEMO_END, DEMO_END), TeamFilter(), SETTINGS)
    assert {r.due.worker_id for r in rows if r.due.status == "overdue"} == {o.worker_id for o in overdue}
    summed: dict[tuple[int, str], int] = {}
    for row in rows:
        for p in row.principles:
            summed[(row.due.team_id, p.code)] = summed.get((row.due.team_id, p.code), 0) + p.proficient
    assert rows and all(summed.get((c.team_id, c.principle_code), 0) == c.proficient for c in cells)


def test_a_retired_guide_is_no_longer_suggested_or_listed(world: tuple[Database, World]) -> None:
    from dashboard.audit import Actor
    from dashboard.guides import guide, retire

    db, w = world
    with db.session() as s:
        kim = ws.visible_worker(s, Scope.agency(), w.kim, TODAY)
        suggested = [g.guide.title for g in ws.guides_for_worker(s, ws.competency_profile(s, kim))]
        listed = len(list_guides(s))
        gone = s.scalar(select(func.min(ResourceGuide.id)).where(ResourceGuide.title == suggested[0]))
        seen = guide(s, gone)
        assert seen is not None
        retire(s, Actor(None, "test"), seen.values(), TODAY)
    with db.session() as s:
        after = [g.guide.title for g in ws.guides_for_worker(s, ws.competency_profile(s, kim))]
        assert len(list_guides(s)) == listed - 1
        assert suggested[0] not in [g.title for g in list_guides(s)]
        assert s.scalar(select(func.count()).select_from(ResourceGuide)) == listed  # kept in the database
    assert after == suggested[1:]
