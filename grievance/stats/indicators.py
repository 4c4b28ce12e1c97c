"""The published indicators, computed from summed counters and a histogram (no database here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from math import ceil

from grievance.stats.fold import BUCKET_COUNT, BUCKET_UPPER_DAYS, OVERFLOW_BUCKET
from grievance.stats.models import COUNTERS

OUTCOMES = ("resolved", "not_resolved", "info_provided", "no_action_needed")


class Zone(StrEnum):
    """The compliance zone, as the Ombudsman publishes it."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Thresholds:
    """Percent of SLA clocks met on time needed for the green and yellow zones."""

    green: int = 80
    yellow: int = 60

    def zone(self, percent: float | None) -> Zone | None:
        """Return the zone of a compliance percentage (None when nothing was due)."""
        if percent is None:
            return None
        if percent >= self.green:
            return Zone.GREEN
        if percent >= self.yellow:
            return Zone.YELLOW
        return Zone.RED


@dataclass(frozen=True)
class Quantile:
    """A quantile read from the working-days histogram: the upper bound of its bucket."""

    bucket: int

    @property
    def days(self) -> float | None:
        """Return the upper bound in working days (None: beyond the last bound)."""
        return None if self.bucket >= OVERFLOW_BUCKET else BUCKET_UPPER_DAYS[self.bucket]

    @property
    def beyond(self) -> float:
        """Return the bound it lies beyond when it is in the open bucket."""
        return BUCKET_UPPER_DAYS[-1]


def quantile(histogram: Sequence[int], q: float) -> Quantile | None:
    """Return the nearest-rank quantile q of a histogram (None when it is empty)."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = max(1, ceil(q * total))
    running = 0
    for bucket, count in enumerate(histogram):
        running += count
        if running >= rank:
            return Quantile(bucket)
    return Quantile(len(histogram) - 1)  # pragma: no cover - rank never exceeds the total


EMPTY_HISTOGRAM: tuple[int, ...] = (0,) * BUCKET_COUNT


def share(part: int, whole: int) -> float | None:
    """Return part of whole in percent, or None when whole is zero."""
    return 100.0 * part / whole if whole else None


@dataclass
class Figures:
    """Every indicator of one scope over one period (or one month)."""

    counts: Mapping[str, int]
    open_end: int = 0
    overdue_end: int = 0
    histogram: Sequence[int] = EMPTY_HISTOGRAM
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def verified_share(self) -> float | None:
        """Share of verification clocks decided in time (3 working days by default)."""
        return share(self["verification_met"], self["verification_due"])

    @property
    def followed_up_share(self) -> float | None:
        """Share of follow-up clocks met (5 working days by default)."""
        return share(self["follow_up_met"], self["follow_up_due"])

    @property
    def resolved_in_tier_share(self) -> float | None:
        """Share of resolution clocks met within the category's tier."""
        return share(self["resolution_met"], self["resolution_due"])

    @property
    def median(self) -> Quantile | None:
        """Median working days from dispatch to response."""
        return quantile(self.histogram, 0.5)

    @property
    def p90(self) -> Quantile | None:
        """90th percentile of working days from dispatch to response."""
        return quantile(self.histogram, 0.9)

    @property
    def reopen_rate(self) -> float | None:
        """Share of responses the reporter disputed."""
        return share(self["disputes"], self["responses"])

    @property
    def appeal_rate(self) -> float | None:
        """Share of closings appealed."""
        return share(self["appeals"], self["closures"])

    @property
    def mean_rating(self) -> float | None:
        """Mean satisfaction rating (1 to 5) of the reports closed."""
        return self["rating_sum"] / self["ratings"] if self["ratings"] else None

    @property
    def high_rating_share(self) -> float | None:
        """Share of ratings that are 4 or 5."""
        return share(self["ratings_high"], self["ratings"])

    @property
    def rated_share(self) -> float | None:
        """Share of closed reports whose reporter rated them."""
        return share(self["ratings"], self["closures"])

    @property
    def clocks_due(self) -> int:
        """SLA clocks decided: met in time, or late."""
        return self["verification_due"] + self["follow_up_due"] + self["resolution_due"]

    @property
    def clocks_met(self) -> int:
        """SLA clocks met in time."""
        return self["verification_met"] + self["follow_up_met"] + self["resolution_met"]

    @property
    def compliance(self) -> float | None:
        """Share of all SLA clocks decided in the period that were met in time."""
        return share(self.clocks_met, self.clocks_due)

    @property
    def breach_rate(self) -> float | None:
        """Share of SLA clocks decided in the period that ran late."""
        return share(self.clocks_due - self.clocks_met, self.clocks_due)

    @property
    def zone(self) -> Zone | None:
        """The compliance zone."""
        return self.thresholds.zone(self.compliance)

    def as_dict(self) -> dict[str, object]:
        """Return every indicator as plain JSON values."""
        compliance, zone = self.compliance, self.zone
        return {
            "received": self["received"],
            "dispatched": self["dispatched"],
            "returned": self["returned"],
            "archived": self["archived"],
            "verified_within_limit_percent": _round(self.verified_share),
            "followed_up_within_limit_percent": _round(self.followed_up_share),
            "resolved_within_tier_percent": _round(self.resolved_in_tier_share),
            "median_working_days_to_resolve": _quantile_value(self.median),
            "p90_working_days_to_resolve": _quantile_value(self.p90),
            "responses": self["responses"],
            "closures": self["closures"],
            "open_backlog": self.open_end,
            "overdue_backlog": self.overdue_end,
            "reopen_rate_percent": _round(self.reopen_rate),
            "appeal_rate_percent": _round(self.appeal_rate),
            "mean_rating": _round(self.mean_rating, 2),
            "rating_4_or_5_percent": _round(self.high_rating_share),
            "rated_percent": _round(self.rated_share),
            "sla_clocks_due": self.clocks_due,
            "sla_clocks_met": self.clocks_met,
            "compliance_percent": _round(compliance),
            "zone": zone.value if zone is not None else None,
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None


def _quantile_value(value: Quantile | None) -> float | str | None:
    if value is None:
        return None
    return value.days if value.days is not None else f">{value.beyond:g}"


def empty_counts() -> dict[str, int]:
    """Return a zero for every counter."""
    return dict.fromkeys(COUNTERS, 0)
