"""The domain vocabulary: roles, session formats, kinds and modalities, due statuses and rater roles, each with its
label. Values are the strings stored in the database (the models' CheckConstraints list them), so a member compares
equal to its string; labels are the text shown in the app. Imports nothing of the app: the models, the forms, the
importers and the figures all read it."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class Term(StrEnum):
    """A vocabulary word: its value is what is stored, its label what is shown."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]


class Role(Term):
    """A user account's role (users.role); supervisors and peer workers are also staff roles (staff.role)."""

    ADMIN = "admin"
    LEADERSHIP = "leadership"
    QUALITY = "quality"
    SUPERVISOR = "supervisor"
    PEER_WORKER = "peer_worker"


class SessionFormat(Term):
    INDIVIDUAL = "individual"
    GROUP = "group"


class SessionKind(Term):
    ADMINISTRATIVE = "administrative"
    SUPPORTIVE = "supportive"
    CLINICAL_EDUCATIONAL = "clinical_educational"
    DIRECT_OBSERVATION = "direct_observation"


class Modality(Term):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class DueStatus(Term):
    """A peer worker's supervision due status (dashboard.queries.supervision.due); never stored."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    NO_STANDARD = "no_standard"
    ON_LEAVE = "on_leave"


class RaterRole(Term):
    """Who gave a competency rating (competency_ratings.rater_role): the supervisor, or the worker themself."""

    SUPERVISOR = "supervisor"
    SELF = "self"


_ROLE_LABELS = {Role.ADMIN: "Administrator", Role.LEADERSHIP: "Leadership", Role.QUALITY: "Quality & compliance",
                Role.SUPERVISOR: "Supervisor", Role.PEER_WORKER: "Peer worker"}
_FORMAT_LABELS = {SessionFormat.INDIVIDUAL: "Individual", SessionFormat.GROUP: "Group"}
_KIND_LABELS = {SessionKind.ADMINISTRATIVE: "Administrative", SessionKind.SUPPORTIVE: "Supportive",
                SessionKind.CLINICAL_EDUCATIONAL: "Clinical / educational",
                SessionKind.DIRECT_OBSERVATION: "Direct observation"}
_MODALITY_LABELS = {Modality.IN_PERSON: "In person", Modality.VIDEO: "Video", Modality.PHONE: "Phone"}
_DUE_LABELS = {DueStatus.OVERDUE: "Overdue", DueStatus.DUE_SOON: "Due within 7 days", DueStatus.ON_TRACK: "On track",
               DueStatus.NO_STANDARD: "No standard", DueStatus.ON_LEAVE: "On leave"}
_RATER_LABELS = {RaterRole.SUPERVISOR: "Supervisor", RaterRole.SELF: "Self"}

_LABELS: dict[type[Term], Mapping[Any, str]] = {
    Role: _ROLE_LABELS, SessionFormat: _FORMAT_LABELS, SessionKind: _KIND_LABELS, Modality: _MODALITY_LABELS,
    DueStatus: _DUE_LABELS, RaterRole: _RATER_LABELS}


def values(members: Iterable[Term]) -> tuple[str, ...]:
    """Plain strings, in order: what a CheckConstraint's `IN (...)` lists (a member's repr is not its value)."""
    return tuple(m.value for m in members)


def labels(members: Iterable[Term]) -> dict[str, str]:
    """value -> label, in the given order (a form's options, a chart's legend)."""
    return {m.value: m.label for m in members}
