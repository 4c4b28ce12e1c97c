"""Answer inbound SMS: one command per message, once per MessageSid, in the sender's language.

Idempotency: before a message changes anything, the InboundMessage row for its MessageSid is
added to the session, so it is committed in the same transaction as the change (the services
commit the session they share with it); a message that changes nothing stores it at the end with
its reply. A retry that finds the row gets the stored reply and changes nothing; a concurrent
retry blocks on the row's unique key and then does the same. A crash between the change and the
reply leaves a row without a reply: its retry gets an empty answer rather than a second report.
A concurrent change to the same report (the next seq of its trail, its version) rolls back and
the message is tried again.

Every message a reporter sends about their own report, and every reply, goes on that report's
trail (`actions.record_message`: the text only, never the number). Where the workflow already
texts the reporter about a change (a new report's number, a reopened report), that notification
is the answer and the webhook replies nothing, so nobody gets the same news twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import inspect, select

from channels.sms import replies
from channels.sms.grammar import Command, Kind, clean_text, parse_sms
from channels.sms.reporter import (
    ATTEMPTS,
    CONCURRENT_ERRORS,
    awaiting_rating,
    contact_for,
    lock_report,
    owns,
    pause_before_retry,
    phone_e164,
    reports_from,
    retryable,
    status_text,
)
from grievance import tracking
from grievance.extensions import db
from grievance.models import Contact, InboundMessage, Report
from grievance.services import actions
from grievance.services.errors import Conflict, NotFound, ServiceError
from grievance.services.reports import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    ReporterAccess,
    file_report,
    find_by_tracking_number,
)
from grievance.settings import SUPPORTED_LOCALES
from workflows.states import Channel, State

PROVIDER = "twilio"
CHANNEL = "sms"
# Kept on the InboundMessage row and the trail; Twilio's own limit is 1,600 characters.
STORED_BODY_MAX = 10 * 1024
# Carrier keywords are answered even to an opted-out number (CTIA: HELP always, STOP once).
ANSWERED_WHEN_OPTED_OUT = frozenset({Kind.HELP, Kind.STOP, Kind.START})
OPT_OUT_TYPES = {"STOP": Kind.STOP, "START": Kind.START, "HELP": Kind.HELP}


@dataclass
class Answer:
    """What a message led to: the reply (None: none) and the sender's report it concerned."""

    text: str | None
    report_id: int | None = None
    # A service committed what the message asked for (with the claim on its MessageSid).
    committed: bool = False
    # The incoming message is already on the trail, committed with the change it caused.
    recorded_in: bool = False


class _Concurrent(Exception):
    """Someone changed the same report at the same moment; nothing was done: try again."""


CONCURRENT = (*CONCURRENT_ERRORS, _Concurrent)


@dataclass
class Turn:
    """One inbound message being answered, and the claim on its MessageSid."""

    e164: str | None
    language: str
    body: str
    claim: InboundMessage

    def stake(self) -> None:
        """Add the claim to the session, so it commits with what the message is about to change.

        Only a message that changes something stakes its claim before acting; the others add it
        at the end, reply included, in one INSERT.
        """
        db.session.add(self.claim)

    def say(self, message: str, text: str = "", **params: Any) -> str:
        """Render a reply in the sender's language."""
        return replies.render(message, self.language, text, **params)

    def error(self, exc: ServiceError) -> str:
        """Render a service's refusal in the sender's language."""
        return self.say(exc.message, **exc.params)


def receive(message_sid: str, sender: str, body: str, opt_out_type: str | None = None) -> str:
    """Answer one inbound SMS once; return the reply ("" for none). A retry gets the same reply."""
    stored = _stored(message_sid)
    if stored is not None:
        return stored.reply or ""
    command = parse_sms(body)
    if opt_out_type and opt_out_type.upper() in OPT_OUT_TYPES:
        # Twilio's Advanced Opt-Out matched a keyword (possibly one configured in its console).
        command = Command(OPT_OUT_TYPES[opt_out_type.upper()], hint=command.hint, raw=command.raw)
    e164 = phone_e164(sender)
    contact = contact_for(e164)
    default = current_app.config["GRIEVANCE_SETTINGS"].default_locale
    language = contact.language if contact is not None else (command.hint or default)
    if language not in SUPPORTED_LOCALES:
        language = default
    cleaned = clean_text(body)[:STORED_BODY_MAX]
    turn = Turn(e164, language, cleaned, _inbound(message_sid, sender, cleaned))
    answer: Answer | None = None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if answer is None:
                # Each try starts afresh: a new claim, the language as it was.
                turn = Turn(e164, language, cleaned, _inbound(message_sid, sender, cleaned))
                answer = _answer(command, turn)
                # Never text an opted-out number, not even a reply (STOP and START, which change
                # that, are answered anyway).
                opted_out = contact is not None and contact.opted_out
                if opted_out and command.kind not in ANSWERED_WHEN_OPTED_OUT:
                    answer.text = None
            return _finish(turn, answer)
        except CONCURRENT as exc:
            db.session.rollback()
            if not retryable(exc):
                raise
            if answer is None or not answer.committed:
                stored = _stored(message_sid)
                if stored is not None:
                    return stored.reply or ""  # a retry of this message got there first
                answer = None  # nothing was done: do it again
            if attempt == ATTEMPTS:
                raise
            pause_before_retry(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _stored(message_sid: str) -> InboundMessage | None:
    return db.session.scalar(
        select(InboundMessage).where(
            InboundMessage.provider == PROVIDER, InboundMessage.external_id == message_sid
        )
    )


def _inbound(message_sid: str, sender: str, body: str) -> InboundMessage:
    return InboundMessage(provider=PROVIDER, external_id=message_sid, sender=sender[:20], body=body)


def _finish(turn: Turn, answer: Answer) -> str:
    """Record the exchange on the trail and the reply on the inbound row, and commit."""
    # The report is locked first, before any row that refers to it is written: such a row takes a
    # key-share lock on it, and two of those waiting to lock it for update would deadlock.
    # Held while the trail is written, so that every message reuses the locked report.
    report = lock_report(answer.report_id) if answer.report_id is not None else None
    row = turn.claim
    if inspect(row).transient:
        # Not staked (nothing changed), or a refusing service rolled it back: add it now.
        row = turn.claim = _inbound(row.external_id, row.sender, row.body)
        db.session.add(row)
    row.reply = answer.text or ""
    row.report_id = report.id if report is not None else None
    if report is not None:
        if not answer.recorded_in:
            actions.record_message(report.id, direction="in", channel=CHANNEL, text=turn.body)
        if answer.text:
            actions.record_message(report.id, direction="out", channel=CHANNEL, text=answer.text)
    db.session.commit()
    return answer.text or ""


def _answer(command: Command, turn: Turn) -> Answer:
    handler = _HANDLERS[command.kind]
    return handler(command, turn)


# --- commands that need no report ---------------------------------------------------------------


def _empty(command: Command, turn: Turn) -> Answer:
    return Answer(turn.say(replies.EMPTY))


def _too_long(command: Command, turn: Turn) -> Answer:
    return Answer(turn.say(replies.TOO_LONG, max=DESCRIPTION_MAX))


def _help(command: Command, turn: Turn) -> Answer:
    return Answer(turn.say(replies.HELP))


def _own_contact(turn: Turn) -> Contact | None:
    """Return the sender's contact, created if the number is new (to keep a choice: STOP, LANG)."""
    contact = contact_for(turn.e164)
    if contact is None and turn.e164 is not None:
        contact = Contact(phone=turn.e164, language=turn.language)
        db.session.add(contact)
    return contact


def _stop(command: Command, turn: Turn) -> Answer:
    contact = _own_contact(turn)
    if contact is not None:
        contact.opted_out = True
    return Answer(turn.say(replies.STOPPED))


def _start(command: Command, turn: Turn) -> Answer:
    contact = _own_contact(turn)
    if contact is not None:
        contact.opted_out = False
    return Answer(turn.say(replies.STARTED))


def _lang(command: Command, turn: Turn) -> Answer:
    if command.language is None:
        return Answer(turn.say(replies.LANGUAGE_UNKNOWN))
    turn.language = command.language
    contact = _own_contact(turn)
    if contact is not None:
        contact.language = command.language
    return Answer(turn.say(replies.LANGUAGE_SET))


# --- filing -------------------------------------------------------------------------------------


def _file(text: str, turn: Turn) -> Answer:
    if turn.e164 is None:
        return Answer(turn.say(replies.NO_PHONE))
    if len(text.strip()) < DESCRIPTION_MIN:
        return Answer(turn.say(replies.TOO_SHORT, min=DESCRIPTION_MIN))
    turn.stake()
    try:
        filed = file_report(
            description=text, channel=Channel.SMS, language=turn.language, phone=turn.e164
        )
    except ServiceError as exc:
        db.session.rollback()
        return Answer(turn.error(exc))
    # The "submitted" notification carries the tracking number: it is the answer.
    return Answer(None, report_id=filed.report.id, committed=True)


def _report(command: Command, turn: Turn) -> Answer:
    return _file(command.text, turn)


def _fallback(command: Command, turn: Turn, otherwise: str) -> Answer:
    """File the whole message as a report when it is long enough, else say `otherwise`."""
    if len(command.raw) >= DESCRIPTION_MIN and command.text:
        return _file(command.raw, turn)
    return Answer(turn.say(otherwise))


# --- commands about a report --------------------------------------------------------------------


def _find(number: str, turn: Turn) -> Report | Answer:
    """Return the report a typed number names, or the answer explaining why there is none."""
    digits = tracking.clean_tracking_number(number)
    if not tracking.is_valid_tracking_number(digits):
        return Answer(turn.say(replies.BAD_NUMBER, number=number[:20]))
    try:
        report = find_by_tracking_number(digits)
    except NotFound:
        return Answer(turn.say(replies.NOT_FOUND, number=digits))
    if report.confidential and not owns(report, turn.e164):
        # Confidential reports exist for nobody but their reporter.
        return Answer(turn.say(replies.NOT_FOUND, number=digits))
    return report


def _owned(number: str, turn: Turn) -> Report | Answer:
    found = _find(number, turn)
    if isinstance(found, Report) and not owns(found, turn.e164):
        return Answer(turn.say(replies.NOT_YOURS, number=found.tracking_number))
    return found


def _only(reports: list[Report]) -> Report | None:
    return reports[0] if len(reports) == 1 else None


def _act(
    report: Report, turn: Turn, action: Callable[[ReporterAccess], object], reply: str | None
) -> Answer:
    """Take a reporter action with the incoming message on the trail, committed together."""
    report_id = report.id
    turn.stake()
    try:
        lock_report(report_id)  # `report` stays referenced here, so the action reuses it
        actions.record_message(report_id, direction="in", channel=CHANNEL, text=turn.body)
        action(ReporterAccess(report_id))
    except Conflict:
        raise _Concurrent from None  # the service rolled back: try the message again
    except ServiceError as exc:
        db.session.rollback()
        return Answer(turn.error(exc), report_id=report_id)
    return Answer(reply, report_id=report_id, committed=True, recorded_in=True)


def _status(command: Command, turn: Turn) -> Answer:
    if command.number is None:
        mine = reports_from(turn.e164)
        if not mine:
            return Answer(turn.say(replies.NEED_NUMBER_STATUS))
        open_ones = [r for r in mine if r.state not in (State.CLOSED, State.ARCHIVED)]
        report = (open_ones or mine)[0]
    else:
        found = _find(command.number, turn)
        if isinstance(found, Answer):
            return found
        report = found
    owner = owns(report, turn.e164)
    # Only the reporter's own questions go on the trail: anyone may ask about a public report.
    return Answer(status_text(report, turn.language, owner), report_id=report.id if owner else None)


def _info(command: Command, turn: Turn) -> Answer:
    if command.number is None:
        report = _only(reports_from(turn.e164, [State.DEFERRED]))
        if report is None:
            return _fallback(command, turn, replies.NEED_NUMBER_INFO)
    else:
        found = _owned(command.number, turn)
        if isinstance(found, Answer):
            return found
        report = found
    number = report.tracking_number
    if not command.text:
        return Answer(turn.say(replies.NEED_INFO_TEXT, number=number), report_id=report.id)
    if report.state is not State.DEFERRED:
        return Answer(turn.say(replies.NOT_DEFERRED, number=number), report_id=report.id)
    text = command.text
    return _act(
        report,
        turn,
        lambda access: actions.add_information(access, text=text),
        turn.say(replies.INFO_ADDED, number=number),
    )


def _accept(command: Command, turn: Turn) -> Answer:
    if command.number is None:
        waiting = reports_from(turn.e164, [State.RESPONDED])
        if not waiting:
            return Answer(turn.say(replies.NOTHING_AWAITS_REPLY))
        report = _only(waiting)
        if report is None:
            return Answer(turn.say(replies.NEED_NUMBER_ACCEPT))
    else:
        found = _owned(command.number, turn)
        if isinstance(found, Answer):
            return found
        report = found
    number = report.tracking_number
    if report.state is not State.RESPONDED:
        return Answer(turn.say(replies.NOT_RESPONDED, number=number), report_id=report.id)
    score, comment = command.score, command.text or None
    reply = replies.ACCEPTED_RATED if score is not None else replies.ACCEPTED_RATE
    return _act(
        report,
        turn,
        lambda access: actions.accept(access, score=score, comment=comment),
        turn.say(reply, number=number),
    )


def _dispute(command: Command, turn: Turn) -> Answer:
    if command.number is None:
        waiting = reports_from(turn.e164, [State.RESPONDED])
        if not waiting:
            return _fallback(command, turn, replies.NOTHING_AWAITS_REPLY)
        report = _only(waiting)
        if report is None:
            return Answer(turn.say(replies.NEED_NUMBER_DISPUTE))
    else:
        found = _owned(command.number, turn)
        if isinstance(found, Answer):
            return found
        report = found
    number = report.tracking_number
    if not command.text:
        return Answer(turn.say(replies.NEED_REASON, number=number), report_id=report.id)
    if report.state is not State.RESPONDED:
        return Answer(turn.say(replies.NOT_RESPONDED, number=number), report_id=report.id)
    reason = command.text
    # The "reopened" notification is the answer.
    return _act(report, turn, lambda access: actions.dispute(access, reason=reason), None)


def _rate(command: Command, turn: Turn) -> Answer:
    waiting = awaiting_rating(turn.e164)
    if not waiting:
        # "2 rooms flooded in RT 05" from someone with nothing to rate is a report.
        return _fallback(command, turn, replies.NOTHING_TO_RATE)
    report = waiting[0]
    if command.score is None:
        return Answer(turn.say(replies.BAD_SCORE), report_id=report.id)
    score, comment = command.score, command.text or None
    return _act(
        report,
        turn,
        lambda access: actions.rate(access, score=score, comment=comment),
        turn.say(replies.RATED, number=report.tracking_number),
    )


_HANDLERS: dict[Kind, Callable[[Command, Turn], Answer]] = {
    Kind.EMPTY: _empty,
    Kind.TOO_LONG: _too_long,
    Kind.HELP: _help,
    Kind.STOP: _stop,
    Kind.START: _start,
    Kind.LANG: _lang,
    Kind.REPORT: _report,
    Kind.STATUS: _status,
    Kind.INFO: _info,
    Kind.ACCEPT: _accept,
    Kind.DISPUTE: _dispute,
    Kind.RATE: _rate,
}
