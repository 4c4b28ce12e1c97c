"""Tests for the working-time calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendar import WorkingCalendar

JAKARTA = ZoneInfo("Asia/Jakarta")
PARIS = ZoneInfo("Europe/Paris")
US = timedelta(microseconds=1)
EVERY_DAY = frozenset(range(7))

INDONESIA = WorkingCalendar()
OFFICE_HOURS = WorkingCalendar(hours=(time(8), time(16)))
PARIS_DAYS = WorkingCalendar(timezone="Europe/Paris", weekdays=EVERY_DAY, country=None)
PARIS_HOURS = WorkingCalendar(
    timezone="Europe/Paris", weekdays=EVERY_DAY, hours=(time(8), time(16)), country=None
)
# Working hours that straddle the DST change at 02:00 or 03:00.
PARIS_NIGHT = WorkingCalendar(
    timezone="Europe/Paris", weekdays=EVERY_DAY, hours=(time(1), time(4)), country=None
)


def jkt(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


def paris(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS, fold=fold)


# Validation


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 16, 10)  # noqa: DTZ001
    aware = jkt(2026, 3, 16, 10)
    with pytest.raises(ValueError, match="naive"):
        INDONESIA.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        INDONESIA.working_time_between(naive, aware)
    with pytest.raises(ValueError, match="naive"):
        INDONESIA.working_time_between(aware, naive)
    with pytest.raises(ValueError, match="naive"):
        INDONESIA.working_time_between(aware, aware, [(naive, aware)])


def test_a_calendar_without_working_weekdays_is_refused() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(weekdays=frozenset())
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(weekdays=frozenset({7}))


def test_hours_must_open_before_they_close() -> None:
    with pytest.raises(ValueError, match="hours"):
        WorkingCalendar(hours=(time(16), time(8)))
    with pytest.raises(ValueError, match="hours"):
        WorkingCalendar(hours=(time(8), time(8)))


def test_negative_working_time_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        INDONESIA.add_working_time(jkt(2026, 3, 16), timedelta(hours=-1))


def test_a_calendar_closed_for_ten_years_raises_instead_of_looping() -> None:
    mondays = frozenset(date(2026, 3, 16) + timedelta(weeks=n) for n in range(600))
    calendar = WorkingCalendar(weekdays=frozenset({0}), country=None, closures=mondays)
    with pytest.raises(ValueError, match="no working day"):
        calendar.add_working_days(jkt(2026, 3, 16), 1)


def test_calendars_are_hashable_values() -> None:
    assert WorkingCalendar() == INDONESIA
    assert hash(WorkingCalendar()) == hash(INDONESIA)
    assert WorkingCalendar(weekdays={0, 1, 2, 3, 4}) == INDONESIA  # type: ignore[arg-type]


def test_day_length() -> None:
    assert INDONESIA.day_length == timedelta(days=1)
    assert OFFICE_HOURS.day_length == timedelta(hours=8)


# Whole working days in Jakarta


def test_results_are_utc() -> None:
    due = INDONESIA.add_working_days(jkt(2026, 3, 16, 10), 1)
    assert due.tzinfo is UTC
    assert due == jkt(2026, 3, 17, 10)


def test_adding_zero_returns_the_start_even_outside_working_time() -> None:
    saturday = jkt(2026, 3, 14, 10)
    assert INDONESIA.add_working_time(saturday, timedelta(0)) == saturday


def test_weekends_are_skipped() -> None:
    assert INDONESIA.add_working_days(jkt(2026, 3, 13, 10), 1) == jkt(2026, 3, 16, 10)
    assert INDONESIA.add_working_days(jkt(2026, 3, 13, 10), 0.5) == jkt(2026, 3, 13, 22)
    assert INDONESIA.working_days_between(jkt(2026, 3, 13, 10), jkt(2026, 3, 16, 10)) == 1


def test_a_start_on_the_weekend_counts_from_monday_and_stays_at_the_end_of_the_day() -> None:
    # One full working day from Saturday ends at the end of Monday, not at Tuesday's start.
    due = INDONESIA.add_working_days(jkt(2026, 3, 14, 10), 1)
    assert due == jkt(2026, 3, 17)
    assert INDONESIA.working_days_between(jkt(2026, 3, 14, 10), due) == 1


def test_public_holidays_come_from_the_holidays_package() -> None:
    assert not INDONESIA.is_working_day(date(2026, 3, 19))  # Nyepi, a Thursday
    assert not INDONESIA.is_working_day(date(2025, 3, 31))  # Idul Fitri, a Monday
    assert not INDONESIA.is_working_day(date(2025, 4, 1))
    assert INDONESIA.is_working_day(date(2026, 3, 18))
    assert WorkingCalendar(country=None).is_working_day(date(2026, 3, 19))


def test_due_dates_skip_nyepi_and_idul_fitri_2026() -> None:
    # Nyepi is Thursday 19 March; Idul Fitri falls on the weekend of 21-22 March.
    assert INDONESIA.add_working_days(jkt(2026, 3, 16, 10), 3) == jkt(2026, 3, 20, 10)
    assert INDONESIA.add_working_days(jkt(2026, 3, 16, 10), 5) == jkt(2026, 3, 24, 10)
    assert INDONESIA.working_days_between(jkt(2026, 3, 16), jkt(2026, 3, 30)) == 9


def test_due_dates_skip_idul_fitri_2025() -> None:
    # Idul Fitri is Monday 31 March and Tuesday 1 April 2025.
    assert INDONESIA.add_working_days(jkt(2025, 3, 27, 10), 2) == jkt(2025, 4, 2, 10)
    assert INDONESIA.add_working_days(jkt(2025, 3, 27, 10), 3) == jkt(2025, 4, 3, 10)


def test_closures_are_skipped() -> None:
    closed = WorkingCalendar(closures=frozenset({date(2026, 3, 17)}))
    assert not closed.is_working_day(date(2026, 3, 17))
    assert closed.add_working_days(jkt(2026, 3, 16, 10), 1) == jkt(2026, 3, 18, 10)
    assert closed.working_days_between(jkt(2026, 3, 16), jkt(2026, 3, 19)) == 2


def test_year_end_skips_new_year() -> None:
    assert INDONESIA.add_working_days(jkt(2025, 12, 31, 10), 1) == jkt(2026, 1, 2, 10)
    assert INDONESIA.add_working_days(jkt(2025, 12, 31, 10), 2) == jkt(2026, 1, 5, 10)
    assert INDONESIA.working_days_between(jkt(2025, 12, 31), jkt(2026, 1, 5)) == 2


def test_sixty_working_days() -> None:
    due = INDONESIA.add_working_days(jkt(2026, 3, 16, 10), 60)
    assert due == jkt(2026, 6, 17, 10)
    assert INDONESIA.working_days_between(jkt(2026, 3, 16, 10), due) == 60


# Working hours


def test_an_instant_inside_hours_moves_by_working_hours() -> None:
    assert OFFICE_HOURS.add_working_days(jkt(2026, 3, 16, 10), 1) == jkt(2026, 3, 17, 10)
    assert OFFICE_HOURS.add_working_time(jkt(2026, 3, 16, 15), timedelta(hours=2)) == jkt(
        2026, 3, 17, 9
    )


def test_an_instant_before_hours_counts_from_opening() -> None:
    assert OFFICE_HOURS.add_working_time(jkt(2026, 3, 16, 6), timedelta(hours=1)) == jkt(
        2026, 3, 16, 9
    )
    assert OFFICE_HOURS.working_time_between(jkt(2026, 3, 16, 6), jkt(2026, 3, 16, 9)) == (
        timedelta(hours=1)
    )


def test_an_instant_after_hours_counts_from_the_next_opening() -> None:
    assert OFFICE_HOURS.add_working_time(jkt(2026, 3, 16, 20), timedelta(hours=1)) == jkt(
        2026, 3, 17, 9
    )
    assert OFFICE_HOURS.add_working_time(jkt(2026, 3, 20, 20), timedelta(hours=1)) == jkt(
        2026, 3, 23, 9
    )


def test_a_due_time_at_closing_stays_at_closing() -> None:
    assert OFFICE_HOURS.add_working_days(jkt(2026, 3, 16, 20), 1) == jkt(2026, 3, 17, 16)
    assert OFFICE_HOURS.add_working_days(jkt(2026, 3, 16, 8), 1) == jkt(2026, 3, 16, 16)


def test_nights_weekends_and_holidays_count_nothing() -> None:
    friday_evening, monday_morning = jkt(2026, 3, 13, 15), jkt(2026, 3, 16, 9)
    assert OFFICE_HOURS.working_time_between(friday_evening, monday_morning) == timedelta(hours=2)
    assert OFFICE_HOURS.working_time_between(jkt(2026, 3, 19, 8), jkt(2026, 3, 19, 16)) == (
        timedelta(0)
    )


# Daylight saving time (Paris: 29 March and 25 October 2026)


def test_a_short_dst_day_counts_one_whole_day() -> None:
    assert PARIS_DAYS.working_time_between(paris(2026, 3, 29), paris(2026, 3, 30)) == (
        timedelta(days=1)
    )
    # Ten working hours into a 23-hour day are 10h * 23/24 after midnight: 10:35 summer time.
    assert PARIS_DAYS.add_working_days(paris(2026, 3, 28, 10), 1) == paris(2026, 3, 29, 10, 35)
    assert PARIS_DAYS.add_working_days(paris(2026, 3, 28, 10), 2) == paris(2026, 3, 30, 10)


def test_a_long_dst_day_counts_one_whole_day() -> None:
    assert PARIS_DAYS.working_time_between(paris(2026, 10, 25), paris(2026, 10, 26)) == (
        timedelta(days=1)
    )
    # Ten working hours into a 25-hour day are 10h * 25/24 after midnight: 09:25 winter time.
    assert PARIS_DAYS.add_working_days(paris(2026, 10, 24, 10), 1) == paris(2026, 10, 25, 9, 25)
    assert PARIS_DAYS.add_working_days(paris(2026, 10, 24, 10), 2) == paris(2026, 10, 26, 10)


def test_time_inside_a_dst_day_is_scaled() -> None:
    # 25 real hours count as 24: the repeated hour 02:00-03:00 counts 24/25 of an hour.
    # Converted to UTC because PEP 495 makes repeated wall times unequal to any other zone's.
    first = paris(2026, 10, 25, 2, 30).astimezone(UTC)
    second = paris(2026, 10, 25, 2, 30, fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    assert PARIS_DAYS.working_time_between(first, second) == timedelta(hours=1) * 24 / 25
    assert PARIS_DAYS.add_working_time(first, timedelta(hours=1) * 24 / 25) == second
    # 23 real hours count as 24.
    assert PARIS_DAYS.working_time_between(paris(2026, 3, 29), paris(2026, 3, 29, 12)) == (
        timedelta(hours=11) * 24 / 23
    )


def test_working_hours_away_from_the_change_are_not_scaled() -> None:
    assert PARIS_HOURS.working_time_between(paris(2026, 3, 28, 12), paris(2026, 3, 29, 12)) == (
        timedelta(hours=8)
    )
    assert PARIS_HOURS.add_working_days(paris(2026, 10, 24, 10), 1) == paris(2026, 10, 25, 10)


def test_working_hours_across_the_change_count_their_nominal_length() -> None:
    assert PARIS_NIGHT.working_time_between(paris(2026, 3, 29), paris(2026, 3, 30)) == (
        timedelta(hours=3)
    )
    assert PARIS_NIGHT.working_time_between(paris(2026, 10, 25), paris(2026, 10, 26)) == (
        timedelta(hours=3)
    )


def test_french_holidays_and_dst_together() -> None:
    france = WorkingCalendar(timezone="Europe/Paris", country="FR")
    # Friday before the change to Monday after; Easter Monday 6 April is a holiday.
    assert france.add_working_days(paris(2026, 3, 27, 10), 1) == paris(2026, 3, 30, 10)
    assert france.add_working_days(paris(2026, 4, 3, 10), 1) == paris(2026, 4, 7, 10)


# Pauses


def test_a_pause_subtracts_only_working_time() -> None:
    # Paused from Friday noon to Monday noon: half of Friday and half of Monday.
    start, end = jkt(2026, 3, 13), jkt(2026, 3, 17)
    pause = (jkt(2026, 3, 13, 12), jkt(2026, 3, 16, 12))
    assert INDONESIA.working_days_between(start, end, [pause]) == 1


def test_overlapping_pauses_are_not_subtracted_twice() -> None:
    start, end = jkt(2026, 3, 16), jkt(2026, 3, 17)
    pauses = [
        (jkt(2026, 3, 16, 8), jkt(2026, 3, 16, 12)),
        (jkt(2026, 3, 16, 10), jkt(2026, 3, 16, 14)),
        (jkt(2026, 3, 16, 9), jkt(2026, 3, 16, 11)),
        (jkt(2026, 3, 16, 14), jkt(2026, 3, 16, 15)),
    ]
    assert INDONESIA.working_time_between(start, end, pauses) == timedelta(hours=17)


def test_pauses_are_clipped_to_the_interval() -> None:
    start, end = jkt(2026, 3, 16, 12), jkt(2026, 3, 17, 12)
    pauses = [
        (jkt(2026, 3, 16), jkt(2026, 3, 16, 18)),
        (jkt(2026, 3, 17, 6), jkt(2026, 3, 18)),
        (jkt(2026, 3, 10), jkt(2026, 3, 11)),
        (jkt(2026, 3, 16, 20), jkt(2026, 3, 16, 19)),
    ]
    assert INDONESIA.working_time_between(start, end, pauses) == timedelta(hours=12)


def test_a_pause_covering_everything_leaves_nothing() -> None:
    start, end = jkt(2026, 3, 16, 12), jkt(2026, 3, 20, 12)
    pause = (jkt(2026, 3, 1), jkt(2026, 4, 1))
    assert INDONESIA.working_time_between(start, end, [pause]) == timedelta(0)


def test_between_is_zero_when_end_is_not_after_start() -> None:
    assert INDONESIA.working_time_between(jkt(2026, 3, 17), jkt(2026, 3, 16)) == timedelta(0)
    assert INDONESIA.working_time_between(jkt(2026, 3, 17), jkt(2026, 3, 17)) == timedelta(0)


# Properties

CALENDARS = [
    INDONESIA,
    OFFICE_HOURS,
    WorkingCalendar(closures=frozenset({date(2026, 3, 18), date(2026, 10, 26)})),
    PARIS_DAYS,
    PARIS_HOURS,
    PARIS_NIGHT,
    WorkingCalendar(timezone="Europe/Paris", country="FR"),
]
# Instants near the 2026 DST changes in Paris, where the scaling happens.
CHANGES = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]

calendars = st.sampled_from(CALENDARS)
instants = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 11, 1),  # noqa: DTZ001
        max_value=datetime(2027, 2, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.builds(
        lambda change, shift: change + shift,
        st.sampled_from(CHANGES),
        st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=2)),
    ),
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90))
pause_lists = st.lists(st.tuples(instants, instants), max_size=4)
properties = settings(max_examples=150, deadline=None)


def _exact(calendar: WorkingCalendar) -> bool:
    """Tell whether no day of the calendar is shortened by DST."""
    return calendar.timezone == "Asia/Jakarta"


@properties
@given(calendars, instants, instants, instants)
def test_between_is_additive(
    calendar: WorkingCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted([a, b, c])
    between = calendar.working_time_between
    assert between(a, b) + between(b, c) == between(a, c)


@properties
@given(calendars, instants, instants, pause_lists)
def test_between_is_never_negative(
    calendar: WorkingCalendar,
    a: datetime,
    b: datetime,
    pauses: list[tuple[datetime, datetime]],
) -> None:
    unpaused = calendar.working_time_between(a, b)
    paused = calendar.working_time_between(a, b, pauses)
    assert timedelta(0) <= paused <= unpaused
    assert calendar.working_time_between(a, b, pauses + pauses) == paused


@properties
@given(calendars, instants, amounts)
def test_add_then_between_round_trips(
    calendar: WorkingCalendar, start: datetime, amount: timedelta
) -> None:
    due = calendar.add_working_time(start, amount)
    elapsed = calendar.working_time_between(start, due)
    # A day shortened by DST has fewer microseconds than positions: one may be skipped.
    slack = timedelta(0) if _exact(calendar) else US
    assert amount <= elapsed <= amount + slack
    if amount:
        assert calendar.working_time_between(start, due - US) < amount


@properties
@given(calendars, instants, instants, amounts, amounts)
def test_add_is_monotonic(
    calendar: WorkingCalendar,
    a: datetime,
    b: datetime,
    x: timedelta,
    y: timedelta,
) -> None:
    (a, b), (x, y) = sorted([a, b]), sorted([x, y])
    add = calendar.add_working_time
    assert a <= add(a, x) <= add(a, y)
    assert add(a, x) <= add(b, x)
