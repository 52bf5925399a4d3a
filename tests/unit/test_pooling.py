"""Program rows add up their teams' counts before dividing (hand-worked numbers)."""
from __future__ import annotations

import pytest

from dashboard.queries.common import MetricSettings, TeamRef
from dashboard.queries.coverage import AttentionCell, CoverageCell
from dashboard.queries.pooling import pool_cells, pool_frequency
from dashboard.queries.supervision import TeamFrequency

TEAMS = [TeamRef(1, "A", 10, "North"), TeamRef(2, "B", 10, "North"), TeamRef(3, "C", 20, "South")]


def cov(team: int, workers: int, pairs: int, proficient: int) -> CoverageCell:
    return CoverageCell(team, "t", 10, "trauma-informed", "Trauma-informed", workers, pairs, proficient, proficient,
                        None, None, MetricSettings().suppressed(workers))


def test_coverage_pools_pairs_not_shares() -> None:
    # North: A has 4 workers × 9 items = 36 pairs, 27 proficient; B has 4 × 9 = 36 pairs, 9 proficient.
    # Pooled: (27 + 9) / (36 + 36) = 0.5, as the mean of shares happens to be; with C's 3 workers in South too.
    teams = [*TEAMS, TeamRef(4, "D", 20, "South")]
    cells = [cov(1, 4, 36, 27), cov(2, 4, 36, 9), cov(3, 3, 27, 27), cov(4, 6, 54, 0)]
    north, south = sorted(pool_cells(cells, teams, MetricSettings()), key=lambda c: c.program_name)
    assert (north.workers, north.share) == (8, 0.5)
    # South: 27 / (27 + 54) = 1/3, not the mean of shares (1 + 0) / 2 = 0.5.
    assert (south.workers, south.share) == (9, pytest.approx(1 / 3))


def test_a_suppressed_team_adds_nothing_to_its_program_row() -> None:
    # North: A has 4 workers, 27 of 36 proficient; B has 2 workers (< 3, suppressed), 0 of 18. North shows A's
    # 27 / 36 = 0.75 with or without B: pooling B's 0 of 18 (0.5) would give B's hidden count back by
    # subtraction. South: C's 2 workers only -> no team to show, n<3.
    cells = [cov(1, 4, 36, 27), cov(2, 2, 18, 0), cov(3, 2, 18, 18)]
    north, south = sorted(pool_cells(cells, TEAMS, MetricSettings()), key=lambda c: c.program_name)
    [north_without_b] = pool_cells(cells[:1], TEAMS, MetricSettings())
    assert (north.program_name, north.workers, north.share, north.suppressed) == ("North", 4, 0.75, False)
    assert north == north_without_b
    assert (south.program_name, south.workers, south.share, south.suppressed) == ("South", 0, None, True)
    attention = [AttentionCell(1, "A", 10, "voluntary", "Voluntary", 4, 9, 3, 3 / 9, False),
                 AttentionCell(2, "B", 10, "voluntary", "Voluntary", 2, 9, 9, None, True)]
    assert pool_cells(attention, TEAMS, MetricSettings()) == pool_cells(attention[:1], TEAMS, MetricSettings())
    rows = [TeamFrequency(1, "A", 10, 4, 1.0, 2.0, 14.0, 1.0, False),
            TeamFrequency(2, "B", 10, 2, None, None, None, None, True)]
    [pooled] = pool_frequency(rows, TEAMS, MetricSettings())
    assert pooled == pool_frequency(rows[:1], TEAMS, MetricSettings())[0]
    assert (pooled.workers, pooled.individual_per_worker_month) == (4, 1.0)


def test_attention_pools_discussed_competencies() -> None:
    # North: A discussed 3 of 9, B 6 of 9 → (3 + 6) / (9 + 9) = 0.5.
    cells = [AttentionCell(1, "A", 10, "voluntary", "Voluntary", 3, 9, 3, None, False),
             AttentionCell(2, "B", 10, "voluntary", "Voluntary", 3, 9, 6, None, False)]
    [north] = pool_cells(cells, TEAMS, MetricSettings())
    assert north.share == pytest.approx(0.5)


def test_frequency_weights_teams_by_their_workers() -> None:
    # North: A 4 workers at 1.0 session per worker-month, B 2 workers at 2.5 → (4×1.0 + 2×2.5) / 6 = 1.5;
    # hours (4×2 + 2×5) / 6 = 3.0; standard (4×1 + 2×4) / 6 = 2.0.
    rows = [TeamFrequency(1, "A", 10, 4, 1.0, 2.0, 14.0, 1.0, False),
            TeamFrequency(2, "B", 10, 2, 2.5, 5.0, 7.0, 4.0, False)]
    [north] = pool_frequency(rows, TEAMS, MetricSettings())
    assert (north.workers, north.individual_per_worker_month, north.hours_per_worker_month,
            north.expected_individual_per_worker_month) == (6, 1.5, 3.0, 2.0)
