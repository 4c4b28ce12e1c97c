"""Creating and managing staff accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Agency, StaffUser
from grievance.services.errors import N_, ServiceError
from grievance.settings import SUPPORTED_LOCALES
from workflows.states import Role


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    agency_code: str | None = None,
    language: str = "id",
) -> StaffUser:
    """Create and commit a staff user; agency staff need an agency."""
    try:
        staff_role = Role(role)
    except ValueError:
        raise ServiceError(N_("Unknown role %(role)s."), role=role) from None
    if staff_role in (Role.REPORTER, Role.SYSTEM):
        raise ServiceError(N_("Unknown role %(role)s."), role=role)
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError(N_("Enter a valid email address."))
    exists = db.session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email))
    if exists is not None:
        raise ServiceError(N_("A user with this email already exists."))
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise ServiceError(N_("Unknown agency %(code)s."), code=agency_code)
    if staff_role in (Role.COORDINATOR, Role.OFFICER) and agency is None:
        raise ServiceError(N_("Coordinators and officers belong to an agency."))
    if language not in SUPPORTED_LOCALES:
        raise ServiceError(N_("Unsupported language %(language)s."), language=language)
    user = StaffUser(
        email=email, name=name.strip(), role=staff_role, agency=agency, language=language
    )
    try:
        user.set_password(password)
    except ValueError:
        raise ServiceError(N_("A password needs at least 10 characters.")) from None
    db.session.add(user)
    db.session.commit()
    return user
