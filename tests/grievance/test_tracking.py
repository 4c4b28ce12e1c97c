"""Tracking numbers: a Damm check digit that catches every single-digit error and transposition."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from grievance import tracking

bodies = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[0] != "0")


def number_from(body: str) -> str:
    return body + tracking.damm_digit(body)


@given(bodies, st.integers(0, 9), st.integers(1, 9))
@settings(max_examples=500, deadline=None)
def test_every_single_digit_error_is_caught(body: str, position: int, shift: int) -> None:
    number = number_from(body)
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert tracking.is_valid_tracking_number(number)
    assert not tracking.is_valid_tracking_number(typo)


@given(bodies, st.integers(0, 8))
@settings(max_examples=500, deadline=None)
def test_every_adjacent_transposition_is_caught(body: str, position: int) -> None:
    number = number_from(body)
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if swapped != number:
        assert not tracking.is_valid_tracking_number(swapped)


def test_exhaustively_on_digit_pairs() -> None:
    # The guarantee is a property of the quasigroup: check every pair of digits in every position.
    base = "123456789"
    for position in range(9):
        for a in range(10):
            for b in range(10):
                if a == b:
                    continue
                body = base[:position] + str(a) + str(b) + base[position + 2 :]
                body = body[:9]
                number = number_from(body)
                swapped = (
                    number[:position]
                    + number[position + 1]
                    + number[position]
                    + number[position + 2 :]
                )
                assert not tracking.is_valid_tracking_number(swapped)


def test_new_numbers_are_ten_digits_valid_and_not_sequential() -> None:
    numbers = [tracking.new_tracking_number() for _ in range(200)]
    assert all(len(n) == 10 and n.isdigit() and n[0] != "0" for n in numbers)
    assert all(tracking.is_valid_tracking_number(n) for n in numbers)
    ints = sorted(int(n[:9]) for n in numbers)
    gaps = {b - a for a, b in itertools.pairwise(ints)}
    assert len(gaps) > 100  # random, not a counter


def test_cleaning_and_rejection() -> None:
    number = tracking.new_tracking_number()
    spaced = f"{number[:3]} {number[3:6]}-{number[6:]}#"
    assert tracking.clean_tracking_number(spaced) == number
    assert not tracking.is_valid_tracking_number("١٢٣٤٥٦٧٨٩٠")  # non-ASCII digits
    assert not tracking.is_valid_tracking_number("")


def test_access_codes_are_stored_hashed() -> None:
    code = tracking.new_access_code()
    stored = tracking.hash_access_code(code)
    assert code not in stored and len(code) >= 20
    assert tracking.access_code_matches(code, stored)
    assert not tracking.access_code_matches(code + "x", stored)
