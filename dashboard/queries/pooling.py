"""Team results pooled into program rows, for views with more teams than a person can read at once."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.queries.common import MetricSettings, TeamRef


@dataclass(frozen=True)
class ProgramCell:
    """A program × principle cell: the program's teams' counts added up, then divided once."""

    program_id: int
    program_name: str
    principle_code: str
    principle_name: str
    workers: int
    share: float | None
    suppressed: bool


@dataclass(frozen=True)
class ProgramFrequency:
    """A program's frequency: per-worker rates of its teams weighted by their workers (no median gap)."""

    program_id: int
    program_name: str
    workers: int
    individual_per_worker_month: float | None
    hours_per_worker_month: float | None
    expected_individual_per_worker_month: float | None
    suppressed: bool


def pool_cells(cells: Sequence[Any], teams: Sequence[TeamRef], settings: MetricSettings) -> list[ProgramCell]:
    """Coverage cells pool proficient / pairs; attention cells pool discussed / competencies.

    Suppressed teams' cells add nothing (workers included): a program row with and without a small team
    would otherwise give the team's hidden counts back. A program whose teams are all suppressed shows n<k.
    """
    program_of = {t.id: (t.program_id, t.program_name) for t in teams}
    sums: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cell in cells:
        program_id, program_name = program_of[cell.team_id]
        totals = sums[(program_id, program_name, cell.principle_code, cell.principle_name)]
        if cell.suppressed:
            continue
        part, whole = ((cell.proficient, cell.pairs) if hasattr(cell, "pairs")
                       else (cell.discussed, cell.competencies if cell.workers else 0))
        totals[0] += part
        totals[1] += whole
        totals[2] += cell.workers
    return [ProgramCell(program_id, program_name, code, name, workers,
                        None if settings.suppressed(workers) or not whole else part / whole,
                        settings.suppressed(workers))
            for (program_id, program_name, code, name), (part, whole, workers) in sums.items()]


def pool_frequency(rows: Sequence[Any], teams: Sequence[TeamRef], settings: MetricSettings) -> list[ProgramFrequency]:
    """Per-worker rates weighted by workers, over the program's teams that are not suppressed (as pool_cells)."""
    program_of = {t.id: (t.program_id, t.program_name) for t in teams}
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0])
    for row in rows:
        totals = sums[program_of[row.team_id]]
        if row.suppressed:
            continue
        totals[0] += row.workers
        if row.individual_per_worker_month is not None:  # a team with no workers carries no rates
            totals[1] += row.individual_per_worker_month * row.workers
            totals[2] += (row.hours_per_worker_month or 0) * row.workers
            totals[3] += (row.expected_individual_per_worker_month or 0) * row.workers
            totals[4] += row.workers
    return [ProgramFrequency(program_id, name, int(workers),
                             held / counted if counted and not settings.suppressed(int(workers)) else None,
                             hours / counted if counted and not settings.suppressed(int(workers)) else None,
                             expected / counted if counted and not settings.suppressed(int(workers)) else None,
                             settings.suppressed(int(workers)))
            for (program_id, name), (workers, held, hours, expected, counted) in sums.items()]
