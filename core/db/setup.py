"""Give a service process its database (api, conductor, scheduler)."""

from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from nimbus.core.objects import base as objects_base


def use_database(conf):
    """Configure the engine and hand the database API to object code.

    Called once at start-up by the daemons that have a database; they pass
    the returned handle into the constructors of their service APIs and
    managers (``ComputeAPI(conf, db)``, ``SchedulerManager(conf, host,
    db)``, ...). The compute service never calls this.

    :param conf: the parsed configuration (``[database]``).
    :returns: the database API, :mod:`nimbus.core.db.api`.
    """
    engine.configure(conf)
    objects_base.NimbusObject.db_api = db_api
    return db_api
