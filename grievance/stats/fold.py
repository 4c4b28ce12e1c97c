"""The statistics of a report, event by event: one function both paths run.

As events happen and during a rebuild, each event of a report is folded into that report's
running `Facts` (where it stands, which agency holds it, how much working time its current
verification and handling have used) and yields `Deltas`: changes to counters keyed by month,
agency, region, category and channel. The same events in the same order give the same deltas,
whichever path runs them, so the incremental rollups and a rebuild agree exactly.

Nothing here touches the database: the `Environment` answers what the fold needs to know about
calendars, months and hierarchies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from grievance.stats.models import (
    ALL_AGENCIES,
    ALL_CATEGORIES,
    ALL_CHANNELS,
    ALL_REGIONS,
    COUNTERS,
    NO_CATEGORY,
)
from workflows.states import OPEN_STATES, Action, Role, State

DAY_US = 86_400_000_000  # one working day, in microseconds of a 24-hour working day
INDEX = {name: position for position, name in enumerate(COUNTERS)}
WIDTH = len(COUNTERS)

# Where an SLA clock can breach (the sweep escalates only these), and which clock runs there.
ESCALATABLE = frozenset({State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS})
RUN_OF_STATE = {
    State.SUBMITTED: "verification",
    State.DISPATCHED: "follow_up",
    State.IN_PROGRESS: "resolution",
}

# --- working-days buckets --------------------------------------------------------------------
# Quarter days up to 20 working days, whole days up to 90, then one open bucket. A bucket holds
# the durations in (previous upper bound, its upper bound]; a quantile is reported as the upper
# bound of the bucket it falls in, so it is exact to within a quarter day below 20 days.
QUARTER_US = DAY_US // 4
FINE_LIMIT_DAYS = 20
COARSE_LIMIT_DAYS = 90
BUCKET_UPPER_DAYS: tuple[float, ...] = tuple(i / 4 for i in range(FINE_LIMIT_DAYS * 4 + 1)) + tuple(
    float(day) for day in range(FINE_LIMIT_DAYS + 1, COARSE_LIMIT_DAYS + 1)
)
OVERFLOW_BUCKET = len(BUCKET_UPPER_DAYS)  # more than 90 working days
BUCKET_COUNT = OVERFLOW_BUCKET + 1


def bucket_of(duration_us: int) -> int:
    """Return the histogram bucket of a duration in working microseconds."""
    if duration_us <= FINE_LIMIT_DAYS * DAY_US:
        return -(-max(duration_us, 0) // QUARTER_US)
    if duration_us <= COARSE_LIMIT_DAYS * DAY_US:
        return FINE_LIMIT_DAYS * 4 + -(-(duration_us - FINE_LIMIT_DAYS * DAY_US) // DAY_US)
    return OVERFLOW_BUCKET


class Environment(Protocol):
    """What the fold needs to know beyond the events."""

    verification_limit_us: int

    def month(self, instant: datetime) -> int:
        """Return the month (YYYYMM) an instant falls in, in the deployment's time zone."""
        ...

    def working_us(self, agency_id: int | None, start: datetime, end: datetime) -> int:
        """Return the working time in [start, end) on an agency's calendar (None: screening)."""
        ...

    def agency_chain(self, agency_id: int) -> tuple[int, ...]:
        """Return an agency and its ancestors, nearest first."""
        ...

    def region_chain(self, region_code: str) -> tuple[str, ...]:
        """Return a region and the regions containing it, nearest first."""
        ...


@dataclass(frozen=True)
class EventView:
    """The parts of an event the statistics read."""

    report_id: int
    seq: int
    action: Action
    actor_role: Role
    from_state: State | None
    to_state: State | None
    data: Mapping[str, Any]
    created_at: datetime

    @classmethod
    def from_row(
        cls,
        report_id: int,
        seq: int,
        action: str,
        actor_role: str,
        from_state: str | None,
        to_state: str | None,
        data: Mapping[str, Any],
        created_at: datetime,
    ) -> EventView:
        """Build a view from raw column values (strings), as the rebuild reads them."""
        return cls(
            report_id, seq, _ACTIONS[action], _ROLES[actor_role],
            _STATES[from_state] if from_state is not None else None,
            _STATES[to_state] if to_state is not None else None,
            data, created_at,
        )

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> EventView:
        """Build a view from an event's column values (a dict or a row mapping)."""
        from_state, to_state = values.get("from_state"), values.get("to_state")
        return cls(
            report_id=values["report_id"],
            seq=values["seq"],
            action=Action(values["action"]),
            actor_role=Role(values["actor_role"]),
            from_state=State(from_state) if from_state is not None else None,
            to_state=State(to_state) if to_state is not None else None,
            data=values.get("data") or {},
            created_at=values["created_at"],
        )


_ACTIONS = {str(action.value): action for action in Action}
_ROLES = {str(role.value): role for role in Role}
_STATES = {str(state.value): state for state in State}
# The keys of an event's data the fold reads; the rebuild extracts just these in SQL.
DATA_KEYS = {
    "agency_id": int,
    "category_id": int,
    "unit_id": int,
    "follow_up_met": bool,
    "resolution_met": bool,
    "outcome": str,
    "score": int,
}


@dataclass
class Facts:
    """Where a report stands for the statistics (one row of stats_report_facts)."""

    report_id: int
    last_seq: int
    region_code: str | None
    channel: str
    state: State
    agency_id: int | None
    category_id: int | None
    segment_start: datetime
    screening_us: int = 0
    handling_us: int = 0
    run_late: bool = False
    appealed: bool = False
    outcome: str | None = None
    response_month: int | None = None
    close_month: int | None = None

    def values(self) -> dict[str, Any]:
        """Return the row's column values."""
        return {
            "report_id": self.report_id,
            "last_seq": self.last_seq,
            "region_code": self.region_code,
            "channel": self.channel,
            "state": self.state.value,
            "agency_id": self.agency_id,
            "category_id": self.category_id,
            "segment_start": self.segment_start,
            "screening_us": self.screening_us,
            "handling_us": self.handling_us,
            "run_late": self.run_late,
            "appealed": self.appealed,
            "outcome": self.outcome,
            "response_month": self.response_month,
            "close_month": self.close_month,
        }

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Facts:
        """Build facts from a row's column values."""
        fields = dict(values)
        fields["state"] = State(fields["state"])
        return cls(**fields)


BaseKey = tuple[int, int | None, str | None, int | None, str, bool]
RollupKey = tuple[int, str, int, str, int]  # agency_id, region_code, category_id, channel, month
HistogramKey = tuple[int, str, int, int, int]  # agency_id, region_code, category_id, month, bucket


class Deltas:
    """Counter changes keyed by where and when they happened, before expansion to scopes.

    A key is (month, agency, region, category, channel, exact). An inexact key counts for the
    whole country, the agency and every agency above it, and the region and every region
    containing it; an exact key counts for its agency alone (an arrival into that agency).
    """

    def __init__(self) -> None:
        # Sparse rows: most keys change one or two counters, so expanding them stays cheap.
        self.counters: dict[BaseKey, dict[int, int]] = {}
        self.durations: dict[tuple[int, int | None, str | None, int | None, int], int] = {}

    def add(self, name: str, month: int, facts: Facts, amount: int = 1) -> None:
        """Add to one counter where the report stands now (its agency and category)."""
        self.add_at(name, month, facts, facts.agency_id, facts.category_id, amount)

    def add_at(
        self,
        name: str,
        month: int,
        facts: Facts,
        agency_id: int | None,
        category_id: int | None,
        amount: int = 1,
        *,
        exact: bool = False,
    ) -> None:
        """Add to one counter for a given agency and category (the report's region, channel)."""
        key = (month, agency_id, facts.region_code, category_id, facts.channel, exact)
        row = self.counters.get(key)
        if row is None:
            row = self.counters[key] = {}
        index = INDEX[name]
        row[index] = row.get(index, 0) + amount

    def add_duration(self, month: int, facts: Facts, duration_us: int) -> None:
        """Count one response in its working-days bucket."""
        key = (month, facts.agency_id, facts.region_code, facts.category_id, bucket_of(duration_us))
        self.durations[key] = self.durations.get(key, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.counters or self.durations)

    def merge(self, other: Deltas) -> None:
        """Add another set of deltas into this one."""
        for key, row in other.counters.items():
            mine = self.counters.setdefault(key, {})
            for index, value in row.items():
                mine[index] = mine.get(index, 0) + value
        for hkey, count in other.durations.items():
            self.durations[hkey] = self.durations.get(hkey, 0) + count


def expand(
    deltas: Deltas, env: Environment
) -> tuple[dict[RollupKey, list[int]], dict[HistogramKey, int]]:
    """Spread deltas over every scope and grouping they count in; drop what sums to zero.

    Keys are first summed per grouping (all, by category, by channel), so each distinct place
    is spread over its scopes once rather than once per category and channel.
    """
    grouped: dict[tuple[int, int | None, str | None, bool, int, str], dict[int, int]] = {}
    for (month, agency_id, region_code, category_id, channel, exact), sparse in (
        deltas.counters.items()
    ):
        category = category_id if category_id is not None else NO_CATEGORY
        for group in (
            (month, agency_id, region_code, exact, ALL_CATEGORIES, ALL_CHANNELS),
            (month, agency_id, region_code, exact, category, ALL_CHANNELS),
            (month, agency_id, region_code, exact, ALL_CATEGORIES, channel),
        ):
            target = grouped.get(group)
            if target is None:
                grouped[group] = dict(sparse)
            else:
                for index, value in sparse.items():
                    target[index] = target.get(index, 0) + value
    rows: dict[RollupKey, list[int]] = {}
    places: dict[tuple[int | None, str | None, bool], list[tuple[int, str]]] = {}
    for (month, agency_id, region_code, exact, category, channel), sparse in grouped.items():
        changes = [(index, value) for index, value in sparse.items() if value]
        if not changes:
            continue
        place = (agency_id, region_code, exact)
        scopes = places.get(place)
        if scopes is None:
            scopes = places[place] = _scopes(agency_id, region_code, exact, env)
        for scope_agency, scope_region in scopes:
            key = (scope_agency, scope_region, category, channel, month)
            row = rows.get(key)
            if row is None:
                row = rows[key] = [0] * WIDTH
            for index, value in changes:
                row[index] += value
    histogram: dict[HistogramKey, int] = {}
    for (month, agency_id, region_code, category_id, bucket), count in deltas.durations.items():
        category = category_id if category_id is not None else NO_CATEGORY
        for scope_agency, scope_region in _scopes(agency_id, region_code, False, env):
            for group_category in (ALL_CATEGORIES, category):
                hkey = (scope_agency, scope_region, group_category, month, bucket)
                histogram[hkey] = histogram.get(hkey, 0) + count
    return (
        {key: row for key, row in rows.items() if any(row)},
        {key: count for key, count in histogram.items() if count},
    )


StockKey = tuple[int, str, int, str]  # agency_id, region_code, category_id, channel
_OPEN, _OVERDUE = INDEX["open_change"], INDEX["overdue_change"]


def stocks_of(rows: dict[RollupKey, list[int]]) -> dict[StockKey, tuple[int, int]]:
    """Sum the open and overdue changes of rollup rows over their months (none left at zero)."""
    stocks: dict[StockKey, tuple[int, int]] = {}
    for (agency_id, region_code, category_id, channel, _month), row in rows.items():
        if row[_OPEN] or row[_OVERDUE]:
            key = (agency_id, region_code, category_id, channel)
            opened, overdue = stocks.get(key, (0, 0))
            stocks[key] = (opened + row[_OPEN], overdue + row[_OVERDUE])
    return {key: value for key, value in stocks.items() if value != (0, 0)}


def _scopes(
    agency_id: int | None, region_code: str | None, exact: bool, env: Environment
) -> list[tuple[int, str]]:
    if exact:
        return [(agency_id or ALL_AGENCIES, ALL_REGIONS)]
    scopes = [(ALL_AGENCIES, ALL_REGIONS)]
    if agency_id is not None:
        scopes.extend((agency, ALL_REGIONS) for agency in env.agency_chain(agency_id))
    if region_code:
        scopes.extend((ALL_AGENCIES, region) for region in env.region_chain(region_code))
    return scopes


# --- the fold ----------------------------------------------------------------------------------


def start(
    event: EventView,
    *,
    region_code: str | None,
    channel: str,
    category_id: int | None,
    env: Environment,
    deltas: Deltas,
) -> Facts:
    """Return the facts of a report just filed, counting it as received and open."""
    facts = Facts(
        report_id=event.report_id,
        last_seq=event.seq,
        region_code=region_code or None,
        channel=channel,
        state=State.SUBMITTED,
        agency_id=None,
        category_id=category_id,
        segment_start=event.created_at,
    )
    month = env.month(event.created_at)
    deltas.add("received", month, facts)
    _restock(None, facts, month, env, deltas)
    return facts


def apply(facts: Facts, event: EventView, env: Environment, deltas: Deltas) -> Facts:
    """Fold one event into a report's facts (in place) and add what it changes to `deltas`."""
    if event.seq <= facts.last_seq:
        return facts  # seen already: applying an event twice changes nothing
    action, data, at = event.action, event.data, event.created_at
    month = env.month(at)
    before = _stock(facts)
    new_state = event.to_state or facts.state
    new_agency, new_category = _new_holder(facts, action, data)
    if new_state != facts.state or new_agency != facts.agency_id:
        _close_segment(facts, at, env)

    if action in (Action.DISPATCH, Action.ARCHIVE, Action.MERGE) and facts.state is State.SUBMITTED:
        # The screening decision ends the verification clock (counted for the central desk).
        met = facts.screening_us <= env.verification_limit_us
        _end_run(facts, deltas, "verification", month, met, (None, new_category))
        facts.screening_us = 0
    if action is Action.DISPATCH:
        deltas.add_at("dispatched", month, facts, new_agency, new_category)
        facts.handling_us = 0
    elif action in (Action.ARCHIVE, Action.MERGE):
        deltas.add("archived", month, facts)
    elif action is Action.TIMEOUT and facts.state is State.DEFERRED:
        deltas.add("archived", month, facts)  # no reply to a question: not held against anyone
        facts.run_late = False
    elif action is Action.RETURN:
        deltas.add("returned", month, facts)  # "not our authority": no clock counts against anyone
        facts.run_late = False
        facts.screening_us = facts.handling_us = 0
    elif action is Action.POST_UPDATE and facts.state is State.DISPATCHED:
        _end_run(facts, deltas, "follow_up", month, bool(data.get("follow_up_met")))
    elif action is Action.RESPOND:
        _end_run(facts, deltas, "resolution", month, bool(data.get("resolution_met")))
        deltas.add("responses", month, facts)
        deltas.add_duration(month, facts, facts.handling_us)
        facts.outcome = data.get("outcome")
        facts.response_month = month
    elif action is Action.DISPUTE:
        deltas.add("disputes", facts.response_month or month, facts)
        facts.run_late = False
    elif action is Action.ACCEPT or (action is Action.TIMEOUT and facts.state is State.RESPONDED):
        _close(facts, deltas, month)
        if data.get("score") is not None:
            _rate(facts, deltas, month, int(data["score"]))
    elif action is Action.RATE and data.get("score") is not None:
        _rate(facts, deltas, facts.close_month or month, int(data["score"]))
    elif action is Action.APPEAL:
        deltas.add("appeals", facts.close_month or month, facts)
        facts.appealed = True
        facts.outcome = None
        facts.run_late = False
        facts.handling_us = 0
    elif (
        action is Action.ESCALATE
        and event.actor_role is Role.SYSTEM
        and facts.state in ESCALATABLE
        and not facts.run_late
    ):
        # The sweep escalates when a clock passes its due time: the run is late from now on.
        deltas.add(f"{RUN_OF_STATE[facts.state]}_due", month, facts)
        facts.run_late = True

    facts.state, facts.agency_id, facts.category_id = new_state, new_agency, new_category
    facts.last_seq = event.seq
    _restock(before, facts, month, env, deltas)
    return facts


def replay(
    facts: Facts | None,
    events: Iterable[EventView],
    *,
    region_code: str | None,
    channel: str,
    category_id: int | None,
    env: Environment,
    deltas: Deltas,
) -> Facts | None:
    """Fold a report's events, in order, into its facts (None: nothing known yet)."""
    for event in events:
        if facts is None:
            if event.action is not Action.SUBMIT:
                continue  # a chain always starts with its submission; anything else is noise
            filed = event.data.get("category_id", category_id)
            facts = start(
                event, region_code=region_code, channel=channel, category_id=filed,
                env=env, deltas=deltas,
            )
        else:
            apply(facts, event, env, deltas)
    return facts


def _new_holder(
    facts: Facts, action: Action, data: Mapping[str, Any]
) -> tuple[int | None, int | None]:
    agency, category = facts.agency_id, facts.category_id
    if action is Action.DISPATCH:
        agency = data.get("agency_id")
        if data.get("category_id") is not None:
            category = data["category_id"]
    elif action is Action.FORWARD and data.get("agency_id") is not None:
        agency = data["agency_id"]
    elif action is Action.ASSIGN and data.get("unit_id") is not None:
        agency = data["unit_id"]
    elif action is Action.RETURN:
        agency = None
    elif action is Action.APPEAL and data.get("agency_id") is not None:
        agency = data["agency_id"]
    return agency, category


def _close_segment(facts: Facts, at: datetime, env: Environment) -> None:
    """Add the working time since the segment started to the clock it counts for."""
    if facts.state is State.SUBMITTED:
        facts.screening_us += env.working_us(None, facts.segment_start, at)
    elif facts.state in (State.DISPATCHED, State.IN_PROGRESS):
        facts.handling_us += env.working_us(facts.agency_id, facts.segment_start, at)
    facts.segment_start = at


def _end_run(
    facts: Facts,
    deltas: Deltas,
    run: str,
    month: int,
    met: bool,
    holder: tuple[int | None, int | None] | None = None,
) -> None:
    """Count a clock that ended, unless the sweep already counted it late; the next starts clean.

    `holder` is the (agency, category) it counts for; by default where the report stands.
    """
    agency_id, category_id = holder or (facts.agency_id, facts.category_id)
    if not facts.run_late:
        deltas.add_at(f"{run}_due", month, facts, agency_id, category_id)
        if met:
            deltas.add_at(f"{run}_met", month, facts, agency_id, category_id)
    facts.run_late = False


def _close(facts: Facts, deltas: Deltas, month: int) -> None:
    deltas.add("closures", month, facts)
    if facts.outcome is not None:
        deltas.add(f"closed_{facts.outcome}", month, facts)
        if facts.appealed:
            deltas.add(f"appeal_{facts.outcome}", month, facts)
    facts.close_month = month
    facts.run_late = False


def _rate(facts: Facts, deltas: Deltas, month: int, score: int) -> None:
    deltas.add("ratings", month, facts)
    deltas.add("rating_sum", month, facts, amount=score)
    if score >= 4:
        deltas.add("ratings_high", month, facts)


Stock = tuple[int | None, int | None, bool] | None


def _stock(facts: Facts) -> Stock:
    """Return where a report counts as open (agency, category, overdue), or None when closed."""
    if facts.state not in OPEN_STATES:
        return None
    return facts.agency_id, facts.category_id, facts.state in ESCALATABLE and facts.run_late


def _restock(old: Stock, after: Facts, month: int, env: Environment, deltas: Deltas) -> None:
    """Move the report's open and overdue counts where it now stands; count arrivals."""
    new = _stock(after)
    if old == new:
        return
    for stock, sign in ((old, -1), (new, 1)):
        if stock is not None:
            agency_id, category_id, overdue = stock
            deltas.add_at("open_change", month, after, agency_id, category_id, sign)
            if overdue:
                deltas.add_at("overdue_change", month, after, agency_id, category_id, sign)
    if new is not None and new[0] is not None:
        # An agency receives a report when the report enters its open work: dispatched,
        # forwarded or assigned into it from outside, or appealed up to it.
        held = set(env.agency_chain(old[0])) if old is not None and old[0] is not None else set()
        for agency in env.agency_chain(new[0]):
            if agency not in held:
                deltas.add_at("received", month, after, agency, new[1], exact=True)
