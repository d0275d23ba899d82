"""nimbus-volume: one per storage host (topic ``volume.<host>``)."""

from nimbus.cli.daemons import _runner
from nimbus.core import privileged, service
from nimbus.core.volume import manager, rpcapi

BINARY = "nimbus-volume"

#: plugins that never run a privileged command.
_UNPRIVILEGED = {"fake"}


def build(conf, db):
    """The volume service of ``[DEFAULT] host``.

    :param db: the database API (the volume manager records its work).
    """
    if conf.volume.driver not in _UNPRIVILEGED or \
            conf.volume.target not in _UNPRIVILEGED | {"local"}:
        # Before the service starts threads: as root privsep forks here.
        privileged.start()
    return service.Service(conf, BINARY, rpcapi.TOPIC,
                           manager.VolumeManager(conf, conf.host, db),
                           conf.host)


def main(argv=None):
    return _runner.serve_with_database(BINARY, build, argv)
