"""The database itself: engine and sessions, the Alembic upgrade at start-up, SQLite's pragmas.
SQLite by default, any SQLAlchemy URL (PostgreSQL) in production."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from importlib import resources
from typing import Any, overload

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

try:
    from psycopg import InterfaceError as DriverInterfaceError
    from psycopg import OperationalError as DriverOperationalError

    _DRIVER_ERRORS: tuple[type[Exception], ...] = (DriverOperationalError, DriverInterfaceError)
except ImportError:  # PostgreSQL support is an optional extra
    _DRIVER_ERRORS = ()

# Alembic keeps the running migration in module globals: one migration at a time per process.
_MIGRATING = threading.Lock()


class Database:
    """One engine and its session factory, shared by every table group."""

    def __init__(self, url: str) -> None:
        options: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif url.startswith("postgresql") and "connect_timeout" not in url:
            # A server that does not answer (rather than refuse) is an outage in 10 s, not in
            # the minutes of the system's TCP time-out.
            options["connect_args"] = {"connect_timeout": 10}
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default), keeping the data."""
        config = AlembicConfig()
        config.set_main_option("script_location", str(resources.files("bot") / "migrations"))
        sqlite = self.engine.dialect.name == "sqlite"
        with _MIGRATING, self.engine.connect() as connection:
            if sqlite:
                # SQLite alters a table by copying it; with foreign keys on, dropping the old
                # copy would cascade into the rows that point at it.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()

    def close(self) -> None:
        self.engine.dispose()


def unreachable(error: BaseException | None) -> bool:
    """Whether an error (or one it came from) is the database not answering: a refused or lost
    connection, a server shutting down, a locked SQLite file."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (OperationalError, InterfaceError, *_DRIVER_ERRORS)):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns times without their zone; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
