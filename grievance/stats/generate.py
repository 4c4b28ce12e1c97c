"""Generate large, realistic datasets: reports with coherent states, clocks, events and ratings.

Every report lives its life through the workflow itself (`workflows.transitions.decide`), on
the national working calendar, exactly as the services would play it: the verifier screens it,
the agency follows up and answers, the reporter accepts, disputes, rates or appeals, and the
sweep's time-caused actions (reminders, escalations, timeouts, breaches) happen at their
instants. Each step writes the event the services would write, hash-chained with
`grievance.services.audit.chain_fields`, so `grievance audit verify` passes. Lives are cut at
"now": recent reports stay open with running clocks, and the sweep's actions of the last
``unswept_hours`` are left undone, so a sweep run afterwards has real work.

Reports are simulated in worker processes (pure Python, no database) and loaded in chunks with
PostgreSQL COPY (executemany on SQLite). A report's randomness depends only on the seed and its
position, so a run is reproducible whatever the number of workers.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grievance.clock import utcnow
from grievance.models import (
    Agency,
    Calendar,
    Category,
    Contact,
    Rating,
    Region,
    Report,
    ReportEvent,
    SlaBreach,
    agency_regions,
)
from grievance.services.audit import GENESIS_HASH, chain_fields
from grievance.services.policy import load_policy
from grievance.stats.fastcalendar import IndexedCalendar
from grievance.stats.rebuild import bulk_insert
from grievance.tracking import damm_digit
from workflows.calendar import WorkingCalendar
from workflows.sla import SlaPolicy
from workflows.states import (
    OPEN_STATES,
    Action,
    AgencyLevel,
    Channel,
    Classification,
    Clock,
    Outcome,
    Role,
    State,
    Tier,
)
from workflows.transitions import (
    REPORTER,
    SYSTEM,
    Actor,
    Context,
    Decision,
    Snapshot,
    decide,
    submit,
)

CHUNK = 2000
_DAY = timedelta(days=1)
PROVINCES = (
    ("11", "Aceh"), ("12", "Sumatera Utara"), ("13", "Sumatera Barat"), ("14", "Riau"),
    ("15", "Jambi"), ("16", "Sumatera Selatan"), ("17", "Bengkulu"), ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"), ("21", "Kepulauan Riau"), ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"), ("33", "Jawa Tengah"), ("34", "DI Yogyakarta"), ("35", "Jawa Timur"),
    ("36", "Banten"), ("51", "Bali"), ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"), ("61", "Kalimantan Barat"), ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"), ("64", "Kalimantan Timur"), ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"), ("72", "Sulawesi Tengah"), ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"), ("75", "Gorontalo"), ("76", "Sulawesi Barat"), ("81", "Maluku"),
    ("82", "Maluku Utara"), ("91", "Papua"), ("92", "Papua Barat"), ("93", "Papua Selatan"),
    ("94", "Papua Tengah"), ("95", "Papua Pegunungan"), ("96", "Papua Barat Daya"),
)
REGENCIES_PER_PROVINCE = 12
# code, Indonesian name, English name, tier, weight, share handled at province / national level
CATEGORIES = (
    ("gen-jalan", "Jalan rusak", "Damaged roads", Tier.STANDARD, 18, 0.25, 0.05),
    ("gen-air", "Air bersih", "Clean water", Tier.NORMATIVE, 12, 0.15, 0.0),
    ("gen-sampah", "Sampah", "Rubbish collection", Tier.MINOR, 12, 0.0, 0.0),
    ("gen-listrik", "Penerangan jalan", "Street lighting", Tier.MINOR, 8, 0.1, 0.0),
    ("gen-kesehatan", "Layanan kesehatan", "Health services", Tier.STANDARD, 9, 0.2, 0.05),
    ("gen-pendidikan", "Pendidikan", "Schools", Tier.STANDARD, 7, 0.25, 0.05),
    ("gen-adminduk", "Administrasi kependudukan", "Civil registration", Tier.NORMATIVE, 10, 0.0,
     0.05),
    ("gen-bansos", "Bantuan sosial", "Social assistance", Tier.STANDARD, 9, 0.2, 0.15),
    ("gen-perizinan", "Perizinan", "Permits", Tier.NORMATIVE, 5, 0.3, 0.1),
    ("gen-lingkungan", "Lingkungan hidup", "Environment", Tier.INVESTIGATION, 4, 0.3, 0.1),
    ("gen-pungli", "Pungutan liar", "Illegal levies", Tier.INVESTIGATION, 3, 0.3, 0.3),
    ("gen-transportasi", "Transportasi umum", "Public transport", Tier.STANDARD, 3, 0.4, 0.1),
)
CHANNELS = ((Channel.WEB, 45), (Channel.SMS, 30), (Channel.USSD, 12), (Channel.API, 8),
            (Channel.OPEN311, 5))
CLASSIFICATIONS = ((Classification.COMPLAINT, 80), (Classification.ASPIRATION, 12),
                   (Classification.INFORMATION_REQUEST, 8))
NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Wayan", "Made", "Yusuf", "Nur", "Andi",
         "Putri", "Rudi", "Ayu", "Joko", "Lina", "Hendra")
PLACES = ("di depan sekolah", "dekat pasar", "di jalan utama", "di gang RT 03",
          "di samping puskesmas", "dekat kantor kelurahan", "di perempatan",
          "di kompleks perumahan")


# --- the world ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldSpec:
    """What a simulation needs to know of the world, picklable for worker processes."""

    # region code, region name, regency agency, province agency
    regencies: tuple[tuple[str, str, int, int], ...]
    units: dict[int, tuple[int, ...]]  # regency agency -> its units
    parents: dict[int, int | None]  # agency -> parent
    siblings: dict[int, tuple[int, ...]]  # province agency -> its regency agencies
    national: int
    # id, tier, weight, share sent to the province, share sent to the national agency
    categories: tuple[tuple[int, Tier, int, float, float], ...]
    calendar: tuple[str, tuple[int, ...], str | None, str | None, tuple[Any, ...]]
    policy: dict[str, Any]
    speed: dict[int, float] = field(default_factory=dict)  # agency -> how slow it is (1: typical)


def ensure_world(session: Session) -> WorldSpec:
    """Create (once) the generated regions, agencies and categories, and describe them."""
    national_calendar = session.scalar(select(Calendar).where(Calendar.name == "national"))
    if national_calendar is None:
        national_calendar = Calendar(name="national", timezone="Asia/Jakarta", holiday_country="ID")
        session.add(national_calendar)
    regions = {region.code: region for region in session.scalars(select(Region))}
    agencies = {agency.code: agency for agency in session.scalars(select(Agency))}

    def region(code: str, name: str, level: AgencyLevel, parent: str | None) -> Region:
        if code not in regions:
            regions[code] = Region(code=code, name=name, level=level, parent_code=parent)
            session.add(regions[code])
        return regions[code]

    def agency(code: str, name: str, level: AgencyLevel, parent: Agency | None,
               area: Region | None = None) -> Agency:
        if code not in agencies:
            agencies[code] = Agency(code=code, name=name, level=level, parent=parent)
            if parent is None:
                agencies[code].calendar = national_calendar
            if area is not None:
                agencies[code].regions.append(area)
            session.add(agencies[code])
        return agencies[code]

    national = agency("GEN-NAT", "Kementerian Dalam Negeri", AgencyLevel.NATIONAL, None)
    layout: list[tuple[Region, Agency, Agency, list[Agency]]] = []
    for code, name in PROVINCES:
        province_region = region(code, name, AgencyLevel.PROVINCE, None)
        province = agency(f"GEN-P{code}", f"Pemerintah Provinsi {name}", AgencyLevel.PROVINCE,
                          national, province_region)
        for number in range(1, REGENCIES_PER_PROVINCE + 1):
            kind = "Kota" if number > REGENCIES_PER_PROVINCE - 3 else "Kabupaten"
            regency_name = f"{kind} {name} {number:02d}"
            area = region(f"{code}.{number:02d}", regency_name, AgencyLevel.REGENCY, code)
            regency = agency(f"GEN-R{code}.{number:02d}", f"Pemerintah {regency_name}",
                             AgencyLevel.REGENCY, province, area)
            units = [
                agency(f"GEN-U{code}.{number:02d}-{suffix}", f"{title} {regency_name}",
                       AgencyLevel.UNIT, regency)
                for suffix, title in (("PU", "Dinas Pekerjaan Umum"), ("KES", "Dinas Kesehatan"))
            ]
            layout.append((area, regency, province, units))
    categories = {category.code: category for category in session.scalars(select(Category))}
    for position, (code, name_id, name_en, tier, *_rest) in enumerate(CATEGORIES):
        if code not in categories:
            categories[code] = Category(code=code, names={"id": name_id, "en": name_en},
                                        tier=tier, position=100 + position)
            session.add(categories[code])
    session.flush()
    speed_rng = random.Random(7)  # noqa: S311 - test data needs no secrecy
    speed = {a.id: math.exp(speed_rng.gauss(0, 0.45)) for a in agencies.values()}
    siblings: dict[int, list[int]] = {}
    for _area, regency, province, _units in layout:
        siblings.setdefault(province.id, []).append(regency.id)
    closures = tuple(sorted(c.day for c in national_calendar.closures))
    return WorldSpec(
        regencies=tuple((area.code, area.name, regency.id, province.id)
                        for area, regency, province, _units in layout),
        units={regency.id: tuple(unit.id for unit in units) for _a, regency, _p, units in layout},
        parents={a.id: a.parent_id for a in agencies.values()},
        siblings={key: tuple(value) for key, value in siblings.items()},
        national=national.id,
        categories=tuple(
            (categories[code].id, categories[code].tier, weight, province_share, national_share)
            for code, _n, _e, _t, weight, province_share, national_share in CATEGORIES
        ),
        calendar=(
            national_calendar.timezone,
            tuple(int(d) for d in national_calendar.weekdays.split(",") if d.strip()),
            national_calendar.holiday_country,
            national_calendar.holiday_subdiv,
            closures,
        ),
        policy=_policy_values(load_policy()),
        speed=speed,
    )


def _policy_values(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "verification_days": policy.verification_days,
        "follow_up_days": policy.follow_up_days,
        "tier_days": dict(policy.tier_days),
        "reply_window_days": policy.reply_window_days,
        "deferral_window_days": policy.deferral_window_days,
        "rating_window_days": policy.rating_window_days,
        "appeal_window_days": policy.appeal_window_days,
        "reminder_before_days": policy.reminder_before_days,
        "level2_factor": policy.level2_factor,
    }


# --- one report's life -------------------------------------------------------------------------

REPORT_COLUMNS = tuple(column.name for column in Report.__table__.columns)
EVENT_COLUMNS = tuple(c.name for c in ReportEvent.__table__.columns if c.name != "id")
RATING_COLUMNS = ("report_id", "cycle", "score", "comment", "created_at")
BREACH_COLUMNS = ("report_id", "agency_id", "clock", "due_at", "breached_at", "level", "ended_at")
CONTACT_COLUMNS = ("id", "phone", "email", "name", "language", "opted_out", "created_at")
VERIFIER = Actor(Role.VERIFIER)


@dataclass
class Rows:
    """The rows of a chunk of reports, table by table (tuples, or COPY text for PostgreSQL)."""

    contacts: list[Any] = field(default_factory=list)
    reports: list[Any] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    ratings: list[Any] = field(default_factory=list)
    breaches: list[Any] = field(default_factory=list)

    def as_copy_text(self) -> Rows:
        """Return the rows as COPY text lines, formatted here (in the worker) not by the loader."""
        return Rows(*([_copy_line(row) for row in table] for table in (
            self.contacts, self.reports, self.events, self.ratings, self.breaches,
        )))


_JSON_TEXT = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _escape(text: str) -> str:
    # Most values hold none of these: four C-speed scans beat a translation table.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


_FORMATS: dict[type, Callable[[Any], str]] = {
    str: _escape,
    bool: lambda value: "t" if value else "f",
    int: str,
    datetime: datetime.isoformat,
    timedelta: lambda value: (
        f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    ),
    dict: lambda value: _escape(_JSON_TEXT.encode(value)),
}


def _copy_value(value: Any) -> str:
    """Format one value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    form = _FORMATS.get(type(value))
    if form is not None:
        return form(value)
    if isinstance(value, Enum):
        return _escape(str(value.value))
    return _escape(str(value))


def _copy_line(row: Sequence[Any]) -> str:
    return "\t".join([_copy_value(value) for value in row]) + "\n"


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive reports to simulate."""

    first_index: int  # position of the first report in the whole run
    count: int
    first_report_id: int
    first_contact_id: int
    phone_base: int
    copy_text: bool
    seed: int
    start: datetime
    now: datetime
    sweep_until: datetime


_SPEC: WorldSpec | None = None
_SIMULATOR: Simulator | None = None


def _set_spec(spec: WorldSpec) -> None:
    global _SPEC, _SIMULATOR  # each worker process keeps the world it was given
    _SPEC, _SIMULATOR = spec, None


class Life:
    """One report's life, played through the workflow with its events and side rows."""

    def __init__(self, sim: Simulator, report_id: int, rng: random.Random) -> None:
        self.sim, self.rng, self.id = sim, rng, report_id
        self.cols: dict[str, Any] = {}
        self.events: list[tuple[Any, ...]] = []
        self.ratings: list[tuple[Any, ...]] = []
        self.breaches: list[list[Any]] = []
        self.seq, self.prev = 0, GENESIS_HASH
        self.tier = Tier.STANDARD
        self.rated_cycles: dict[int, int] = {}
        self.forwarded = self.assigned = self.returned = False
        self.screenings = 0

    def snapshot(self) -> Snapshot:
        """Return what the workflow reads, as `grievance.services.actions.snapshot` builds it."""
        c = self.cols
        cycle = int(c["appealed"])
        return Snapshot(
            state=c["state"], tier=self.tier, agency_id=c["agency_id"], officer_id=None,
            deferred_from=c["deferred_from"], outcome=c["outcome"], clock=c["clock"],
            due_at=c["due_at"], level2_at=c["level2_at"], escalation_level=c["escalation_level"],
            clock_started_at=c["clock_started_at"], clock_consumed=c["clock_consumed"],
            paused_clock=c["paused_clock"], paused_consumed=c["paused_consumed"],
            paused_level=c["paused_level"], first_update_at=c["first_update_at"],
            dispatched_at=c["dispatched_at"], closed_at=c["closed_at"],
            reopen_count=c["reopen_count"], appealed=c["appealed"],
            forward_count=c["forward_count"], rated=cycle in self.rated_cycles,
            rating_score=self.rated_cycles.get(cycle), anonymous=c["anonymous"],
        )

    def act(self, action: Action, actor: Actor, inputs: dict[str, Any], at: datetime) -> Decision:
        """Decide and apply one action at an instant, writing its event (and side rows)."""
        ctx = Context(now=at, calendar=self.sim.calendar, policy=self.sim.policy, in_scope=True)
        decision = decide(self.snapshot(), action, actor, inputs, ctx)
        changes = dict(decision.changes)
        if actor.role is Role.SYSTEM and decision.action is Action.ESCALATE:
            changes["remind_at"] = None
        person = actor.role is not Role.SYSTEM
        if person and "clock" in changes and changes["clock"] is not Clock.DEFERRAL:
            for breach in self.breaches:  # a person's action ends the breaches of the clock
                if breach[6] is None:
                    breach[6] = at
        if decision.action is Action.ESCALATE and actor.role is Role.SYSTEM:
            level = decision.data["level"]
            if level == 1 or self.cols["escalation_level"] == 0:
                self.breaches.append([self.id, self.cols["agency_id"], self.cols["clock"].value,
                                      self.cols["due_at"], at, level, None])
            else:
                for breach in self.breaches:
                    if breach[6] is None:
                        breach[5] = 2
        self.cols.update(changes)
        self.cols["updated_at"] = at
        if "category_id" in changes:
            self.tier = self.sim.tiers[changes["category_id"]]
        if decision.rating is not None:
            cycle = int(self.cols["appealed"])
            self.rated_cycles[cycle] = decision.rating[0]
            self.ratings.append((self.id, cycle, decision.rating[0], decision.rating[1], at))
        self._event(decision, actor, at)
        return decision

    def _event(self, decision: Decision, actor: Actor, at: datetime, data: Any = None) -> None:
        self.seq += 1
        values = chain_fields(
            self.id, self.seq, self.prev,
            actor_id=None, actor_role=actor.role, action=decision.action,
            from_state=decision.from_state, to_state=decision.to_state,
            public_text=decision.public_text, internal_text=decision.internal_text,
            data=decision.data if data is None else data, created_at=at,
        )
        self.prev = values["hash"]
        self.events.append(tuple(values[name] for name in EVENT_COLUMNS))

    def system_actions_until(self, limit: datetime) -> None:
        """Take the sweep's actions whose instant comes before `limit`, in time order."""
        while True:
            step = self._next_system_step()
            if step is None or step[0] > limit:
                return
            at, action, inputs = step
            self.act(action, SYSTEM, inputs, at)

    def _next_system_step(self) -> tuple[datetime, Action, dict[str, Any]] | None:
        c = self.cols
        state, due, level = c["state"], c["due_at"], c["escalation_level"]
        steps: list[tuple[datetime, int, Action, dict[str, Any]]] = []
        if state in (State.DEFERRED, State.RESPONDED) and due is not None:
            steps.append((due, 0, Action.TIMEOUT, {}))
        if state in (State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS):
            if level == 0 and due is not None:
                steps.append((due, 1, Action.ESCALATE, {"level": 1}))
            if level in (0, 1) and c["level2_at"] is not None:
                steps.append((c["level2_at"], 2, Action.ESCALATE, {"level": 2}))
        remind = c["remind_at"]
        if state in OPEN_STATES and remind is not None and due is not None and remind < due:
            steps.append((remind, 3, Action.REMIND, {}))
        if not steps:
            return None
        at, _order, action, inputs = min(steps, key=lambda step: (step[0], step[1]))
        return at, action, inputs


class Simulator:
    """Plays reports' lives on one calendar and policy, in a world described by a WorldSpec."""

    def __init__(self, spec: WorldSpec, first: date, last: date) -> None:
        timezone, weekdays, country, subdiv, closures = spec.calendar
        self.spec = spec
        self.calendar = IndexedCalendar(
            WorkingCalendar(
                timezone=timezone, weekdays=frozenset(weekdays), country=country,
                subdiv=subdiv, closures=frozenset(closures),
            ),
            first,
            last,
        )
        values = dict(spec.policy)
        values["tier_days"] = {Tier(k): v for k, v in values["tier_days"].items()}
        self.policy = SlaPolicy(**values)
        self.tiers = {category_id: tier for category_id, tier, *_rest in spec.categories}
        self._category_weights = [weight for _i, _t, weight, _p, _n in spec.categories]

    def staff_time(self, rng: random.Random, start: datetime, median_days: float,
                   sigma: float = 0.9, agency_id: int | None = None) -> datetime:
        """Return when staff act: a log-normal number of working days after `start`.

        Each agency has its own pace (a log-normal factor on the median), so zones differ.
        """
        factor = self.spec.speed.get(agency_id, 1.0) if agency_id is not None else 1.0
        days = rng.lognormvariate(math.log(median_days * factor), sigma)
        return self.calendar.add_working_time(start, timedelta(days=min(days, 400)))

    def simulate(self, chunk: Chunk) -> Rows:
        """Simulate a chunk of reports and return their rows."""
        rows = Rows()
        contact_id = chunk.first_contact_id
        span = (chunk.now - chunk.start).total_seconds()
        for offset in range(chunk.count):
            index = chunk.first_index + offset
            rng = random.Random(chunk.seed * 1_000_003 + index)  # noqa: S311 - test data
            report_id = chunk.first_report_id + offset
            created = chunk.start + timedelta(seconds=rng.random() * span)
            created = created.replace(microsecond=rng.randrange(1_000_000))
            life = Life(self, report_id, rng)
            contact = None
            channel = _weighted(rng, CHANNELS)
            if channel in (Channel.SMS, Channel.USSD) or rng.random() < 0.3:
                contact = contact_id
                phone = f"+62813{chunk.phone_base + contact_id:08d}"
                name = rng.choice(NAMES)
                rows.contacts.append((contact_id, phone, None, name, "id", False, created))
                contact_id += 1
            self._live(life, chunk, created, channel, contact)
            rows.reports.append(tuple(_plain(life.cols[name]) for name in REPORT_COLUMNS))
            rows.events.extend(life.events)
            rows.ratings.extend(life.ratings)
            rows.breaches.extend(tuple(b) for b in life.breaches)
        return rows.as_copy_text() if chunk.copy_text else rows

    def _live(self, life: Life, chunk: Chunk, created: datetime, channel: Channel,
              contact_id: int | None) -> None:
        rng, spec = life.rng, self.spec
        region_code, region_name, regency, province = rng.choice(spec.regencies)
        category_id, tier, _w, province_share, national_share = rng.choices(
            spec.categories, weights=self._category_weights
        )[0]
        anonymous = rng.random() < 0.08
        confidential = rng.random() < 0.03
        number = (life.id * 7_919 + 12_345_679) % 900_000_000 + 100_000_000
        body = f"{number:09d}"
        ctx = Context(now=created, calendar=self.calendar, policy=self.policy)
        decision = submit(ctx)
        place = rng.choice(PLACES)
        life.cols = {
            "id": life.id, "tracking_number": body + damm_digit(body),
            "access_code_hash": hashlib.sha256(f"generated-{life.id}".encode()).hexdigest(),
            "classification": _weighted(rng, CLASSIFICATIONS), "category_id": category_id,
            "title": f"Keluhan {place}", "region_code": region_code,
            "description": f"Masalah layanan publik {place}, {region_name}. Mohon ditangani.",
            "address": None, "latitude": None, "longitude": None, "channel": channel,
            "language": "id", "contact_id": contact_id, "anonymous": anonymous,
            "confidential": confidential, "photo_path": None, "agency_id": None,
            "officer_id": None, "state": State.SUBMITTED, "outcome": None, "archive_reason": None,
            "duplicate_of_id": None, "deferred_from": None, "clock": None,
            "clock_started_at": None, "clock_consumed": timedelta(0), "due_at": None,
            "level2_at": None, "remind_at": None, "resolution_due_at": None,
            "escalation_level": 0, "paused_clock": None, "paused_consumed": None,
            "paused_level": 0, "reopen_count": 0, "appealed": False, "forward_count": 0,
            "created_at": created, "updated_at": created, "dispatched_at": None,
            "first_update_at": None, "responded_at": None, "closed_at": None,
            "last_event_seq": 0, "last_event_hash": GENESIS_HASH, "version": 1,
        }
        life.tier = tier
        life.cols.update(decision.changes)
        life._event(decision, REPORTER, created, data={
            "channel": channel, "anonymous": anonymous, "confidential": confidential,
        })
        target = regency
        roll = rng.random()
        if roll < national_share:
            target = spec.national
        elif roll < national_share + province_share:
            target = province
        at = created
        for _step in range(40):
            step = self._next_step(life, chunk, at, target)
            if step is None:
                break
            when, action, actor, inputs = step
            state = life.cols["state"]
            life.system_actions_until(min(when, chunk.sweep_until))
            if life.cols["state"] is not state:
                at = life.cols["updated_at"]  # a timeout came first: plan from where it stands
                continue
            if action is None or when > chunk.now:
                break
            life.act(action, actor, inputs, when)
            at = when
        life.system_actions_until(chunk.sweep_until)
        life.cols["last_event_seq"] = life.seq
        life.cols["last_event_hash"] = life.prev
        life.cols["version"] = life.seq

    def _next_step(
        self, life: Life, chunk: Chunk, at: datetime, target: int
    ) -> tuple[datetime, Action | None, Actor | None, dict[str, Any]] | None:
        """Return the next person's action planned for a report (None: its life is over)."""
        rng, c = life.rng, life.cols
        state, agency = c["state"], c["agency_id"]
        officer = Actor(Role.OFFICER, agency_id=agency)
        coordinator = Actor(Role.COORDINATOR, agency_id=agency)
        if state is State.SUBMITTED:
            life.screenings += 1
            when = self.staff_time(rng, at, 0.6, 1.0)
            roll = rng.random()
            if life.screenings == 1 and c["deferred_from"] is None and roll < 0.07:
                return when, Action.DEFER, VERIFIER, {"question": "Mohon lengkapi lokasinya."}
            if roll < 0.14 or life.screenings > 2:
                reason = rng.choice(("incomplete", "out_of_scope", "abusive"))
                return when, Action.ARCHIVE, VERIFIER, {"reason": reason}
            if roll < 0.17 and life.id > chunk.first_report_id:
                into = rng.randrange(chunk.first_report_id, life.id)
                return when, Action.MERGE, VERIFIER, {"into_report_id": into}
            category = c["category_id"]
            if rng.random() < 0.08:
                category = rng.choice(self.spec.categories)[0]  # the verifier re-classifies
            destination = target if not life.returned else self._elsewhere(rng, target)
            inputs = {"agency_id": destination, "category_id": category}
            return when, Action.DISPATCH, VERIFIER, inputs
        if state is State.DEFERRED:
            if rng.random() < 0.75:
                days = rng.lognormvariate(math.log(2.0), 1.0)
                when = self.calendar.add_working_time(at, timedelta(days=days))
                return when, Action.ADD_INFORMATION, REPORTER, {"text": "Di RT 03 RW 05."}
            return chunk.now + _DAY, None, None, {}  # no reply: the deferral times out
        if state is State.DISPATCHED:
            roll = rng.random()
            if not life.returned and not c["appealed"] and roll < 0.04:
                life.returned = True
                when = self.staff_time(rng, at, 1.0, 0.8, agency)
                return when, Action.RETURN, coordinator, {"reason": "Bukan kewenangan kami."}
            if not life.forwarded and roll < 0.11:
                life.forwarded = True
                to = self._forward_target(rng, agency)
                if to is not None:
                    when = self.staff_time(rng, at, 0.8, 0.8, agency)
                    inputs = {"agency_id": to, "reason": "Disposisi."}
                    return when, Action.FORWARD, coordinator, inputs
            units = self.spec.units.get(agency or 0, ())
            if not life.assigned and units and roll < 0.4:
                life.assigned = True
                when = self.staff_time(rng, at, 0.3, 0.8, agency)
                return when, Action.ASSIGN, coordinator, {"unit_id": rng.choice(units)}
            if roll > 0.97:
                when = self.staff_time(rng, at, 1.0, 0.8, agency)
                return when, Action.REQUEST_INFORMATION, officer, {"question": "Foto lokasinya?"}
            when = self.staff_time(rng, at, 1.5, 0.9, agency)
            return when, Action.POST_UPDATE, officer, {"text": "Laporan sedang ditindaklanjuti."}
        if state is State.IN_PROGRESS:
            if rng.random() < 0.03:
                when = self.staff_time(rng, at, 1.0, 0.8, agency)
                return when, Action.REQUEST_INFORMATION, officer, {"question": "Kapan terjadinya?"}
            limit = self.policy.tier_days[life.tier]
            when = self.staff_time(rng, at, 0.45 * limit, 0.8, agency)
            outcome = _weighted(rng, ((Outcome.RESOLVED, 70), (Outcome.INFO_PROVIDED, 14),
                                      (Outcome.NOT_RESOLVED, 11), (Outcome.NO_ACTION_NEEDED, 5)))
            return when, Action.RESPOND, officer, {"text": "Sudah ditangani.", "outcome": outcome}
        if state is State.RESPONDED:
            roll = rng.random()
            when = at + timedelta(days=rng.lognormvariate(math.log(2.0), 0.8))
            if roll < 0.1 and c["reopen_count"] < 2:
                return when, Action.DISPUTE, REPORTER, {"reason": "Masalahnya belum selesai."}
            if roll < 0.62:
                unhappy = c["outcome"] is Outcome.NOT_RESOLVED
                score = _score(rng, unhappy) if rng.random() < 0.6 else None
                return when, Action.ACCEPT, REPORTER, {"score": score}
            return chunk.now + _DAY, None, None, {}  # no reply: the reply window runs out
        if state is State.CLOSED:
            cycle = int(c["appealed"])
            score = life.rated_cycles.get(cycle)
            unhappy = c["outcome"] is Outcome.NOT_RESOLVED or (score is not None and score <= 2)
            # Ratings and appeals are accepted for 30 calendar days after closing.
            when = c["closed_at"] + timedelta(days=rng.uniform(0.5, 25))
            when = max(when, at + timedelta(hours=1))
            if when > c["closed_at"] + timedelta(days=self.policy.appeal_window_days - 1):
                return None
            if unhappy and not c["appealed"] and rng.random() < 0.35:
                parent = self.spec.parents.get(agency or 0)
                return when, Action.APPEAL, REPORTER, {"reason": "Tidak puas.",
                                                       "appeal_agency_id": parent}
            if score is None and rng.random() < 0.25:
                return when, Action.RATE, REPORTER, {"score": _score(rng, unhappy)}
            return None
        return None

    def _forward_target(self, rng: random.Random, agency: int | None) -> int | None:
        if agency is None:
            return None
        parent = self.spec.parents.get(agency)
        if parent is not None and rng.random() < 0.6:
            return parent
        peers = [a for a in self.spec.siblings.get(parent or 0, ()) if a != agency]
        return rng.choice(peers) if peers else parent

    def _elsewhere(self, rng: random.Random, target: int) -> int:
        parent = self.spec.parents.get(target)
        return parent if parent is not None else target


def _score(rng: random.Random, unhappy: bool) -> int:
    weights = (30, 25, 20, 15, 10) if unhappy else (4, 6, 15, 35, 40)
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in choices], weights=[w for _v, w in choices])[0]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _simulate_chunk(chunk: Chunk) -> Rows:
    global _SIMULATOR  # one per process: indexing the calendar once is enough
    assert _SPEC is not None  # noqa: S101 - set by the pool initializer
    if _SIMULATOR is None:
        first = (chunk.start - timedelta(days=30)).date()
        _SIMULATOR = Simulator(_SPEC, first, (chunk.now + timedelta(days=3 * 366)).date())
    return _SIMULATOR.simulate(chunk)


# --- loading -------------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    """How much was generated."""

    reports: int = 0
    events: int = 0
    ratings: int = 0
    breaches: int = 0
    contacts: int = 0


def _chunks(total: int, first_report: int, first_contact: int, phone_base: int,
            copy_text: bool, seed: int, start: datetime, now: datetime,
            sweep_until: datetime) -> Iterator[Chunk]:
    for first in range(0, total, CHUNK):
        count = min(CHUNK, total - first)
        # Each report uses at most one contact: a chunk's contact ids never overlap the next's.
        yield Chunk(first, count, first_report + first, first_contact + first, phone_base,
                    copy_text, seed, start, now, sweep_until)


def generate(
    session: Session,
    *,
    reports: int,
    months: int = 24,
    seed: int = 1,
    unswept_hours: float = 24.0,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> GenerateResult:
    """Generate `reports` reports over the last `months` months and load them; commit."""
    now = (now or utcnow()).astimezone(UTC)
    spec = ensure_world(session)
    session.commit()
    first_report = (session.scalar(select(func.max(Report.id))) or 0) + 1
    first_contact = (session.scalar(select(func.max(Contact.id))) or 0) + 1
    phone_base = _phone_base(session)
    start = now - timedelta(days=30.44 * months)
    sweep_until = now - timedelta(hours=unswept_hours)
    postgres = session.get_bind().dialect.name == "postgresql"
    chunks = list(_chunks(reports, first_report, first_contact, phone_base, postgres, seed,
                          start, now, sweep_until))
    result = GenerateResult()
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(chunks) <= 1:
        _set_spec(spec)
        for chunk in chunks:
            _load(session, _simulate_chunk(chunk), result, progress)
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_set_spec, initargs=(spec,)) as pool:
            for rows in pool.imap(_simulate_chunk, chunks):
                _load(session, rows, result, progress)
    _reset_sequences(session)
    session.commit()
    return result


def _phone_base(session: Session) -> int:
    # Generated numbers are +62813 followed by 8 digits; start after any made before.
    highest = session.scalar(
        select(func.max(Contact.phone)).where(Contact.phone.like("+62813________"))
    )
    return int(highest[6:]) + 1 if highest else 10_000_000


def _load(session: Session, rows: Rows, result: GenerateResult,
          progress: Callable[[int], None] | None) -> None:
    reports = _taken_numbers_fixed(session, rows.reports)
    for table, columns, block in (
        (Contact.__table__, CONTACT_COLUMNS, rows.contacts),
        (Report.__table__, REPORT_COLUMNS, reports),
        (ReportEvent.__table__, EVENT_COLUMNS, rows.events),
        (Rating.__table__, RATING_COLUMNS, rows.ratings),
        (SlaBreach.__table__, BREACH_COLUMNS, rows.breaches),
    ):
        if block and isinstance(block[0], str):
            copy_text(session, table, columns, block)
        else:
            bulk_insert(session, table, columns, block)
    session.commit()
    result.reports += len(rows.reports)
    result.events += len(rows.events)
    result.ratings += len(rows.ratings)
    result.breaches += len(rows.breaches)
    result.contacts += len(rows.contacts)
    if progress is not None:
        progress(len(rows.reports))


def copy_text(session: Session, table: sa.Table, columns: Sequence[str], lines: list[str]) -> None:
    """Load lines already in COPY text format into a PostgreSQL table."""
    from psycopg import sql

    raw = session.connection().connection.driver_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(lines), 5000):
            copy.write("".join(lines[start : start + 5000]))


def _taken_numbers_fixed(session: Session, reports: list[Any]) -> list[Any]:
    """Give a fresh tracking number to any generated report whose number is already taken."""
    at = REPORT_COLUMNS.index("tracking_number")
    text = bool(reports) and isinstance(reports[0], str)
    numbers = [(row.split("\t")[at] if text else row[at]) for row in reports]
    taken = set(session.scalars(
        select(Report.tracking_number).where(Report.tracking_number.in_(numbers))
    ))
    if not taken:
        return reports
    fixed, used = [], set(numbers)
    for row, number in zip(reports, numbers, strict=True):
        if number in taken:
            fresh, bump = number, 0
            while fresh in taken or fresh in used:
                bump += 1
                if bump > 50:
                    raise RuntimeError("could not find a free tracking number")
                body = f"{(int(number[:9]) + bump * 104_729) % 900_000_000 + 100_000_000:09d}"
                fresh = body + damm_digit(body)
            used.add(fresh)
            if text:
                fields = row.split("\t")
                fields[at] = fresh
                row = "\t".join(fields)
            else:
                row = (*row[:at], fresh, *row[at + 1 :])
        fixed.append(row)
    return fixed


def _reset_sequences(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("reports", "contacts"):
        session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        ))


__all__ = ["GenerateResult", "agency_regions", "ensure_world", "generate"]
