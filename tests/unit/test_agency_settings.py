"""Agency settings through the function the Settings page uses: each change says what it changes on screen and is
audited with old and new values; bad values get a message per field and write nothing; a stale copy is refused;
the metrics read the saved values."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard import agency_settings
from dashboard.audit import Actor
from dashboard.db import Database
from dashboard.queries.common import load_settings
from dashboard.queries.signoff import flag_days
from dashboard.recording import Rejected
from models import AuditEvent, RatingLevel, RatingScale

ACTOR = Actor(None, "cli:test")


def opened(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return agency_settings.current(s).values()


def form(seen: dict[str, Any], **changes: Any) -> dict[str, Any]:
    raw = {k: v for k, v in seen.items()}
    raw["fte_per_supervisor_limit"] = float(raw["fte_per_supervisor_limit"])
    raw.update(changes)
    return raw


def events(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_the_defaults_then_a_save_that_says_what_changes_and_is_audited(reference_db: Database) -> None:
    seen = opened(reference_db)
    assert seen == {"staleness_days": 365, "min_cell_workers": 3, "fte_per_supervisor_limit": "7.0",
                    "principle_holding_percent": 75, "proficient_level": 3, "unsigned_flag_days": 7,
                    "unacknowledged_flag_days": 14, "date_format": "dmy",
                    "labels": {"1": "Not yet demonstrated", "2": "Developing", "3": "Proficient", "4": "Advanced"}}
    labels = {**seen["labels"], "4": "Exemplary"}
    with reference_db.session() as s:
        said = agency_settings.save(s, ACTOR, form(seen, staleness_days="400", min_cell_workers=0,
                                                   principle_holding_percent=80, labels=labels,
                                                   proficient_level=4), seen)
    assert said == [
        "The overview and the rosters will count supervisor ratings up to 400 days old (was 365); older ones leave "
        "the coverage numbers.",
        "Small-cell suppression is off: every team's values are shown (was 3).",
        "A worker holds a principle when proficient on at least 80% of its competencies (was 75%); the overview's "
        "counts of principles held change with it.",
        "Rating levels renamed everywhere they are shown, past ratings included: 4 “Advanced” → “Exemplary”.",
        "Ratings of 4 or above count as proficient (was 3), in every coverage number, past periods included."]
    with reference_db.session() as s:
        metrics = load_settings(s)
        scale = s.scalars(select(RatingScale).where(RatingScale.is_active)).one()
        level4 = s.get(RatingLevel, (scale.id, 4))
        audit = s.execute(select(AuditEvent.entity, AuditEvent.old_values, AuditEvent.new_values)
                          .order_by(AuditEvent.id)).all()
    assert (metrics.staleness_days, metrics.min_cell_workers, metrics.principle_holding_share) == (400, 0, 0.8)
    assert (scale.proficient_level, level4.label) == (4, "Exemplary")
    assert audit == [
        ("agency_settings", {"staleness_days": 365, "min_cell_workers": 3, "principle_holding_share": "0.75"},
         {"staleness_days": 400, "min_cell_workers": 0, "principle_holding_share": "0.80"}),
        ("rating_scale", {"labels": {"4": "Advanced"}, "proficient_level": 3},
         {"labels": {"4": "Exemplary"}, "proficient_level": 4})]
    # The first editor's copy is stale now.
    with reference_db.session() as s, pytest.raises(Rejected, match="Someone else changed"):
        agency_settings.save(s, ACTOR, form(seen, staleness_days=500), seen)
    assert events(reference_db) == 2


@pytest.mark.parametrize(("changes", "field"), [
    ({"staleness_days": 10}, "staleness_days"),
    ({"staleness_days": "1e3"}, "staleness_days"),
    ({"staleness_days": True}, "staleness_days"),
    ({"min_cell_workers": -1}, "min_cell_workers"),
    ({"fte_per_supervisor_limit": "7.25"}, "fte_per_supervisor_limit"),
    ({"fte_per_supervisor_limit": "NaN"}, "fte_per_supervisor_limit"),
    ({"fte_per_supervisor_limit": 0}, "fte_per_supervisor_limit"),
    ({"principle_holding_percent": 0}, "principle_holding_percent"),
    ({"principle_holding_percent": 101}, "principle_holding_percent"),
    ({"labels": {"1": "A", "2": "B", "3": "C"}}, "labels"),
    ({"labels": {"1": "A", "2": "A", "3": "C", "4": "D"}}, "labels"),
    ({"labels": {"1": "", "2": "B", "3": "C", "4": "D"}}, "labels"),
    ({"labels": "x"}, "labels"),
    ({"unsigned_flag_days": 0}, "unsigned_flag_days"),
    ({"unsigned_flag_days": 91}, "unsigned_flag_days"),
    ({"unsigned_flag_days": "7.5"}, "unsigned_flag_days"),
    ({"unacknowledged_flag_days": 0}, "unacknowledged_flag_days"),
    ({"unacknowledged_flag_days": 181}, "unacknowledged_flag_days"),
    ({"unacknowledged_flag_days": None}, "unacknowledged_flag_days"),
    ({"proficient_level": 5}, "proficient_level"),
    ({"proficient_level": None}, "proficient_level"),
])
def test_each_bad_value_gets_its_message_and_nothing_is_written(reference_db: Database, changes: dict[str, Any],
                                                               field: str) -> None:
    seen = opened(reference_db)
    with reference_db.session() as s, pytest.raises(Rejected) as refused:
        agency_settings.save(s, ACTOR, form(seen, **changes), seen)
    assert field in {p.field for p in refused.value.problems}
    assert events(reference_db) == 0 and opened(reference_db) == seen


def test_saving_the_same_values_changes_nothing(reference_db: Database) -> None:
    seen = opened(reference_db)
    with reference_db.session() as s, pytest.raises(Rejected, match="Nothing to save"):
        agency_settings.save(s, ACTOR, form(seen), seen)
    assert events(reference_db) == 0


def test_the_sign_off_flags_ages_say_what_changes_are_audited_and_move_the_flags(reference_db: Database) -> None:
    seen = opened(reference_db)
    with reference_db.session() as s:
        said = agency_settings.save(s, ACTOR, form(seen, unsigned_flag_days=10, unacknowledged_flag_days="21"), seen)
    assert said == [
        "A session still unsigned more than 10 days after it was held (was 7) is flagged “unsigned” in the rosters' "
        "Sign-off column and on the Sign-off page.",
        "A signed session an attendee has not acknowledged more than 21 days after signing (was 14) is flagged "
        "“unacknowledged” in the rosters' Sign-off column and on the Sign-off page."]
    with reference_db.session() as s:
        days = flag_days(s)
        audit = s.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.old_values, AuditEvent.new_values)
                          ).all()
    assert (days.unsigned, days.unacknowledged) == (10, 21)
    assert audit == [("update", "agency_settings", {"unsigned_flag_days": 7, "unacknowledged_flag_days": 14},
                      {"unsigned_flag_days": 10, "unacknowledged_flag_days": 21})]
    # Both out of range at once: a message for each, nothing written.
    with reference_db.session() as s, pytest.raises(Rejected) as refused:
        agency_settings.save(s, ACTOR, form(opened(reference_db), unsigned_flag_days=0,
                                            unacknowledged_flag_days=500), opened(reference_db))
    assert [p.message for p in refused.value.problems] == [
        "The unsigned flag (days) must be a whole number from 1 to 90.",
        "The unacknowledged flag (days) must be a whole number from 1 to 180."]
    with reference_db.session() as s:
        assert (flag_days(s).unsigned, flag_days(s).unacknowledged) == (10, 21)
    assert events(reference_db) == 1
