"""The tamper-evident audit trail: append-only events, hash-chained per report.

Each event stores the SHA-256 of its canonical form, which includes the hash of the event before
it, so editing or removing any event breaks every hash after it. `verify` recomputes the chains.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from grievance.extensions import db
from grievance.models import Report, ReportEvent
from grievance.services.errors import N_
from grievance.stats import rollups

GENESIS_HASH = "0" * 64
# One encoder for every event: json.dumps with options builds a new one per call.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_PLAIN = (str, int, float, bool, type(None))


def normalize_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return event data as plain JSON values (what the database will hand back)."""
    # The sweep hashes events by the hundred thousand: flat data of scalars skips the round trip.
    if all(type(value) in _PLAIN or isinstance(value, Enum) for value in data.values()):
        return {k: v.value if isinstance(v, Enum) else v for k, v in data.items()}
    return json.loads(json.dumps(dict(data), default=str, sort_keys=True))


def canonical(fields: Mapping[str, Any]) -> bytes:
    """Return the canonical bytes hashed for an event."""
    created: datetime = fields["created_at"]
    body = {
        "report_id": fields["report_id"],
        "seq": fields["seq"],
        "action": str(fields["action"]),
        "actor_id": fields["actor_id"],
        "actor_role": str(fields["actor_role"]),
        "from_state": str(fields["from_state"]) if fields["from_state"] is not None else None,
        "to_state": str(fields["to_state"]) if fields["to_state"] is not None else None,
        "public_text": fields["public_text"],
        "internal_text": fields["internal_text"],
        "data": fields["data"],
        "created_at": created.astimezone(UTC).isoformat(timespec="microseconds"),
        "prev_hash": fields["prev_hash"],
    }
    return _CANONICAL_JSON.encode(body).encode()


def event_hash(fields: Mapping[str, Any]) -> str:
    """Return the hash of an event's canonical form."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def chain_fields(report_id: int, seq: int, prev_hash: str, **fields: Any) -> dict[str, Any]:
    """Return the column values of the next event in a chain, its hash included."""
    values: dict[str, Any] = {
        "report_id": report_id,
        "seq": seq,
        "prev_hash": prev_hash,
        "actor_id": fields.get("actor_id"),
        "actor_role": fields["actor_role"],
        "action": fields["action"],
        "from_state": fields.get("from_state"),
        "to_state": fields.get("to_state"),
        "public_text": fields.get("public_text"),
        "internal_text": fields.get("internal_text"),
        "data": normalize_data(fields.get("data") or {}),
        # Stored to the microsecond by both databases, so the hash survives the round trip.
        "created_at": fields["created_at"],
    }
    values["hash"] = event_hash(values)
    return values


def append(report: Report, **fields: Any) -> ReportEvent:
    """Append an event to a report's chain (in the caller's transaction)."""
    values = chain_fields(report.id, report.last_event_seq + 1, report.last_event_hash, **fields)
    entry = ReportEvent(**values)
    db.session.add(entry)
    rollups.on_events(db.session(), [values])  # statistics follow in the same transaction
    report.last_event_seq = values["seq"]
    report.last_event_hash = values["hash"]
    return entry


@dataclass(frozen=True)
class BrokenLink:
    """Where a chain stops verifying."""

    report_id: int
    tracking_number: str
    seq: int
    event_id: int | None
    problem: str  # an untranslated msgid: show it with gettext


def _events_by_report(report_id: int | None) -> Iterator[ReportEvent]:
    query = select(ReportEvent).order_by(ReportEvent.report_id, ReportEvent.seq)
    if report_id is not None:
        query = query.where(ReportEvent.report_id == report_id)
    yield from db.session.scalars(query.execution_options(yield_per=2000))


def verify(report_id: int | None = None) -> list[BrokenLink]:
    """Check every chain (or one report's); return the first broken event of each bad chain."""
    tails = {
        r.id: (r.tracking_number, r.last_event_seq, r.last_event_hash)
        for r in db.session.execute(
            select(
                Report.id, Report.tracking_number, Report.last_event_seq, Report.last_event_hash
            ).where(Report.id == report_id if report_id is not None else True)
        )
    }
    broken: dict[int, BrokenLink] = {}
    state: dict[int, tuple[int, str]] = {}  # report id -> (last seq, last hash) seen
    for entry in _events_by_report(report_id):
        if entry.report_id in broken:
            continue
        seq, prev = state.get(entry.report_id, (0, GENESIS_HASH))
        number = tails.get(entry.report_id, ("?", 0, ""))[0]
        problem = None
        if entry.seq != seq + 1:
            problem = N_("an event before it is missing")
        elif entry.prev_hash != prev:
            problem = N_("it does not link to the event before it")
        elif event_hash({c: getattr(entry, c) for c in _HASHED}) != entry.hash:
            problem = N_("its content was changed after it was written")
        if problem is not None:
            broken[entry.report_id] = BrokenLink(
                entry.report_id, number, entry.seq, entry.id, problem
            )
            continue
        state[entry.report_id] = (entry.seq, entry.hash)
    for rid, (number, last_seq, last_hash) in tails.items():
        if rid in broken:
            continue
        seen = state.get(rid, (0, GENESIS_HASH))
        if seen != (last_seq, last_hash):
            broken[rid] = BrokenLink(
                rid, number, seen[0] + 1, None, N_("events at the end of the chain were removed")
            )
    return sorted(broken.values(), key=lambda b: b.report_id)


_HASHED = (
    "report_id",
    "seq",
    "action",
    "actor_id",
    "actor_role",
    "from_state",
    "to_state",
    "public_text",
    "internal_text",
    "data",
    "created_at",
    "prev_hash",
)


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _context: object, _instances: object) -> None:
    """Keep events append-only at the ORM level: updates and deletes are bugs."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ReportEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("report events are append-only")
