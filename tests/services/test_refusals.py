"""Through the services: every action a role may not take now is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Notification, Report, ReportEvent
from grievance.services import actions
from grievance.services.errors import ServiceError
from grievance.services.reports import ReporterAccess, file_report
from workflows.states import Channel, Outcome, State


def report_in(state: State, world: Any) -> Report:
    """File a report and walk it into a state through the services."""
    report = file_report(
        description="Lampu jalan mati sejak seminggu di Jalan Merdeka.",
        channel=Channel.SMS,
        language="id",
        phone="+6281234500001",
        region_code="32.73",
    ).report
    verifier = actions.actor_for(world.verifier)
    officer = actions.actor_for(world.officer)
    access = ReporterAccess(report.id)
    if state is State.SUBMITTED:
        return report
    if state is State.ARCHIVED:
        return actions.archive(report.id, verifier, reason="incomplete")
    if state is State.DEFERRED:
        return actions.defer(report.id, verifier, question="Di mana tepatnya?")
    actions.dispatch(report.id, verifier, agency_id=world.city.id, category_id=world.roads.id)
    if state is State.DISPATCHED:
        return report
    actions.post_update(report.id, officer, text="Sedang dicek")
    if state is State.IN_PROGRESS:
        return report
    actions.respond(report.id, officer, text="Sudah diganti", outcome=Outcome.RESOLVED)
    if state is State.RESPONDED:
        return report
    return actions.accept(access, score=5)


def attempts(world: Any, report: Report) -> dict[str, Callable[[], object]]:
    """Every service action, each with valid-looking inputs, by the role that tries it."""
    access = ReporterAccess(report.id)
    act = actions.actor_for
    v, c, o = act(world.verifier), act(world.coordinator), act(world.officer)
    oc, oo = act(world.other_coordinator), act(world.other_officer)
    ov, ad = act(world.oversight), act(world.admin)
    rid = report.id
    tries: dict[str, Callable[[], object]] = {}
    for label, actor in {
        "verifier": v,
        "coordinator": c,
        "officer": o,
        "other_coordinator": oc,
        "other_officer": oo,
        "oversight": ov,
        "admin": ad,
    }.items():
        tries |= {
            f"{label}:dispatch": lambda a=actor: actions.dispatch(rid, a, agency_id=world.city.id),
            f"{label}:defer": lambda a=actor: actions.defer(rid, a, question="Apa?"),
            f"{label}:archive": lambda a=actor: actions.archive(rid, a, reason="incomplete"),
            f"{label}:forward": lambda a=actor: actions.forward(
                rid, a, agency_id=world.province.id
            ),
            f"{label}:return": lambda a=actor: actions.return_report(rid, a, reason="bukan kami"),
            f"{label}:post_update": lambda a=actor: actions.post_update(rid, a, text="update"),
            f"{label}:request_information": lambda a=actor: actions.request_information(
                rid, a, question="?"
            ),
            f"{label}:respond": lambda a=actor: actions.respond(
                rid, a, text="ok", outcome="resolved"
            ),
            f"{label}:escalate": lambda a=actor: actions.escalate(rid, a),
            f"{label}:note": lambda a=actor: actions.note(rid, a, text="catatan"),
        }
    tries |= {
        "reporter:add_information": lambda: actions.add_information(access, text="info"),
        "reporter:accept": lambda: actions.accept(access, score=4),
        "reporter:dispute": lambda: actions.dispute(access, reason="belum"),
        "reporter:rate": lambda: actions.rate(access, score=3),
        "reporter:appeal": lambda: actions.appeal(access, reason="tidak puas"),
    }
    return tries


# What WORKFLOW.md allows from each state, by the actors of the small world (city's staff).
ALLOWED = {
    State.SUBMITTED: {
        "verifier:dispatch",
        "verifier:defer",
        "verifier:archive",
        "oversight:escalate",
        "verifier:note",
    },
    State.DEFERRED: {"reporter:add_information", "verifier:note"},
    State.DISPATCHED: {
        "coordinator:forward",
        "coordinator:return",
        "officer:post_update",
        "officer:request_information",
        "oversight:escalate",
        "verifier:note",
        "coordinator:note",
        "officer:note",
    },
    State.IN_PROGRESS: {
        "officer:post_update",
        "officer:request_information",
        "officer:respond",
        "oversight:escalate",
        "verifier:note",
        "coordinator:note",
        "officer:note",
    },
    State.RESPONDED: {
        "reporter:accept",
        "reporter:dispute",
        "verifier:note",
        "coordinator:note",
        "officer:note",
    },
    State.CLOSED: {
        "verifier:note",
        "coordinator:note",
        "officer:note",
    },  # rated 5: no rate, no appeal
    State.ARCHIVED: {"verifier:note"},
}


def fingerprint(report: Report) -> tuple[Any, ...]:
    db.session.expire_all()
    fresh = db.session.get(Report, report.id)
    events = db.session.scalar(
        select(func.count()).select_from(ReportEvent).where(ReportEvent.report_id == report.id)
    )
    outbox = db.session.scalar(select(func.count()).select_from(Notification))
    return (fresh.version, fresh.state, fresh.agency_id, fresh.due_at, events, outbox)


@pytest.mark.parametrize("state", list(State))
def test_refused_actions_change_nothing(state: State, world: Any, moved_clock: Any) -> None:
    report = report_in(state, world)
    for name, attempt in attempts(world, report).items():
        if name in ALLOWED[state]:
            continue
        before = fingerprint(report)
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.message, name
        assert fingerprint(report) == before, name


@pytest.mark.parametrize("state", list(State))
def test_allowed_actions_succeed(state: State, world: Any, moved_clock: Any) -> None:
    for name in sorted(ALLOWED[state]):
        report = report_in(state, world)
        before = report.version
        attempts(world, report)[name]()
        assert db.session.get(Report, report.id).version > before, name
