"""Agency settings an admin changes in the app: the metrics' limits, the sign-off flags' ages, the rating scale's
labels and proficient level, and the date format.

Each save is checked field by field (nothing written when anything is refused), compared and set against what the
editor loaded (a change made in between is refused), audited with old and new values, and described in words that
say what changes on screen ("the overview will count ratings up to 400 days old").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard import dates
from dashboard.audit import Actor, plain, record
from dashboard.queries.common import MetricSettings
from dashboard.queries.signoff import FlagDays
from dashboard.people import changed_rows
from dashboard.recording import Problem, Rejected
from models import AgencySettings, RatingLevel, RatingScale

STALENESS_RANGE = (30, 3650)
MIN_CELL_RANGE = (0, 50)
FTE_LIMIT_RANGE = (Decimal("0.5"), Decimal("99.9"))
UNSIGNED_FLAG_RANGE = (1, 90)  # days after the session was held
UNACKNOWLEDGED_FLAG_RANGE = (1, 180)  # days after signing
LABEL_LIMIT = 60
STALE = ("Someone else changed the settings after you opened this page. Nothing was saved: the form now shows their "
         "values; try again.")


@dataclass(frozen=True)
class Level:
    level: int
    label: str


@dataclass(frozen=True)
class Settings:
    staleness_days: int
    min_cell_workers: int
    fte_per_supervisor_limit: Decimal
    principle_holding_percent: int  # the share as a whole percentage, as the form shows it
    unsigned_flag_days: int
    unacknowledged_flag_days: int
    scale_id: int | None
    levels: tuple[Level, ...]
    proficient_level: int | None
    date_format: str  # a key of dates.FORMATS

    def values(self) -> dict[str, Any]:
        """JSON-safe: what the editor saw, sent back with the save."""
        return {"staleness_days": self.staleness_days, "min_cell_workers": self.min_cell_workers,
                "fte_per_supervisor_limit": plain(self.fte_per_supervisor_limit),
                "principle_holding_percent": self.principle_holding_percent,
                "unsigned_flag_days": self.unsigned_flag_days,
                "unacknowledged_flag_days": self.unacknowledged_flag_days,
                "labels": {str(lv.level): lv.label for lv in self.levels}, "proficient_level": self.proficient_level,
                "date_format": self.date_format}


def current(session: Session) -> Settings:
    row = session.get(AgencySettings, 1)
    defaults = MetricSettings()
    flags = FlagDays()
    scale = session.scalars(select(RatingScale).where(RatingScale.is_active)).first()
    levels = tuple(Level(lv.level, lv.label) for lv in scale.levels) if scale else ()
    return Settings(
        row.staleness_days if row else defaults.staleness_days,
        row.min_cell_workers if row else defaults.min_cell_workers,
        Decimal(row.fte_per_supervisor_limit if row else str(defaults.fte_per_supervisor_limit)).quantize(
            Decimal("0.1")),
        int((Decimal(row.principle_holding_share if row else str(defaults.principle_holding_share)) * 100)
            .to_integral_value()),
        row.unsigned_flag_days if row else flags.unsigned,
        row.unacknowledged_flag_days if row else flags.unacknowledged,
        scale.id if scale else None, levels, scale.proficient_level if scale else None,
        _known_format(row.date_format if row else None))


def _known_format(key: str | None) -> str:
    # A key no longer offered (or none) reads as the default rather than failing every page.
    return key if key in dates.FORMATS else dates.DEFAULT


def stored_date_format(session: Session) -> str:
    """The agency's date format key: one primary-key read, done at every request (see dates.init_app)."""
    return _known_format(session.scalar(select(AgencySettings.date_format).where(AgencySettings.id == 1)))


def _whole(raw: object, field: str, label: str, low: int, high: int, problems: list[Problem]) -> int | None:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and raw.strip().isdigit() and raw.strip().isascii():
        value = int(raw.strip())
    if value is None or not low <= value <= high:
        problems.append(Problem(field, f"{label} must be a whole number from {low} to {high}."))
        return None
    return value


def _fte_limit(raw: object, problems: list[Problem]) -> Decimal | None:
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise InvalidOperation
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    low, high = FTE_LIMIT_RANGE
    if value is None or not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.1")):
        problems.append(Problem("fte_per_supervisor_limit", f"The FTE limit must be a number from {low} to {high}, "
                                                            "with at most one decimal."))
        return None
    return value.quantize(Decimal("0.1"))


def parse(raw: dict[str, Any], levels: tuple[Level, ...]) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    staleness = _whole(raw.get("staleness_days"), "staleness_days", "The staleness limit (days)", *STALENESS_RANGE,
                       problems)
    min_cell = _whole(raw.get("min_cell_workers"), "min_cell_workers", "The small-cell threshold", *MIN_CELL_RANGE,
                      problems)
    fte = _fte_limit(raw.get("fte_per_supervisor_limit"), problems)
    share = _whole(raw.get("principle_holding_percent"), "principle_holding_percent", "The share (percent)", 1, 100,
                   problems)
    unsigned = _whole(raw.get("unsigned_flag_days"), "unsigned_flag_days", "The unsigned flag (days)",
                      *UNSIGNED_FLAG_RANGE, problems)
    unacknowledged = _whole(raw.get("unacknowledged_flag_days"), "unacknowledged_flag_days",
                            "The unacknowledged flag (days)", *UNACKNOWLEDGED_FLAG_RANGE, problems)
    labels_raw = raw.get("labels")
    labels: dict[str, str] = {}
    if not isinstance(labels_raw, dict) or set(labels_raw) != {str(lv.level) for lv in levels}:
        problems.append(Problem("labels", "Give a label for every level of the scale."))
    else:
        for level in levels:
            text = labels_raw[str(level.level)]
            label = " ".join(text.split()) if isinstance(text, str) else ""
            if not label or len(label) > LABEL_LIMIT:
                problems.append(Problem("labels", f"Level {level.level}'s label must be 1 to {LABEL_LIMIT} "
                                                  "characters."))
            labels[str(level.level)] = label
        if len({lb.lower() for lb in labels.values()}) != len(labels):
            problems.append(Problem("labels", "Two levels have the same label."))
    proficient = _whole(raw.get("proficient_level"), "proficient_level", "The proficient level", 1,
                        max((lv.level for lv in levels), default=1), problems)
    date_format = raw.get("date_format")
    if not isinstance(date_format, str) or date_format not in dates.FORMATS:
        problems.append(Problem("date_format", "Choose one of the date formats offered: "
                                + "; ".join(f.label for f in dates.FORMATS.values()) + "."))
    if problems:
        return None, problems
    return {"staleness_days": staleness, "min_cell_workers": min_cell, "fte_per_supervisor_limit": fte,
            "principle_holding_percent": share, "unsigned_flag_days": unsigned,
            "unacknowledged_flag_days": unacknowledged, "labels": labels, "proficient_level": proficient,
            "date_format": date_format}, []


def _effects(old: Settings, new: dict[str, Any]) -> list[str]:
    """What each change does on screen, in words."""
    said = []
    if new["staleness_days"] != old.staleness_days:
        said.append(f"The overview and the rosters will count supervisor ratings up to {new['staleness_days']} days "
                    f"old (was {old.staleness_days}); older ones leave the coverage numbers.")
    if new["min_cell_workers"] != old.min_cell_workers:
        said.append("Team-level values over fewer than "
                    f"{new['min_cell_workers']} workers will be shown as “n<{new['min_cell_workers']}”"
                    if new["min_cell_workers"] else "Small-cell suppression is off: every team's values are shown")
        said[-1] += f" (was {old.min_cell_workers or 'off'})."
    if new["fte_per_supervisor_limit"] != old.fte_per_supervisor_limit:
        said.append(f"A team is flagged over the limit above {new['fte_per_supervisor_limit']} peer-worker FTE per "
                    f"supervisor FTE (was {old.fte_per_supervisor_limit}).")
    if new["principle_holding_percent"] != old.principle_holding_percent:
        said.append(f"A worker holds a principle when proficient on at least {new['principle_holding_percent']}% "
                    f"of its competencies (was {old.principle_holding_percent}%); the overview's counts of "
                    "principles held change with it.")
    if new["unsigned_flag_days"] != old.unsigned_flag_days:
        said.append(f"A session still unsigned more than {new['unsigned_flag_days']} days after it was held (was "
                    f"{old.unsigned_flag_days}) is flagged “unsigned” in the rosters' Sign-off column and on the "
                    "Sign-off page.")
    if new["unacknowledged_flag_days"] != old.unacknowledged_flag_days:
        said.append(f"A signed session an attendee has not acknowledged more than {new['unacknowledged_flag_days']} "
                    f"days after signing (was {old.unacknowledged_flag_days}) is flagged “unacknowledged” in the "
                    "rosters' Sign-off column and on the Sign-off page.")
    renamed = [f"{lv.level} “{lv.label}” → “{new['labels'][str(lv.level)]}”" for lv in old.levels
               if new["labels"][str(lv.level)] != lv.label]
    if renamed:
        said.append("Rating levels renamed everywhere they are shown, past ratings included: " + "; ".join(renamed)
                    + ".")
    if new["proficient_level"] != old.proficient_level:
        said.append(f"Ratings of {new['proficient_level']} or above count as proficient (was "
                    f"{old.proficient_level}), in every coverage number, past periods included.")
    if new["date_format"] != old.date_format:
        said.append(f"Dates will be shown as {dates.FORMATS[new['date_format']].example} (was "
                    f"{dates.FORMATS[old.date_format].example}) on every page and in the PDF; CSV "
                    "and Excel columns meant for re-import stay ISO (2026-12-05).")
    return said


def save(session: Session, actor: Actor, raw: object, seen: object) -> list[str]:
    """Save the settings form; returns what changes on screen, one sentence per change. Rejected, nothing written,
    on any problem, when nothing changed, or when the settings changed since the editor loaded them."""
    if not isinstance(raw, dict):
        raise Rejected([Problem("form", "The form could not be read; reload the page.")])
    old = current(session)
    if seen != old.values():
        raise Rejected([Problem("form", STALE)])
    new, problems = parse(raw, old.levels)
    if new is None:
        raise Rejected(problems)
    said = _effects(old, new)
    if not said:
        raise Rejected([Problem("form", "Nothing to save: the settings already have these values.")])
    share = (Decimal(new["principle_holding_percent"]) / 100).quantize(Decimal("0.01"))
    stored = {"staleness_days": new["staleness_days"], "min_cell_workers": new["min_cell_workers"],
               "fte_per_supervisor_limit": new["fte_per_supervisor_limit"], "principle_holding_share": share,
               "unsigned_flag_days": new["unsigned_flag_days"],
               "unacknowledged_flag_days": new["unacknowledged_flag_days"], "date_format": new["date_format"]}
    before = {"staleness_days": old.staleness_days, "min_cell_workers": old.min_cell_workers,
              "fte_per_supervisor_limit": old.fte_per_supervisor_limit,
              "principle_holding_share": (Decimal(old.principle_holding_percent) / 100).quantize(Decimal("0.01")),
              "unsigned_flag_days": old.unsigned_flag_days, "unacknowledged_flag_days": old.unacknowledged_flag_days,
              "date_format": old.date_format}
    changed = {k: v for k, v in stored.items() if before[k] != v}
    if changed:
        row = session.get(AgencySettings, 1)
        if row is None:
            session.add(AgencySettings(id=1, **stored))
            session.flush()
        else:
            guard = [getattr(AgencySettings, k) == before[k] for k in changed]
            if changed_rows(session, update(AgencySettings).where(AgencySettings.id == 1, *guard)
                               .values(**changed)) != 1:
                raise Rejected([Problem("form", STALE)])
        record(session, actor, "update", "agency_settings", 1, {k: before[k] for k in changed}, changed)
    scale_old: dict[str, Any] = {}
    scale_new: dict[str, Any] = {}
    if old.scale_id is not None:
        for level in old.levels:
            label = new["labels"][str(level.level)]
            if label != level.label:
                if changed_rows(session, update(RatingLevel).where(RatingLevel.scale_id == old.scale_id,
                                                             RatingLevel.level == level.level,
                                                             RatingLevel.label == level.label)
                                   .values(label=label)) != 1:
                    raise Rejected([Problem("form", STALE)])
                scale_old.setdefault("labels", {})[str(level.level)] = level.label
                scale_new.setdefault("labels", {})[str(level.level)] = label
        if new["proficient_level"] != old.proficient_level:
            if changed_rows(session, update(RatingScale).where(RatingScale.id == old.scale_id,
                                                         RatingScale.proficient_level == old.proficient_level)
                               .values(proficient_level=new["proficient_level"])) != 1:
                raise Rejected([Problem("form", STALE)])
            scale_old["proficient_level"], scale_new["proficient_level"] = old.proficient_level, new["proficient_level"]
        if scale_new:
            record(session, actor, "update", "rating_scale", old.scale_id, scale_old, scale_new)
    return said
