"""Turn figures into what pages and downloads show: labels, formatted values, charts, tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_decimal, format_percent, get_group_symbol
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grievance.stats import charts
from grievance.stats.fold import BUCKET_UPPER_DAYS, FINE_LIMIT_DAYS, OVERFLOW_BUCKET
from grievance.stats.indicators import Figures, Quantile, Thresholds, Zone
from grievance.stats.queries import Ranked, Scorecard, month_text

DASH = "–"


# Babel formats a number in tens of microseconds; a ranking or breach table has thousands. The
# values are few (a percentage has 1,001, a mean rating 501, a quantile 152), so each is
# formatted once per language; counts are grouped with the language's own separator.
@lru_cache(maxsize=16)
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


def _locale() -> str:
    return str(get_locale() or "en")


def count(value: int) -> str:
    """Format a count in the user's language."""
    return f"{value:,}".replace(",", _group_symbol(_locale()))


@lru_cache(maxsize=8192)
def _percent(tenths: int, locale: str) -> str:
    return format_percent(tenths / 1000, "#,##0.0%", locale=locale)


def percent(value: float | None) -> str:
    """Format a percentage (0 to 100) in the user's language, or a dash."""
    return DASH if value is None else _percent(round(value * 10), _locale())


@lru_cache(maxsize=2048)
def _decimal(value: float, pattern: str, locale: str) -> str:
    return format_decimal(value, pattern, locale=locale)


def days(value: Quantile | None) -> str:
    """Format a histogram quantile in working days, or a dash."""
    if value is None:
        return DASH
    if value.days is None:
        return gettext("more than %(days)s", days=_decimal(value.beyond, "#,##0", _locale()))
    return _decimal(value.days, "#,##0.##", _locale())


def rating(value: float | None) -> str:
    """Format a mean rating, or a dash."""
    return DASH if value is None else _decimal(round(value, 2), "0.00", _locale())


ZONE_LABELS = {Zone.GREEN: _l("green"), Zone.YELLOW: _l("yellow"), Zone.RED: _l("red")}


def zone(value: Zone | None) -> str:
    """Name a zone in the user's language."""
    return gettext("no zone") if value is None else str(ZONE_LABELS[value])


@dataclass(frozen=True)
class Indicator:
    """One published indicator: its label, how it is computed, how its value is shown."""

    key: str
    label: object
    meaning: object
    show: Callable[[Figures], str]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "received", _l("Received"),
        _l("Reports filed (country and regions), or arriving at the agency: dispatched, "
           "forwarded or assigned to it, or appealed up to it."),
        lambda f: count(f["received"]),
    ),
    Indicator(
        "dispatched", _l("Dispatched"),
        _l("Reports the screening desk sent to an agency."),
        lambda f: count(f["dispatched"]),
    ),
    Indicator(
        "returned", _l("Returned"),
        _l("Reports an agency sent back to screening as not its authority (held against "
           "nobody)."),
        lambda f: count(f["returned"]),
    ),
    Indicator(
        "archived", _l("Archived"),
        _l("Reports rejected at screening, merged as duplicates, or closed for want of a reply."),
        lambda f: count(f["archived"]),
    ),
    Indicator(
        "verified", _l("Verified within the limit"),
        _l("Share of screening clocks (3 working days) met, of those decided or overdue in the "
           "period."),
        lambda f: percent(f.verified_share),
    ),
    Indicator(
        "followed_up", _l("Followed up within the limit"),
        _l("Share of first follow-ups (5 working days after dispatch) made in time, of those "
           "due."),
        lambda f: percent(f.followed_up_share),
    ),
    Indicator(
        "median", _l("Median working days to resolve"),
        _l("From dispatch to the agency's response, not counting time waiting for the reporter."),
        lambda f: days(f.median),
    ),
    Indicator(
        "p90", _l("90th percentile of working days to resolve"),
        _l("Nine in ten responses came within this many working days."),
        lambda f: days(f.p90),
    ),
    Indicator(
        "resolved_in_tier", _l("Resolved within the tier"),
        _l("Share of resolution clocks met within the category's tier (2, 5, 14 or 60 working "
           "days)."),
        lambda f: percent(f.resolved_in_tier_share),
    ),
    Indicator(
        "open", _l("Open backlog"),
        _l("Reports not closed or archived at the end of the period."),
        lambda f: count(f.open_end),
    ),
    Indicator(
        "overdue", _l("Overdue backlog"),
        _l("Open reports whose screening, follow-up or resolution clock has passed its due "
           "time."),
        lambda f: count(f.overdue_end),
    ),
    Indicator(
        "reopen_rate", _l("Reopen rate"),
        _l("Share of responses the reporter disputed."),
        lambda f: percent(f.reopen_rate),
    ),
    Indicator(
        "appeal_rate", _l("Appeal rate"),
        _l("Share of closed reports the reporter appealed."),
        lambda f: percent(f.appeal_rate),
    ),
    Indicator(
        "mean_rating", _l("Mean rating"),
        _l("Mean satisfaction rating, 1 to 5."),
        lambda f: rating(f.mean_rating),
    ),
    Indicator(
        "high_rating", _l("Rated 4 or 5"),
        _l("Share of ratings that are 4 or 5."),
        lambda f: percent(f.high_rating_share),
    ),
    Indicator(
        "rated", _l("Reporters who rated"),
        _l("Share of closed reports whose reporter rated them."),
        lambda f: percent(f.rated_share),
    ),
    Indicator(
        "compliance", _l("Clocks met in time"),
        _l("Share of all screening, follow-up and resolution clocks met in time: it sets the "
           "zone."),
        lambda f: percent(f.compliance),
    ),
)

TREND_COLUMNS = ("received", "dispatched", "returned", "archived", "verified", "followed_up",
                 "resolved_in_tier", "median", "p90", "open", "overdue", "reopen_rate",
                 "appeal_rate", "mean_rating", "high_rating", "rated", "compliance")
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def zone_css(value: Zone | None) -> str:
    """Return the CSS class of a zone."""
    return f"zone-{value.value}" if value is not None else "zone-none"


@dataclass(frozen=True)
class Figure:
    """A chart and the table of its numbers, shown side by side."""

    chart: Markup
    caption: str
    headers: tuple[str, str]
    rows: Sequence[tuple[str, str]]


def scorecard_figures(card: Scorecard, limits: Thresholds) -> list[Figure]:
    """Return the trend charts of a scorecard, each with its table."""
    months = [(month_text(month), figures) for month, figures in card.by_month]
    span = f"{card.period.first_text} – {card.period.last_text}"
    received = Figure(
        charts.column_chart(
            "chart-received",
            gettext("Reports received by month"),
            gettext("Column chart of the reports received each month, %(span)s. "
                    "The table beside it gives the numbers.", span=span),
            [charts.Bar(label, figures["received"]) for label, figures in months],
        ),
        gettext("Reports received by month"),
        (gettext("Month"), gettext("Received")),
        [(label, count(figures["received"])) for label, figures in months],
    )
    compliance = Figure(
        charts.column_chart(
            "chart-compliance",
            gettext("Clocks met in time by month"),
            gettext("Column chart of the share of SLA clocks met in time each month, %(span)s, "
                    "coloured by zone, with dashed lines at the green (%(green)s%%) and yellow "
                    "(%(yellow)s%%) thresholds. The table beside it gives the numbers.",
                    span=span, green=limits.green, yellow=limits.yellow),
            [charts.Bar(label, figures.compliance, "bar " + zone_css(figures.zone))
             for label, figures in months],
            maximum=100.0,
            value_suffix="%",
            lines=[charts.Line(limits.green, gettext("green")),
                   charts.Line(limits.yellow, gettext("yellow"))],
        ),
        gettext("Clocks met in time by month"),
        (gettext("Month"), gettext("Met in time")),
        [(label, f"{percent(figures.compliance)} ({zone(figures.zone)})")
         for label, figures in months],
    )
    backlog = Figure(
        charts.column_chart(
            "chart-backlog",
            gettext("Open backlog at the end of each month"),
            gettext("Column chart of the reports open at the end of each month, %(span)s. "
                    "The table beside it gives them with the overdue ones.", span=span),
            [charts.Bar(label, figures.open_end) for label, figures in months],
        ),
        gettext("Open backlog at the end of each month"),
        (gettext("Month"), gettext("Open (overdue)")),
        [(label, f"{count(figures.open_end)} ({count(figures.overdue_end)})")
         for label, figures in months],
    )
    return [received, compliance, backlog]


def ranking_figure(rows: Sequence[Ranked], limits: Thresholds) -> Figure:
    """Return the ranking chart (at most the first 40 agencies) with its table."""
    shown = rows[:40]
    desc = gettext(
        "Bar chart of the share of SLA clocks met in time by each agency, best first, coloured by "
        "zone (green from %(green)s%%, yellow from %(yellow)s%%). It shows %(shown)s of %(total)s "
        "agencies; the table gives them all.",
        green=limits.green, yellow=limits.yellow, shown=len(shown), total=len(rows),
    )
    chart = charts.bar_list_chart(
        "chart-ranking",
        gettext("Ranking by clocks met in time"),
        desc,
        [charts.Bar(item.scope.name, item.figures.compliance,
                    "bar " + zone_css(item.figures.zone)) for item in shown],
        value_suffix="%",
        lines=[
            charts.Line(limits.green, gettext("green")),
            charts.Line(limits.yellow, gettext("yellow")),
        ],
    )
    table = [
        (item.scope.name, f"{percent(item.figures.compliance)} ({zone(item.figures.zone)})")
        for item in shown
    ]
    return Figure(chart, gettext("Ranking by clocks met in time"),
                  (gettext("Agency"), gettext("Met in time")), table)


# --- the working-days histogram, in display bins -------------------------------------------------

COARSE_BIN_DAYS = 5


def display_bins(histogram: Sequence[int]) -> list[tuple[str, float, float | None, int]]:
    """Group histogram buckets into whole-day bins up to 20 days, 5-day bins to 90, then one."""
    bins: list[tuple[str, float, float | None, int]] = []
    for low in range(FINE_LIMIT_DAYS):
        bins.append((f"{low}–{low + 1}", float(low), float(low + 1), 0))
    for low in range(FINE_LIMIT_DAYS, int(BUCKET_UPPER_DAYS[-1]), COARSE_BIN_DAYS):
        high = low + COARSE_BIN_DAYS
        bins.append((f"{low}–{high}", float(low), float(high), 0))
    bins.append((f"> {BUCKET_UPPER_DAYS[-1]:g}", BUCKET_UPPER_DAYS[-1], None, 0))
    counts = [0] * len(bins)
    fine = FINE_LIMIT_DAYS * 4
    for bucket, value in enumerate(histogram):
        if not value:
            continue
        if bucket == OVERFLOW_BUCKET:
            index = len(bins) - 1
        elif bucket <= fine:
            index = max(0, -(-bucket // 4) - 1)
        else:
            index = FINE_LIMIT_DAYS + (bucket - fine - 1) // COARSE_BIN_DAYS
        counts[index] += value
    return [(label, low, high, counts[i]) for i, (label, low, high, _) in enumerate(bins)]


def histogram_figure(histogram: Sequence[int], span: str) -> Figure:
    """Return the distribution of working days to resolve as a chart and its table."""
    bins = display_bins(histogram)
    chart = charts.column_chart(
        "chart-histogram",
        gettext("Working days from dispatch to response"),
        gettext("Histogram of the responses in %(span)s by working days from dispatch to "
                "response: one bar per working day up to 20 days, per 5 days up to 90, then one "
                "for longer. The table beside it gives the numbers.", span=span),
        [charts.Bar(label, value) for label, _low, _high, value in bins],
    )
    rows = [(label, count(value)) for label, _low, _high, value in bins]
    return Figure(chart, gettext("Working days from dispatch to response"),
                  (gettext("Working days"), gettext("Responses")), rows)
