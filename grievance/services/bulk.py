"""Bulk writes for set-based jobs: COPY and array UPDATEs on PostgreSQL, executemany elsewhere.

The sweep writes up to hundreds of thousands of rows a run. Row-by-row statements (even
pipelined) cost ~50 µs a row on PostgreSQL; COPY and one UPDATE joined to unnested arrays cost
a few. SQLite, the embedded default, holds small data and takes the plain path.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from grievance.extensions import db
from grievance.models import Report

# Columns whose value differs row by row in a bulk report update, and their array types.
_PER_ROW_TYPES: dict[str, Any] = {
    "version": sa.Integer,
    "last_event_seq": sa.Integer,
    "last_event_hash": sa.String,
}


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _converter(sample: Any) -> Any:
    # Rows of one bulk write share their types, so the first row decides each column's conversion.
    if isinstance(sample, Enum):
        return lambda value: value.value if value is not None else None
    if isinstance(sample, dict):
        return _JSON.encode
    return None


def bulk_insert(table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows into a table in the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    converters = [(index, _converter(rows[0][name])) for index, name in enumerate(columns)]
    converters = [(index, convert) for index, convert in converters if convert is not None]
    pick = operator.itemgetter(*columns)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    quoted = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = list(pick(row))
            for index, convert in converters:
                values[index] = convert(values[index])
            copy.write_row(values)


def bulk_update_reports(updates: Sequence[dict[str, Any]]) -> set[int]:
    """Apply per-report updates guarded by version; return the ids of the rows updated.

    Each update holds `b_id` and `b_version` (the row and the version it was read at) and the
    new column values. A row someone changed since it was read keeps its version only if nobody
    did, so it is left out, and the caller writes nothing else for it. Values the same for every
    row are set once; the per-row ones (version and the chain tail) come from arrays joined by id.
    """
    if not updates:
        return set()
    table = Report.__table__
    columns = [name for name in updates[0] if not name.startswith("b_")]
    uniform = {
        name: updates[0][name]
        for name in columns
        if name not in _PER_ROW_TYPES and all(u[name] == updates[0][name] for u in updates)
    }
    varying = [name for name in columns if name not in uniform]
    connection = db.session.connection()
    if connection.dialect.name != "postgresql" or any(n not in _PER_ROW_TYPES for n in varying):
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
            .values({name: sa.bindparam(name) for name in columns})
        )
        # Row by row, to know which matched: the plain path serves small (embedded) data.
        return {u["b_id"] for u in updates if connection.execute(statement, u).rowcount == 1}
    arrays = {
        "id": (sa.Integer, [u["b_id"] for u in updates]),
        "old_version": (sa.Integer, [u["b_version"] for u in updates]),
        **{name: (_PER_ROW_TYPES[name], [u[name] for u in updates]) for name in varying},
    }
    rows = sa.select(
        *(
            sa.func.unnest(sa.literal(values, postgresql.ARRAY(kind))).label(name)
            for name, (kind, values) in arrays.items()
        )
    ).subquery("changed")
    statement = (
        sa.update(table)
        .where(table.c.id == rows.c.id, table.c.version == rows.c.old_version)
        .values({**uniform, **{name: rows.c[name] for name in varying}})
        .returning(table.c.id)
    )
    return set(connection.execute(statement).scalars())
