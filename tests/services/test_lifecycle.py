"""Every path of the workflow end to end, through the services, with time moved not slept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Notification, Rating, Report, ReportEvent, SlaBreach
from grievance.services import actions, audit
from grievance.services.errors import Conflict, Forbidden, NotFound, ServiceError
from grievance.services.reports import file_report, reporter_by_code, reporter_by_phone
from grievance.services.sweep import run_sweep
from workflows.states import Action, ArchiveReason, Channel, Clock, Outcome, State


def file(phone: str | None = "+6281234567890", **extra):
    return file_report(
        description="Jalan berlubang di depan sekolah, berbahaya untuk anak-anak.",
        channel=extra.pop("channel", Channel.SMS),
        language="id",
        phone=phone,
        region_code="32.73",
        category_code="roads",
        **extra,
    )


def events_of(report: Report) -> list[Action]:
    rows = db.session.scalars(
        select(ReportEvent.action)
        .where(ReportEvent.report_id == report.id)
        .order_by(ReportEvent.seq)
    )
    return list(rows)


def test_happy_path_submitted_to_closed_and_rated(world, moved_clock):
    filed = file()
    report = filed.report
    assert report.state is State.SUBMITTED
    assert report.clock is Clock.VERIFICATION
    # Filed Monday 2 March 09:00 WIB: 3 working days later is Thursday 5 March 09:00 WIB.
    assert report.due_at == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)

    verifier = actions.actor_for(world.verifier)
    actions.dispatch(report.id, verifier, agency_id=world.city.id, category_id=world.roads.id)
    assert report.state is State.DISPATCHED and report.agency_id == world.city.id
    assert report.clock is Clock.FOLLOW_UP

    moved_clock.advance(days=1)
    coordinator = actions.actor_for(world.coordinator)
    actions.assign(report.id, coordinator, officer_id=world.officer.id)
    officer = actions.actor_for(world.officer)
    actions.post_update(report.id, officer, text="Tim sudah ke lokasi.")
    assert report.state is State.IN_PROGRESS and report.clock is Clock.RESOLUTION
    actions.respond(report.id, officer, text="Jalan sudah ditambal.", outcome=Outcome.RESOLVED)
    assert report.state is State.RESPONDED and report.clock is Clock.REPLY

    access = reporter_by_phone(report.tracking_number, "081234567890")
    actions.accept(access, score=5, comment="Terima kasih")
    assert report.state is State.CLOSED and report.outcome is Outcome.RESOLVED
    assert report.clock is None and report.due_at is None
    assert db.session.scalar(select(Rating.score).where(Rating.report_id == report.id)) == 5
    assert events_of(report) == [
        Action.SUBMIT,
        Action.DISPATCH,
        Action.ASSIGN,
        Action.POST_UPDATE,
        Action.RESPOND,
        Action.ACCEPT,
    ]
    assert audit.verify() == []
    texts = db.session.scalars(
        select(Notification.template).where(Notification.report_id == report.id)
    )
    assert {"submitted", "dispatched", "updated", "responded"} <= set(texts)


def test_access_code_proves_reportership(world, moved_clock):
    filed = file(phone=None, channel=Channel.WEB, email="warga@example.org")
    assert (
        reporter_by_code(filed.report.tracking_number, filed.access_code).report_id
        == filed.report.id
    )
    with pytest.raises(NotFound):
        reporter_by_code(filed.report.tracking_number, "wrong-code")
    with pytest.raises(NotFound):
        reporter_by_phone(filed.report.tracking_number, "+6281111111111")


def test_defer_pauses_and_resumes_where_it_stopped(world, moved_clock):
    report = file().report
    verifier = actions.actor_for(world.verifier)
    moved_clock.advance(days=1)  # Tuesday: one working day used of three
    actions.defer(report.id, verifier, question="Di RT/RW berapa?")
    assert report.state is State.DEFERRED and report.clock is Clock.DEFERRAL
    asked = db.session.scalar(
        select(Notification.body).where(
            Notification.report_id == report.id,
            Notification.template == "information_requested",
        )
    )
    assert "Di RT/RW berapa?" in asked  # the question itself reaches the reporter's phone
    moved_clock.set(datetime(2026, 3, 9, 2, 0, tzinfo=UTC))  # next Monday 09:00 WIB
    access = reporter_by_phone(report.tracking_number, "+6281234567890")
    actions.add_information(access, text="RT 03 RW 05")
    assert report.state is State.SUBMITTED and report.clock is Clock.VERIFICATION
    # Two working days were left: Monday 09:00 + 2 working days = Wednesday 11 March 09:00.
    assert report.due_at == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


def test_return_as_not_our_authority_and_forward_across_levels(world, moved_clock):
    report = file().report
    verifier = actions.actor_for(world.verifier)
    actions.dispatch(report.id, verifier, agency_id=world.city.id)
    coordinator = actions.actor_for(world.coordinator)
    actions.forward(report.id, coordinator, agency_id=world.province.id, reason="Jalan provinsi")
    assert report.agency_id == world.province.id and report.forward_count == 1
    with pytest.raises(Forbidden):  # no longer theirs
        actions.return_report(report.id, coordinator, reason="x")
    other = actions.actor_for(world.other_coordinator)
    with pytest.raises(Forbidden):
        actions.return_report(report.id, other, reason="bukan kami")
    actions.dispatch  # noqa: B018 - the verifier gets it back only through return
    from grievance.models import StaffUser
    from workflows.states import Role

    province_coordinator = StaffUser(
        email="jabar@example.org", name="J", role=Role.COORDINATOR, agency=world.province
    )
    province_coordinator.set_password("correct horse battery")
    db.session.add(province_coordinator)
    db.session.commit()
    actions.return_report(
        report.id, actions.actor_for(province_coordinator), reason="Bukan kewenangan kami"
    )
    assert report.state is State.SUBMITTED and report.agency_id is None
    assert report.clock is Clock.VERIFICATION


def test_dispute_reopens_and_appeal_goes_to_parent(world, moved_clock):
    report = file().report
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    officer = actions.actor_for(world.officer)
    actions.post_update(report.id, officer, text="Dicek")
    actions.respond(report.id, officer, text="Selesai", outcome=Outcome.RESOLVED)
    access = reporter_by_phone(report.tracking_number, "+6281234567890")
    actions.dispute(access, reason="Masih berlubang")
    assert report.state is State.IN_PROGRESS and report.reopen_count == 1
    assert report.outcome is None and report.clock is Clock.RESOLUTION
    actions.respond(report.id, officer, text="Tidak bisa diperbaiki", outcome=Outcome.NOT_RESOLVED)
    actions.accept(access, score=1)
    with pytest.raises(ServiceError):
        actions.rate(access, score=2)  # once
    actions.appeal(access, reason="Tidak puas")
    assert report.state is State.DISPATCHED and report.appealed
    assert report.agency_id == world.province.id
    with pytest.raises(ServiceError):
        actions.appeal(access, reason="lagi")


def test_archive_and_merge(world, moved_clock):
    verifier = actions.actor_for(world.verifier)
    first = file().report
    second = file().report
    actions.merge(second.id, verifier, into_tracking_number=first.tracking_number)
    assert second.state is State.ARCHIVED and second.archive_reason is ArchiveReason.DUPLICATE
    assert second.duplicate_of_id == first.id
    third = file().report
    actions.archive(third.id, verifier, reason="abusive")
    assert third.archive_reason is ArchiveReason.ABUSIVE
    with pytest.raises(ServiceError):
        actions.archive(third.id, verifier, reason="incomplete")  # already archived


def test_stale_version_is_a_conflict(world, moved_clock):
    report = file().report
    version = report.version
    actions.note(report.id, actions.actor_for(world.verifier), text="lihat")
    with pytest.raises(Conflict):
        actions.dispatch(
            report.id,
            actions.actor_for(world.verifier),
            agency_id=world.city.id,
            expected_version=version,
        )
    assert report.state is State.SUBMITTED


def test_sweep_escalates_times_out_and_is_idempotent(world, moved_clock):
    waiting = file().report  # verification clock: due Thursday
    responded = file().report
    officer = actions.actor_for(world.officer)
    actions.dispatch(responded.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    actions.post_update(responded.id, officer, text="Dicek")
    actions.respond(responded.id, officer, text="Beres", outcome=Outcome.RESOLVED)

    moved_clock.advance(days=4)  # Friday: verification breached, reply window still open
    first = run_sweep()
    assert first.counts["level 1 escalations"] == 1
    db.session.refresh(waiting)
    assert waiting.escalation_level == 1
    assert db.session.scalar(select(func.count()).select_from(SlaBreach)) == 1
    assert run_sweep().total == 0  # idempotent

    moved_clock.advance(days=30)
    later = run_sweep()
    db.session.refresh(waiting)
    db.session.refresh(responded)
    assert later.counts["level 2 escalations"] == 1 and waiting.escalation_level == 2
    assert later.counts["reply timeouts"] == 1
    assert responded.state is State.CLOSED and responded.outcome is Outcome.RESOLVED
    assert run_sweep().total == 0
    assert audit.verify() == []


def test_nul_characters_never_reach_the_database(world, moved_clock):
    filed = file_report(
        description="Lampu\x00 jalan mati di depan masjid.",
        title="Lampu\x00 mati",
        channel=Channel.WEB,
        language="id",
        name="Bu\x00di",
        email="budi@example.org",
    )
    report = filed.report
    assert "\x00" not in report.description + report.title + report.contact.name
    actions.note(report.id, actions.actor_for(world.verifier), text="cek\x00 lokasi")
    notes = db.session.scalars(
        select(ReportEvent.internal_text).where(ReportEvent.action == Action.NOTE)
    )
    assert list(notes) == ["cek lokasi"]


def test_dispatch_refuses_an_unknown_classification(world, moved_clock):
    from grievance.services.errors import Invalid

    report = file().report
    with pytest.raises(Invalid) as refused:
        actions.dispatch(
            report.id,
            actions.actor_for(world.verifier),
            agency_id=world.city.id,
            classification="rant",
        )
    assert refused.value.field == "classification"


def test_assigning_a_units_officer_moves_the_report_to_the_unit(world, moved_clock):
    report = file().report
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    actions.assign(
        report.id, actions.actor_for(world.coordinator), officer_id=world.unit_officer.id
    )
    assert report.agency_id == world.unit.id and report.officer_id == world.unit_officer.id
    actions.post_update(report.id, actions.actor_for(world.unit_officer), text="Kami tangani")
    assert report.state is State.IN_PROGRESS


def test_refusals_name_the_roles_in_the_readers_language(world, moved_clock, app):
    from flask_babel import force_locale, gettext

    report = file().report
    with pytest.raises(Forbidden) as refused:
        actions.dispatch(report.id, actions.actor_for(world.officer), agency_id=world.city.id)
    with force_locale("en"):
        assert (
            gettext(refused.value.message, **refused.value.params) == "Only a verifier may do this."
        )
