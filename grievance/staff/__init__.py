"""The staff web pages: sign-in, work queues and report pages, oversight, administration.

One parent blueprint ``staff`` under ``/staff`` holds four children: ``auth`` (log in and out),
``work`` (queues, report pages, actions), ``oversight`` (agencies, breach register, audit trails)
and ``admin`` (agencies, regions, categories, users, SLA policy, calendars, API clients).
Every view parses input, calls a service and renders; every report query goes through
``grievance.services.scope.report_filter``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, NotFound

from grievance.extensions import login_manager
from grievance.services.errors import ServiceError
from grievance.staff import admin, auth, authentication, labels, oversight, work
from grievance.staff.access import error_text
from workflows.states import Role

blueprint = Blueprint("staff", __name__, url_prefix="/staff")
blueprint.register_blueprint(auth.blueprint)
blueprint.register_blueprint(work.blueprint)
blueprint.register_blueprint(oversight.blueprint)
blueprint.register_blueprint(admin.blueprint)


@blueprint.get("/")
@login_required
def home() -> ResponseReturnValue:
    """Send each role to the page it starts from."""
    role = Role(current_user.role)
    if role is Role.ADMIN:
        return redirect(url_for("staff.admin.index"))
    return redirect(url_for("staff.work.queue"))


@blueprint.context_processor
def staff_context() -> dict[str, object]:
    """Give staff templates the roles and the words for the workflow's values."""
    return {"Role": Role, "labels": labels.ALL}


@blueprint.errorhandler(CSRFError)
def csrf_refused(_exc: CSRFError) -> ResponseReturnValue:
    """Refuse a form without a valid CSRF token, saying what to do."""
    message = gettext(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    return render_template("staff/error.html", message=message), 400


@blueprint.errorhandler(NotFound)
def not_found(_exc: NotFound) -> ResponseReturnValue:
    """Say a page is not there, without telling whether it exists for someone else."""
    message = gettext("This page does not exist, or it is not open to you.")
    return render_template("staff/error.html", message=message), 404


@blueprint.errorhandler(Forbidden)
def forbidden(_exc: Forbidden) -> ResponseReturnValue:
    """Say the user's role may not open this page."""
    return render_template(
        "staff/error.html", message=gettext("Your role may not open this page.")
    ), 403


@blueprint.errorhandler(ServiceError)
def service_error(exc: ServiceError) -> ResponseReturnValue:
    """Show a service's refusal in the user's language, with its status."""
    return render_template("staff/error.html", message=error_text(exc)), exc.status


@blueprint.after_request
def no_store(response: Response) -> Response:
    """Keep staff pages, full of personal data, out of browser and proxy caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the staff pages and make Flask-Login send strangers to the staff login."""
    login_manager.login_view = "staff.auth.login"
    login_manager.login_message = _l("Log in to open this page.")
    login_manager.login_message_category = "info"
    authentication.init_app(app)
    app.register_blueprint(blueprint)
