"""Turn a decision's notices into outbox rows, in each recipient's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from grievance import messages
from grievance.extensions import db
from grievance.models import Agency, Report, StaffUser
from grievance.notifications.outbox import queue_notification
from workflows.states import Channel, Role
from workflows.transitions import Notice


def reporter_route(
    channel: Channel | str, phone: str | None, email: str | None, opted_out: bool
) -> tuple[str, str] | None:
    """Return (channel, address) to reach a reporter: SMS for phones, else email; None if none.

    Reporters who came by SMS or USSD, or who left only a phone, are texted; an opted-out
    number is never texted.
    """
    if phone and (channel in (Channel.SMS, Channel.USSD) or not email):
        return None if opted_out else ("sms", phone)
    if email:
        return ("email", email)
    return None


def recipients(
    audience: str, agency: Agency | None, officer: StaffUser | None = None
) -> list[StaffUser]:
    """Return the staff members an audience names, for a report at this agency."""
    query = select(StaffUser).where(StaffUser.active.is_(True))
    if audience in ("verifiers", "oversight"):
        role = Role.VERIFIER if audience == "verifiers" else Role.OVERSIGHT
        return list(db.session.scalars(query.where(StaffUser.role == role)))
    if audience == "officer":
        return [officer] if officer is not None and officer.active else []
    if audience == "parent_agency":
        agency = agency.parent if agency is not None else None
    # The nearest agency up the hierarchy that has a coordinator receives it.
    for candidate in agency.ancestry() if agency is not None else []:
        coordinators = list(
            db.session.scalars(
                query.where(StaffUser.role == Role.COORDINATOR, StaffUser.agency_id == candidate.id)
            )
        )
        if coordinators:
            return coordinators
    return []


def send_notices(
    report: Report, notices: Iterable[Notice], extra: dict[str, Any] | None = None
) -> None:
    """Write an outbox row for every recipient of every notice (in the caller's transaction)."""
    base = {"number": report.tracking_number, **(extra or {})}
    for notice in notices:
        params = {**base, **notice.params}
        if notice.audience == "reporter":
            _to_reporter(report, notice.template, params)
        else:
            for user in recipients(notice.audience, report.agency, report.officer):
                queue_notification(
                    channel="email",
                    recipient=user.email,
                    template=notice.template,
                    language=user.language,
                    body=messages.render_staff(
                        notice.template, user.language, {"number": report.tracking_number}
                    ),
                    report_id=report.id,
                    staff_user_id=user.id,
                )


def _to_reporter(report: Report, template: str, params: dict[str, Any]) -> None:
    contact = report.contact
    if contact is None:
        return
    route = reporter_route(report.channel, contact.phone, contact.email, contact.opted_out)
    if route is None:
        return
    channel, address = route
    language = contact.language or report.language
    queue_notification(
        channel=channel,
        recipient=address,
        template=messages.reporter_template_key(template, params),
        language=language,
        body=messages.render_reporter(template, language, params),
        report_id=report.id,
        contact_id=contact.id,
    )
