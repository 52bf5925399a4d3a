"""Defining credential requirements (admins and quality staff): validated in one place, audited, all or nothing."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.audit import Actor, record
from dashboard.recording import MAX_ID, Problem, Rejected
from models import CertificationStage, CredentialRequirement
from models.supervision import SESSION_FORMATS, SESSION_KINDS, SESSION_MODALITIES
from models.vocabulary import Role

EDITORS = (Role.ADMIN, Role.QUALITY)
NAME_LIMIT, SOURCE_LIMIT = 120, 1000
FIELDS = ("name", "issuing_body", "hours_required", "period_months", "kinds", "formats", "modalities",
          "stage_codes", "require_signed", "require_acknowledged", "source", "is_active")


def _values(row: CredentialRequirement) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def _choices(raw: object, allowed: tuple[str, ...] | set[str], label: str, problems: list[Problem]) -> list[str]:
    values = raw if isinstance(raw, list) else [] if raw in (None, "") else None
    if values is None or any(not isinstance(v, str) or v not in allowed for v in values):
        problems.append(Problem(label, f"{label} contains something that is not one of the choices."))
        return []
    return sorted(set(values))


def _text(raw: object, label: str, limit: int, problems: list[Problem], required: bool = True) -> str | None:
    text = raw.strip() if isinstance(raw, str) else None
    if raw is not None and not isinstance(raw, str):
        problems.append(Problem(label, f"{label} must be text."))
    elif required and not text:
        problems.append(Problem(label, f"{label} is required."))
    elif text and len(text) > limit:
        problems.append(Problem(label, f"{label} is {len(text)} characters; keep it under {limit}."))
    return text or None


def parse_requirement(session: Session, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Form values -> the requirement's columns, or Rejected with every problem."""
    problems: list[Problem] = []
    name = _text(raw.get("name"), "The name", NAME_LIMIT, problems)
    body = _text(raw.get("issuing_body"), "The issuing body", NAME_LIMIT, problems)
    source = _text(raw.get("source"), "The source", SOURCE_LIMIT, problems, required=False)
    hours: Decimal | None = None
    try:
        hours = Decimal(str(raw.get("hours_required")).strip())
        if not hours.is_finite() or not Decimal("0.1") <= hours <= Decimal("10000") or hours != round(hours, 1):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(Problem("hours_required", "Hours required must be a number from 0.1 to 10000, "
                                                  "with at most one decimal."))
    period_raw = raw.get("period_months")
    period: int | None = None
    if period_raw not in (None, ""):
        if isinstance(period_raw, bool) or not str(period_raw).strip().isdigit() \
                or not 1 <= int(str(period_raw).strip()) <= 600:
            problems.append(Problem("period_months", "The period must be a whole number of months from 1 to 600, "
                                                     "or empty for the whole record."))
        else:
            period = int(str(period_raw).strip())
    stages = set(session.scalars(select(CertificationStage.code)))
    values = {"name": name, "issuing_body": body, "hours_required": hours, "period_months": period,
              "kinds": _choices(raw.get("kinds"), SESSION_KINDS, "Kinds", problems),
              "formats": _choices(raw.get("formats"), SESSION_FORMATS, "Formats", problems),
              "modalities": _choices(raw.get("modalities"), SESSION_MODALITIES, "Modalities", problems),
              "stage_codes": _choices(raw.get("stage_codes"), stages, "Stages", problems),
              "require_signed": raw.get("require_signed") is True or raw.get("require_acknowledged") is True,
              "require_acknowledged": raw.get("require_acknowledged") is True,
              "source": source, "is_active": raw.get("is_active", True) is not False}
    if problems:
        raise Rejected(problems)
    return values


def save_requirement(session: Session, actor: Actor, role: str, raw: Mapping[str, Any],
                     requirement_id: object = None) -> int:
    """Create (requirement_id None) or change a requirement; returns its id. Audited with old and new values."""
    if role not in EDITORS:
        raise Rejected([Problem("role", "Only administrators and quality staff define credential requirements.")])
    row = None
    if requirement_id is not None:
        row = session.get(CredentialRequirement, requirement_id) \
            if isinstance(requirement_id, int) and not isinstance(requirement_id, bool) \
            and 1 <= requirement_id <= MAX_ID else None
        if row is None:
            raise Rejected([Problem("requirement", "That requirement was not found.")])
    values = parse_requirement(session, raw)
    clash = session.scalar(select(CredentialRequirement.id).where(CredentialRequirement.name == values["name"],
                                                                  CredentialRequirement.id != (row.id if row else 0)))
    if clash is not None:
        raise Rejected([Problem("name", f"A requirement named {values['name']!r} already exists.")])
    old = _values(row) if row is not None else None
    if row is None:
        row = CredentialRequirement(**values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    record(session, actor, "create" if old is None else "update", "credential_requirement", row.id, old,
           _values(row))
    return row.id
