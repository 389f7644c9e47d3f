"""The database under the store: one connection type over SQLite (the default) or PostgreSQL.

The queries in models/ are written once, in the SQL both engines speak: `?` and `:name`
placeholders, `INSERT … ON CONFLICT`, `RETURNING id`, `IS NOT DISTINCT FROM`, partial indexes,
`[name]` quoting. For
PostgreSQL the few spellings that differ are rewritten here, once per statement text
(placeholders to psycopg's, brackets to double quotes), and the values are passed as SQLite would
take them (a bool as 0/1). Whole numbers computed by PostgreSQL (`SUM` of integers is `numeric`
there) come back as `int`, as SQLite gives them.

Transactions keep SQLite's semantics on both: a multi-statement write (`transaction()`) takes one
database-wide write lock first (`BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory
lock), so check-then-write code stays correct across processes and hosts. Single statements
(the work queue's claims, the outbox's leases) need no lock: each is one atomic compare-and-set
decided by a unique index or a `WHERE`, which both engines serialise per row.

psycopg is imported only when a PostgreSQL URL is opened, so SQLite users do not pay for it; its
errors are raised as `BackendError`, so code catches `DB_ERRORS` without importing psycopg.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

Params = Sequence[Any] | dict[str, Any]

# Any advisory-lock key works as long as every process uses the same one: "inmail" in ASCII.
WRITE_LOCK_KEY = 0x696E6D61696C


class BackendError(Exception):
    """An error from PostgreSQL, as ours (its psycopg error is the cause)."""


class BackendIntegrityError(BackendError):
    """A PostgreSQL constraint refused a write (a unique key, a foreign key, NOT NULL)."""


DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, BackendError)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, BackendIntegrityError)


def is_postgres(target: object) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def redacted(target: object) -> str:
    """A database name fit for logs and messages: a URL's password is hidden."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(target))


class Connection:
    """What the store needs from a database connection; `dialect` is "sqlite" or "postgresql"."""

    dialect = ""

    def execute(self, sql: str, params: Params = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        cursor = self.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator["Connection"]:
        """Several statements as one, under the database-wide write lock. Inside another
        transaction it joins that one, so two owners' writes of one fact commit as one."""
        if self.in_transaction:
            yield self
            return
        self._begin()
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def close(self) -> None:
        raise NotImplementedError


class SQLiteConnection(Connection):
    """One SQLite file in WAL mode; see `models.store.Store.open` for the pragmas and why."""

    dialect = "sqlite"

    def __init__(self, path: str, timeout_s: float) -> None:
        self.raw = sqlite3.connect(path, timeout=timeout_s, check_same_thread=False, isolation_level=None)

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self.raw.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def _begin(self) -> None:
        self.raw.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.raw.close()


# A string literal, a quoted name, a [bracketed] name, a cast, a :name, a ?, or a % (psycopg's escape).
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\[(\w+)\]|::|:(\w+)|\?|%")


@lru_cache(maxsize=1024)
def postgres_sql(sql: str) -> str:
    """A statement in our portable SQL as psycopg takes it (literals left alone)."""
    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0] in "'\"":
            return token.replace("%", "%%")  # psycopg reads % everywhere, in literals too
        if match.group(1):
            return f'"{match.group(1)}"'
        if match.group(2):
            return f"%({match.group(2)})s"
        return {"?": "%s", "%": "%%"}.get(token, token)
    return _TOKENS.sub(swap, sql)


def _values(params: Params) -> Params:
    """SQLite's way with a bool (an integer) for PostgreSQL's integer columns."""
    if isinstance(params, dict):
        return {key: int(value) if isinstance(value, bool) else value for key, value in params.items()}
    return tuple(int(value) if isinstance(value, bool) else value for value in params)


class PostgresConnection(Connection):
    """A psycopg 3 connection in autocommit mode (transactions are explicit, as on SQLite) with
    client-side parameter binding, so a `NULL` or untyped parameter needs no cast."""

    dialect = "postgresql"

    def __init__(self, url: str, lock_timeout_s: float) -> None:
        import psycopg
        from psycopg.types.numeric import NumericLoader

        class WholeNumbers(NumericLoader):
            def load(self, data: Any) -> Any:
                value = super().load(data)
                return int(value) if value == value.to_integral_value() else float(value)

        self._psycopg = psycopg
        try:
            self.raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        except psycopg.Error as error:
            raise BackendError(f"cannot connect to {redacted(url)}: {str(error).strip()}") from error
        self.raw.adapters.register_loader("numeric", WholeNumbers)
        # How long a statement waits for a row or table lock held by another transaction.
        self.execute(f"SET lock_timeout = {max(1, int(lock_timeout_s * 1000))}")

    def execute(self, sql: str, params: Params = ()) -> Any:
        try:
            return self.raw.execute(postgres_sql(sql), _values(params))
        except self._psycopg.IntegrityError as error:
            raise BackendIntegrityError(str(error).strip()) from error
        except self._psycopg.Error as error:
            raise BackendError(str(error).strip()) from error

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            with self.raw.cursor() as cursor:
                cursor.executemany(postgres_sql(sql), [_values(row) for row in rows])
        except self._psycopg.Error as error:
            raise BackendError(str(error).strip()) from error

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE

    def _begin(self) -> None:
        self.execute("BEGIN")
        self.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))

    def close(self) -> None:
        self.raw.close()


def connect(target: str, timeout_s: float) -> Connection:
    """A connection to a SQLite path (or `:memory:`) or a `postgresql://` URL."""
    if is_postgres(target):
        return PostgresConnection(target, timeout_s)
    return SQLiteConnection(target, timeout_s)


def writable_now(target: str, wait_s: float) -> str | None:
    """Why the database at `target` cannot take a write right now, or None when it can — asked on
    a fresh connection that waits at most `wait_s`, so a held lock makes the answer come quickly.
    A SQLite file must exist already (this never creates one)."""
    if is_postgres(target):
        import psycopg

        try:
            with psycopg.connect(target, autocommit=True, connect_timeout=max(1, round(wait_s))) as conn:
                conn.execute(f"SET statement_timeout = {max(1, int(wait_s * 1000))}")
                if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return "database: a read-only standby"
        except psycopg.Error as error:
            return f"database: {str(error).strip() or type(error).__name__}"
        return None
    uri = Path(target).absolute().as_uri() + "?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=wait_s, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as error:
        return f"database: {error}"
    return None


# --- the migrations' schema calls on PostgreSQL --------------------------------------------------
_PG_TYPES = {str: "TEXT", int: "BIGINT", float: "DOUBLE PRECISION", bytes: "BYTEA"}


def _literal(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class PostgresSchema:
    """The part of sqlite_utils' `Database` the migrations use (`db[name].create(…)`,
    `.create_index(…)`, `.add_column(…)`, `execute`, `conn`), written as PostgreSQL DDL — so one
    list of migration functions builds both databases. On SQLite they get sqlite_utils itself."""

    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def __getitem__(self, name: str) -> "_PostgresTable":
        return _PostgresTable(self.conn, name)

    def execute(self, sql: str, params: Params = ()) -> Any:
        return self.conn.execute(sql, params)


class _PostgresTable:
    def __init__(self, conn: Connection, name: str) -> None:
        self.conn = conn
        self.name = name

    def create(self, columns: dict[str, type], *, pk: str | tuple[str, ...], not_null: set[str] | None = None,
               defaults: dict[str, Any] | None = None,
               foreign_keys: Sequence[tuple[str, str, str]] = ()) -> None:
        not_null, defaults = not_null or set(), defaults or {}
        references = {column: (table, other) for column, table, other in foreign_keys}
        specs = []
        for column, kind in columns.items():
            if column == pk and kind is int:  # SQLite's INTEGER PRIMARY KEY: numbered by the database
                specs.append(f'"{column}" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
                continue
            spec = f'"{column}" {_PG_TYPES[kind]}'
            if column == pk:
                spec += " PRIMARY KEY"
            if column in not_null:
                spec += " NOT NULL"
            if column in defaults:
                spec += f" DEFAULT {_literal(defaults[column])}"
            if column in references:
                spec += ' REFERENCES "{}" ("{}")'.format(*references[column])
            specs.append(spec)
        if isinstance(pk, tuple):
            specs.append("PRIMARY KEY (" + ", ".join(f'"{column}"' for column in pk) + ")")
        self.conn.execute(f'CREATE TABLE "{self.name}" ({", ".join(specs)})')

    def create_index(self, columns: Sequence[str], *, unique: bool = False, index_name: str | None = None) -> None:
        name = index_name or f"idx_{self.name}_{'_'.join(columns)}"
        self.conn.execute(f'CREATE {"UNIQUE " if unique else ""}INDEX "{name}" ON "{self.name}" ('
                          + ", ".join(f'"{column}"' for column in columns) + ")")

    def add_column(self, column: str, kind: type) -> None:
        self.conn.execute(f'ALTER TABLE "{self.name}" ADD COLUMN "{column}" {_PG_TYPES[kind]}')
