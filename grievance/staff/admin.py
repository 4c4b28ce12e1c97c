"""Administration pages: agencies, regions, categories and routing, users, SLA policy,
calendars, API clients. Views parse the form, call `grievance.services.admin`, render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import (
    Agency,
    ApiClient,
    Calendar,
    Category,
    Region,
    RoutingRule,
    StaffUser,
)
from grievance.services import admin as service
from grievance.services.errors import Invalid, NotFound, ServiceError
from grievance.services.scope import agency_subtree_ids
from grievance.settings import SUPPORTED_LOCALES
from grievance.staff import queries
from grievance.staff.access import (
    current_staff,
    error_text,
    form_int,
    form_text,
    parse_int,
    roles_required,
)
from workflows.states import STAFF_ROLES, AgencyLevel, Role, Tier

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

WEEKDAYS = range(7)


def _checked(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "yes", "true")


def _failed(template: str, exc: ServiceError, **context: Any) -> ResponseReturnValue:
    """Render a form again with the refusal beside its field, keeping what was typed."""
    db.session.rollback()
    field = exc.field if isinstance(exc, Invalid) else None
    status = exc.status if isinstance(exc, NotFound) else 400
    page = render_template(
        template, error=error_text(exc), error_field=field, values=request.form, **context
    )
    return page, status


def _saved(message: str, endpoint: str, **values: Any) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


@blueprint.get("/")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """List what an administrator manages."""
    return render_template("staff/admin/index.html")


# --- agencies ----------------------------------------------------------------------------------


def _agency_context(agency: Agency | None) -> dict[str, Any]:
    # An agency cannot move beneath itself or its own units: they are not offered as parents.
    exclude = agency_subtree_ids(agency.id) if agency is not None else []
    return {
        "agency": agency,
        "levels": list(AgencyLevel),
        "parents": queries.agencies_by_level(exclude=exclude),
        "calendars": list(db.session.scalars(select(Calendar).order_by(Calendar.name))),
        "regions": queries.regions_ordered(),
    }


def _agency_values(agency: Agency | None) -> Mapping[str, Any]:
    if agency is None:
        return {"active": "1"}
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level.value,
        "parent": str(agency.parent_id or ""),
        "calendar": str(agency.calendar_id or ""),
        "active": "1" if agency.active else "",
        "regions": [r.code for r in agency.regions],
    }


@blueprint.get("/agencies")
@roles_required(Role.ADMIN)
def agencies() -> ResponseReturnValue:
    """List agencies in their hierarchy, with a form for a new one."""
    return render_template(
        "staff/admin/agencies.html",
        tree=queries.agency_tree(),
        values=_agency_values(None),
        **_agency_context(None),
    )


@blueprint.get("/agencies/<int:agency_id>")
@roles_required(Role.ADMIN)
def agency(agency_id: int) -> ResponseReturnValue:
    """Show the form of one agency."""
    found = db.get_or_404(Agency, agency_id)
    return render_template(
        "staff/admin/agency.html", values=_agency_values(found), **_agency_context(found)
    )


@blueprint.post("/agencies", defaults={"agency_id": None})
@blueprint.post("/agencies/<int:agency_id>")
@roles_required(Role.ADMIN)
def save_agency(agency_id: int | None) -> ResponseReturnValue:
    """Create or change an agency."""
    found = db.get_or_404(Agency, agency_id) if agency_id is not None else None
    try:
        saved = service.save_agency(
            agency_id,
            code=form_text("code"),
            name=form_text("name"),
            level=form_text("level"),
            parent_id=form_int("parent"),
            calendar_id=form_int("calendar"),
            region_codes=request.form.getlist("regions"),
            active=_checked("active") if agency_id is not None else True,
        )
    except ServiceError as exc:
        template = "staff/admin/agency.html" if found else "staff/admin/agencies.html"
        extra = {} if found else {"tree": queries.agency_tree()}
        return _failed(template, exc, **_agency_context(found), **extra)
    return _saved(gettext("Agency %(name)s saved.", name=saved.name), ".agencies")


# --- regions -----------------------------------------------------------------------------------


@blueprint.get("/regions")
@roles_required(Role.ADMIN)
def regions() -> ResponseReturnValue:
    """List regions, with a form for a new one."""
    return render_template(
        "staff/admin/regions.html",
        regions=queries.regions_ordered(),
        levels=list(AgencyLevel),
        values={},
        region=None,
    )


@blueprint.get("/regions/<code>")
@roles_required(Role.ADMIN)
def region(code: str) -> ResponseReturnValue:
    """Show the form of one region."""
    found = db.get_or_404(Region, code)
    values = {
        "code": found.code,
        "name": found.name,
        "level": found.level.value,
        "parent": found.parent_code or "",
    }
    return render_template(
        "staff/admin/regions.html",
        regions=queries.regions_ordered(),
        levels=list(AgencyLevel),
        values=values,
        region=found,
    )


@blueprint.post("/regions", defaults={"code": None})
@blueprint.post("/regions/<code>")
@roles_required(Role.ADMIN)
def save_region(code: str | None) -> ResponseReturnValue:
    """Create a region, or rename and re-parent one."""
    found = db.get_or_404(Region, code) if code is not None else None
    try:
        saved = service.save_region(
            code if code is not None else form_text("code"),
            name=form_text("name"),
            level=form_text("level"),
            parent_code=form_text("parent") or None,
            create=code is None,
        )
    except ServiceError as exc:
        return _failed(
            "staff/admin/regions.html",
            exc,
            regions=queries.regions_ordered(),
            levels=list(AgencyLevel),
            region=found,
        )
    return _saved(gettext("Region %(name)s saved.", name=saved.name), ".regions")


# --- categories and routing --------------------------------------------------------------------


def _category_values(category: Category | None) -> Mapping[str, Any]:
    if category is None:
        return {"active": "1", "tier": Tier.STANDARD.value, "position": "0"}
    values: dict[str, Any] = {
        "code": category.code,
        "tier": category.tier.value,
        "active": "1" if category.active else "",
        "position": str(category.position),
    }
    for locale in SUPPORTED_LOCALES:
        values[f"name_{locale}"] = category.names.get(locale, "")
    return values


def _category_context(category: Category | None) -> dict[str, Any]:
    rules: list[RoutingRule] = []
    if category is not None:
        rules = list(
            db.session.scalars(
                select(RoutingRule)
                .where(RoutingRule.category_id == category.id)
                .options(selectinload(RoutingRule.agency))
                .order_by(RoutingRule.region_code)
            )
        )
    return {
        "category": category,
        "locales": SUPPORTED_LOCALES,
        "tiers": list(Tier),
        "rules": rules,
        "regions": queries.regions_ordered() if category is not None else [],
        "agency_groups": queries.agencies_by_level() if category is not None else [],
    }


@blueprint.get("/categories")
@roles_required(Role.ADMIN)
def categories() -> ResponseReturnValue:
    """List categories, with a form for a new one."""
    rows = list(db.session.scalars(select(Category).order_by(Category.position, Category.code)))
    return render_template(
        "staff/admin/categories.html",
        rows=rows,
        values=_category_values(None),
        **_category_context(None),
    )


@blueprint.get("/categories/<int:category_id>")
@roles_required(Role.ADMIN)
def category(category_id: int) -> ResponseReturnValue:
    """Show one category's form and its routing rules."""
    found = db.get_or_404(Category, category_id)
    return render_template(
        "staff/admin/category.html",
        values=_category_values(found),
        rule_values={},
        **_category_context(found),
    )


@blueprint.post("/categories", defaults={"category_id": None})
@blueprint.post("/categories/<int:category_id>")
@roles_required(Role.ADMIN)
def save_category(category_id: int | None) -> ResponseReturnValue:
    """Create or change a category."""
    found = db.get_or_404(Category, category_id) if category_id is not None else None
    try:
        saved = service.save_category(
            category_id,
            code=form_text("code"),
            names={locale: form_text(f"name_{locale}") for locale in SUPPORTED_LOCALES},
            tier=form_text("tier"),
            active=_checked("active") if category_id is not None else True,
            position=form_int("position"),
        )
    except ServiceError as exc:
        if found is not None:
            return _failed(
                "staff/admin/category.html", exc, rule_values={}, **_category_context(found)
            )
        rows = list(db.session.scalars(select(Category).order_by(Category.position, Category.code)))
        return _failed("staff/admin/categories.html", exc, rows=rows, **_category_context(None))
    return _saved(
        gettext("Category %(code)s saved.", code=saved.code), ".category", category_id=saved.id
    )


@blueprint.post("/categories/<int:category_id>/rules")
@roles_required(Role.ADMIN)
def add_rule(category_id: int) -> ResponseReturnValue:
    """Add a routing rule to a category."""
    found = db.get_or_404(Category, category_id)
    try:
        service.add_routing_rule(
            category_id, region_code=form_text("region") or None, agency_id=form_int("agency")
        )
    except ServiceError as exc:
        db.session.rollback()
        page = render_template(
            "staff/admin/category.html",
            values=_category_values(found),
            rule_values=request.form,
            rule_error=error_text(exc),
            **_category_context(found),
        )
        return page, 400
    return _saved(gettext("Routing rule added."), ".category", category_id=category_id)


@blueprint.post("/categories/<int:category_id>/rules/<int:rule_id>/delete")
@roles_required(Role.ADMIN)
def delete_rule(category_id: int, rule_id: int) -> ResponseReturnValue:
    """Remove a routing rule."""
    rule = db.get_or_404(RoutingRule, rule_id)
    if rule.category_id != category_id:
        return render_template(
            "staff/error.html", message=gettext("This rule does not exist.")
        ), 404
    service.delete_routing_rule(rule_id)
    return _saved(gettext("Routing rule removed."), ".category", category_id=category_id)


# --- users -------------------------------------------------------------------------------------


def _user_context() -> dict[str, Any]:
    return {
        "roles": list(STAFF_ROLES),
        "agency_groups": queries.agencies_by_level(),
        "locales": SUPPORTED_LOCALES,
        "now": utcnow(),
    }


def _user_rows() -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser).options(selectinload(StaffUser.agency)).order_by(StaffUser.email)
        )
    )


@blueprint.get("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    """List staff users, with a form for a new one."""
    return render_template(
        "staff/admin/users.html",
        rows=_user_rows(),
        values={"language": "id", "role": Role.OFFICER.value},
        **_user_context(),
    )


@blueprint.post("/users")
@roles_required(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    """Create a staff user."""
    try:
        user = service.create_user(
            email=form_text("email"),
            name=form_text("name"),
            role=form_text("role"),
            agency_id=form_int("agency"),
            language=form_text("language"),
            password=request.form.get("password", ""),
        )
    except ServiceError as exc:
        return _failed("staff/admin/users.html", exc, rows=_user_rows(), **_user_context())
    return _saved(gettext("User %(email)s created.", email=user.email), ".users")


@blueprint.get("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int) -> ResponseReturnValue:
    """Show the form of one staff user."""
    found = db.get_or_404(StaffUser, user_id)
    values = {
        "name": found.name,
        "role": found.role.value,
        "agency": str(found.agency_id or ""),
        "language": found.language,
        "active": "1" if found.active else "",
    }
    return render_template("staff/admin/user.html", user=found, values=values, **_user_context())


@blueprint.post("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def save_user(user_id: int) -> ResponseReturnValue:
    """Change a staff user's role, agency, language, or switch the account off."""
    found = db.get_or_404(StaffUser, user_id)
    try:
        service.update_user(
            user_id,
            name=form_text("name"),
            role=form_text("role"),
            agency_id=form_int("agency"),
            language=form_text("language"),
            active=_checked("active"),
            acting_user_id=current_staff().id,
        )
    except ServiceError as exc:
        return _failed("staff/admin/user.html", exc, user=found, **_user_context())
    return _saved(gettext("User %(email)s saved.", email=found.email), ".users")


@blueprint.post("/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Set a new random password, shown once for the admin to pass on."""
    found = db.get_or_404(StaffUser, user_id)
    password = service.reset_password(user_id)
    return render_template("staff/admin/password.html", user=found, password=password)


# --- the SLA policy ----------------------------------------------------------------------------


@blueprint.get("/sla")
@roles_required(Role.ADMIN)
def sla() -> ResponseReturnValue:
    """Show the SLA policy form."""
    row = service.sla_policy()
    values = {name: str(getattr(row, name)) for name in service.SLA_FIELDS}
    return render_template("staff/admin/sla.html", fields=service.SLA_FIELDS, values=values)


@blueprint.post("/sla")
@roles_required(Role.ADMIN)
def save_sla() -> ResponseReturnValue:
    """Save the SLA policy; open reports' due times are recomputed."""
    values = {name: parse_int(request.form.get(name)) for name in service.SLA_FIELDS}
    try:
        service.save_sla_policy(values)
    except ServiceError as exc:
        return _failed("staff/admin/sla.html", exc, fields=service.SLA_FIELDS)
    return _saved(
        gettext("SLA policy saved. Due times of open reports are being recomputed."), ".sla"
    )


# --- calendars ---------------------------------------------------------------------------------


def _calendar_values(calendar: Calendar | None) -> Mapping[str, Any]:
    if calendar is None:
        return {
            "timezone": "Asia/Jakarta",
            "weekdays": ["0", "1", "2", "3", "4"],
            "holiday_country": "ID",
        }
    return {
        "name": calendar.name,
        "timezone": calendar.timezone,
        "weekdays": [d for d in calendar.weekdays.split(",") if d],
        "work_start": calendar.work_start.strftime("%H:%M") if calendar.work_start else "",
        "work_end": calendar.work_end.strftime("%H:%M") if calendar.work_end else "",
        "holiday_country": calendar.holiday_country or "",
        "holiday_subdiv": calendar.holiday_subdiv or "",
    }


def _calendar_rows() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.name)))


@blueprint.get("/calendars")
@roles_required(Role.ADMIN)
def calendars() -> ResponseReturnValue:
    """List working calendars, with a form for a new one."""
    return render_template(
        "staff/admin/calendars.html",
        rows=_calendar_rows(),
        values=_calendar_values(None),
        weekdays=WEEKDAYS,
    )


@blueprint.get("/calendars/<int:calendar_id>")
@roles_required(Role.ADMIN)
def calendar(calendar_id: int) -> ResponseReturnValue:
    """Show one calendar's form and its closed days."""
    found = db.get_or_404(Calendar, calendar_id)
    return render_template(
        "staff/admin/calendar.html",
        calendar=found,
        values=_calendar_values(found),
        closure_values={},
        weekdays=WEEKDAYS,
    )


@blueprint.post("/calendars", defaults={"calendar_id": None})
@blueprint.post("/calendars/<int:calendar_id>")
@roles_required(Role.ADMIN)
def save_calendar(calendar_id: int | None) -> ResponseReturnValue:
    """Create or change a calendar; open reports' due times follow."""
    found = db.get_or_404(Calendar, calendar_id) if calendar_id is not None else None
    weekdays = [d for d in map(parse_int, request.form.getlist("weekdays")) if d is not None]
    try:
        saved = service.save_calendar(
            calendar_id,
            name=form_text("name"),
            timezone=form_text("timezone"),
            weekdays=weekdays,
            work_start=form_text("work_start") or None,
            work_end=form_text("work_end") or None,
            holiday_country=form_text("holiday_country") or None,
            holiday_subdiv=form_text("holiday_subdiv") or None,
        )
    except ServiceError as exc:
        if found is not None:
            return _failed(
                "staff/admin/calendar.html",
                exc,
                calendar=found,
                closure_values={},
                weekdays=WEEKDAYS,
            )
        return _failed("staff/admin/calendars.html", exc, rows=_calendar_rows(), weekdays=WEEKDAYS)
    return _saved(
        gettext("Calendar %(name)s saved.", name=saved.name), ".calendar", calendar_id=saved.id
    )


@blueprint.post("/calendars/<int:calendar_id>/closures")
@roles_required(Role.ADMIN)
def add_closure(calendar_id: int) -> ResponseReturnValue:
    """Close a day in a calendar."""
    found = db.get_or_404(Calendar, calendar_id)
    try:
        service.add_closure(calendar_id, day=form_text("day"), reason=form_text("reason"))
    except ServiceError as exc:
        db.session.rollback()
        page = render_template(
            "staff/admin/calendar.html",
            calendar=found,
            values=_calendar_values(found),
            closure_values=request.form,
            closure_error=error_text(exc),
            weekdays=WEEKDAYS,
        )
        return page, 400
    return _saved(gettext("Closed day added."), ".calendar", calendar_id=calendar_id)


@blueprint.post("/calendars/<int:calendar_id>/closures/<int:closure_id>/delete")
@roles_required(Role.ADMIN)
def remove_closure(calendar_id: int, closure_id: int) -> ResponseReturnValue:
    """Reopen a closed day."""
    service.remove_closure(calendar_id, closure_id)
    return _saved(gettext("Closed day removed."), ".calendar", calendar_id=calendar_id)


# --- API clients -------------------------------------------------------------------------------


def _client_rows() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.name)))


@blueprint.get("/api-clients")
@roles_required(Role.ADMIN)
def api_clients() -> ResponseReturnValue:
    """List API clients, with a form for a new one."""
    return render_template("staff/admin/api_clients.html", rows=_client_rows(), values={})


@blueprint.post("/api-clients")
@roles_required(Role.ADMIN)
def create_api_client() -> ResponseReturnValue:
    """Create an API client and show its key, this once."""
    try:
        created = service.create_api_client(form_text("name"))
    except ServiceError as exc:
        return _failed("staff/admin/api_clients.html", exc, rows=_client_rows())
    return render_template("staff/admin/api_key.html", client=created.client, key=created.key)


@blueprint.post("/api-clients/<int:client_id>/active")
@roles_required(Role.ADMIN)
def toggle_api_client(client_id: int) -> ResponseReturnValue:
    """Switch an API client's key on or off."""
    client = service.set_api_client_active(client_id, _checked("active"))
    message = (
        gettext("API client %(name)s switched on.", name=client.name)
        if client.active
        else gettext("API client %(name)s switched off.", name=client.name)
    )
    return _saved(message, ".api_clients")
