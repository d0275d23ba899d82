"""[volume] options: nimbus-volume, its plugins and the volume API."""

from oslo_config import cfg

group = cfg.OptGroup("volume", title="Volume service options")

opts = [
    cfg.StrOpt("driver", default="fake",
               help="""
Volume driver (storage backend) this volume host runs: an entry point in
the ``nimbus.volumes`` group.

Possible values:

* ``fake``: volumes kept in memory, no data (the embedded default: no
  root, no disks).
* ``file``: sparse raw or qcow2 files in ``[volume_file] directory``.
* ``lvm``: thick logical volumes in ``[volume_lvm] volume_group``.
"""),
    cfg.StrOpt("target", default="fake",
               help="""
Export target that makes volumes reachable by compute hosts: an entry
point in the ``nimbus.volumes.targets`` group.

Possible values:

* ``fake``: connection info without an export (the embedded default).
* ``local``: the volume's local path (the compute shares this host).
* ``tgt``: iSCSI through tgtd, with CHAP credentials per volume.
"""),
    cfg.StrOpt("storage_availability_zone", default="nova",
               help="Availability zone of this volume host."),
    cfg.StrOpt("default_availability_zone", default=None,
               help="""
Zone a volume is created in when the request names none. Unset: the
``storage_availability_zone`` of the host the scheduler picks.
"""),
    cfg.StrOpt("volume_backend_name", default=None,
               help="""
Backend name this volume host reports to the volume scheduler. Volume types
whose ``volume_backend_name`` extra spec names a backend go only to hosts
reporting that name. Unset: the driver's name (``driver``).
"""),
    cfg.StrOpt("default_volume_type", default="__DEFAULT__",
               help="""
Volume type a volume created without one gets (Cinder's default type). The
database migration creates ``__DEFAULT__``; ``nimbus-manage db seed`` (and
nimbus-all) create a type of this name when none exists.
"""),
    cfg.IntOpt("capacity_report_interval", default=60, min=1,
               help="Seconds between capacity reports of a volume host."),
    cfg.IntOpt("operation_timeout", default=300, min=1,
               help="""
Seconds a volume or snapshot may stay in a transient status (creating,
deleting, extending, uploading, ...) while its volume host is not working
on it; periodically a record that has been transient longer than this is
finished (the backend holds a complete volume) or set to ``error`` with a
message. A restarted nimbus-volume settles its records at once, whatever
their age (a create younger than this is made again). A volume
``attaching`` or ``detaching`` this long with no server working on it
(no task state) is given back (``available``) or rolled back (``in-use``).
"""),
    cfg.IntOpt("recovery_interval", default=60, min=-1,
               help="""
Seconds between checks for records stuck in a transient status (see
``operation_timeout``). -1 disables the periodic check (the check at
service start still runs).
"""),
    cfg.IntOpt("max_size_gb", default=1000, min=1,
               help="Largest volume, in GiB, a request may ask for."),
    cfg.FloatOpt("max_over_subscription_ratio", default=1.0, min=1.0,
                 help="""
How far the scheduler may provision a thin backend beyond its total
capacity (provisioned / total). Thick backends (lvm) always need the free
space.
"""),
    cfg.IntOpt("reserved_percentage", default=0, min=0, max=100,
               help="Percentage of each backend kept free by the "
                    "volume scheduler."),
    cfg.IntOpt("rpc_timeout", default=60, min=1,
               help="Seconds a synchronous call to nimbus-volume "
                    "(initialize_connection) may take."),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
