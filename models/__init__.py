"""SQLAlchemy 2 typed models; importing this package registers every table on Base.metadata."""
from models.accounts import STAFF_LINKED_ROLES, USER_ROLES, LoginAttempt, SetupLink, User, UserSession
from models.audit import AuditEvent
from models.credentials import CredentialRequirement, SupervisionLogExport
from models.coverage_months import GUARD, CoverageMonth, CoverageMonthGuard
from models.base import Base, UTCDateTime, utcnow
from models.framework import (Category, CategoryPrinciple, Competency, Framework, Principle, RatingLevel,
                              RatingScale)
from models.judgements import EVERYONE, JudgementVersion, MonthJudgement, WindowJudgement
from models.meeting_months import MeetingMonth, MeetingMonthGuard
from models.guides import GuideCategory, GuidePrinciple, ResourceGuide
from models.settings import AgencySettings
from models.signoff import SessionAcknowledgement, SessionAmendment, SupervisionFeedback
from models.org import (STAFF_ROLES, CertificationStage, Leave, Program, StageAssignment, Staff, Team,
                        TeamMembership, TeamSupervisor)
from models.standards import StandardRule, SupervisionStandard
from models.supervision import (RATER_ROLES, SESSION_FORMATS, SESSION_KINDS, SESSION_MODALITIES,
                                CompetencyRating, CurrentRating, SessionAttendee, SessionCompetency,
                                SupervisionSession)

__all__ = [
    "AgencySettings", "AuditEvent", "Base", "Category", "CategoryPrinciple", "CertificationStage", "Competency",
    "CompetencyRating", "CoverageMonth", "CoverageMonthGuard", "CredentialRequirement", "CurrentRating", "EVERYONE",
    "Framework", "GuideCategory", "GuidePrinciple", "GUARD",
    "JudgementVersion", "Leave", "LoginAttempt", "MeetingMonth", "MeetingMonthGuard", "MonthJudgement", "Principle",
    "Program", "RATER_ROLES",
    "RatingLevel", "RatingScale", "ResourceGuide", "SESSION_FORMATS", "SESSION_KINDS", "SESSION_MODALITIES",
    "STAFF_LINKED_ROLES", "STAFF_ROLES", "SessionAcknowledgement", "SessionAmendment",
    "SessionAttendee", "SessionCompetency", "SetupLink", "StageAssignment", "Staff",
    "StandardRule", "SupervisionFeedback", "SupervisionLogExport",
    "SupervisionSession", "SupervisionStandard", "Team", "TeamMembership", "TeamSupervisor", "User",
    "UserSession", "USER_ROLES", "UTCDateTime", "WindowJudgement", "utcnow",
]
