"""Administration: agencies, regions, categories and routing, staff users, the SLA policy,
working calendars and API clients. Each function validates, changes, commits.

A change to the SLA policy or a calendar moves the due times of open reports: the recompute
runs as a job after the commit, so a national-scale recompute never holds up the admin's page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import TypeVar

import holidays
from sqlalchemy import func, select

from grievance import jobs
from grievance.extensions import db
from grievance.models import (
    Agency,
    ApiClient,
    Calendar,
    CalendarClosure,
    Category,
    Region,
    RoutingRule,
    SlaPolicyRow,
    StaffUser,
)
from grievance.services import scope
from grievance.services.clocks import recompute_open_reports
from grievance.services.errors import N_, Invalid, NotFound
from grievance.settings import SUPPORTED_LOCALES
from workflows.sla import LEGAL_OUTER_LIMIT_DAYS
from workflows.states import STAFF_ROLES, AgencyLevel, Role, Tier

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
REGION_CODE_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.]{0,19}")
NAME_MAX = 200
API_KEY_PREFIX_LENGTH = 8

M = TypeVar("M")


def _get(model: type[M], ident: object, message: str) -> M:
    found = db.session.get(model, ident) if ident is not None else None
    if found is None:
        raise NotFound(message)
    return found


def _name(value: str, field: str = "name") -> str:
    name = " ".join((value or "").split())
    if not name:
        raise Invalid(field, N_("Enter a name."))
    if len(name) > NAME_MAX:
        raise Invalid(field, N_("The name is too long (at most %(max)s characters)."), max=NAME_MAX)
    return name


def _code(value: str, pattern: re.Pattern[str] = CODE_PATTERN) -> str:
    code = (value or "").strip()
    if not pattern.fullmatch(code):
        raise Invalid("code", N_("A code is letters, digits, dots, dashes or underscores."))
    return code


def _level(value: str, field: str = "level") -> AgencyLevel:
    try:
        return AgencyLevel(value)
    except ValueError:
        raise Invalid(field, N_("Choose a level from the list.")) from None


def recompute_due_times() -> None:
    """Recompute the due times of open reports once the current transaction commits."""
    jobs.enqueue(recompute_open_reports)


# --- agencies and regions ----------------------------------------------------------------------


def save_agency(
    agency_id: int | None,
    *,
    code: str,
    name: str,
    level: str,
    parent_id: int | None,
    calendar_id: int | None,
    region_codes: Iterable[str],
    active: bool = True,
) -> Agency:
    """Create an agency (no id) or change one; its parent may not be itself or beneath it."""
    agency = (
        _get(Agency, agency_id, N_("This agency does not exist."))
        if agency_id is not None
        else Agency()
    )
    code = _code(code)
    clash = db.session.scalar(select(Agency.id).where(func.lower(Agency.code) == code.lower()))
    if clash is not None and clash != agency_id:
        raise Invalid("code", N_("Another agency has the code %(code)s."), code=code)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Agency, parent_id)
        if parent is None:
            raise Invalid("parent", N_("Choose a parent agency from the list."))
        if agency_id is not None and parent_id in scope.agency_subtree_ids(agency_id):
            raise Invalid("parent", N_("An agency cannot sit beneath itself or its own units."))
    calendar = None
    if calendar_id is not None:
        calendar = db.session.get(Calendar, calendar_id)
        if calendar is None:
            raise Invalid("calendar", N_("Choose a calendar from the list."))
    codes = sorted(set(region_codes))
    regions = (
        list(db.session.scalars(select(Region).where(Region.code.in_(codes)))) if codes else []
    )
    if len(regions) != len(codes):
        raise Invalid("regions", N_("Choose regions from the list."))
    calendar_changed = agency_id is not None and (
        agency.calendar_id != calendar_id or agency.parent_id != parent_id
    )
    agency.code = code
    agency.name = _name(name)
    agency.level = _level(level)
    agency.parent = parent
    agency.calendar = calendar
    agency.regions = regions
    agency.active = active
    db.session.add(agency)
    if calendar_changed:
        recompute_due_times()
    db.session.commit()
    return agency


def save_region(
    code: str, *, name: str, level: str, parent_code: str | None, create: bool
) -> Region:
    """Create a region or rename and re-parent one (its code is its identity)."""
    code = _code(code, REGION_CODE_PATTERN)
    region = db.session.get(Region, code)
    if create and region is not None:
        raise Invalid("code", N_("A region with the code %(code)s exists already."), code=code)
    if not create and region is None:
        raise NotFound(N_("This region does not exist."))
    parent = None
    if parent_code:
        parent = db.session.get(Region, parent_code)
        if parent is None:
            raise Invalid("parent", N_("Choose a parent region from the list."))
        if code in {r.code for r in parent.ancestry()}:
            raise Invalid("parent", N_("A region cannot sit beneath itself."))
    if region is None:
        region = Region(code=code)
        db.session.add(region)
    region.name = _name(name)
    region.level = _level(level)
    region.parent = parent
    db.session.commit()
    return region


# --- categories and routing --------------------------------------------------------------------


def save_category(
    category_id: int | None,
    *,
    code: str,
    names: Mapping[str, str],
    tier: str,
    active: bool,
    position: int | None,
) -> Category:
    """Create or change a category: a name per language (English required), tier, order."""
    category = (
        _get(Category, category_id, N_("This category does not exist."))
        if category_id is not None
        else Category()
    )
    code = _code(code)
    clash = db.session.scalar(select(Category.id).where(func.lower(Category.code) == code.lower()))
    if clash is not None and clash != category_id:
        raise Invalid("code", N_("Another category has the code %(code)s."), code=code)
    cleaned = {
        locale: " ".join(names.get(locale, "").split())[:NAME_MAX] for locale in SUPPORTED_LOCALES
    }
    cleaned = {locale: text for locale, text in cleaned.items() if text}
    if "en" not in cleaned:
        raise Invalid("name_en", N_("Enter at least the English name."))
    try:
        category_tier = Tier(tier)
    except ValueError:
        raise Invalid("tier", N_("Choose a tier from the list.")) from None
    tier_changed = category_id is not None and category.tier != category_tier
    category.code = code
    category.names = cleaned
    category.tier = category_tier
    category.active = active
    category.position = max(0, min(position or 0, 10_000))
    db.session.add(category)
    if tier_changed:
        recompute_due_times()
    db.session.commit()
    return category


def add_routing_rule(
    category_id: int, *, region_code: str | None, agency_id: int | None
) -> RoutingRule:
    """Route a category in a region (or anywhere else, without one) to an agency."""
    category = _get(Category, category_id, N_("This category does not exist."))
    if region_code and db.session.get(Region, region_code) is None:
        raise Invalid("region", N_("Choose a region from the list."))
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        raise Invalid("agency", N_("Choose an agency from the list."))
    existing = db.session.scalar(
        select(RoutingRule).where(
            RoutingRule.category_id == category.id,
            RoutingRule.region_code.is_(None)
            if not region_code
            else RoutingRule.region_code == region_code,
        )
    )
    if existing is not None:
        raise Invalid("region", N_("This category already has a rule for this region."))
    rule = RoutingRule(
        category_id=category.id, region_code=region_code or None, agency_id=agency.id
    )
    db.session.add(rule)
    db.session.commit()
    return rule


def delete_routing_rule(rule_id: int) -> None:
    """Remove a routing rule."""
    rule = _get(RoutingRule, rule_id, N_("This routing rule does not exist."))
    db.session.delete(rule)
    db.session.commit()


# --- staff users -------------------------------------------------------------------------------


def _staff_role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        raise Invalid("role", N_("Choose a role from the list.")) from None
    if role not in STAFF_ROLES:
        raise Invalid("role", N_("Choose a role from the list."))
    return role


def _user_agency(role: Role, agency_id: int | None) -> Agency | None:
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if agency_id is not None and agency is None:
        raise Invalid("agency", N_("Choose an agency from the list."))
    if role in (Role.COORDINATOR, Role.OFFICER) and agency is None:
        raise Invalid("agency", N_("Coordinators and officers belong to an agency."))
    return agency


def _language(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise Invalid("language", N_("Choose a language from the list."))
    return value


def create_user(
    *, email: str, name: str, role: str, agency_id: int | None, language: str, password: str
) -> StaffUser:
    """Create a staff user with a password the admin passes on."""
    staff_role = _staff_role(role)
    address = (email or "").strip().lower()
    if not re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}", address):
        raise Invalid("email", N_("Enter a valid email address."))
    if db.session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == address)):
        raise Invalid("email", N_("A user with this email already exists."))
    user = StaffUser(
        email=address,
        name=_name(name),
        role=staff_role,
        agency=_user_agency(staff_role, agency_id),
        language=_language(language),
    )
    _set_password(user, password)
    db.session.add(user)
    db.session.commit()
    return user


def _set_password(user: StaffUser, password: str) -> None:
    try:
        user.set_password(password or "")
    except ValueError:
        raise Invalid("password", N_("A password needs at least 10 characters.")) from None


def update_user(
    user_id: int,
    *,
    name: str,
    role: str,
    agency_id: int | None,
    language: str,
    active: bool,
    acting_user_id: int,
) -> StaffUser:
    """Change a staff user's name, role, agency, language or whether they may log in."""
    user = _get(StaffUser, user_id, N_("This user does not exist."))
    staff_role = _staff_role(role)
    if user.id == acting_user_id and (not active or staff_role is not Role.ADMIN):
        # Otherwise the last admin could lock everyone out of administration.
        raise Invalid(
            "active", N_("You cannot deactivate yourself or take away your own admin role.")
        )
    user.name = _name(name)
    user.role = staff_role
    user.agency = _user_agency(staff_role, agency_id)
    user.language = _language(language)
    user.active = active
    db.session.commit()
    return user


def reset_password(user_id: int) -> str:
    """Give a user a new random password (returned once, to pass on) and unlock the account."""
    user = _get(StaffUser, user_id, N_("This user does not exist."))
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()
    return password


# --- the SLA policy ----------------------------------------------------------------------------

# Each editable field: (lowest allowed, highest allowed).
SLA_FIELDS: Mapping[str, tuple[int, int]] = {
    "verification_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "follow_up_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "minor_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "normative_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "standard_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "investigation_days": (1, LEGAL_OUTER_LIMIT_DAYS),
    "reply_window_days": (1, 365),
    "deferral_window_days": (1, 365),
    "rating_window_days": (1, 365),
    "appeal_window_days": (1, 365),
    "reminder_before_days": (0, 30),
    "level2_factor": (2, 10),
    "green_threshold": (0, 100),
    "yellow_threshold": (0, 100),
}


def sla_policy() -> SlaPolicyRow:
    """Return the policy row (the defaults, unsaved, when there is none yet)."""
    row = db.session.get(SlaPolicyRow, 1)
    if row is not None:
        return row
    defaults = {name: column.default.arg for name, column in _sla_columns().items()}
    return SlaPolicyRow(id=1, **defaults)


def _sla_columns() -> dict[str, object]:
    return {name: SlaPolicyRow.__table__.c[name] for name in SLA_FIELDS}


def save_sla_policy(values: Mapping[str, int | None]) -> SlaPolicyRow:
    """Save the SLA policy and recompute the due times of open reports."""
    checked: dict[str, int] = {}
    for name, (low, high) in SLA_FIELDS.items():
        value = values.get(name)
        if value is None or not low <= value <= high:
            raise Invalid(
                name, N_("Enter a whole number from %(low)s to %(high)s."), low=low, high=high
            )
        checked[name] = value
    if checked["yellow_threshold"] >= checked["green_threshold"]:
        raise Invalid("yellow_threshold", N_("The yellow threshold must be below the green one."))
    if checked["reminder_before_days"] >= min(
        checked["verification_days"], checked["follow_up_days"]
    ):
        raise Invalid(
            "reminder_before_days", N_("Reminders must come before the shortest deadline.")
        )
    row = db.session.get(SlaPolicyRow, 1)
    if row is None:
        row = SlaPolicyRow(id=1)
        db.session.add(row)
    for name, value in checked.items():
        setattr(row, name, value)
    recompute_due_times()
    db.session.commit()
    return row


# --- calendars ---------------------------------------------------------------------------------


def _time(value: str | None, field: str) -> time | None:
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise Invalid(field, N_("Enter a time like 08:00.")) from None


def save_calendar(
    calendar_id: int | None,
    *,
    name: str,
    timezone: str,
    weekdays: Iterable[int],
    work_start: str | None,
    work_end: str | None,
    holiday_country: str | None,
    holiday_subdiv: str | None,
) -> Calendar:
    """Create or change a working calendar; open reports' due times follow."""
    calendar = (
        _get(Calendar, calendar_id, N_("This calendar does not exist."))
        if calendar_id is not None
        else Calendar()
    )
    name = _name(name)
    clash = db.session.scalar(select(Calendar.id).where(Calendar.name == name))
    if clash is not None and clash != calendar_id:
        raise Invalid("name", N_("Another calendar has this name."))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid("timezone", N_("Enter a time zone like Asia/Jakarta.")) from None
    days = sorted({d for d in weekdays if 0 <= d <= 6})
    if not days:
        raise Invalid("weekdays", N_("Choose at least one working day."))
    start, end = _time(work_start, "work_start"), _time(work_end, "work_end")
    if (start is None) != (end is None) or (start is not None and end is not None and start >= end):
        raise Invalid(
            "work_end", N_("Give both working hours, the end after the start, or neither.")
        )
    country = (holiday_country or "").strip().upper() or None
    subdiv = (holiday_subdiv or "").strip().upper() or None
    supported = holidays.list_supported_countries()
    if country is not None and country not in supported:
        raise Invalid("holiday_country", N_("Unknown country code for public holidays."))
    if subdiv is not None and (country is None or subdiv not in supported[country]):
        raise Invalid("holiday_subdiv", N_("Unknown subdivision for this country's holidays."))
    calendar.name = name
    calendar.timezone = timezone
    calendar.weekdays = ",".join(str(d) for d in days)
    calendar.work_start = start
    calendar.work_end = end
    calendar.holiday_country = country
    calendar.holiday_subdiv = subdiv
    db.session.add(calendar)
    if calendar_id is not None:
        recompute_due_times()
    db.session.commit()
    return calendar


def add_closure(calendar_id: int, *, day: str, reason: str) -> CalendarClosure:
    """Close a day in a calendar (an emergency, a collective leave day)."""
    calendar = _get(Calendar, calendar_id, N_("This calendar does not exist."))
    try:
        closed = date.fromisoformat(day)
    except (TypeError, ValueError):
        raise Invalid("day", N_("Enter a date like 2026-03-20.")) from None
    if any(c.day == closed for c in calendar.closures):
        raise Invalid("day", N_("This day is closed already."))
    closure = CalendarClosure(day=closed, reason=" ".join((reason or "").split())[:200])
    calendar.closures.append(closure)
    recompute_due_times()
    db.session.commit()
    return closure


def remove_closure(calendar_id: int, closure_id: int) -> None:
    """Reopen a closed day."""
    closure = db.session.get(CalendarClosure, closure_id)
    if closure is None or closure.calendar_id != calendar_id:
        raise NotFound(N_("This closed day does not exist."))
    db.session.delete(closure)
    recompute_due_times()
    db.session.commit()


# --- API clients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewApiClient:
    """A new API client and its key, shown once: only a hash of it is kept."""

    client: ApiClient
    key: str


def api_key_hash(key: str) -> str:
    """Return the stored hash of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_client(name: str) -> NewApiClient:
    """Create an API client with a new random key; keep only its prefix and SHA-256 hash."""
    for _ in range(10):
        key = secrets.token_urlsafe(32)
        prefix = key[:API_KEY_PREFIX_LENGTH]
        if db.session.scalar(select(ApiClient.id).where(ApiClient.key_prefix == prefix)) is None:
            break
    else:  # pragma: no cover - 48 random bits do not collide ten times
        raise RuntimeError("could not find a free API key prefix")
    client = ApiClient(name=_name(name), key_prefix=prefix, key_hash=api_key_hash(key))
    db.session.add(client)
    db.session.commit()
    return NewApiClient(client, key)


def set_api_client_active(client_id: int, active: bool) -> ApiClient:
    """Switch an API client's key on or off."""
    client = _get(ApiClient, client_id, N_("This API client does not exist."))
    client.active = active
    db.session.commit()
    return client


def find_api_client(key: str | None) -> ApiClient | None:
    """Return the active API client holding this key, or None (compared in constant time)."""
    if not key or len(key) < API_KEY_PREFIX_LENGTH or len(key) > 200:
        return None
    client = db.session.scalar(
        select(ApiClient).where(ApiClient.key_prefix == key[:API_KEY_PREFIX_LENGTH])
    )
    if client is None or not client.active:
        return None
    return client if hmac.compare_digest(client.key_hash, api_key_hash(key)) else None
