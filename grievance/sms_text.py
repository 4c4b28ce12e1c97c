"""Fitting text into one SMS segment of the GSM-7 alphabet.

A segment holds 160 GSM-7 septets, or only 70 characters once a single character falls outside
the alphabet, so every outgoing text is folded to GSM-7 (accents dropped, the rest replaced)
and free text inside a template is shortened until the whole message fits.
"""

from __future__ import annotations

import unicodedata

SEGMENT_SEPTETS = 160
_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENDED = set("^{}\\[~]|€")  # two septets each (escape + character)
_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\t": " ",
}
ELLIPSIS = "..."


def is_gsm7(text: str) -> bool:
    """Tell whether every character is in the GSM-7 basic or extension table."""
    return all(ch in _BASIC or ch in _EXTENDED for ch in text)


def septets(text: str) -> int:
    """Return the number of GSM-7 septets a text takes (extension characters count two)."""
    return sum(2 if ch in _EXTENDED else 1 for ch in text)


def fits_one_segment(text: str) -> bool:
    """Tell whether a text goes out as a single SMS segment."""
    if is_gsm7(text):
        return septets(text) <= SEGMENT_SEPTETS
    return len(text) <= 70


def to_gsm7(text: str) -> str:
    """Fold a text to the GSM-7 alphabet: keep what fits, drop accents, replace the rest."""
    out: list[str] = []
    for ch in text:
        ch = _REPLACEMENTS.get(ch, ch)
        if all(c in _BASIC or c in _EXTENDED for c in ch):
            out.append(ch)
            continue
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        )
        out.append(stripped if stripped and is_gsm7(stripped) else "?")
    return "".join(out)


def fit(template: str, free_text: str = "", marker: str = "{text}") -> str:
    """Return `template` with `free_text` in place of `marker`, shortened to fit one segment."""
    frame = to_gsm7(template)
    text = " ".join(to_gsm7(free_text).split())
    full = frame.replace(marker, text)
    if septets(full) <= SEGMENT_SEPTETS:
        return full
    room = SEGMENT_SEPTETS - septets(frame.replace(marker, "")) - len(ELLIPSIS)
    while room > 0 and septets(text[:room]) > room:
        room -= 1
    shortened = text[: max(room, 0)].rstrip() + ELLIPSIS if room > 0 else ""
    result = frame.replace(marker, shortened)
    # A template that is itself too long is a bug in a translation; never send two segments.
    return (
        result if septets(result) <= SEGMENT_SEPTETS else result[: SEGMENT_SEPTETS - 3] + ELLIPSIS
    )
