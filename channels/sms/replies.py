"""The texts the SMS channel answers with, each one GSM-7 segment in every language.

Every text is a msgid marked with N_ and translated when sent, in the sender's language (not the
request's: a webhook has no user). `{text}` marks free text (a staff update, an agency's name)
that `grievance.sms_text.fit` shortens so the whole reply stays one segment; `%(number)s` is a
10-digit tracking number. Keywords inside the texts (STATUS, INFO, YES, NO, LANG, STOP, START,
HELP) are translated to the local keyword of each language: the parser understands them all.
`REPLIES` lists every text with worst-case values so a test can check each catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale, gettext

from grievance.services.errors import N_
from grievance.sms_text import fit
from workflows.states import ArchiveReason, State

HELP = N_(
    "Report: send the problem in one message. Follow: STATUS number. Answer: INFO number text. "
    "Reply: YES number, or NO number why. LANG en/id/fr/es/sw"
)
EMPTY = N_("Your message was empty. Describe the problem to report it, or send HELP.")
TOO_SHORT = N_(
    "Describe the problem in at least %(min)s characters so that it can be handled. "
    "Send HELP for help."
)
TOO_LONG = N_("Your message is too long. Keep it under %(max)s characters and send it again.")
BAD_NUMBER = N_(
    "%(number)s is not a tracking number. Check the digits (there are 10) and send it again."
)
NOT_FOUND = N_("No report has the number %(number)s. Check the digits and send it again.")
NOT_YOURS = N_("Report %(number)s was not sent from this phone.")
NEED_NUMBER_STATUS = N_("Send STATUS and the 10-digit number of your report.")
NEED_NUMBER_ACCEPT = N_("Send YES and the number of the report you accept.")
NEED_NUMBER_DISPUTE = N_("Send NO, the number of the report and why it is not solved.")
NEED_NUMBER_INFO = N_("Send INFO, the number of the report and your answer.")
NEED_REASON = N_("Tell us why it is not solved: send NO %(number)s and the reason.")
NEED_INFO_TEXT = N_("Send INFO %(number)s followed by your answer.")
NOTHING_AWAITS_REPLY = N_(
    "None of your reports is waiting for your reply. Send STATUS and a number to follow one."
)
INFO_ADDED = N_("Thank you. Your information was added to report %(number)s.")
NOT_DEFERRED = N_(
    "Report %(number)s is not waiting for information. "
    "Send STATUS %(number)s to see where it stands."
)
NOT_RESPONDED = N_(
    "Report %(number)s is not waiting for your reply. "
    "Send STATUS %(number)s to see where it stands."
)
ACCEPTED_RATE = N_(
    "Thank you. Report %(number)s is closed. Rate the answer: reply with a number from 1 (bad) "
    "to 5 (good)."
)
ACCEPTED_RATED = N_("Thank you for your rating. Report %(number)s is closed.")
RATED = N_("Thank you for rating report %(number)s.")
NOTHING_TO_RATE = N_("No report is waiting for your rating. Send HELP for help.")
BAD_SCORE = N_("Give a rating from 1 (bad) to 5 (good).")
LANGUAGE_SET = N_("Messages will now be in English.")
LANGUAGE_UNKNOWN = N_("Send LANG and a language: en, id, fr, es or sw.")
STOPPED = N_("You will get no more messages from us. Send START to receive them again.")
STARTED = N_("Welcome back: you will receive updates again. Send HELP for help.")
NO_PHONE = N_("Reports cannot be filed from this number. Use the website instead.")

# What STATUS says in each state: to the reporter, and to anyone else who has the number.
STATUS_OWNER: Mapping[State, str] = {
    State.SUBMITTED: N_("Report %(number)s was received and is being checked."),
    State.DEFERRED: N_(
        "Report %(number)s waits for your answer: {text} Reply INFO %(number)s and your answer."
    ),
    State.DISPATCHED: N_("Report %(number)s is with the agency responsible: {text}"),
    State.IN_PROGRESS: N_("Report %(number)s is in progress. Latest: {text}"),
    # The same text as the "responded" notification, so one translation serves both.
    State.RESPONDED: N_(
        "Report %(number)s answered: {text} Reply YES %(number)s if solved, "
        "NO %(number)s and why if not."
    ),
    State.CLOSED: N_("Report %(number)s is closed. Answer: {text}"),
    State.ARCHIVED: N_("Report %(number)s was closed without action: {text}"),
}
STATUS_PUBLIC: Mapping[State, str] = {
    State.SUBMITTED: STATUS_OWNER[State.SUBMITTED],
    State.DEFERRED: N_("Report %(number)s waits for information from its reporter."),
    State.DISPATCHED: STATUS_OWNER[State.DISPATCHED],
    State.IN_PROGRESS: STATUS_OWNER[State.IN_PROGRESS],
    State.RESPONDED: N_("Report %(number)s was answered: {text}"),
    State.CLOSED: STATUS_OWNER[State.CLOSED],
    State.ARCHIVED: STATUS_OWNER[State.ARCHIVED],
}
# Closed and waiting for the reporter's rating: the prompt matters more than the answer again.
STATUS_AWAITING_RATING = N_(
    "Report %(number)s is closed. Rate the answer: reply with a number from 1 (bad) to 5 (good)."
)
ARCHIVE_REASONS: Mapping[ArchiveReason, str] = {
    ArchiveReason.INCOMPLETE: N_("details needed to act were missing."),
    ArchiveReason.OUT_OF_SCOPE: N_("it is outside what public agencies here can handle."),
    ArchiveReason.DUPLICATE: N_("it repeats another report."),
    ArchiveReason.ABUSIVE: N_("it breaks the rules of this service."),
    ArchiveReason.NO_REPLY: N_("we did not receive the information we asked for."),
}

# Worst-case values for the catalog test: the longest a placeholder gets.
SAMPLE_PARAMS: Mapping[str, Any] = {"number": "1234567890", "min": 10, "max": 5000}

REPLIES: tuple[str, ...] = (
    HELP,
    EMPTY,
    TOO_SHORT,
    TOO_LONG,
    BAD_NUMBER,
    NOT_FOUND,
    NOT_YOURS,
    NEED_NUMBER_STATUS,
    NEED_NUMBER_ACCEPT,
    NEED_NUMBER_DISPUTE,
    NEED_NUMBER_INFO,
    NEED_REASON,
    NEED_INFO_TEXT,
    NOTHING_AWAITS_REPLY,
    INFO_ADDED,
    NOT_DEFERRED,
    NOT_RESPONDED,
    ACCEPTED_RATE,
    ACCEPTED_RATED,
    RATED,
    NOTHING_TO_RATE,
    BAD_SCORE,
    LANGUAGE_SET,
    LANGUAGE_UNKNOWN,
    STOPPED,
    STARTED,
    NO_PHONE,
    STATUS_AWAITING_RATING,
    *STATUS_OWNER.values(),
    *STATUS_PUBLIC.values(),
)
# Texts that only ever fill a `{text}` slot; they must leave room in the frame they go into.
FILLERS: tuple[str, ...] = tuple(ARCHIVE_REASONS.values())


def render(message: str, language: str, text: str = "", **params: Any) -> str:
    """Translate a reply into `language`, fill it in and fit it into one GSM-7 segment."""
    with force_locale(language):
        frame = gettext(message, **params)
    return fit(frame, text)


def translate(message: str, language: str, **params: Any) -> str:
    """Translate a text into `language` without fitting it (a filler for a `{text}` slot)."""
    with force_locale(language):
        return gettext(message, **params)
