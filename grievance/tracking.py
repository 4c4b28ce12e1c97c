"""Public tracking numbers with a Damm check digit, and private access codes.

A tracking number is 10 digits: 9 random digits (never starting with 0, so it survives being
read as a number) and a Damm check digit. Damm's quasigroup catches every single-digit error and
every transposition of adjacent digits, the two typos people make on a keypad. Numbers are random,
not sequential, so they reveal nothing about volumes and cannot be walked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Damm's totally anti-symmetric quasigroup of order 10 (Damm 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

TRACKING_LENGTH = 10


def damm_digit(digits: str) -> str:
    """Return the Damm check digit of a string of digits."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return str(interim)


def is_valid_tracking_number(candidate: str) -> bool:
    """Tell whether a string is a well-formed tracking number with a correct check digit."""
    return (
        len(candidate) == TRACKING_LENGTH
        and candidate.isascii()
        and candidate.isdigit()
        and damm_digit(candidate) == "0"  # a Damm-checked string reduces to 0
    )


def new_tracking_number() -> str:
    """Return a fresh random tracking number (uniqueness is the database's job)."""
    body = str(secrets.randbelow(9 * 10 ** (TRACKING_LENGTH - 2)) + 10 ** (TRACKING_LENGTH - 2))
    return body + damm_digit(body)


def clean_tracking_number(raw: str) -> str:
    """Strip what people type around a number (spaces, dashes, '#') and return the digits."""
    return "".join(ch for ch in raw if ch.isascii() and ch.isdigit())


def new_access_code() -> str:
    """Return a private access code for the reporter's link (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def hash_access_code(code: str) -> str:
    """Return the stored form of an access code; the code itself is never stored."""
    return hashlib.sha256(code.encode()).hexdigest()


def access_code_matches(code: str, stored_hash: str) -> bool:
    """Compare an access code with its stored hash in constant time."""
    return hmac.compare_digest(hash_access_code(code), stored_hash)
