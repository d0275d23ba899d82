"""``nimbus-manage config check``: find what would stop a service, before
starting it, one line per problem.

Checks, for the role the file is for (``controller``: api, conductor,
scheduler; ``compute``; ``all``: nimbus-all):

* required options: a real ``transport_url`` for services in separate
  processes, ``host`` unique per compute host;
* plugin names: ``[compute] hypervisor``, ``[scheduler]
  enabled_filters``/``enabled_weighers``, ``[images] backend``, ``[api]
  enabled_dialects`` are installed entry points;
* reachability: the broker accepts our credentials and virtual host;
  the database URL parses, its driver is installed, it answers (the
  same checks the daemons run at start-up).
"""

from nimbus.core import broker, loading

ROLES = ("controller", "compute", "all")


def _plugins(conf, role):
    checks = []
    if role in ("compute", "all"):
        checks.append(("[compute] hypervisor", loading.HYPERVISORS,
                       [conf.compute.hypervisor]))
    if role in ("controller", "all"):
        checks += [
            ("[scheduler] enabled_filters", loading.FILTERS,
             conf.scheduler.enabled_filters),
            ("[scheduler] enabled_weighers", loading.WEIGHERS,
             conf.scheduler.enabled_weighers),
            ("[api] enabled_dialects", loading.API_DIALECTS,
             conf.api.enabled_dialects)]
    checks.append(("[images] backend", loading.IMAGES,
                   [conf.images.backend]))
    problems = []
    for option, namespace, names in checks:
        installed = loading.installed(namespace)
        for name in names or ():
            if name not in installed:
                problems.append(
                    f"{option}: no plugin named '{name}' is installed "
                    f"(installed: {', '.join(installed) or 'none'})")
    return problems


def _transport(conf, role):
    url = conf.transport_url
    # oslo.messaging's default is a bare "rabbit://": no broker named.
    if not url or url.startswith("fake:") or url == "rabbit://":
        if role == "all":
            return []
        return [f"[DEFAULT] transport_url: {'not set' if not url else url}:"
                f" services in separate processes need a broker "
                f"(rabbit://user:password@host:5672/vhost)"]
    try:
        host, port, user, password, vhost = broker.parse_url(url)
    except Exception as err:  # noqa: BLE001 - reported as a problem
        return [f"[DEFAULT] transport_url: "
                f"{str(err).removeprefix('Configuration error: ')}"]
    import kombu
    try:
        with kombu.Connection(hostname=host, port=port, userid=user,
                              password=password, virtual_host=vhost,
                              connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as err:  # noqa: BLE001 - any failure is the finding
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        return [f"[DEFAULT] transport_url: broker {user}@{host}:{port}, "
                f"vhost '{vhost}' refused or unreachable: {first}"]
    return []


def _database(conf, role):
    if role == "compute":
        return []
    from nimbus.core import exception
    from nimbus.core.db import engine, url_check
    try:
        shown = url_check.check_url(conf.database.connection
                                    or engine.default_connection(conf))
        engine.configure(conf)
        url_check.check_reachable(engine.get_engine, shown)
    except exception.ConfigError as err:
        return [str(err).removeprefix("Configuration error: ")]
    finally:
        engine.reset()
    return []


def problems(conf, role):
    """Every problem found, one line each (empty: none)."""
    found = _plugins(conf, role) + _transport(conf, role)
    if conf.database.connection is None and role == "controller":
        found.append("[database] connection: not set: a controller whose "
                     "services run in separate processes needs one shared "
                     "database (postgresql+psycopg2://… or "
                     "mysql+pymysql://…)")
    else:
        found += _database(conf, role)
    return found
