"""Bring an existing database up to the current schema: create missing tables, add missing columns.

Only additive changes are made (new tables, new columns with defaults), so nothing stored is
ever rewritten or lost; they are applied in one transaction.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from .models import Base


def _default_sql(column, dialect) -> str:  # noqa: ANN001
    default = column.default.arg if column.default is not None and column.default.is_scalar else None
    if default is None:
        return ""
    if isinstance(default, str):
        return " DEFAULT '" + default.replace("'", "''") + "'"
    return f" DEFAULT {default!r}"


def upgrade(engine: Engine) -> list[str]:
    """Create what is missing; returns the columns added (table.column)."""
    Base.metadata.create_all(engine)
    insp = inspect(engine)
    added = []
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in insp.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                ctype = column.type.compile(dialect=engine.dialect)
                conn.execute(
                    text(
                        f"ALTER TABLE {table.name} ADD COLUMN {column.name} {ctype}"
                        f"{_default_sql(column, engine.dialect)}"
                    )
                )
                added.append(f"{table.name}.{column.name}")
    return added
