"""Filing reports and proving who their reporter is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from grievance import tracking
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Category, Contact, Region, Report, normalize_phone
from grievance.services import audit, notify
from grievance.services.errors import N_, Invalid, NotFound
from grievance.services.policy import calendar_for_agency, load_policy
from grievance.settings import SUPPORTED_LOCALES
from workflows import transitions
from workflows.states import Channel, Classification, Role

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
TITLE_MAX = 200


@dataclass(frozen=True)
class FiledReport:
    """A new report and the private access code shown to its reporter once."""

    report: Report
    access_code: str


@dataclass(frozen=True)
class ReporterAccess:
    """Proof that the holder is a report's reporter (by access code or by phone number)."""

    report_id: int


def _clean(value: str | None, limit: int) -> str | None:
    text = " ".join(value.replace("\x00", "").split()) if value else ""
    return text[:limit] or None


def _contact(
    phone: str | None, email: str | None, name: str | None, language: str
) -> Contact | None:
    if phone:
        try:
            e164 = normalize_phone(phone)
        except ValueError:
            raise Invalid("phone", N_("Enter a valid phone number.")) from None
        contact = db.session.scalar(select(Contact).where(Contact.phone == e164))
        if contact is None:
            contact = Contact(phone=e164, language=language)
            db.session.add(contact)
        # Fill gaps only: a number's owner keeps the name and email they gave first.
        contact.email = contact.email or email
        contact.name = contact.name or name
        return contact
    if email:
        contact = Contact(email=email, name=name, language=language)
        db.session.add(contact)
        return contact
    return None


def file_report(
    *,
    description: str,
    channel: Channel,
    language: str,
    classification: Classification | str = Classification.COMPLAINT,
    title: str | None = None,
    category_code: str | None = None,
    region_code: str | None = None,
    address: str | None = None,
    latitude: str | float | Decimal | None = None,
    longitude: str | float | Decimal | None = None,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    photo_path: str | None = None,
) -> FiledReport:
    """File a report into screening, with its verification clock, event and notice; commit."""
    # NUL cannot be stored in PostgreSQL text; whatever channel it came from, it is dropped.
    text = (description or "").replace("\x00", "").strip()
    if len(text) < DESCRIPTION_MIN:
        raise Invalid(
            "description",
            N_("Describe the problem in at least %(min)s characters."),
            min=DESCRIPTION_MIN,
        )
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(
            "description",
            N_("The description is too long (at most %(max)s characters)."),
            max=DESCRIPTION_MAX,
        )
    try:
        kind = Classification(classification)
    except ValueError:
        raise Invalid(
            "classification", N_("Choose complaint, aspiration or information request.")
        ) from None
    if language not in SUPPORTED_LOCALES:
        language = "id"
    category = None
    if category_code:
        category = db.session.scalar(
            select(Category).where(Category.code == category_code, Category.active.is_(True))
        )
        if category is None:
            raise Invalid("category", N_("Choose a category from the list."))
    if region_code and db.session.get(Region, region_code) is None:
        raise Invalid("region", N_("Choose a region from the list."))
    lat, lon = _coordinates(latitude, longitude)
    email = _clean(email, 254)
    if email and ("@" not in email or " " in email):
        raise Invalid("email", N_("Enter a valid email address."))
    contact = _contact(_clean(phone, 40), email, _clean(name, 200), language)

    now = utcnow()
    ctx = transitions.Context(now=now, calendar=calendar_for_agency(None), policy=load_policy())
    decision = transitions.submit(ctx)
    access_code = tracking.new_access_code()
    report = Report(
        tracking_number=_unique_tracking_number(),
        access_code_hash=tracking.hash_access_code(access_code),
        classification=kind,
        category=category,
        title=_clean(title, TITLE_MAX) or _clean(text, 80) or "",
        description=text,
        region_code=region_code or None,
        address=_clean(address, 300),
        latitude=lat,
        longitude=lon,
        channel=Channel(channel),
        language=language,
        contact=contact,
        anonymous=anonymous,
        confidential=confidential,
        photo_path=photo_path,
        created_at=now,
        updated_at=now,
        **decision.changes,
    )
    db.session.add(report)
    db.session.flush()
    audit.append(
        report,
        actor_role=Role.REPORTER,
        action=decision.action,
        to_state=decision.to_state,
        data={
            "channel": report.channel,
            "anonymous": anonymous,
            "confidential": confidential,
            # The category it came in under: statistics count "received" there, even if screening
            # changes it later.
            "category_id": report.category_id,
        },
        created_at=now,
    )
    notify.send_notices(report, decision.notices, {"days": ctx.policy.verification_days})
    db.session.commit()
    return FiledReport(report, access_code)


def _coordinates(
    latitude: str | float | Decimal | None, longitude: str | float | Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise Invalid("location", N_("The map point is not valid.")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid("location", N_("The map point is not valid."))
    return lat, lon


def _unique_tracking_number() -> str:
    # 9 random digits: a clash is rare, and checked rather than left to a failed commit.
    for _ in range(20):
        number = tracking.new_tracking_number()
        if db.session.scalar(select(Report.id).where(Report.tracking_number == number)) is None:
            return number
    raise RuntimeError("could not find a free tracking number")  # pragma: no cover


def find_by_tracking_number(raw: str) -> Report:
    """Return the report with this tracking number, or raise NotFound (typos included)."""
    number = tracking.clean_tracking_number(raw or "")
    if not tracking.is_valid_tracking_number(number):
        raise NotFound(
            N_("%(number)s is not a valid tracking number; check the digits."),
            number=raw[:20] if raw else "",
        )
    report = db.session.scalar(select(Report).where(Report.tracking_number == number))
    if report is None:
        raise NotFound(N_("No report has the tracking number %(number)s."), number=number)
    return report


def reporter_by_code(tracking_number: str, access_code: str) -> ReporterAccess:
    """Prove reportership by the private access code from the confirmation."""
    report = find_by_tracking_number(tracking_number)
    if not access_code or not tracking.access_code_matches(access_code, report.access_code_hash):
        raise NotFound(
            N_("This link is not valid for report %(number)s."), number=report.tracking_number
        )
    return ReporterAccess(report.id)


def reporter_by_phone(tracking_number: str, phone: str) -> ReporterAccess:
    """Prove reportership by the phone number the report was filed from (SMS and USSD)."""
    report = find_by_tracking_number(tracking_number)
    try:
        e164 = normalize_phone(phone)
    except ValueError:
        e164 = ""
    if report.contact is None or report.contact.phone != e164:
        raise NotFound(
            N_("Report %(number)s was not filed from this phone."), number=report.tracking_number
        )
    return ReporterAccess(report.id)
