"""Kept coverage months give the live trend exactly, and every write that could change a closed month deletes it."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from dashboard.bulk import bulk_insert
from dashboard.db import Database
from dashboard.queries import coverage as cov
from dashboard.queries import coverage_months
from dashboard.queries.common import MetricSettings, TeamFilter
from dashboard.scope import Scope
from models import (Category, CategoryPrinciple, CompetencyRating, CoverageMonth, CurrentRating, Framework,
                    RatingScale, Staff, Team, TeamMembership, utcnow)
from models.vocabulary import RaterRole, Role
from tests.conftest import DEMO_END

TODAY = date(2026, 11, 24)  # every month of the demo agency (to DEMO_END, 2026-10-31) has closed
LIVE = None  # no day given: every point is counted live and nothing is kept
MONTHS = 27  # 2024-08-31 .. DEMO_END: the demo's ratings start in November 2024, its workers years before
DEFAULT = MetricSettings()
AGENCY = Scope.agency()
EVERYTHING = TeamFilter()


def trend(s: Session, settings: MetricSettings = DEFAULT, today: date | None = TODAY, scope: Scope = AGENCY,
          filters: TeamFilter = EVERYTHING) -> list[cov.TrendPoint]:
    return cov.coverage_trend(s, scope, DEMO_END, MONTHS, filters, settings, today)


def kept_by_month(s: Session) -> dict[date, int]:
    return {month: int(rows) for month, rows in s.execute(
        select(CoverageMonth.month_end, func.count()).group_by(CoverageMonth.month_end))}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[date]]:
    """The dates each call counted live (not read from coverage_months)."""
    dates: list[date] = []
    real = cov._team_trend_counts

    def spy(session: Session, team_ids: list[int], points: list[date], *rest: Any) -> Any:
        dates.extend(points)
        return real(session, team_ids, points, *rest)
    monkeypatch.setattr(cov, "_team_trend_counts", spy)
    yield dates


def test_kept_months_give_the_live_trend_for_every_month_of_the_demo_agency(demo_db: Database,
                                                                            counted: list[date]) -> None:
    with demo_db.session() as s:
        live = trend(s, today=LIVE)
        assert kept_by_month(s) == {}
        first = trend(s)
        teams = s.scalar(select(func.count()).select_from(Team))
        assert kept_by_month(s) == {p.as_of: teams for p in live}  # every team, every closed month
    counted.clear()
    with demo_db.session() as s:
        again = trend(s)
        assert counted == []  # all read from coverage_months
        assert first == again == live
        # Suppression is applied when reading, team by team; scopes and filters pick teams from the same rows.
        for settings in (MetricSettings(min_cell_workers=0), MetricSettings(min_cell_workers=8)):
            assert trend(s, settings) == trend(s, settings, today=LIVE)
        for team_id in s.scalars(select(Team.id)):
            assert trend(s, scope=Scope(team_ids=frozenset({team_id}))) == trend(
                s, scope=Scope(team_ids=frozenset({team_id})), today=LIVE)
        program = s.scalar(select(Team.program_id).limit(1))
        assert trend(s, filters=TeamFilter(program_id=program)) == trend(
            s, filters=TeamFilter(program_id=program), today=LIVE)
    # Real numbers: workers every month, and ratings once the demo has them.
    assert all(p.workers > 50 for p in live)
    assert sum(1 for p in live if p.proficient_share and p.rated_share and p.rated_share > p.proficient_share) >= 20


def test_the_current_month_and_a_mid_month_end_stay_live(demo_db: Database, counted: list[date]) -> None:
    mid_month = date(2026, 10, 15)
    with demo_db.session() as s:
        points = cov.coverage_trend(s, AGENCY, mid_month, 3, EVERYTHING, DEFAULT, TODAY)
        assert sorted(kept_by_month(s)) == [date(2026, 8, 31), date(2026, 9, 30)]
        counted.clear()
        assert cov.coverage_trend(s, AGENCY, mid_month, 3, EVERYTHING, DEFAULT, TODAY) == points
        assert counted == [mid_month]
        counted.clear()
        # On 2026-10-31 itself October has not closed yet.
        cov.coverage_trend(s, AGENCY, DEMO_END, 3, EVERYTHING, DEFAULT, DEMO_END)
        assert counted == [DEMO_END]
        assert DEMO_END not in kept_by_month(s)


# ---------------------------------------------------------------------------------------------------- writes


def _lone_rating(s: Session) -> CompetencyRating:
    """A supervisor rating below the proficient level, the only one of its worker × competency, of a worker on a team
    of several workers when it was given: a change to it moves the trend."""
    ratings = CompetencyRating
    single = (select(ratings.worker_id, ratings.competency_id).where(ratings.rater_role == RaterRole.SUPERVISOR)
              .group_by(ratings.worker_id, ratings.competency_id).having(func.count() == 1).subquery())
    return s.scalars(select(ratings).join(single, (single.c.worker_id == ratings.worker_id)
                                          & (single.c.competency_id == ratings.competency_id))
                     .join(Staff, Staff.id == ratings.worker_id)
                     .where(ratings.rater_role == RaterRole.SUPERVISOR, ratings.level < 3, Staff.left_on.is_(None),
                            ratings.rated_on.between(date(2025, 12, 1), date(2026, 3, 31)))
                     .order_by(ratings.rated_on, ratings.id).limit(1)).one()


def insert_rating(s: Session) -> date:
    lone = _lone_rating(s)
    day = lone.rated_on + timedelta(days=1)
    s.add(CompetencyRating(worker_id=lone.worker_id, competency_id=lone.competency_id, scale_id=lone.scale_id,
                           level=4, rater_id=lone.rater_id, rater_role=lone.rater_role, rated_on=day))
    return day


def update_rating_level(s: Session) -> date:
    lone = _lone_rating(s)
    lone.level = 4
    return lone.rated_on


def move_rating(s: Session) -> date:
    lone = _lone_rating(s)
    old, lone.rated_on = lone.rated_on, lone.rated_on + timedelta(days=120)  # the earlier date is where it changes
    return old


def delete_rating(s: Session) -> date:
    lone = _lone_rating(s)
    s.execute(delete(CurrentRating).where(CurrentRating.rating_id == lone.id))  # the rating it refers to goes
    s.execute(delete(CompetencyRating).where(CompetencyRating.id == lone.id))
    return lone.rated_on


def _settled_membership(s: Session) -> TeamMembership:
    """An open membership of a worker still on staff, begun in 2025 (so months before it stay kept)."""
    return s.scalars(select(TeamMembership).join(Staff, Staff.id == TeamMembership.staff_id)
                     .where(TeamMembership.end_date.is_(None), Staff.left_on.is_(None), Staff.role == Role.PEER_WORKER,
                            TeamMembership.start_date.between(date(2025, 1, 1), date(2025, 6, 30)))
                     .order_by(TeamMembership.start_date, TeamMembership.id).limit(1)).one()


def end_membership(s: Session) -> date:
    membership = _settled_membership(s)
    membership.end_date = date(2026, 2, 10)  # off the team from then: changes from its start date are covered
    return membership.start_date


def delete_membership(s: Session) -> date:
    membership = _settled_membership(s)
    s.delete(membership)
    return membership.start_date


def set_left_on(s: Session) -> date:
    worker = s.get(Staff, _settled_membership(s).staff_id)
    assert worker is not None
    worker.left_on = date(2026, 3, 3)
    return worker.hire_date


def change_mapping(s: Session) -> date:
    """Category I loses its primary principle, in place: its competencies no longer count."""
    framework = s.scalar(select(Framework.id).where(Framework.is_active))
    category = s.scalar(select(Category.id).where(Category.framework_id == framework, Category.code == "I"))
    s.execute(update(CategoryPrinciple).where(CategoryPrinciple.category_id == category)
              .values(is_primary=False))
    return date.min


WRITES: dict[str, Callable[[Session], date]] = {
    "rating inserted": insert_rating, "rating level updated": update_rating_level,
    "rating moved later": move_rating, "rating deleted": delete_rating, "membership ended": end_membership,
    "membership deleted": delete_membership,    "worker left": set_left_on, "mapping changed in place": change_mapping}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_deletes_the_kept_months_from_its_date_and_the_trend_follows_it(
        demo_db: Database, write: Callable[[Session], date]) -> None:
    with demo_db.session() as s:
        before = trend(s)
        kept_before = kept_by_month(s)
    with demo_db.session() as s:
        since = write(s)
    with demo_db.session() as s:
        kept_after = kept_by_month(s)
        # Without the table's trigger the changed months would still be here, and read.
        assert kept_after == {month: rows for month, rows in kept_before.items() if month < since}
        after = trend(s)
        assert after == trend(s, today=LIVE)
        assert after != before  # the write moved real numbers, which the kept months must not hide
        assert kept_by_month(s) == kept_before  # counted again and kept again


def test_a_bulk_import_deletes_the_months_it_touches(demo_db: Database) -> None:
    """The importer writes with bulk.bulk_insert: COPY on PostgreSQL, which fires the statement-level triggers."""
    with demo_db.session() as s:
        before = trend(s)
        kept_before = kept_by_month(s)
    with demo_db.session() as s:
        lone = _lone_rating(s)
        day = lone.rated_on + timedelta(days=1)
        bulk_insert(s, CompetencyRating.__table__, ("worker_id", "competency_id", "scale_id", "level", "rater_id",
                                                    "rater_role", "rated_on", "created_at"),
                    [(lone.worker_id, lone.competency_id, lone.scale_id, 4, lone.rater_id, lone.rater_role, day,
                      utcnow().replace(tzinfo=None))])
    with demo_db.session() as s:
        assert kept_by_month(s) == {month: rows for month, rows in kept_before.items() if month < day}
        assert trend(s) == trend(s, today=LIVE) != before


@pytest.mark.parametrize("changed", [{"staleness_days": 180}, {"min_cell_workers": 8}],
                         ids=["staleness", "suppression"])
def test_other_settings_read_only_rows_kept_under_them(demo_db: Database, changed: dict[str, int]) -> None:
    other = MetricSettings(**changed)
    with demo_db.session() as s:
        before = trend(s)
        rows = sum(kept_by_month(s).values())
        after = trend(s, other)
        assert after == trend(s, other, today=LIVE) != before
        # Staleness is in the key (its own rows); suppression is applied when reading (the same rows).
        assert sum(kept_by_month(s).values()) == rows * (2 if "staleness_days" in changed else 1)
        assert trend(s) == before


def test_a_new_proficient_level_reads_only_rows_kept_at_it(demo_db: Database) -> None:
    with demo_db.session() as s:
        before = trend(s)
        rows = sum(kept_by_month(s).values())
    with demo_db.session() as s:
        s.execute(update(RatingScale).where(RatingScale.is_active).values(proficient_level=2))
    with demo_db.session() as s:
        assert sum(kept_by_month(s).values()) == rows  # still there, under level 3
        after = trend(s)
        assert after == trend(s, today=LIVE) != before
        assert sum(kept_by_month(s).values()) == 2 * rows


def test_a_new_definition_ignores_the_rows_kept_under_the_old_one(demo_db: Database, counted: list[date],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_db.session() as s:
        before = trend(s)
        monkeypatch.setattr(cov, "TREND_DEFINITION", cov.TREND_DEFINITION + 1)
        counted.clear()
        assert trend(s) == before
        assert len(counted) == MONTHS  # counted again, not read
        assert Counter(s.scalars(select(CoverageMonth.definition))) == {
            d: MONTHS * 10 for d in (cov.TREND_DEFINITION - 1, cov.TREND_DEFINITION)}


# Every trigger of migration 0016, by name: a write to these tables that could change a closed month deletes it.
TRIGGERS = {f"cm_{table}_{event}" for table in ("competency_ratings", "team_memberships", "competencies",
                                                "category_principles") for event in ("insert", "update", "delete")} | {
    "cm_staff_update", "cm_staff_delete", "cm_frameworks_delete"}
TRUNCATE_TRIGGERS = {f"cm_{table}_truncate" for table in ("competency_ratings", "team_memberships", "staff",
                                                         "competencies", "category_principles")}


def test_every_write_that_can_change_a_closed_month_has_its_trigger(empty_db: Database) -> None:
    with empty_db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            found = set(s.scalars(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'cm\\_%'")))
            assert found == TRIGGERS | TRUNCATE_TRIGGERS  # COPY fires the statement-level ones too
        else:
            found = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cm\\_%' "
                                       "ESCAPE '\\'")))
            assert found == TRIGGERS  # SQLite has no TRUNCATE


# ------------------------------------------------------------------------------------------ keeping refused


def test_a_write_committed_while_counting_refuses_the_keep(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    real = cov._team_trend_counts

    def counted_then_written(*args: Any) -> Any:
        counts = real(*args)
        with demo_db.session() as other:  # another request records a rating dated in a counted month
            insert_rating(other)
        return counts
    monkeypatch.setattr(cov, "_team_trend_counts", counted_then_written)
    with demo_db.session() as s:
        stale = trend(s)
    monkeypatch.setattr(cov, "_team_trend_counts", real)
    with demo_db.session() as s:
        assert kept_by_month(s) == {}  # counted from before the rating: not kept
        assert trend(s) == trend(s, today=LIVE) != stale


def test_a_read_only_transaction_answers_without_keeping(demo_db: Database) -> None:
    with demo_db.session() as s:
        live = trend(s, today=LIVE)
    with demo_db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SET TRANSACTION READ ONLY"))
        else:
            s.execute(text("PRAGMA query_only = ON"))
        assert trend(s) == live
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("PRAGMA query_only = OFF"))
    with demo_db.session() as s:
        assert kept_by_month(s) == {}


def test_the_keep_checks_the_guard_it_read(demo_db: Database) -> None:
    key = coverage_months.MonthKey(cov.TREND_DEFINITION, 1, 3, 365)
    counts = {(date(2026, 1, 31), 1): coverage_months.TeamCounts(5, 4, 3)}
    with demo_db.session() as s:
        team = s.scalar(select(Team.id).order_by(Team.id).limit(1))
        assert team == 1
        # The generation moved on since it was read: refused.
        assert coverage_months.team_counts(s, key, [1], [date(2026, 1, 31)], TODAY, lambda dates: counts) == counts
        assert kept_by_month(s) == {date(2026, 1, 31): 1}
        assert not coverage_months._keep(s, key, [(date(2025, 1, 31), 1, counts[date(2026, 1, 31), 1])], -1)
        assert kept_by_month(s) == {date(2026, 1, 31): 1}


def test_the_totals_add_only_the_teams_shown_whether_kept_or_counted(demo_db: Database) -> None:
    """Three teams on 31 January 2026: 5 workers (4 ratings, 3 proficient), 2 workers (2, 1: too few to show at the
    default three), nobody. Counted (summed here) and kept (summed by the database) alike: 5 workers, 4 and 3; with
    suppression off, 7, 6 and 4. A month kept for only some of the teams asked about is counted again."""
    key = coverage_months.MonthKey(cov.TREND_DEFINITION, 1, 3, 365)
    month = date(2026, 1, 31)
    counts = {(month, 1): coverage_months.TeamCounts(5, 4, 3), (month, 2): coverage_months.TeamCounts(2, 2, 1)}
    everyone = MetricSettings(min_cell_workers=0)

    def not_again(dates: list[date]) -> Any:
        pytest.fail(f"counted again: {dates}")
    with demo_db.session() as s:
        counted = coverage_months.shown_totals(s, key, [1, 2, 3], [month], TODAY, lambda dates: counts, DEFAULT)
        assert kept_by_month(s) == {month: 3}  # team 3 kept as nobody
        kept = coverage_months.shown_totals(s, key, [1, 2, 3], [month], TODAY, not_again, DEFAULT)
        assert counted == kept == {month: coverage_months.TeamCounts(5, 4, 3)}
        assert coverage_months.shown_totals(s, key, [1, 2, 3], [month], TODAY, not_again, everyone) == {
            month: coverage_months.TeamCounts(7, 6, 4)}
        assert coverage_months.shown_totals(s, key, [1, 2, 3, 4], [month], TODAY, lambda dates: counts, everyone) == {
            month: coverage_months.TeamCounts(7, 6, 4)}
        assert kept_by_month(s) == {month: 4}
