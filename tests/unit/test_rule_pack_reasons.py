"""Supervision-standard rule packs (Washington DC 22-A DCMR 7314, Texas 1 TAC §354.3103) and the compliance reason
naming the rule it applied, on tiny hand-built agencies, every number worked out by hand in a comment.

The default standard (in force since 2000-01-01): in-training 7 days / 240 min a month, initially-certified
14 / 120, fully-certified 31 / 60. Each test adds a version in force from 1 Jan 2026.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db import Database
from dashboard.queries.common import Window
from dashboard.queries.compliance import ComplianceFilter, ComplianceRow, rows
from dashboard.rule_packs import (CHECK, STANDARD_PACKS, STANDARD_PACKS_BY_KEY, StandardPack, StandardPackRule,
                                  cited_by, rule_words)
from dashboard.scope import Scope
from models import CertificationStage, StandardRule, SupervisionStandard
from tests.unit.test_supervision_metrics import Agency

JANUARY = Window(date(2026, 1, 1), date(2026, 1, 31))
Q1 = Window(date(2026, 1, 1), date(2026, 3, 31))
EVERYONE = Scope.agency()
DC = STANDARD_PACKS_BY_KEY["dc-7314-weekly"]
TEXAS = STANDARD_PACKS_BY_KEY["tx-354-3103"]


def add_version(s: Session, pack: StandardPack, source: str) -> None:
    """A version in force from 1 Jan 2026 with the pack's rules for every stage, and the source given."""
    version = SupervisionStandard(name=pack.name, effective_from=date(2026, 1, 1), source=source)
    s.add(version)
    s.flush()
    for code, stage_id in s.execute(select(CertificationStage.code, CertificationStage.id)).all():
        rule = pack.rule(code)
        assert rule is not None, code
        s.add(StandardRule(standard_id=version.id, stage_id=stage_id, max_days_between_individual=rule.max_days,
                           min_minutes_per_month=rule.min_minutes, group_counts_toward_minimum=rule.group_counts))
    s.flush()


def judged(reference_db: Database, window: Window) -> dict[str, ComplianceRow]:
    with reference_db.session() as s:
        return {r.worker_name: r for r in rows(s, EVERYONE, window, ComplianceFilter())}


def weekly_worker_with_a_nine_day_gap(s: Session) -> None:
    """Ann, fully certified: 29 Dec 2025, 5, 14, 21, 28 Jan 2026."""
    a = Agency(s)
    ann = a.worker("Ann", a.team("Team A"))
    for day in (date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 14), date(2026, 1, 21), date(2026, 1, 28)):
        a.individual(ann, day)


def test_the_texas_pack_has_weekly_for_the_initial_stage_and_monthly_after() -> None:
    assert [(r.stage_code, r.max_days) for r in TEXAS.rules] == \
        [("in-training", 7), ("initially-certified", 7), ("fully-certified", 31)]
    assert TEXAS.citation == "TX 1 TAC §354.3103"
    assert TEXAS.source.startswith("TX 1 TAC §354.3103: ") and TEXAS.source.endswith(CHECK)
    assert (rule_words(7), rule_words(31), rule_words(14), rule_words(10)) == \
        ("weekly", "monthly", "every 2 weeks", "at most 10 days between individual sessions")
    assert {r.stage_code for r in DC.rules} == {"in-training", "initially-certified", "fully-certified"}
    assert all(r.max_days == 7 for r in DC.rules)
    assert [p.key for p in STANDARD_PACKS] == ["dc-7314-weekly", "tx-354-3103"]
    assert cited_by(DC.source) is DC and cited_by("  " + TEXAS.source) is TEXAS
    assert cited_by("") is None and cited_by(None) is None and cited_by("Agency policy 2026") is None
    assert StandardPackRule("x", 7, 0, True) == StandardPackRule("x", 7, 0, True)


def test_a_gap_judged_under_the_dc_pack_names_its_citation(reference_db: Database) -> None:
    with reference_db.session() as s:
        weekly_worker_with_a_nine_day_gap(s)
        add_version(s, DC, DC.source)
    ann = judged(reference_db, JANUARY)["Ann"]
    # 29 Dec -> 5 Jan = 7 (first day 29 Dec: the default, 31 days); 5 -> 14 Jan = 9 > 7 (first day 5 Jan: DC);
    # 14 -> 21 = 7, 21 -> 28 = 7, open 28 -> 31 Jan = 3. DC asks no monthly minutes. Required floor(31 / 7) = 4.
    assert (ann.status, ann.longest_gap_days, ann.held_sessions, ann.required_sessions, ann.minimum_minutes) == \
        ("not met", 9, 4, 4, 0)
    assert ann.reasons == ("gap of 9 days in January 2026 (5 to 14 Jan); limit 7; DC 22-A DCMR 7314: weekly",)
    assert ann.reasons_text == "gap of 9 days in January 2026 (5 to 14 Jan); limit 7; DC 22-A DCMR 7314: weekly"


def test_a_gap_under_a_standard_without_citation_keeps_the_old_reason(reference_db: Database) -> None:
    with reference_db.session() as s:
        weekly_worker_with_a_nine_day_gap(s)
        add_version(s, DC, "Agency policy: weekly for everyone")
    ann = judged(reference_db, JANUARY)["Ann"]
    assert ann.reasons == ("gap of 9 days in January 2026 (5 to 14 Jan); limit 7",)


def test_a_gap_starting_under_an_uncited_version_is_not_cited(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        bob = a.worker("Bob", a.team("Team A"))
        for day in (date(2025, 11, 20), date(2026, 1, 3), date(2026, 1, 10), date(2026, 1, 17), date(2026, 1, 24),
                    date(2026, 1, 31)):
            a.individual(bob, day)
        add_version(s, DC, DC.source)
    bob = judged(reference_db, JANUARY)["Bob"]
    # 20 Nov -> 3 Jan = 10 + 31 + 3 = 44 > 31: its first day (20 Nov) was under the default, which has no citation.
    assert bob.reasons == ("gap of 44 days from 20 Nov 2025 to 3 Jan 2026; limit 31",)


def test_the_texas_pack_judges_weekly_then_monthly(reference_db: Database) -> None:
    with reference_db.session() as s:
        a = Agency(s)
        team = a.team("Team A")
        # Bea, initially certified (weekly): 29 Dec, 5, 13, 20, 27 Jan, then every 7 days to 31 Mar.
        bea = a.worker("Bea", team, stage="initially-certified")
        for day in (date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 13), date(2026, 1, 20), date(2026, 1, 27),
                    date(2026, 2, 3), date(2026, 2, 10), date(2026, 2, 17), date(2026, 2, 24), date(2026, 3, 3),
                    date(2026, 3, 10), date(2026, 3, 17), date(2026, 3, 24), date(2026, 3, 31)):
            a.individual(bea, day)
        # Dan, fully certified (monthly): 30 Dec, 2 Jan, 5 Feb, 3 Mar.
        dan = a.worker("Dan", team)
        for day in (date(2025, 12, 30), date(2026, 1, 2), date(2026, 2, 5), date(2026, 3, 3)):
            a.individual(dan, day)
        # Cal, fully certified: 30 Dec, 20 Jan, 15 Feb, 10 Mar: every gap within a month.
        cal = a.worker("Cal", team)
        for day in (date(2025, 12, 30), date(2026, 1, 20), date(2026, 2, 15), date(2026, 3, 10)):
            a.individual(cal, day)
        add_version(s, TEXAS, TEXAS.source)
    got = judged(reference_db, Q1)
    bea, dan, cal = got["Bea"], got["Dan"], got["Cal"]
    # Bea: 29 Dec -> 5 Jan = 7 (default 14); 5 -> 13 Jan = 8 > 7 (Texas, weekly); then 7s, open 31 -> 31 Mar = 0.
    # Held 13 in the period; required floor(90 / 7) = 12; no monthly minimum.
    assert (bea.status, bea.longest_gap_days, bea.held_sessions, bea.required_sessions, bea.minimum_minutes) == \
        ("not met", 8, 13, 12, 0)
    assert bea.reasons == ("gap of 8 days in January 2026 (5 to 13 Jan); limit 7; TX 1 TAC §354.3103: weekly",)
    # Dan: 30 Dec -> 2 Jan = 3; 2 Jan -> 5 Feb = 29 + 5 = 34 > 31 (Texas, monthly); 5 Feb -> 3 Mar = 23 + 3 = 26;
    # open 3 -> 31 Mar = 28. Held 3; required floor(90 / 31) = 2.
    assert (dan.status, dan.longest_gap_days, dan.held_sessions, dan.required_sessions) == ("not met", 34, 3, 2)
    assert dan.reasons == ("gap of 34 days from 2 Jan to 5 Feb 2026; limit 31; TX 1 TAC §354.3103: monthly",)
    # Cal: 30 Dec -> 20 Jan = 21, 26, 23, open 10 -> 31 Mar = 21: all within 31.
    assert (cal.status, cal.longest_gap_days, cal.reasons) == ("met", 26, ())


def test_the_standards_page_offers_the_packs_and_says_to_check_them() -> None:
    from layouts.standards import layout
    text = str(layout())
    assert "The agency must check it against the current text of the rule before relying on it." in text
    assert DC.source in text and TEXAS.source in text
    assert "fully-certified: every 31 days, 0 min a month" in text
