"""Constant-time working-time arithmetic for whole-day calendars in a zone without clock changes.

`workflows.calendar.WorkingCalendar` walks the days between two instants, which is right and
fast for one action but costly for millions (a 60-day tier with its 120-day level 2 instant
walks half a year). For the common case - working days counted midnight to midnight, in a zone
whose UTC offset does not change over the period (Asia/Jakarta) - working time is a straight
line: the working days before a date, times a day, plus the time into the day. `IndexedCalendar`
precomputes that line over a range of dates and answers exactly what the WorkingCalendar would
(the tests check them against each other); outside the range, or for calendars with working
hours or clock changes, it hands the question to the WorkingCalendar itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from workflows.calendar import WorkingCalendar

_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)
DAY_US = _DAY // _US


class IndexedCalendar:
    """A WorkingCalendar with its working days indexed from `first` to `last`."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.day_length = calendar.day_length
        self._first, self._last = first, last
        zone = calendar._zone
        offsets = {
            datetime.combine(first + timedelta(days=n), time(), zone).utcoffset()
            for n in range((last - first).days + 2)
        }
        self._usable = calendar.hours is None and len(offsets) == 1 and last > first
        if not self._usable:
            return
        self._offset = offsets.pop() or timedelta(0)
        self._epoch = datetime.combine(first, time(), UTC) - self._offset  # local midnight, UTC
        # before[n]: working days strictly before day n; working: ordinals of working days.
        self._before: list[int] = []
        self._working: list[int] = []
        count = 0
        for n in range((last - first).days + 1):
            self._before.append(count)
            if calendar.is_working_day(first + timedelta(days=n)):
                self._working.append(n)
                count += 1
        self._span_us = ((last - first).days + 1) * DAY_US

    def _inside(self, instant: datetime) -> bool:
        return 0 <= (instant - self._epoch) // _US < self._span_us

    def _position(self, instant: datetime) -> int:
        """Return the working microseconds from the start of the index to an instant."""
        elapsed = (instant - self._epoch) // _US
        day, into = divmod(elapsed, DAY_US)
        before = self._before[day]
        if before < len(self._working) and self._working[before] == day:
            return before * DAY_US + into
        return before * DAY_US  # outside working time: the start of the next working day

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the instant at which `amount` of working time has elapsed since `start`."""
        if not self._usable or not self._inside(start):
            return self.calendar.add_working_time(start, amount)
        if amount < timedelta(0):
            raise ValueError("amount of working time must not be negative")
        start = start.astimezone(UTC)
        if not amount:
            return start
        target = self._position(start) + amount // _US
        index, into = divmod(target, DAY_US)
        if into == 0:
            # Landing exactly on a boundary: the end of the previous working day, as the
            # WorkingCalendar does, not the start of the next one.
            index, into = index - 1, DAY_US
        if index >= len(self._working):
            return self.calendar.add_working_time(start, amount)
        return self._epoch + _US * (self._working[index] * DAY_US + into)

    def working_time_between(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> timedelta:
        """Return the working time in [start, end) outside the given pauses."""
        pauses = list(pauses)
        if not self._usable or pauses or not (self._inside(start) and self._inside(end)):
            return self.calendar.working_time_between(start, end, pauses)
        if end <= start:
            return timedelta(0)
        return _US * (self._position(end) - self._position(start))

    def is_working_day(self, day: date) -> bool:
        """Tell whether work is done on this local date."""
        return self.calendar.is_working_day(day)
