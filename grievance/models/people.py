"""Reporters' contacts and staff users."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models.geography import Agency
from grievance.models.types import UTCDateTime, enum_type
from workflows.states import Role


def normalize_phone(raw: str, default_region: str = "ID") -> str:
    """Return a phone number in E.164, or raise ValueError when it is not a valid number."""
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class Contact(db.Model):
    """How to reach a reporter. A phone number is the proof of ownership on SMS and USSD."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True, default=None)
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True, default=None)
    name: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    language: Mapped[str] = mapped_column(sa.String(8), default="id")
    opted_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("phone IS NULL OR phone LIKE '+%'", name="phone_e164"),
        sa.CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="reachable"),
    )

    @validates("phone")
    def _normalize_phone(self, _key: str, value: str | None) -> str | None:
        return normalize_phone(value) if value else None


class StaffUser(UserMixin, db.Model):
    """A member of staff: verifier, coordinator, officer, oversight or admin."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "staff_role"))
    agency_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agencies.id"), index=True, default=None
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(8), default="id")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("role NOT IN ('reporter', 'system')", name="staff_role_only"),
        # Agency staff belong to an agency; the central desk, oversight and admins may not.
        sa.CheckConstraint(
            "role NOT IN ('coordinator', 'officer') OR agency_id IS NOT NULL", name="agency_staff"
        ),
    )

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        if len(password) < 10:
            raise ValueError("a password needs at least 10 characters")
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether a password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override] - Flask-Login reads this
        """Tell Flask-Login whether this account may log in."""
        return self.active
