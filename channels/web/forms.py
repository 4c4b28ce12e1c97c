"""The citizen forms: filing a report, tracking it, the reporter's actions, the public filters."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import NumberInput

from channels.web.labels import CLASSIFICATIONS
from grievance.services.reports import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX
from workflows.states import Classification

TEXT_MAX = 5000
COMMENT_MAX = 2000
SEARCH_MAX = 100


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Coordinate:
    """Validate an optional decimal number within [-bound, bound]."""

    def __init__(self, bound: int) -> None:
        self.bound = bound

    def __call__(self, form: FlaskForm, field: Field) -> None:
        """Raise ValidationError unless the field is empty or a number in range."""
        if not field.data:
            return
        try:
            value = Decimal(field.data.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_l("Enter a number, like -6.9147.")) from None
        if not value.is_finite() or abs(value) > self.bound:
            raise ValidationError(
                _l("Enter a number between -%(bound)s and %(bound)s.", bound=self.bound)
            )
        field.data = str(value)


class FilingForm(FlaskForm):
    """A new report from the web."""

    classification = RadioField(
        _l("What kind of report is it?"),
        choices=[SelectChoice(c.value, label) for c, label in CLASSIFICATIONS.items()],
        default=Classification.COMPLAINT.value,
        invalid_choice_message=_l("Choose complaint, suggestion or information request."),
    )
    category = SelectField(
        _l("Topic"),
        choices=[],
        validators=[Optional()],
        invalid_choice_message=_l("Choose a topic from the list."),
    )
    region = SelectField(
        _l("Where is it?"),
        choices=[],
        validators=[Optional()],
        invalid_choice_message=_l("Choose a place from the list."),
    )
    title = StringField(
        _l("Short title (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=TITLE_MAX, message=_l("The title is too long (at most %(max)d characters).")
            ),
        ],
    )
    description = TextAreaField(
        _l("What happened?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Describe the problem.")),
            Length(
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
                message=_l("Write between %(min)d and %(max)d characters."),
            ),
        ],
    )
    address = StringField(
        _l("Address or landmark (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=300, message=_l("Too long (at most %(max)d characters).")),
        ],
    )
    latitude = StringField(
        _l("Latitude"),
        widget=NumberInput(step="any", min=-90, max=90),
        filters=[_strip],
        validators=[Coordinate(90)],
    )
    longitude = StringField(
        _l("Longitude"),
        widget=NumberInput(step="any", min=-180, max=180),
        filters=[_strip],
        validators=[Coordinate(180)],
    )
    photo = FileField(_l("Photo (optional)"))
    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=200, message=_l("Too long (at most %(max)d characters).")),
        ],
    )
    phone = StringField(
        _l("Mobile phone number"),
        filters=[_strip],
        validators=[Optional(), Length(max=40, message=_l("Enter a valid phone number."))],
    )
    email = StringField(
        _l("Email"),
        filters=[_strip],
        validators=[Optional(), Length(max=254, message=_l("Enter a valid email address."))],
    )
    anonymous = BooleanField(_l("Keep me anonymous"))
    confidential = BooleanField(_l("Keep the report confidential"))

    def validate_longitude(self, field: Field) -> None:
        """Require latitude and longitude together."""
        if bool(self.latitude.data) != bool(field.data):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


class AddInformationForm(FlaskForm):
    """The reporter's answer to a question."""

    text = TextAreaField(
        _l("Your answer"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write the information you want to add.")),
            Length(max=TEXT_MAX, message=_l("Too long (at most %(max)d characters).")),
        ],
    )


SCORE_CHOICES = [SelectChoice(str(n)) for n in (5, 4, 3, 2, 1)]


class AcceptForm(FlaskForm):
    """The reporter accepts the answer, optionally rating it."""

    score = RadioField(
        _l("How satisfied are you? (optional)"),
        # A radio button cannot be unticked: "no rating" is a choice of its own.
        choices=[*SCORE_CHOICES, SelectChoice("", _l("No rating"))],
        default="",
        validators=[Optional()],
        invalid_choice_message=_l("Give a rating from 1 to 5."),
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[_strip],
        validators=[Length(max=COMMENT_MAX, message=_l("Too long (at most %(max)d characters)."))],
    )


class DisputeForm(FlaskForm):
    """The reporter says the problem is not solved."""

    reason = TextAreaField(
        _l("What is still wrong?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Say why the problem is not solved.")),
            Length(max=TEXT_MAX, message=_l("Too long (at most %(max)d characters).")),
        ],
    )


class RateForm(FlaskForm):
    """The reporter rates a closed report."""

    score = RadioField(
        _l("How satisfied are you?"),
        choices=SCORE_CHOICES,
        validators=[DataRequired(message=_l("Give a rating from 1 to 5."))],
        invalid_choice_message=_l("Give a rating from 1 to 5."),
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[_strip],
        validators=[Length(max=COMMENT_MAX, message=_l("Too long (at most %(max)d characters)."))],
    )


class AppealForm(FlaskForm):
    """The reporter appeals a closed report to a higher authority."""

    reason = TextAreaField(
        _l("Why do you appeal?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Say why you appeal.")),
            Length(max=TEXT_MAX, message=_l("Too long (at most %(max)d characters).")),
        ],
    )


class ListFilters(FlaskForm):
    """The filters of the public list: plain GET parameters, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Words to look for"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=SEARCH_MAX, message=_l("Too long (at most %(max)d characters).")),
        ],
    )
    state = SelectField(
        _l("State"), validators=[Optional()], invalid_choice_message=_l("Choose from the list.")
    )
    category = SelectField(
        _l("Topic"), validators=[Optional()], invalid_choice_message=_l("Choose from the list.")
    )
    region = SelectField(
        _l("Place"), validators=[Optional()], invalid_choice_message=_l("Choose from the list.")
    )
    classification = SelectField(
        _l("Kind"), validators=[Optional()], invalid_choice_message=_l("Choose from the list.")
    )
