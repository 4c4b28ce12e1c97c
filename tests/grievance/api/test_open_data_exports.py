"""Open data: the landing page and dictionary, streamed CSV and JSON, filters, keyset batches."""

from __future__ import annotations

import csv
import io
import json

import pytest

from grievance.services import public


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_landing_page_holds_the_dictionary(api_client):
    page = api_client.get("/open-data/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for column in public.EXPORT_COLUMNS:
        assert f"<code>{column.name}</code>" in html
    assert 'action="/open-data/reports.csv"' in html
    assert 'formaction="/open-data/reports.json"' in html
    assert "<script" not in html and "style=" not in html  # the CSP forbids both inline


def test_dictionary_json_is_a_table_schema_of_the_export(api_client):
    document = api_client.get("/open-data/dictionary.json").json
    assert [f["name"] for f in document["fields"]] == [c.name for c in public.EXPORT_COLUMNS]
    assert document["primaryKey"] == "tracking_number"
    assert document["resources"]["csv"] == "https://grievance.example.org/open-data/reports.csv"
    state = next(f for f in document["fields"] if f["name"] == "state")
    assert "archived" in state["constraints"]["enum"] and state["constraints"]["required"]


def test_csv_rows_follow_the_publication_rules(api_client, filer, workflow, moved_clock):
    screened = filer(latitude="-6.9", longitude="107.6", address="Jl. Braga 10")
    workflow.dispatch(screened)
    workflow.update(screened, "Tim ke lokasi.")
    unscreened = filer(category_code="water")
    filer(confidential=True)
    formula = filer(description='=HYPERLINK("http://evil") jalan rusak')
    workflow.dispatch(formula)
    response = api_client.get("/open-data/reports.csv", headers={"Accept-Language": "id"})
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="reports_start_now.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == [c.name for c in public.EXPORT_COLUMNS]
    by_number = {r["tracking_number"]: r for r in rows}
    assert set(by_number) == {
        screened.report.tracking_number,
        unscreened.report.tracking_number,
        formula.report.tracking_number,
    }
    row = by_number[screened.report.tracking_number]
    assert row["description"] == screened.report.description
    assert row["category_name"] == "Jalan" and row["region_name"] == "Kota Bandung"
    assert row["agency_name"] == "Pemkot Bandung" and row["state"] == "in_progress"
    assert row["created_at"] == "2026-03-02T09:00:00+07:00" and row["overdue"] == "false"
    assert row["status"] == "open" and row["rating"] == "" and row["appealed"] == "false"
    pending = by_number[unscreened.report.tracking_number]
    assert pending["title"] == "" and pending["description"] == ""
    assert by_number[formula.report.tracking_number]["description"].startswith("'=HYPERLINK")


def test_json_export_is_one_streamed_array(api_client, filer, workflow):
    filed = filer()
    workflow.dispatch(filed)
    workflow.close(filed)
    response = api_client.get("/open-data/reports.json")
    assert response.is_streamed and response.content_type == "application/json; charset=utf-8"
    rows = json.loads(response.get_data(as_text=True))
    assert len(rows) == 1
    row = rows[0]
    assert row["status"] == "closed" and row["outcome"] == "resolved" and row["rating"] == 4
    assert row["overdue"] is False and row["reopen_count"] == 0 and row["expected_at"] is None
    assert list(row) == [c.name for c in public.EXPORT_COLUMNS]
    assert json.loads(api_client.get("/open-data/reports.json?from=2030-01-01").get_data()) == []


def test_date_filters_are_inclusive_local_dates(api_client, filer, moved_clock):
    first = filer()  # Monday 2 March, 09:00 WIB
    moved_clock.advance(hours=14, minutes=30)  # 23:30 WIB the same day
    late = filer()
    moved_clock.advance(hours=1)  # 00:30 WIB on Tuesday 3 March
    tuesday = filer()

    def numbers(query):
        return {
            r["tracking_number"]
            for r in read_csv(api_client.get(f"/open-data/reports.csv?{query}"))
        }

    assert numbers("from=2026-03-02&to=2026-03-02") == {
        first.report.tracking_number,
        late.report.tracking_number,
    }
    assert numbers("from=2026-03-03") == {tuesday.report.tracking_number}
    assert numbers("to=2026-03-01") == set()
    name = api_client.get("/open-data/reports.csv?from=2026-03-02&to=2026-03-03")
    assert name.headers["Content-Disposition"].endswith('"reports_2026-03-02_2026-03-03.csv"')


@pytest.mark.parametrize(
    "query", ["from=yesterday", "to=2026-13-01", "from=2026-03-02&to=2026-03-01"]
)
def test_bad_filters_are_refused(api_client, query):
    for suffix in ("csv", "json"):
        response = api_client.get(f"/open-data/reports.{suffix}?{query}")
        assert response.status_code == 400 and response.content_type.startswith("text/plain")


def test_keyset_batches_return_every_row_once_even_with_equal_timestamps(api_app, filer):
    # Every report filed at the same instant: the keyset must break ties on the id.
    numbers = {filer().report.tracking_number for _ in range(7)}
    rows = list(public.export_rows(None, None, "en", batch_size=2))
    assert [r["tracking_number"] for r in rows if r["tracking_number"] in numbers] == [
        r["tracking_number"] for r in rows
    ]
    assert len(rows) == 7 and {r["tracking_number"] for r in rows} == numbers


def test_batches_are_bounded_queries(api_app, filer, monkeypatch):
    from sqlalchemy import event

    from grievance.extensions import db

    for _ in range(5):
        filer()
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if "FROM reports" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert len(list(public.export_rows(None, None, "en", batch_size=2))) == 5
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 3 and all("LIMIT" in s for s in statements)
