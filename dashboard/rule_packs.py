"""Shipped rule packs for credential requirements: starting points with their source and citation, which the agency
must check against the current rule before relying on them (see /work/shared/domain.md's sources)."""
from __future__ import annotations

from dataclasses import dataclass

CHECK = "Check this against the current text of the rule before relying on it."


@dataclass(frozen=True)
class CredentialPack:
    key: str
    label: str
    name: str
    issuing_body: str
    hours_required: float
    period_months: int | None
    stage_codes: tuple[str, ...]
    require_signed: bool
    require_acknowledged: bool
    citation: str

    @property
    def source(self) -> str:
        return f"{self.citation} {CHECK}"


CREDENTIAL_PACKS: tuple[CredentialPack, ...] = (
    CredentialPack("dc-7314-before-contact", "Washington DC: 6 hours before first client contact",
                   "DC certified peer specialist: before first client contact", "DC Department of Behavioral Health",
                   6, None, ("in-training",), True, False,
                   "22-A DCMR 7314: 6 hours of supervision before first client contact (also: a weekly one-hour "
                   "face-to-face supervision meeting, at most 7 FTE peers per supervisor, a supervision log)."),
    CredentialPack("icrc-pr-25", "IC&RC Peer Recovery (PR): 25 supervision hours", "IC&RC Peer Recovery (PR)",
                   "IC&RC", 25, None, (), True, True,
                   "IC&RC Peer Recovery credential: 25 hours of supervision, with 500 hours of experience and 46 "
                   "hours of education; renewal every 2 years with 20 CE hours."),
)
PACKS_BY_KEY = {pack.key: pack for pack in CREDENTIAL_PACKS}


@dataclass(frozen=True)
class StandardPackRule:
    """A pack's rule for one certification stage (by the stage's code)."""

    stage_code: str
    max_days: int
    min_minutes: int
    group_counts: bool


@dataclass(frozen=True)
class StandardPack:
    """A shipped supervision standard: a rule per certification stage, with its citation. Applied on the Standards
    page, it fills the form (name, source, rules); its source begins with the citation, which is how a version saved
    from it is recognised (cited_by) and how a compliance reason names the rule it applied."""

    key: str
    label: str
    name: str
    citation: str  # short, e.g. "DC 22-A DCMR 7314"; the start of the source
    summary: str
    rules: tuple[StandardPackRule, ...]

    @property
    def source(self) -> str:
        return f"{self.citation}: {self.summary} {CHECK}"

    def rule(self, stage_code: str) -> StandardPackRule | None:
        return next((r for r in self.rules if r.stage_code == stage_code), None)


STANDARD_PACKS: tuple[StandardPack, ...] = (
    StandardPack("dc-7314-weekly", "Washington DC, 22-A DCMR 7314: weekly", "Washington DC: weekly supervision",
                 "DC 22-A DCMR 7314",
                 "a weekly one-hour face-to-face supervision meeting for certified peer specialists (also: 6 hours "
                 "before first client contact, at most 7 FTE peers per supervisor, a supervision log). The monthly "
                 "minimum is left at 0: set one if the agency counts the weekly hour as minutes.",
                 (StandardPackRule("in-training", 7, 0, True), StandardPackRule("initially-certified", 7, 0, True),
                  StandardPackRule("fully-certified", 7, 0, True))),
    StandardPack("tx-354-3103", "Texas, 1 TAC §354.3103: weekly while initially certified, monthly after",
                 "Texas: weekly, then monthly", "TX 1 TAC §354.3103",
                 "supervision at least weekly while on initial certification (the intern stage, 6 months under "
                 "§354.3205) and at least monthly on two-year certification; individual or group, may be virtual, "
                 "may include observation, documented. The monthly minimum is left at 0 (the rule sets none).",
                 (StandardPackRule("in-training", 7, 0, True), StandardPackRule("initially-certified", 7, 0, True),
                  StandardPackRule("fully-certified", 31, 0, True))),
)
STANDARD_PACKS_BY_KEY = {pack.key: pack for pack in STANDARD_PACKS}

# The words for a rule's most days between individual sessions, as the Standards page's presets name them.
FREQUENCY_WORDS = {7: "weekly", 14: "every 2 weeks", 31: "monthly"}


def cited_by(source: str | None) -> StandardPack | None:
    """The pack a standard version came from: the one whose citation its source begins with (None: no pack)."""
    text = (source or "").lstrip()
    return next((pack for pack in STANDARD_PACKS if text.startswith(pack.citation)), None)


def rule_words(max_days: int) -> str:
    """'weekly', 'every 2 weeks', 'monthly', or 'at most 10 days between individual sessions'."""
    return FREQUENCY_WORDS.get(max_days, f"at most {max_days} days between individual sessions")
