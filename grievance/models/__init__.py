"""The domain model. Import models from here."""

from grievance.models.catalog import Category, RoutingRule
from grievance.models.geography import Agency, Calendar, CalendarClosure, Region, agency_regions
from grievance.models.operations import ApiClient, InboundMessage, Notification, SlaPolicyRow
from grievance.models.people import Contact, StaffUser, normalize_phone
from grievance.models.reports import Rating, Report, ReportEvent, SlaBreach

__all__ = [
    "Agency",
    "ApiClient",
    "Calendar",
    "CalendarClosure",
    "Category",
    "Contact",
    "InboundMessage",
    "Notification",
    "Rating",
    "Region",
    "Report",
    "ReportEvent",
    "RoutingRule",
    "SlaBreach",
    "SlaPolicyRow",
    "StaffUser",
    "agency_regions",
    "normalize_phone",
]
