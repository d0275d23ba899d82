"""Give a service process its database (api, conductor, scheduler)."""

from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from nimbus.core.objects import base as objects_base


def use_database(conf):
    """Configure the engine and let object code use it."""
    engine.configure(conf)
    objects_base.use_database(db_api)
