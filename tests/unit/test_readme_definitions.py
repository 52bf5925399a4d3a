"""The README's definitions are the contract: constants it states are the ones the code uses."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dashboard.queries.common import AVERAGE_MONTH_DAYS, Window

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_month_length_the_readme_states_is_the_one_the_code_divides_by() -> None:
    stated = re.search(r"a month is ([\d.]+) days \(365\.25 / 12\)", README)
    assert stated, "the README's Supervision frequency definition no longer states the month's length"
    assert float(stated.group(1)) == AVERAGE_MONTH_DAYS == 365.25 / 12
    # Every other place the README divides by a month uses the same number, not a rounded one.
    assert set(re.findall(r"\b30\.\d+\b", README)) == {stated.group(1)}
    # March to May: 92 days = 92 / 30.4375 = 3.022587 months (30.44 would give 3.022339).
    assert Window(date(2026, 3, 1), date(2026, 5, 31)).months == pytest.approx(3.022587, abs=1e-6)


def test_the_readme_says_when_months_are_kept_ahead_of_an_export_as_the_code_decides() -> None:
    from dashboard.queries.supervision import ahead

    stated = re.search(r"at least half of the workers in the period's last whole month \(and\s+at least (\d+)\)",
                       README)
    assert stated and int(stated.group(1)) == ahead.MIN_STALE_WORKERS
    assert "two connections at once" in README and ahead.PARTS == 2
