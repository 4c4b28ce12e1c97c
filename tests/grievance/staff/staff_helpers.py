"""Helpers of the staff page tests: reports in the states the pages deal with."""

from __future__ import annotations

import re
from typing import Any

from grievance.extensions import db
from grievance.models import Report
from grievance.services import actions
from grievance.services.reports import file_report
from workflows.states import Channel, Outcome

REPORTER_NAME = "Siti Rahmawati Kusuma"
REPORTER_PHONE = "+6281234567890"
REPORTER_EMAIL = "siti.kusuma@example.org"


def file(**extra: Any) -> Report:
    """File a report on roads in Kota Bandung with a named reporter."""
    values: dict[str, Any] = {
        "description": "Jalan berlubang di depan sekolah, berbahaya untuk anak-anak.",
        "channel": Channel.WEB,
        "language": "id",
        "region_code": "32.73",
        "category_code": "roads",
        "name": REPORTER_NAME,
        "phone": REPORTER_PHONE,
        "email": REPORTER_EMAIL,
    }
    values.update(extra)
    return file_report(**values).report


def dispatched(world: Any, agency: Any = None, **extra: Any) -> Report:
    """File a report and dispatch it to an agency (the city by default)."""
    report = file(**extra)
    verifier = actions.actor_for(world.verifier)
    actions.dispatch(report.id, verifier, agency_id=(agency or world.city).id)
    return report


def in_progress(world: Any, agency: Any = None, **extra: Any) -> Report:
    """Return a dispatched report with a first public update."""
    agency = agency or world.city
    report = dispatched(world, agency, **extra)
    officer = world.officer if agency is world.city else world.other_officer
    actions.post_update(report.id, actions.actor_for(officer), text="Tim sudah ke lokasi.")
    return report


def responded(world: Any, agency: Any = None, **extra: Any) -> Report:
    """Return a report whose resolution was posted."""
    agency = agency or world.city
    report = in_progress(world, agency, **extra)
    officer = world.officer if agency is world.city else world.other_officer
    actions.respond(
        report.id,
        actions.actor_for(officer),
        text="Jalan sudah ditambal.",
        outcome=Outcome.RESOLVED,
    )
    return report


def forms_on(page: str, report_id: int) -> set[str]:
    """Return the names of the action forms a report page offers."""
    found = set(re.findall(rf'action="/staff/reports/{report_id}/([a-z_]+)"', page))
    return found


def reload(report: Report) -> Report:
    """Return the report as the database has it now."""
    db.session.expire_all()
    fresh = db.session.get(Report, report.id)
    assert fresh is not None
    return fresh
