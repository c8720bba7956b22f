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


# the columns each table has had since the first schema: a table of that name without them is
# another program's, and is never altered
CORE = {
    "sources": {"id", "publisher", "title", "url"},
    "snapshots": {"id", "source_id", "sha256", "raw", "entry_count"},
    "entries": {"id", "source_id", "key", "seq", "name", "data"},
    "memberships": {"snapshot_id", "entry_id", "seq"},
    "read_models": {"name", "payload"},
    "scan_results": {"id", "url", "verdict"},
    "events": {"id", "source_id", "at", "kind", "snapshot_id", "note"},
}


class ForeignDatabase(ValueError):
    """The database holds another program's tables: left as it is."""


def foreign(tables: dict[str, set[str]], whole_file: bool) -> str:
    """Why a database holding `tables` (name -> its columns) is not peizi-guard's ("" when it is,
    or holds nothing yet). `whole_file`: an SQLite file, which is one program's; a server's
    database may hold other programs' tables beside ours."""
    ours = {t.name for t in Base.metadata.sorted_tables} & tables.keys()
    for name in sorted(ours):
        missing = CORE.get(name, set()) - tables[name]
        if missing:
            return f"its table {name} is another program's (no {', '.join(sorted(missing))} column{'s' * (len(missing) > 1)})"
    if whole_file and tables and not ours:
        names = sorted(tables)
        return f"it holds another program's tables ({', '.join(names[:5])}{' …' if len(names) > 5 else ''})"
    return ""


def upgrade(engine: Engine) -> list[str]:
    """Create what is missing; returns the columns added (table.column). ForeignDatabase, with
    nothing changed, when a table of ours by name is another program's."""
    insp = inspect(engine)
    have = set(insp.get_table_names()) & CORE.keys()
    why = foreign({name: {c["name"] for c in insp.get_columns(name)} for name in have}, whole_file=False)
    if why:
        raise ForeignDatabase(why)
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
