"""SLA policy as data: how long each clock runs, in working days (WORKFLOW.md defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workflows.states import Clock, Tier

DEFAULT_TIER_DAYS: Mapping[Tier, int] = MappingProxyType(
    {Tier.MINOR: 2, Tier.NORMATIVE: 5, Tier.STANDARD: 14, Tier.INVESTIGATION: 60}
)
LEGAL_OUTER_LIMIT_DAYS = 60  # Perpres 76/2013


@dataclass(frozen=True)
class SlaPolicy:
    """Limits of every clock; each is configuration, not code."""

    verification_days: int = 3
    follow_up_days: int = 5
    tier_days: Mapping[Tier, int] = field(default_factory=lambda: DEFAULT_TIER_DAYS)
    reply_window_days: int = 10
    deferral_window_days: int = 10
    rating_window_days: int = 30  # calendar days after closing
    appeal_window_days: int = 30  # calendar days after closing
    reminder_before_days: int = 1
    level2_factor: int = 2  # level 2 escalation at this multiple of the limit

    def __post_init__(self) -> None:
        limits = [
            self.verification_days,
            self.follow_up_days,
            self.reply_window_days,
            self.deferral_window_days,
            self.rating_window_days,
            self.appeal_window_days,
            *self.tier_days.values(),
        ]
        if any(limit <= 0 for limit in limits):
            raise ValueError("every SLA limit must be a positive number of days")
        if set(self.tier_days) != set(Tier):
            raise ValueError("every tier needs a limit")
        if max(self.tier_days.values()) > LEGAL_OUTER_LIMIT_DAYS:
            raise ValueError("no tier may exceed the legal outer limit of 60 working days")
        if self.reminder_before_days < 0 or self.level2_factor < 2:
            raise ValueError(
                "reminders come before the due time; level 2 is at least twice the limit"
            )

    def limit_days(self, clock: Clock, tier: Tier | None = None) -> int:
        """Return the limit of a clock in working days; the resolution clock depends on the tier."""
        if clock is Clock.VERIFICATION:
            return self.verification_days
        if clock is Clock.FOLLOW_UP:
            return self.follow_up_days
        if clock is Clock.RESOLUTION:
            return self.tier_days[tier or Tier.STANDARD]
        if clock is Clock.REPLY:
            return self.reply_window_days
        return self.deferral_window_days


# Clocks whose breach escalates; the other two end in a timeout instead.
ESCALATING_CLOCKS = frozenset({Clock.VERIFICATION, Clock.FOLLOW_UP, Clock.RESOLUTION})
