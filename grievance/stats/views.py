"""Public scorecards (/scorecards/...) and oversight statistics (/statistics/...).

Views parse the period and scope, read a few rollup rows through `grievance.stats.queries` and
render; no page reads the reports table. Public pages show aggregates only: no report, no
reporter, and no figure finer than an agency or a region in a month.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from grievance.stats import presentation, queries
from grievance.stats.indicators import OUTCOMES, Figures
from grievance.stats.queries import NATIONAL, Period, Scope
from workflows.states import AgencyLevel, Role

blueprint = Blueprint("stats", __name__)

LEVEL_LABELS = {
    AgencyLevel.NATIONAL: _l("national"),
    AgencyLevel.PROVINCE: _l("province"),
    AgencyLevel.REGENCY: _l("regency or city"),
    AgencyLevel.UNIT: _l("unit"),
}
OUTCOME_LABELS = {
    "resolved": _l("resolved"),
    "not_resolved": _l("not resolved"),
    "info_provided": _l("information provided"),
    "no_action_needed": _l("no action needed"),
}


def _period() -> tuple[Period, str | None]:
    period, problem = queries.parse_period(request.args.get("from"), request.args.get("to"))
    return period, gettext(problem) if problem else None


def _scope_url(scope: Scope, period: Period) -> str:
    if scope.kind == "agency":
        return url_for("stats.agency", code=scope.code, **period.args())
    if scope.kind == "region":
        return url_for("stats.region", code=scope.code, **period.args())
    return url_for("stats.national", **period.args())


def _trail(scope: Scope) -> list[Scope]:
    chain: list[Scope] = []
    node = scope.parent
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    return chain


# --- public scorecards ---------------------------------------------------------------------------


def _scorecard_page(scope: Scope) -> ResponseReturnValue:
    period, problem = _period()
    limits = queries.thresholds()
    card = queries.scorecard(scope, period, limits)
    agencies = queries.agency_figures(queries.child_agencies(scope), period, limits)
    regions = queries.region_figures(queries.child_regions(scope), period, limits)
    standing = None
    if scope.kind == "agency" and scope.level is not None:
        ranked = queries.ranking(scope.level, period, limits)
        mine = next((item for item in ranked if item.scope.agency_id == scope.agency_id), None)
        standing = (mine.rank if mine else None, sum(1 for item in ranked if item.rank is not None))
    return render_template(
        "stats/scorecard.html",
        scope=scope,
        trail=_trail(scope),
        period=period,
        problem=problem,
        card=card,
        limits=limits,
        indicators=presentation.INDICATORS,
        trend_columns=[presentation.BY_KEY[key] for key in presentation.TREND_COLUMNS],
        figures=presentation.scorecard_figures(card, limits),
        agencies=agencies,
        regions=regions,
        standing=standing,
        levels=LEVEL_LABELS,
        scope_url=lambda other: _scope_url(other, period),
        fmt=presentation,
    )


@blueprint.get("/scorecards/")
def national() -> ResponseReturnValue:
    """Show the national overview: every indicator, the trend, and the way down."""
    return _scorecard_page(NATIONAL)


@blueprint.get("/scorecards/agencies/<code>")
def agency(code: str) -> ResponseReturnValue:
    """Show an agency's scorecard (its units included), its rank and its units."""
    scope = queries.agency_scope(code)
    if scope is None:
        abort(404)
    return _scorecard_page(scope)


@blueprint.get("/scorecards/regions/<code>")
def region(code: str) -> ResponseReturnValue:
    """Show a region's scorecard (the regions inside it included) and its regions."""
    scope = queries.region_scope(code)
    if scope is None:
        abort(404)
    return _scorecard_page(scope)


def _level(raw: str) -> AgencyLevel:
    try:
        return AgencyLevel(raw)
    except ValueError:
        abort(404)


@blueprint.get("/scorecards/rankings/<level>")
def ranking(level: str) -> ResponseReturnValue:
    """Rank the agencies of one level by the share of clocks they met in time."""
    chosen = _level(level)
    period, problem = _period()
    limits = queries.thresholds()
    rows = queries.ranking(chosen, period, limits)
    return render_template(
        "stats/ranking.html",
        level=chosen,
        levels=LEVEL_LABELS,
        period=period,
        problem=problem,
        rows=rows,
        limits=limits,
        figure=presentation.ranking_figure(rows, limits) if rows else None,
        scope_url=lambda other: _scope_url(other, period),
        highlight=request.args.get("agency", ""),
        fmt=presentation,
    )


def _scope_json(scope: Scope) -> dict[str, Any]:
    return {
        "kind": scope.kind,
        "code": scope.code or None,
        "name": scope.name or None,
        "level": scope.level.value if scope.level is not None else None,
    }


def _period_json(period: Period) -> dict[str, str]:
    return {"from": period.first_text, "to": period.last_text}


def _json_error(problem: str) -> ResponseReturnValue:
    return jsonify({"error": problem}), 400


def _scorecard_json(scope: Scope) -> ResponseReturnValue:
    period, problem = _period()
    if problem:
        return _json_error(problem)
    limits = queries.thresholds()
    card = queries.scorecard(scope, period, limits)
    children = queries.agency_figures(queries.child_agencies(scope), period, limits)
    children += queries.region_figures(queries.child_regions(scope), period, limits)
    return jsonify(
        {
            "scope": _scope_json(scope),
            "period": _period_json(period),
            "thresholds": {"green_percent": limits.green, "yellow_percent": limits.yellow},
            "total": card.total.as_dict(),
            "months": [
                {"month": queries.month_text(month), **figures.as_dict()}
                for month, figures in card.by_month
            ],
            "children": [
                {**_scope_json(child), **_brief(figures)} for child, figures in children
            ],
        }
    )


def _brief(figures: Figures) -> dict[str, object]:
    full = figures.as_dict()
    keys = ("received", "open_backlog", "overdue_backlog", "compliance_percent", "zone")
    return {key: full[key] for key in keys}


@blueprint.get("/scorecards/data.json")
def national_json() -> ResponseReturnValue:
    """Return the national scorecard as JSON."""
    return _scorecard_json(NATIONAL)


@blueprint.get("/scorecards/agencies/<code>/data.json")
def agency_json(code: str) -> ResponseReturnValue:
    """Return an agency's scorecard as JSON."""
    scope = queries.agency_scope(code)
    if scope is None:
        return jsonify({"error": gettext("There is no such agency.")}), 404
    return _scorecard_json(scope)


@blueprint.get("/scorecards/regions/<code>/data.json")
def region_json(code: str) -> ResponseReturnValue:
    """Return a region's scorecard as JSON."""
    scope = queries.region_scope(code)
    if scope is None:
        return jsonify({"error": gettext("There is no such region.")}), 404
    return _scorecard_json(scope)


@blueprint.get("/scorecards/rankings/<level>/data.json")
def ranking_json(level: str) -> ResponseReturnValue:
    """Return the ranking of one level as JSON."""
    try:
        chosen = AgencyLevel(level)
    except ValueError:
        return jsonify({"error": gettext("There is no such level.")}), 404
    period, problem = _period()
    if problem:
        return _json_error(problem)
    rows = queries.ranking(chosen, period)
    return jsonify(
        {
            "level": chosen.value,
            "period": _period_json(period),
            "rows": [
                {"rank": item.rank, **_scope_json(item.scope), **item.figures.as_dict()}
                for item in rows
            ],
        }
    )


# --- oversight statistics ------------------------------------------------------------------------


def _require_oversight() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if Role(current_user.role) is not Role.OVERSIGHT:
        abort(403)
    return None


def _oversight_scope() -> tuple[Scope, str | None]:
    agency_code = (request.args.get("agency") or "").strip()
    region_code = (request.args.get("region") or "").strip()
    if agency_code:
        scope = queries.agency_scope(agency_code)
        if scope is None:
            return NATIONAL, gettext("There is no such agency; showing the whole country.")
        return scope, None
    if region_code:
        scope = queries.region_scope(region_code)
        if scope is None:
            return NATIONAL, gettext("There is no such region; showing the whole country.")
        return scope, None
    return NATIONAL, None


PAGE_AGENCIES = 50  # the worst ones on the page; the download holds them all
TABLES = ("resolution_times", "breaches_by_agency", "breaches_by_category", "appeal_outcomes",
          "channel_mix")


def _clock_columns(figures: Figures) -> list[object]:
    late = figures.clocks_due - figures.clocks_met
    rate = figures.breach_rate
    return [
        figures["verification_due"], figures["verification_met"],
        figures["follow_up_due"], figures["follow_up_met"],
        figures["resolution_due"], figures["resolution_met"],
        figures.clocks_due, late, round(rate, 1) if rate is not None else None,
    ]


CLOCK_HEADERS = [
    "verification_due", "verification_met", "follow_up_due", "follow_up_met",
    "resolution_due", "resolution_met", "clocks_due", "clocks_late", "breach_rate_percent",
]


def oversight_table(
    name: str, scope: Scope, period: Period, card: queries.Scorecard | None = None
) -> tuple[list[str], list[list[object]]]:
    """Return one oversight table as column names and rows of plain values."""
    if name == "resolution_times":
        card = card or queries.scorecard(scope, period)
        rows = presentation.display_bins(card.total.histogram)
        return (["working_days_from", "working_days_to", "responses"],
                [[low, high, value] for _label, low, high, value in rows])
    if name == "breaches_by_agency":
        agencies = queries.agency_figures(_all_agencies(), period)
        return (
            ["agency_code", "agency_name", "level", *CLOCK_HEADERS],
            [
                [item.code, item.name, item.level.value if item.level else None,
                 *_clock_columns(figures)]
                for item, figures in agencies
                if figures.clocks_due
            ],
        )
    if name == "breaches_by_category":
        names = queries.category_names(str(get_locale() or "en"))
        return (
            ["category_code", "category_name", *CLOCK_HEADERS],
            [
                [code or None, names.get(category_id, gettext("not yet categorised")),
                 *_clock_columns(figures)]
                for category_id, code, figures in queries.by_category(scope, period)
                if figures.clocks_due
            ],
        )
    if name == "appeal_outcomes":
        total = (card or queries.scorecard(scope, period)).total
        rows: list[list[object]] = [["appealed", total["appeals"]]]
        rows += [[f"closed_{outcome}", total[f"appeal_{outcome}"]] for outcome in OUTCOMES]
        return ["what", "count"], rows
    if name == "channel_mix":
        mix = queries.by_channel(scope, period)
        whole = sum(value for _channel, value in mix)
        return (
            ["channel", "received", "share_percent"],
            [[channel, value, round(100 * value / whole, 1) if whole else None]
             for channel, value in mix],
        )
    abort(404)


def _all_agencies() -> list[Scope]:
    scopes: list[Scope] = []
    for level in AgencyLevel:
        scopes.extend(queries.agencies_at_level(level))
    return scopes


@blueprint.get("/statistics/")
def oversight() -> ResponseReturnValue:
    """Show oversight statistics: resolution times, breaches, appeals and channels."""
    refused = _require_oversight()
    if refused is not None:
        return refused
    period, problem = _period()
    scope, scope_problem = _oversight_scope()
    card = queries.scorecard(scope, period)
    tables = {
        name: oversight_table(name, scope, period, card)
        for name in TABLES
        if name != "resolution_times"  # drawn from the scorecard's histogram instead
    }
    headers, agencies = tables["breaches_by_agency"]
    rate = headers.index("breach_rate_percent")
    worst = sorted(agencies, key=lambda row: (-(row[rate] or 0.0), -row[rate - 1], row[1]))
    tables["breaches_by_agency"] = (headers, worst[:PAGE_AGENCIES])
    span = f"{period.first_text} – {period.last_text}"
    return render_template(
        "stats/oversight.html",
        scope=scope,
        period=period,
        problems=[text for text in (problem, scope_problem) if text],
        card=card,
        histogram=presentation.histogram_figure(card.total.histogram, span),
        tables=tables,
        outcome_labels=OUTCOME_LABELS,
        levels=LEVEL_LABELS,
        download_args=_download_args(scope, period),
        agencies_total=len(agencies),
        agencies_shown=min(len(agencies), PAGE_AGENCIES),
        fmt=presentation,
    )


def _download_args(scope: Scope, period: Period) -> dict[str, str]:
    args = period.args()
    if scope.kind == "agency":
        args["agency"] = scope.code
    elif scope.kind == "region":
        args["region"] = scope.code
    return args


@blueprint.get("/statistics/<table>.<any(csv, json):fmt>")
def oversight_download(table: str, fmt: str) -> ResponseReturnValue:
    """Download one oversight table as CSV or JSON."""
    refused = _require_oversight()
    if refused is not None:
        return refused
    if table not in TABLES:
        abort(404)
    period, problem = _period()
    scope, scope_problem = _oversight_scope()
    if problem or scope_problem:
        return (jsonify({"error": problem or scope_problem}), 400) if fmt == "json" else (
            Response((problem or scope_problem or "") + "\n", 400, mimetype="text/plain")
        )
    headers, rows = oversight_table(table, scope, period)
    filename = f"{table}_{period.first_text}_{period.last_text}.{fmt}"
    if fmt == "json":
        response = jsonify(
            {
                "table": table,
                "scope": _scope_json(scope),
                "period": _period_json(period),
                "rows": [dict(zip(headers, row, strict=True)) for row in rows],
            }
        )
    else:
        response = Response(_csv(headers, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        # A leading =, +, - or @ would run as a formula in a spreadsheet; names come from admins.
        writer.writerow([_safe_cell(value) for value in row])
    return buffer.getvalue()


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


@blueprint.errorhandler(NotFound)
def not_found(_exc: NotFound) -> ResponseReturnValue:
    """Say a scorecard does not exist, and where to start instead."""
    return render_template("stats/not_found.html"), 404


def init_app(app: Flask) -> None:
    """Register the scorecard and statistics pages."""
    import grievance.stats.rollups  # noqa: F401 - registers the commit hook that keeps rollups current

    app.register_blueprint(blueprint)
