"""Working-time calendars: due times and elapsed time that count only working time.

Working time lies on an axis made of the working intervals of working days. A working day is a
weekday in ``weekdays`` that is neither a public holiday (``holidays`` package, ``country`` and
``subdiv``) nor a date in ``closures``. Its working interval is local midnight to the next local
midnight, or ``[hours[0], hours[1])`` local when ``hours`` is set; each working day counts exactly
``day_length`` of working time, so one working day from 10:00 ends at 10:00 on the next one.

On a day whose real length differs from its wall-clock length (a DST change inside the interval),
positions inside the interval are scaled proportionally, which keeps the mapping from instants to
working time continuous and non-decreasing; 10:00 on such a day is not ten working hours in.
Arithmetic is in integer microseconds, so ``working_time_between`` is exactly additive;
``between(a, add_working_time(a, x)) == x`` holds exactly, except on a day shortened by DST, where
it may exceed ``x`` by one microsecond (or by the whole day when the working hours lie inside the
skipped hour, so that the day is a single instant).

An instant outside working time sits at the start of the next working interval. Adding zero returns
the start unchanged; a result that lands at the end of a working interval stays at that end.
Inputs must be aware datetimes; results are aware datetimes in UTC.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)
# A calendar whose every day is closed for this long is broken; stop instead of looping forever.
_MAX_CLOSED_RUN = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours of one jurisdiction."""

    timezone: str = "Asia/Jakarta"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    hours: tuple[time, time] | None = None
    country: str | None = "ID"
    subdiv: str | None = None
    closures: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _holidays: holidays.HolidayBase | None = field(init=False, repr=False, compare=False)
    _closed_by_year: dict[int, frozenset[date]] = field(init=False, repr=False, compare=False)
    _nominal: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekdays = frozenset(self.weekdays)
        if not weekdays or not weekdays <= set(range(7)):
            raise ValueError("weekdays must be a non-empty subset of 0 (Monday) to 6 (Sunday)")
        if self.hours is not None:
            opening, closing = self.hours
            if opening.tzinfo or closing.tzinfo or not opening < closing:
                raise ValueError("hours must be two naive local times, opening before closing")
        # Frozen, so derived state is set through object.__setattr__.
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "closures", frozenset(self.closures))
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))
        object.__setattr__(
            self,
            "_holidays",
            holidays.country_holidays(self.country, subdiv=self.subdiv) if self.country else None,
        )
        object.__setattr__(self, "_closed_by_year", {})
        object.__setattr__(self, "_nominal", self.day_length // _US)

    @property
    def day_length(self) -> timedelta:
        """Return the working time one working day counts."""
        if self.hours is None:
            return _DAY
        opening, closing = self.hours
        return datetime.combine(date.min, closing) - datetime.combine(date.min, opening)

    def is_working_day(self, day: date) -> bool:
        """Tell whether work is done on this local date."""
        return day.weekday() in self.weekdays and day not in self._closed_days(day.year)

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """Return the instant at which ``days`` working days have elapsed since ``start``."""
        return self.add_working_time(start, days * self.day_length)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the instant at which ``amount`` of working time has elapsed since ``start``."""
        _require_aware(start)
        if amount < timedelta(0):
            raise ValueError("amount of working time must not be negative")
        start = start.astimezone(UTC)
        remaining = amount // _US
        if not remaining:
            return start
        nominal = self._nominal
        days = self._working_days(self._local_date(start) - _DAY)
        for day in days:
            opening, closing = self._bounds(day)
            if closing > start:
                break
        left_today = nominal - self._position(max(start, opening), opening, closing)
        # Whole days in between need no time-zone arithmetic: each counts the nominal length.
        while remaining > left_today:
            remaining -= left_today
            day, left_today = next(days), nominal
        opening, closing = self._bounds(day)
        target = nominal - left_today + remaining
        real = (closing - opening) // _US
        return opening + _US * -(-target * real // nominal)

    def working_time_between(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> timedelta:
        """Return the working time in ``[start, end)`` outside the given pauses."""
        _require_aware(start)
        _require_aware(end)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = self._between_us(start, end)
        for pause_start, pause_end in _merged(pauses, start, end):
            total -= self._between_us(pause_start, pause_end)
        return _US * total

    def working_days_between(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> float:
        """Return the working days in ``[start, end)`` outside the given pauses."""
        return self.working_time_between(start, end, pauses) / self.day_length

    def _between_us(self, start: datetime, end: datetime) -> int:
        """Count working microseconds in ``[start, end)``, both in UTC."""
        if end <= start:
            return 0
        # Working days before this one close before ``end``, whatever the DST changes.
        last_whole = self._local_date(end) - _DAY
        days = self._working_days(self._local_date(start) - _DAY)
        for day in days:
            opening, closing = self._bounds(day)
            if closing > start:
                break
        total = 0
        while opening < end:
            low = self._position(max(start, opening), opening, closing)
            total += self._position(min(end, closing), opening, closing) - low
            day = next(days)
            while day < last_whole:
                total += self._nominal
                day = next(days)
            opening, closing = self._bounds(day)
        return total

    def _working_days(self, first: date) -> Iterator[date]:
        """Yield the working days from ``first`` on."""
        day, closed_run = first, 0
        while True:
            if self.is_working_day(day):
                closed_run = 0
                yield day
            else:
                closed_run += 1
                if closed_run > _MAX_CLOSED_RUN:
                    raise ValueError(f"no working day in the ten years before {day}")
            day += _DAY

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        """Return the UTC bounds of the working interval of a local date."""
        if self.hours is None:
            opening = datetime.combine(day, time(), self._zone)
            closing = datetime.combine(day + _DAY, time(), self._zone)
        else:
            opening = datetime.combine(day, self.hours[0], self._zone)
            closing = datetime.combine(day, self.hours[1], self._zone)
        opening, closing = opening.astimezone(UTC), closing.astimezone(UTC)
        # Hours inside a DST gap can map backwards; a sliver still lets the day count in full.
        return opening, max(closing, opening + _US)

    def _position(self, instant: datetime, opening: datetime, closing: datetime) -> int:
        """Return the working microseconds from ``opening`` to ``instant`` within one interval."""
        real = (closing - opening) // _US
        return (instant - opening) // _US * self._nominal // real

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._zone).date()

    def _closed_days(self, year: int) -> frozenset[date]:
        """Return the holidays and closures of a year, cached."""
        closed = self._closed_by_year.get(year)
        if closed is None:
            public: set[date] = set()
            if self._holidays is not None:
                # Looking a date up expands the holiday object to its year.
                self._holidays.get(date(year, 1, 1))
                public = {day for day in self._holidays if day.year == year}
            closed = frozenset(public | {day for day in self.closures if day.year == year})
            self._closed_by_year[year] = closed
        return closed


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give an aware datetime")


def _merged(
    pauses: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Clip the pauses to ``[start, end)`` and merge those that overlap or touch."""
    clipped = []
    for pause_start, pause_end in pauses:
        _require_aware(pause_start)
        _require_aware(pause_end)
        low, high = max(pause_start.astimezone(UTC), start), min(pause_end.astimezone(UTC), end)
        if low < high:
            clipped.append((low, high))
    merged: list[tuple[datetime, datetime]] = []
    for low, high in sorted(clipped):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged
