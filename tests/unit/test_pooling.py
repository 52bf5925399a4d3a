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
                        None, None, False)


def test_coverage_pools_pairs_not_shares() -> None:
    # North: A has 4 workers × 9 items = 36 pairs, 27 proficient; B has 2 workers × 9 = 18 pairs, 0 proficient.
    # Pooled: 27 / (36 + 18) = 0.5 — not the mean of shares (0.75 + 0) / 2 = 0.375. B alone (2 < 3) is
    # suppressed, but North has 6 workers, so it is shown. South: 2 workers only → suppressed.
    cells = [cov(1, 4, 36, 27), cov(2, 2, 18, 0), cov(3, 2, 18, 18)]
    north, south = sorted(pool_cells(cells, TEAMS, MetricSettings()), key=lambda c: c.program_name)
    assert (north.program_name, north.workers, north.share, north.suppressed) == ("North", 6, 0.5, False)
    assert (south.program_name, south.workers, south.share, south.suppressed) == ("South", 2, None, True)


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
