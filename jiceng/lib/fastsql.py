"""INSERTs for the hot path (case intake), built once per model instead of per call.

Django's ORM spends most of an INSERT building the query; an intake writes a case and
its first timeline rows hundreds of times a second. These helpers prepare each value
with the field's own `pre_save` and `get_db_prep_save` (so defaults, auto_now_add,
JSON and dates behave exactly as with `save()`), and reuse one SQL text per model.
SQLite ≥ 3.35 and PostgreSQL both support `INSERT … RETURNING`.

On PostgreSQL every statement is a network round trip, and an intake's time goes mostly
to waiting for them: `together()` gathers the writes that need no answer (timeline rows,
rollup upserts) and sends them as one statement, each a data-modifying CTE.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

from django.conf import settings
from django.db import connection, models

_gathered = threading.local()
PREPARE_AFTER = 5  # psycopg's default; this module's cursor asks to prepare at once anyway


@contextmanager
def cursor_for_hot_path() -> Iterator:
    """Django's cursor, except on PostgreSQL: one whose statements psycopg prepares. The
    few statement texts of this module run hundreds of times a second, so PostgreSQL
    parses and plans each once per connection instead of every time (its work per API
    intake fell by a third; docs/load.md). Parameters travel apart from the SQL. Django
    keeps both off for the ORM (some of its SQL is not preparable), hence this cursor
    for these statements only; DB_PREPARED_STATEMENTS=false turns it off (a pooler that
    cannot keep prepared statements: PgBouncer in transaction mode before 1.21)."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns preparing off on the connection; only cursors that bind on the
        # server can prepare, and this is the only one, so the ORM is unaffected.
        raw.prepare_threshold = PREPARE_AFTER
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(_prepared_cursor_class()(raw))
    with cursor:
        yield cursor


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import _queries

    # psycopg turns `%s` into `$n` anew for every statement over 4 kB or 50 parameters
    # (it caches only the smaller ones); this module's few statements are that large and
    # run hundreds of times a second, so their conversions are kept here. `_queries` is
    # psycopg's private module: pyproject.toml keeps psycopg below 3.4, and the suite on
    # PostgreSQL runs these statements (test_fastsql, the intake tests).
    convert = lru_cache(maxsize=64)(_queries._query2pg_nocache)

    class KeptQuery(_queries.PostgresQuery):
        def convert(self, query, vars):
            query = self._ensure_bytes(query)
            self.query, self._want_formats, self._order, self._parts = convert(
                query, self._tx.encoding
            )
            self.dump(vars)

    class PreparedCursor(ServerBindingCursor):
        _query_cls = KeptQuery

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


@cache
def _columns(model: type[models.Model]) -> tuple[list[models.Field], str, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return fields, f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ", row


def _params(obj: models.Model, fields: list[models.Field]) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def insert(obj: models.Model) -> models.Model:
    """INSERT one object and set its primary key (no signals, like bulk_create)."""
    fields, head, row = _columns(type(obj))
    pk = type(obj)._meta.pk
    with cursor_for_hot_path() as cursor:
        cursor.execute(
            f"{head}{row} RETURNING {connection.ops.quote_name(pk.column)}", _params(obj, fields)
        )
        setattr(obj, pk.attname, cursor.fetchone()[0])
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_many(objs: list[models.Model]) -> None:
    """INSERT several objects of one model in one statement (primary keys not read)."""
    if not objs:
        return
    fields, head, row = _columns(type(objs[0]))
    params: list = []
    for obj in objs:
        params += _params(obj, fields)
    execute(head + ", ".join([row] * len(objs)), params)


def execute(sql: str, params: list) -> None:
    """Run a write whose result nobody reads: now, or with the others at the end of the
    `together()` block around it."""
    pending = getattr(_gathered, "statements", None)
    if pending is None:
        with cursor_for_hot_path() as cursor:
            cursor.execute(sql, params)
    else:
        pending.append((sql, params))


@contextmanager
def together() -> Iterator[None]:
    """Send the `execute()` writes of the block as one statement when it ends (PostgreSQL,
    inside a transaction: `WITH w1 AS (…), w2 AS (…) SELECT 1`, which runs every one of
    them to completion); elsewhere, and when the block fails, nothing changes: each ran
    or runs on its own."""
    # Only inside a transaction: outside one, an on_commit hook registered in the block
    # (a notification's nudge) would run before the gathered writes were sent.
    gathering = getattr(_gathered, "statements", None) is not None
    if connection.vendor != "postgresql" or not connection.in_atomic_block or gathering:
        yield
        return
    _gathered.statements = pending = []
    try:
        yield
    finally:
        _gathered.statements = None
    if pending:
        _send(pending)


def _send(pending: list[tuple[str, list]]) -> None:
    if len(pending) == 1:
        sql, params = pending[0]
    else:
        parts = ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(pending))
        sql, params = f"WITH {parts} SELECT 1", [p for _s, ps in pending for p in ps]
    with cursor_for_hot_path() as cursor:
        cursor.execute(sql, params)
