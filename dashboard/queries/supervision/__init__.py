"""Supervision metrics: meeting the standard, due dates, frequency, mix of kinds, supervisor signals, trend, KPIs."""
# Where each part lives (imports flow one way, down this list):
#   results.py  what the metrics return (frozen dataclasses, NamedTuples)
#   sql.py      portable SQL pieces: day arithmetic on PostgreSQL and SQLite alike, dated rows, calendar months
#   tuning.py   temporary tables with their statistics (ANALYZE), whether a transaction reads one snapshot
#   reasons.py  the columns of a judgement's rows, read into WorkerStandard with the reasons in words
#   rule.py     meeting the standard: the rule in force, days at work, gaps, months, who is judged, the verdict,
#               and its version (JUDGEMENT_DEFINITION)
#   kept.py     kept month judgements: keeping, composing whole-month windows, staleness
#   kept_windows.py  kept verdicts of windows ending today (the Overview's "Meeting the standard" card)
#   status.py   standard_status / iter_standard_status: kept, composed or freshly judged rows in one statement
#   ahead.py    stale kept months judged ahead of a long by-month read, on two connections at once
#   due.py      due dates and overdue now
#   team.py     team metrics: frequency, mix of kinds, supervisor signals
#   kpis.py     the overview's KPIs and the monthly trend of meeting the standard
# The names below stay importable from dashboard.queries.supervision. A test that monkeypatches a module attribute
# patches the module that reads it (e.g. kept.JUDGEMENT_DEFINITION, status._keep_month_judgements).
from dashboard.queries.supervision.due import DUE_SOON_DAYS, DUE_STATUSES, due_dates, overdue_now
from dashboard.queries.supervision.kpis import kpi_supervision, meeting_trend
from dashboard.queries.supervision.results import (DueDate, GapViolation, MeetingPoint, MonthShortfall, OverdueWorker,
                                                   SupervisionKpis, TeamFrequency, TeamMix, TeamSupervisorSignals,
                                                   WorkerStandard)
from dashboard.queries.supervision.rule import ANCHOR_LOOKBACK_DAYS, JUDGEMENT_DEFINITION, month_periods
from dashboard.queries.supervision.sql import day_after, day_before, days_between, days_later
from dashboard.queries.supervision.status import iter_standard_status, standard_status
from dashboard.queries.supervision.team import frequency, supervision_mix, supervisor_signals

__all__ = ["ANCHOR_LOOKBACK_DAYS", "DUE_SOON_DAYS", "DUE_STATUSES", "JUDGEMENT_DEFINITION", "DueDate", "GapViolation",
           "MeetingPoint", "MonthShortfall", "OverdueWorker", "SupervisionKpis", "TeamFrequency", "TeamMix",
           "TeamSupervisorSignals", "WorkerStandard", "day_after", "day_before", "days_between", "days_later",
           "due_dates", "frequency", "iter_standard_status", "kpi_supervision", "meeting_trend", "month_periods",
           "overdue_now", "standard_status", "supervision_mix", "supervisor_signals"]
