"""Give a service process its database (api, conductor, scheduler)."""

from nimbus.core.db import api as db_api
from nimbus.core.db import engine, url_check
from nimbus.core.objects import base as objects_base


def use_database(conf):
    """Configure the engine and hand the database API to object code.

    Called once at start-up by the daemons that have a database; they pass
    the returned handle into the constructors of their service APIs and
    managers (``ComputeAPI(conf, db)``, ``SchedulerManager(conf, host,
    db)``, ...). The compute service never calls this.

    :param conf: the parsed configuration (``[database]``).
    :returns: the database API, :mod:`nimbus.core.db.api`.
    :raises ConfigError: ``[database] connection`` is malformed, its
        driver is not installed or the database does not answer (one
        line, which the daemons print instead of a traceback).
    """
    shown = url_check.check_url(conf.database.connection
                                or engine.default_connection(conf))
    engine.configure(conf)
    url_check.check_reachable(engine.get_engine, shown)
    objects_base.NimbusObject.db_api = db_api
    return db_api
