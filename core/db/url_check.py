"""Start-up checks of ``[database] connection``: one line, not a traceback.

A misspelt URL, a driver that is not installed or a database that does
not answer stop a daemon with one line naming the option (and the extra
to install), through :class:`~nimbus.core.exception.ConfigError`.
"""

from oslo_db import exception as db_exc
from sqlalchemy import engine as sa_engine
from sqlalchemy import exc as sa_exc

from nimbus.core import exception

#: dialect -> (driver URL nimbus installs, the extra that installs it).
_EXTRAS = {
    "postgresql": ("postgresql+psycopg2://", "postgresql"),
    "mysql": ("mysql+pymysql://", "mysql"),
    "mariadb": ("mysql+pymysql://", "mysql"),
}


def _fail(reason):
    return exception.ConfigError(reason=f"[database] connection {reason}")


def check_url(connection):
    """Parse ``connection`` and import its driver.

    :returns: the URL as shown to operators (password hidden).
    :raises ConfigError: not a URL, unknown dialect, driver missing.
    """
    try:
        url = sa_engine.make_url(connection)
    except sa_exc.ArgumentError:
        raise _fail("is not a database URL "
                    "(e.g. postgresql+psycopg2://user:pw@host/db)") from None
    shown = url.render_as_string(hide_password=True)
    try:
        dialect = url.get_dialect()
    except sa_exc.NoSuchModuleError:
        raise _fail(f"{shown}: unknown database kind "
                    f"{url.drivername!r}") from None
    try:
        dialect.import_dbapi()
    except ImportError as err:
        hint = ""
        if url.get_backend_name() in _EXTRAS:
            prefix, extra = _EXTRAS[url.get_backend_name()]
            hint = (f"; install it with pip install 'nimbus[{extra}]' and "
                    f"use a {prefix} URL")
        raise _fail(f"{shown}: its driver ({err.name or err}) is not "
                    f"installed{hint}") from None
    return shown


def check_reachable(get_engine, shown):
    """Create the engine with ``get_engine()`` and open one connection
    (oslo.db retries per ``[database] max_retries``), then close it.

    :raises ConfigError: the database does not answer or refuses us.
    """
    try:
        with get_engine().connect():
            pass
    except (db_exc.DBError, sa_exc.SQLAlchemyError) as err:
        first = str(getattr(err, "orig", None) or err).strip().splitlines()
        raise _fail(f"{shown}: cannot connect: "
                    f"{first[0] if first else type(err).__name__}") from None
