"""Whole lives of reports filed by SMS, through real signed webhooks and the staff services."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from grievance.extensions import db
from grievance.models import Rating, Report, ReportEvent
from grievance.services import actions, audit
from grievance.services.reports import file_report
from tests.channels.phone_support import OTHER_PHONE, PHONE, Twilio, sent_to
from workflows.states import Action, Channel, Outcome, State

DESCRIPTION = "Jalan berlubang besar di depan SD Negeri 5, berbahaya untuk anak-anak"


def the_report() -> Report:
    report = db.session.scalar(sa.select(Report).order_by(Report.id.desc()))
    assert report is not None
    db.session.refresh(report)
    return report


def trail(report: Report) -> list[ReportEvent]:
    return list(
        db.session.scalars(
            sa.select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .order_by(ReportEvent.seq)
        )
    )


def messages(report: Report) -> list[tuple[str, str]]:
    return [
        ("in" if e.action is Action.MESSAGE_IN else "out", e.internal_text or "")
        for e in trail(report)
        if e.action in (Action.MESSAGE_IN, Action.MESSAGE_OUT)
    ]


def tracking_number_in(text: str) -> str:
    match = re.search(r"\b(\d{10})\b", text)
    assert match, text
    return match.group(1)


def dispatched_and_answered(world, report: Report, answer: str = "Jalan sudah ditambal.") -> None:
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    officer = actions.actor_for(world.officer)
    actions.post_update(report.id, officer, text="Tim sudah ke lokasi.")
    actions.respond(report.id, officer, text=answer, outcome=Outcome.RESOLVED)


def test_a_whole_life_by_sms(app: Flask, world, twilio: Twilio, transport, moved_clock) -> None:
    # File: the "submitted" notification carries the tracking number and is the only answer.
    assert twilio.text(DESCRIPTION) == ""
    [confirmation] = sent_to(transport, PHONE)
    number = tracking_number_in(confirmation)
    report = the_report()
    assert report.tracking_number == number
    assert (report.channel, report.state, report.contact.phone) == (
        Channel.SMS,
        State.SUBMITTED,
        PHONE,
    )
    assert report.description == DESCRIPTION

    assert twilio.text(f"STATUS {number}") == f"Report {number} was received and is being checked."

    # Staff work through the services; the reporter is texted the answer.
    moved_clock.advance(hours=2)
    dispatched_and_answered(world, report)
    answer = sent_to(transport, PHONE)[-1]
    assert answer == (
        f"Report {number} answered: Jalan sudah ditambal. Reply YES {number} if solved, "
        f"NO {number} and why if not."
    )
    assert twilio.text(f"cek {number}") == answer

    # YES closes it and prompts for a rating; a bare digit rates it.
    closed = (
        f"Thank you. Report {number} is closed. "
        "Rate the answer: reply with a number from 1 (bad) to 5 (good)."
    )
    assert twilio.text(f"yes {number}") == closed
    assert twilio.text("4") == f"Thank you for rating report {number}."
    report = the_report()
    assert report.state is State.CLOSED and report.outcome is Outcome.RESOLVED
    assert db.session.scalar(sa.select(Rating.score).where(Rating.report_id == report.id)) == 4
    assert twilio.text("5") == "No report is waiting for your rating. Send HELP for help."

    # Every message in and out is on the trail, in order, and the chain still verifies.
    assert messages(report) == [
        ("in", DESCRIPTION),
        ("in", f"STATUS {number}"),
        ("out", f"Report {number} was received and is being checked."),
        ("in", f"cek {number}"),
        ("out", answer),
        ("in", f"yes {number}"),
        ("out", closed),
        ("in", "4"),
        ("out", f"Thank you for rating report {number}."),
    ]
    # The message that caused the acceptance comes right before it, the reply right after.
    events = trail(report)
    accepted = [e.action for e in events].index(Action.ACCEPT)
    before, after = events[accepted - 1], events[accepted + 1]
    assert (before.action, before.internal_text) == (Action.MESSAGE_IN, f"yes {number}")
    assert after.action is Action.MESSAGE_OUT
    assert audit.verify() == []


def test_yes_with_a_score_closes_and_rates_at_once(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    twilio.text(DESCRIPTION)
    report = the_report()
    dispatched_and_answered(world, report)
    number = report.tracking_number
    assert twilio.text(f"YA {number[:4]} {number[4:]} 5 terima kasih") == (
        f"Thank you for your rating. Report {number} is closed."
    )
    rating = db.session.scalar(sa.select(Rating).where(Rating.report_id == report.id))
    assert (rating.score, rating.comment) == (5, "terima kasih")


def test_no_with_a_reason_reopens_and_the_notification_answers(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    twilio.text(DESCRIPTION)
    report = the_report()
    dispatched_and_answered(world, report)
    number = report.tracking_number
    assert (
        twilio.text(f"NO {number}")
        == f"Tell us why it is not solved: send NO {number} and the reason."
    )
    assert twilio.text(f"TIDAK {number} lubangnya masih ada") == ""
    assert (
        sent_to(transport, PHONE)[-1]
        == f"Report {number} is open again. The agency must answer anew."
    )
    report = the_report()
    assert (report.state, report.reopen_count) == (State.IN_PROGRESS, 1)
    assert ("in", f"TIDAK {number} lubangnya masih ada") in messages(report)


def test_bare_yes_and_no_work_when_one_answer_waits(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    assert twilio.text("YES") == (
        "None of your reports is waiting for your reply. Send STATUS and a number to follow one."
    )
    twilio.text(DESCRIPTION)
    first = the_report()
    dispatched_and_answered(world, first)
    assert twilio.text("no, the hole is still there") == ""
    assert the_report().state is State.IN_PROGRESS
    actions.respond(
        first.id, actions.actor_for(world.officer), text="Ditambal ulang.", outcome=Outcome.RESOLVED
    )

    twilio.text("Saluran air tersumbat di gang tiga dekat pasar")
    second = the_report()
    dispatched_and_answered(world, second)
    # Two answers wait: a bare YES must name one.
    assert twilio.text("YES") == "Send YES and the number of the report you accept."
    assert twilio.text(f"YES {first.tracking_number} 3").startswith("Thank you for your rating.")
    assert twilio.text("yes 5").startswith("Thank you for your rating.")
    db.session.refresh(second)
    assert second.state is State.CLOSED


def test_info_answers_a_request_for_information(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    twilio.text(DESCRIPTION)
    report = the_report()
    number = report.tracking_number
    actions.defer(report.id, actions.actor_for(world.verifier), question="Di RT dan RW berapa?")
    assert twilio.text(f"STATUS {number}") == (
        f"Report {number} waits for your answer: Di RT dan RW berapa? "
        f"Reply INFO {number} and your answer."
    )
    assert twilio.text(f"INFO {number}") == f"Send INFO {number} followed by your answer."
    assert twilio.text(f"info {number} RT 03 RW 05") == (
        f"Thank you. Your information was added to report {number}."
    )
    report = the_report()
    assert report.state is State.SUBMITTED
    assert twilio.text(f"INFO {number} lagi") == (
        f"Report {number} is not waiting for information. "
        f"Send STATUS {number} to see where it stands."
    )
    # Without a number, INFO goes to the one report that waits for information.
    actions.defer(report.id, actions.actor_for(world.verifier), question="Ada fotonya?")
    assert (
        twilio.text("INFO tidak ada foto, maaf")
        == f"Thank you. Your information was added to report {number}."
    )


def test_the_rating_goes_to_the_most_recently_closed_unrated_report(
    app: Flask, world, twilio: Twilio, transport, moved_clock
) -> None:
    older = file_report(
        description=DESCRIPTION, channel=Channel.SMS, language="en", phone=PHONE
    ).report
    newer = file_report(
        description=DESCRIPTION + " lagi", channel=Channel.SMS, language="en", phone=PHONE
    ).report
    for report in (older, newer):
        dispatched_and_answered(world, report)
    twilio.text(f"YES {older.tracking_number}")
    moved_clock.advance(hours=1)
    twilio.text(f"YES {newer.tracking_number}")
    assert twilio.text("2 not great") == f"Thank you for rating report {newer.tracking_number}."
    assert twilio.text("3") == f"Thank you for rating report {older.tracking_number}."
    assert twilio.text("9") == "No report is waiting for your rating. Send HELP for help."


def test_no_rating_after_the_window(
    app: Flask, world, twilio: Twilio, transport, moved_clock
) -> None:
    twilio.text(DESCRIPTION)
    report = the_report()
    dispatched_and_answered(world, report)
    twilio.text(f"YES {report.tracking_number}")
    moved_clock.advance(days=31)
    assert twilio.text("5") == "No report is waiting for your rating. Send HELP for help."
    # With nothing to rate, a message that starts with a digit is a report.
    assert twilio.text("2 rumah kebanjiran di RT 05") == ""
    assert the_report().description == "2 rumah kebanjiran di RT 05"


def test_an_anonymous_reporters_number_never_reaches_the_trail(
    app: Flask, world, twilio: Twilio, transport
) -> None:
    filed = file_report(
        description=DESCRIPTION, channel=Channel.SMS, language="en", phone=PHONE, anonymous=True
    )
    number = filed.report.tracking_number
    dispatched_and_answered(world, filed.report)
    twilio.text(f"STATUS {number}")
    twilio.text(f"NO {number} still broken")
    twilio.text(f"STATUS {number}", sender=OTHER_PHONE)  # a stranger's question is not on the trail
    events = trail(filed.report)
    assert sum(e.action is Action.MESSAGE_IN for e in events) == 2
    national = PHONE.removeprefix("+62")
    for event in events:
        blob = f"{event.public_text} {event.internal_text} {event.data}"
        assert national not in blob and "+62" not in blob
