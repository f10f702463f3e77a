"""Which database errors mean "cannot be reached right now" (503) and which are mistakes (500)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool

from community.database import database_unavailable


def raised(call) -> Exception:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def test_an_unopenable_sqlite_file_is_unavailable(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    error = raised(engine.connect)
    assert isinstance(error, OperationalError) and database_unavailable(error)


def test_a_full_pool_is_unavailable(tmp_path):
    engine = create_engine(
        f"sqlite:///{tmp_path / 'x.db'}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.1,
    )
    with engine.connect():
        error = raised(engine.connect)
    engine.dispose()
    assert isinstance(error, PoolTimeout) and database_unavailable(error)


def test_mistakes_in_what_was_asked_are_not_unavailability(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        missing_table = raised(lambda: connection.execute(text("SELECT * FROM no_such_table")))
        connection.rollback()
        connection.execute(text("CREATE TABLE once (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO once VALUES (1)"))
        duplicate = raised(lambda: connection.execute(text("INSERT INTO once VALUES (1)")))
    engine.dispose()
    assert isinstance(missing_table, OperationalError)
    assert not database_unavailable(missing_table)
    assert isinstance(duplicate, IntegrityError) and not database_unavailable(duplicate)
    assert not database_unavailable(ValueError("not a database error"))


def test_an_error_raised_from_an_unreachable_database_counts(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    cause = raised(engine.connect)
    try:
        raise RuntimeError("loading the user failed") from cause
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
