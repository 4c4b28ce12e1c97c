"""The SMS grammar: forgiving, in five languages, and total (no text makes it raise)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.sms.grammar import (
    KEYWORDS,
    MAX_BODY_BYTES,
    WORDS,
    Command,
    Kind,
    clean_text,
    parse_sms,
)
from grievance.settings import SUPPORTED_LOCALES

NUMBER = "1234567890"


@pytest.mark.parametrize(
    ("body", "kind", "number", "text", "score", "hint"),
    [
        # Free text is a report; a report keyword is dropped from the description.
        (
            "Jalan berlubang di depan sekolah",
            Kind.REPORT,
            None,
            "Jalan berlubang di depan sekolah",
            None,
            None,
        ),
        ("LAPOR jalan rusak parah", Kind.REPORT, None, "jalan rusak parah", None, "id"),
        (
            "Plainte: route cassée depuis un mois",
            Kind.REPORT,
            None,
            "route cassée depuis un mois",
            None,
            "fr",
        ),
        ("queja  la calle está rota", Kind.REPORT, None, "la calle está rota", None, "es"),
        ("RIPOTI barabara imeharibika", Kind.REPORT, None, "barabara imeharibika", None, "sw"),
        # STATUS in every language, numbers typed with spaces, dashes, '#', or glued on.
        ("STATUS 1234567890", Kind.STATUS, NUMBER, "", None, None),
        ("status 123 456 7890", Kind.STATUS, NUMBER, "", None, None),
        ("Cek: 123-456-7890", Kind.STATUS, NUMBER, "", None, "id"),
        ("cek#1234567890", Kind.STATUS, NUMBER, "", None, "id"),
        ("STATUS1234567890", Kind.STATUS, NUMBER, "", None, None),
        ("État 1234 567 890", Kind.STATUS, NUMBER, "", None, "fr"),
        ("  estado   1234567890  ", Kind.STATUS, NUMBER, "", None, "es"),
        ("HALI 1234567890", Kind.STATUS, NUMBER, "", None, "sw"),
        ("1234567890", Kind.STATUS, NUMBER, "", None, None),
        ("123-456-7890.", Kind.STATUS, NUMBER, "", None, None),
        ("12345", Kind.STATUS, "12345", "", None, None),
        ("STATUS", Kind.STATUS, None, "", None, None),
        # INFO answers a question.
        ("INFO 1234567890 RT 03 RW 05", Kind.INFO, NUMBER, "RT 03 RW 05", None, None),
        ("info 123 456 7890: di depan masjid", Kind.INFO, NUMBER, "di depan masjid", None, None),
        ("JAWAB 1234567890 sudah saya kirim", Kind.INFO, NUMBER, "sudah saya kirim", None, "id"),
        ("info 3 rooms flooded", Kind.INFO, None, "3 rooms flooded", None, None),
        # YES/NO in every language, with an optional rating and comment.
        ("YES 1234567890", Kind.ACCEPT, NUMBER, "", None, "en"),
        ("ya 1234567890 5 mantap", Kind.ACCEPT, NUMBER, "mantap", 5, "id"),
        ("Oui, 1234567890 4/5", Kind.ACCEPT, NUMBER, "", 4, "fr"),
        ("SÍ 1234567890", Kind.ACCEPT, NUMBER, "", None, "es"),
        ("ndiyo 1234567890", Kind.ACCEPT, NUMBER, "", None, "sw"),
        ("YES 5", Kind.ACCEPT, None, "", 5, "en"),
        ("yes", Kind.ACCEPT, None, "", None, "en"),
        ("YES 12345", Kind.ACCEPT, "12345", "", None, "en"),
        ("NO 1234567890 masih rusak", Kind.DISPUTE, NUMBER, "masih rusak", None, None),
        ("TIDAK 1234567890 belum diperbaiki", Kind.DISPUTE, NUMBER, "belum diperbaiki", None, "id"),
        ("non 1234567890 toujours cassé", Kind.DISPUTE, NUMBER, "toujours cassé", None, "fr"),
        ("HAPANA 1234567890 bado", Kind.DISPUTE, NUMBER, "bado", None, "sw"),
        ("NO 2 weeks and still broken", Kind.DISPUTE, None, "2 weeks and still broken", None, None),
        # A digit first is a rating (0 and 6-9 are not scores).
        ("5", Kind.RATE, None, "", 5, None),
        ("4 good work", Kind.RATE, None, "good work", 4, None),
        ("2/5", Kind.RATE, None, "", 2, None),
        ("1.", Kind.RATE, None, "", 1, None),
        ("7", Kind.RATE, None, "", None, None),
        # Carrier keywords only alone; with more words the message is a report.
        ("HELP", Kind.HELP, None, "", None, "en"),
        ("bantuan", Kind.HELP, None, "", None, "id"),
        ("Aide !", Kind.HELP, None, "", None, "fr"),
        ("AYUDA", Kind.HELP, None, "", None, "es"),
        ("msaada", Kind.HELP, None, "", None, "sw"),
        (
            "Help, the bridge near the market fell",
            Kind.REPORT,
            None,
            "Help, the bridge near the market fell",
            None,
            "en",
        ),
        ("STOP", Kind.STOP, None, "", None, None),
        ("stop.", Kind.STOP, None, "", None, None),
        ("Unsubscribe", Kind.STOP, None, "", None, "en"),
        ("BERHENTI", Kind.STOP, None, "", None, "id"),
        ("ARRÊT", Kind.STOP, None, "", None, "fr"),
        (
            "End of our street is flooded",
            Kind.REPORT,
            None,
            "End of our street is flooded",
            None,
            "en",
        ),
        ("START", Kind.START, None, "", None, "en"),
        ("mulai", Kind.START, None, "", None, "id"),
        ("ANZA", Kind.START, None, "", None, "sw"),
        # "Check"/"Yes" followed by words are reports, not commands.
        (
            "Check the drain on Jalan Merdeka",
            Kind.REPORT,
            None,
            "Check the drain on Jalan Merdeka",
            None,
            "en",
        ),
        (
            "Yes the road is still broken",
            Kind.REPORT,
            None,
            "Yes the road is still broken",
            None,
            "en",
        ),
    ],
)
def test_parse(
    body: str, kind: Kind, number: str | None, text: str, score: int | None, hint: str | None
) -> None:
    command = parse_sms(body)
    assert (command.kind, command.number, command.text, command.score, command.hint) == (
        kind,
        number,
        text,
        score,
        hint,
    )


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("LANG fr", "fr"),
        ("lang EN", "en"),
        ("Bahasa Indonesia", "id"),
        ("langue français", "fr"),
        ("IDIOMA español", "es"),
        ("lugha kiswahili", "sw"),
        ("LANG klingon", None),
        ("LANG", None),
    ],
)
def test_language_choice(body: str, language: str | None) -> None:
    command = parse_sms(body)
    assert command.kind is Kind.LANG
    assert command.language == language


def test_empty_and_too_long() -> None:
    for body in ("", "   ", "\x00\x01\x02", "\u200b\u200b", "...", "!!"):
        assert parse_sms(body).kind is Kind.EMPTY, repr(body)
    assert parse_sms("a" * (MAX_BODY_BYTES + 1)).kind is Kind.TOO_LONG
    # Multi-byte characters count in bytes: 3,500 three-byte characters are over 10 KB.
    assert parse_sms("\u20ac" * 3500).kind is Kind.TOO_LONG


def test_clean_text_drops_what_breaks_storage_and_xml() -> None:
    assert clean_text("jalan\x00 rusak\x1b\n\tparah\u200b") == "jalan rusak parah"
    assert clean_text("emoji 😀 stays") == "emoji 😀 stays"


def test_every_language_has_every_keyword() -> None:
    for kind, per_language in KEYWORDS.items():
        assert set(per_language) == set(SUPPORTED_LOCALES), kind
    # A word means one command only (the index would refuse otherwise); keywords are folded.
    assert all(word == word.upper() and word.isascii() for word in WORDS)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_no_text_makes_the_parser_raise(body: str) -> None:
    command = parse_sms(body)
    assert isinstance(command, Command)
    if command.number is not None:
        assert command.number.isdigit() and command.number.isascii()
    if command.score is not None:
        assert 1 <= command.score <= 5


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(WORDS)),
    st.lists(
        st.one_of(st.text(max_size=12), st.from_regex(r"[0-9 \-#]{1,14}", fullmatch=True)),
        max_size=6,
    ),
)
def test_no_keyword_with_any_arguments_makes_the_parser_raise(
    keyword: str, args: list[str]
) -> None:
    assert isinstance(parse_sms(" ".join([keyword, *args])), Command)
