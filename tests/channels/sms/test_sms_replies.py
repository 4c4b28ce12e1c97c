"""Every SMS reply, in every language, is one GSM-7 segment with room for its free text.

Until the catalogs are translated these check the English fallback; once translations land they
check each one, because every text is rendered through the real catalogs under force_locale.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from channels.sms import replies
from channels.ussd import texts
from grievance.messages import REPORTER_TEMPLATES
from grievance.settings import SUPPORTED_LOCALES
from grievance.sms_text import SEGMENT_SEPTETS, is_gsm7, septets, to_gsm7
from workflows.states import State

# Free text (a staff answer, an agency name) deserves at least this much of the segment.
MIN_ROOM_FOR_TEXT = 30
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{text\}")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_reply_fits_one_segment(text_app: Flask, locale: str) -> None:
    with force_locale(locale):
        for message in replies.REPLIES:
            translated = gettext(message)
            # A translation keeps the placeholders of its msgid, or filling it in breaks.
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(
                PLACEHOLDER.findall(message)
            ), message
            frame = to_gsm7(gettext(message, **replies.SAMPLE_PARAMS))
            assert is_gsm7(frame)
            room = SEGMENT_SEPTETS - septets(frame.replace("{text}", ""))
            needed = MIN_ROOM_FOR_TEXT if "{text}" in message else 0
            assert room >= needed, f"{locale}: {frame!r} leaves {room} septets"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_archive_reasons_fit_their_frame_whole(text_app: Flask, locale: str) -> None:
    with force_locale(locale):
        frame = to_gsm7(gettext(replies.STATUS_OWNER[State.ARCHIVED], **replies.SAMPLE_PARAMS))
        for reason in replies.FILLERS:
            whole = frame.replace("{text}", to_gsm7(gettext(reason)))
            assert septets(whole) <= SEGMENT_SEPTETS, f"{locale}: {whole!r}"


def test_shared_texts_are_the_notifications_own_msgids() -> None:
    # One translation serves the STATUS answer and the notification that says the same.
    assert replies.STATUS_OWNER[State.RESPONDED] == REPORTER_TEMPLATES["responded"]
    assert REPORTER_TEMPLATES["reopened"] == texts.REOPENED
    assert texts.RATED == replies.RATED


def test_rendered_replies_are_one_segment_whatever_the_free_text(text_app: Flask) -> None:
    long_answer = "Jalan sudah ditambal dengan aspal baru oleh Dinas PU; " * 10 + "€[]{}"
    for locale in SUPPORTED_LOCALES:
        for message in (*replies.STATUS_OWNER.values(), *replies.STATUS_PUBLIC.values()):
            text = replies.render(message, locale, long_answer, number="1234567890")
            assert is_gsm7(text) and septets(text) <= SEGMENT_SEPTETS, text
