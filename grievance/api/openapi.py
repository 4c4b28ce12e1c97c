"""The OpenAPI 3.1 document of /api/v1/, as data: what the server does, checked by schemathesis.

Keep it in step with grievance/api/v1.py: tests/grievance/api/test_api_openapi_contract.py
generates requests from this document and fails on any response it does not describe.
"""

from __future__ import annotations

from typing import Any

from grievance.services.public import PRIVATE_ACTIONS
from grievance.settings import SUPPORTED_LOCALES
from workflows.states import (
    Action,
    AgencyLevel,
    ArchiveReason,
    Channel,
    Classification,
    Outcome,
    Role,
    State,
)

API_VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _enum(values: list[str], nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": values}
    if nullable:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return schema


_DATETIME = {"type": "string", "format": "date-time"}
_DATETIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_STRING_OR_NULL = {"type": ["string", "null"]}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


_RATE_LIMITED = {
    **_error_response("Too many requests from this client; wait for Retry-After seconds."),
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}


_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
_DAYS = {"type": ["number", "string", "null"]}
_FIGURES: dict[str, Any] = {
    "received": _COUNT,
    "dispatched": _COUNT,
    "returned": _COUNT,
    "archived": _COUNT,
    "verified_within_limit_percent": _PERCENT,
    "followed_up_within_limit_percent": _PERCENT,
    "resolved_within_tier_percent": _PERCENT,
    "median_working_days_to_resolve": _DAYS,
    "p90_working_days_to_resolve": _DAYS,
    "responses": _COUNT,
    "closures": _COUNT,
    "open_backlog": _COUNT,
    "overdue_backlog": _COUNT,
    "reopen_rate_percent": {"type": ["number", "null"], "minimum": 0},
    "appeal_rate_percent": {"type": ["number", "null"], "minimum": 0},
    "mean_rating": {"type": ["number", "null"], "minimum": 1, "maximum": 5},
    "rating_4_or_5_percent": _PERCENT,
    "rated_percent": _PERCENT,
    "sla_clocks_due": _COUNT,
    "sla_clocks_met": _COUNT,
    "compliance_percent": _PERCENT,
    "zone": {"type": ["string", "null"], "enum": ["green", "yellow", "red", None]},
}


def _schemas() -> dict[str, Any]:
    report_properties: dict[str, Any] = {
        "tracking_number": {"type": "string", "pattern": "^[0-9]{10}$"},
        "classification": _enum([c.value for c in Classification]),
        "category": _nullable(_ref("CategoryRef")),
        "title": _STRING_OR_NULL,
        "description": _STRING_OR_NULL,
        "text_published": {
            "type": "boolean",
            "description": "false while the report is unscreened (or archived as abusive): "
            "title, description, address and event texts are then withheld.",
        },
        "state": _enum([s.value for s in State]),
        "state_label": {"type": "string"},
        "status": _enum(["open", "closed"]),
        "outcome": _enum([o.value for o in Outcome], nullable=True),
        "archive_reason": _enum([r.value for r in ArchiveReason], nullable=True),
        "region": _nullable(_ref("RegionRef")),
        "agency": _nullable(_ref("AgencyRef")),
        "location": _nullable(_ref("Location")),
        "channel": _enum([c.value for c in Channel]),
        "created_at": _DATETIME,
        "updated_at": _DATETIME,
        "dispatched_at": _DATETIME_OR_NULL,
        "first_update_at": _DATETIME_OR_NULL,
        "responded_at": _DATETIME_OR_NULL,
        "closed_at": _DATETIME_OR_NULL,
        "expected_at": _DATETIME_OR_NULL,
        "overdue": {"type": "boolean"},
        "reopen_count": {"type": "integer", "minimum": 0},
        "appealed": {"type": "boolean"},
        "duplicate_of": _STRING_OR_NULL,
        "status_notes": _STRING_OR_NULL,
        "photo_url": {
            "type": ["string", "null"],
            "format": "uri",
            "description": "The published photo, under the rule of the text.",
        },
        "events": {"type": "array", "items": _ref("Event")},
        "links": _ref("Links"),
    }
    public_properties = {"view": {"const": "public"}, **report_properties}
    reporter_properties = {
        "view": {"const": "reporter"},
        **report_properties,
        "anonymous": {"type": "boolean"},
        "confidential": {"type": "boolean"},
        "step_due_at": _DATETIME_OR_NULL,
        "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "allowed_actions": {
            "type": "array",
            "items": _enum(["add_information", "accept", "dispute", "rate", "appeal"]),
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "field"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "description": "Stable, machine-readable."},
                        "message": {
                            "type": "string",
                            "description": "In the request's language (Accept-Language).",
                        },
                        "field": {
                            **_STRING_OR_NULL,
                            "description": "The input at fault, when there is one.",
                        },
                    },
                }
            },
        },
        "Category": {
            "type": "object",
            "required": ["code", "name", "resolution_days"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "resolution_days": {"type": "integer", "minimum": 1},
            },
        },
        "CategoryRef": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "name": _STRING_OR_NULL},
        },
        "Region": {
            "type": "object",
            "required": ["code", "name", "level", "parent"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "level": _enum([level.value for level in AgencyLevel]),
                "parent": _STRING_OR_NULL,
            },
        },
        "RegionRef": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "name": _STRING_OR_NULL},
        },
        "AgencyRef": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "name": _STRING_OR_NULL},
        },
        "Location": {
            "type": "object",
            "required": ["address", "latitude", "longitude"],
            "additionalProperties": False,
            "description": "Only for screened reports of reporters who are not anonymous; the "
            "public point is rounded to 0.001 degree. The reporter's view is exact.",
            "properties": {
                "address": _STRING_OR_NULL,
                "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
                "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            },
        },
        "Event": {
            "type": "object",
            "required": ["action", "actor", "from_state", "to_state", "text", "created_at"],
            "additionalProperties": False,
            "properties": {
                "action": _enum([a.value for a in Action if a not in PRIVATE_ACTIONS]),
                "actor": _enum([r.value for r in Role]),
                "from_state": _enum([s.value for s in State], nullable=True),
                "to_state": _enum([s.value for s in State], nullable=True),
                "text": _STRING_OR_NULL,
                "created_at": _DATETIME,
            },
        },
        "Links": {
            "type": "object",
            "required": ["self", "open311"],
            "additionalProperties": False,
            "properties": {
                "self": {"type": "string", "format": "uri"},
                "open311": {"type": "string", "format": "uri"},
            },
        },
        "PublicReport": {
            "type": "object",
            "required": sorted(public_properties),
            "additionalProperties": False,
            "properties": public_properties,
        },
        "ReporterReport": {
            "type": "object",
            "required": sorted(reporter_properties),
            "additionalProperties": False,
            "properties": reporter_properties,
        },
        "Filing": {
            "type": "object",
            "required": ["description"],
            "additionalProperties": False,
            "properties": {
                "description": {
                    "type": "string",
                    "minLength": 10,
                    "maxLength": 5000,
                    "description": "What is wrong, in the reporter's words (10 to 5,000 "
                    "characters). Published once screened: leave personal details out.",
                },
                "classification": _enum([c.value for c in Classification]),
                "title": _STRING_OR_NULL,
                "category": {**_STRING_OR_NULL, "description": "A category code."},
                "region": {**_STRING_OR_NULL, "description": "A region code."},
                "address": _STRING_OR_NULL,
                "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
                "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
                "name": _STRING_OR_NULL,
                "phone": {**_STRING_OR_NULL, "description": "Gets SMS updates; never published."},
                "email": {**_STRING_OR_NULL, "description": "Never published."},
                "anonymous": {
                    "type": ["boolean", "null"],
                    "description": "Hide the reporter's identity from everyone but the verifier.",
                },
                "confidential": {
                    "type": ["boolean", "null"],
                    "description": "Never publish this report.",
                },
                "language": {"type": ["string", "null"], "enum": [*SUPPORTED_LOCALES, None]},
            },
        },
        "Scope": {
            "type": "object",
            "required": ["kind", "code", "name", "level"],
            "additionalProperties": False,
            "properties": {
                "kind": _enum(["national", "agency", "region"]),
                "code": _STRING_OR_NULL,
                "name": _STRING_OR_NULL,
                "level": _enum([level.value for level in AgencyLevel], nullable=True),
            },
        },
        "Figures": {
            "type": "object",
            "description": "WORKFLOW.md's published indicators over the period; percentages "
            "are null when nothing was due; working days are bucket upper bounds, or a string "
            "like '>60' beyond the last bucket.",
            "required": sorted(_FIGURES),
            "additionalProperties": False,
            "properties": _FIGURES,
        },
        "Period": {
            "type": "object",
            "required": ["from", "to"],
            "additionalProperties": False,
            "properties": {
                "from": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "to": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            },
        },
        "Scorecard": {
            "type": "object",
            "required": ["scope", "period", "thresholds", "total", "months", "children"],
            "additionalProperties": False,
            "properties": {
                "scope": _ref("Scope"),
                "period": _ref("Period"),
                "thresholds": {
                    "type": "object",
                    "required": ["green_percent", "yellow_percent"],
                    "additionalProperties": False,
                    "properties": {
                        "green_percent": {"type": "integer"},
                        "yellow_percent": {"type": "integer"},
                    },
                },
                "total": _ref("Figures"),
                "months": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["month", "figures"],
                        "additionalProperties": False,
                        "properties": {
                            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                            "figures": _ref("Figures"),
                        },
                    },
                },
                "children": {
                    "type": "array",
                    "description": "The agencies and regions directly beneath the scope.",
                    "items": {
                        "type": "object",
                        "required": ["scope", "figures"],
                        "additionalProperties": False,
                        "properties": {"scope": _ref("Scope"), "figures": _ref("Figures")},
                    },
                },
            },
        },
        "Ranking": {
            "type": "object",
            "required": ["level", "period", "rows"],
            "additionalProperties": False,
            "properties": {
                "level": _enum([level.value for level in AgencyLevel]),
                "period": _ref("Period"),
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["rank", "scope", "figures"],
                        "additionalProperties": False,
                        "properties": {
                            "rank": {"type": ["integer", "null"], "minimum": 1},
                            "scope": _ref("Scope"),
                            "figures": _ref("Figures"),
                        },
                    },
                },
            },
        },
        "FiledReport": {
            "type": "object",
            "required": ["tracking_number", "access_code", "report"],
            "additionalProperties": False,
            "properties": {
                "tracking_number": {"type": "string", "pattern": "^[0-9]{10}$"},
                "access_code": {
                    "type": "string",
                    "description": "Private: proves reportership. Shown once, never stored.",
                },
                "report": _ref("ReporterReport"),
            },
        },
    }


def openapi_document(base_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the JSON API served at `base_url`."""
    lang = {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Language of names and messages (en, id, fr, es, sw).",
    }
    period = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": description,
        }
        for name, description in (
            ("from", "First month, YYYY-MM (default: 11 months before `to`)."),
            ("to", "Last month, YYYY-MM (default: this month); at most 120 months in all."),
        )
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Grievance redress JSON API",
            "version": API_VERSION,
            "description": "File reports, follow them publicly or as their reporter. Nothing "
            "that identifies a reporter is ever returned; confidential reports are never "
            "served except to their reporter. Open311 GeoReport v2 lives at /open311/v2/ "
            "and open-data exports at /open-data/ (see docs/api.md).",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/api/v1/categories": {
                "get": {
                    "operationId": "listCategories",
                    "summary": "The categories a report may be filed under.",
                    "parameters": [lang],
                    "responses": {
                        "200": {
                            "description": "Active categories in display order.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["categories"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "categories": {
                                                "type": "array",
                                                "items": _ref("Category"),
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/v1/regions": {
                "get": {
                    "operationId": "listRegions",
                    "summary": "The regions under a region (the top level without parent).",
                    "parameters": [
                        {
                            "name": "parent",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Regions by code.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["regions"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "regions": {"type": "array", "items": _ref("Region")}
                                        },
                                    }
                                }
                            },
                        },
                        "404": _error_response("No region has this code."),
                    },
                }
            },
            "/api/v1/scorecards": {
                "get": {
                    "operationId": "nationalScorecard",
                    "summary": "The national scorecard by month, with top agencies and regions.",
                    "parameters": [*period, lang],
                    "responses": {
                        "200": _json_response("The scorecard.", "Scorecard"),
                        "400": _error_response("The months are not readable."),
                    },
                }
            },
            "/api/v1/scorecards/agencies/{code}": {
                "get": {
                    "operationId": "agencyScorecard",
                    "summary": "An agency's scorecard, with its sub-agencies'.",
                    "parameters": [_path("code", "An agency code."), *period, lang],
                    "responses": {
                        "200": _json_response("The scorecard.", "Scorecard"),
                        "400": _error_response("The months are not readable."),
                        "404": _error_response("No active agency has this code."),
                    },
                }
            },
            "/api/v1/scorecards/regions/{code}": {
                "get": {
                    "operationId": "regionScorecard",
                    "summary": "A region's scorecard, with its sub-regions'.",
                    "parameters": [_path("code", "A region code."), *period, lang],
                    "responses": {
                        "200": _json_response("The scorecard.", "Scorecard"),
                        "400": _error_response("The months are not readable."),
                        "404": _error_response("No region has this code."),
                    },
                }
            },
            "/api/v1/rankings/{level}": {
                "get": {
                    "operationId": "ranking",
                    "summary": "The agencies of one level ranked by compliance.",
                    "parameters": [
                        _path("level", "national, province, regency or unit."),
                        *period,
                        lang,
                    ],
                    "responses": {
                        "200": _json_response("The ranking.", "Ranking"),
                        "400": _error_response("The months are not readable."),
                        "404": _error_response("There is no such level."),
                    },
                }
            },
            "/api/v1/reports": {
                "post": {
                    "operationId": "fileReport",
                    "summary": "File a report (rate-limited per client, like the web form).",
                    "parameters": [lang],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Filing")}},
                    },
                    "responses": {
                        "201": {
                            "description": "Filed: keep the access code, it is shown once.",
                            "headers": {
                                "Location": {"schema": {"type": "string", "format": "uri"}}
                            },
                            "content": {"application/json": {"schema": _ref("FiledReport")}},
                        },
                        "400": _error_response("An input is wrong; `field` names it."),
                        "413": _error_response("The body is too large."),
                        "415": _error_response("The body is not application/json."),
                        "429": _RATE_LIMITED,
                    },
                }
            },
            "/api/v1/reports/{tracking_number}": {
                "get": {
                    "operationId": "getReport",
                    "summary": "A report's public view, or with `code` its reporter's view.",
                    "parameters": [
                        {
                            "name": "tracking_number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "10 digits; spaces and dashes are ignored.",
                        },
                        {
                            "name": "code",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "The private access code given at filing.",
                        },
                        lang,
                    ],
                    "responses": {
                        "200": {
                            "description": "The public view (`view` public) or, with a valid "
                            "code, the reporter's (`view` reporter).",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [_ref("PublicReport"), _ref("ReporterReport")]
                                    }
                                }
                            },
                        },
                        "404": _error_response(
                            "No such report, a confidential one, or a wrong access code."
                        ),
                        "429": _RATE_LIMITED,
                    },
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
