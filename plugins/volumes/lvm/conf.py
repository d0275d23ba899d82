"""[volume_lvm] options of the LVM volume driver."""

from oslo_config import cfg

group = cfg.OptGroup("volume_lvm", title="LVM volume driver options")

opts = [
    cfg.StrOpt("volume_group", default="nimbus-volumes",
               help="""
Volume group holding the volumes (``volume-<id>``) and snapshots
(``snapshot-<id>``). The operator creates it (``vgcreate``); the driver
refuses to start without it.
"""),
    cfg.StrOpt("volume_clear", default="zero", choices=("zero", "none"),
               help="""
What a deleted volume's space gets before the LV is removed: ``zero``
(written with zeros, so the next volume in the same extents cannot read
old data) or ``none``.
"""),
    cfg.IntOpt("volume_clear_size", default=0, min=0,
               help="MiB zeroed at the start of a deleted volume "
                    "(0: all of it)."),
    cfg.BoolOpt("metadata_only", default=False,
                help="""
Run LVM without device-mapper (``--driverloaded n``): LVs are created,
extended and removed in the metadata only, with no ``/dev`` node, so
they hold no data and cannot be snapshot, cloned or exported. For hosts
(containers, CI machines) whose kernel has no device-mapper; the driver
then declares no data path, snapshots, clones or image copies.
"""),
    cfg.IntOpt("snapshot_size_percent", default=100, min=1, max=100,
               help="""
Size of a snapshot's copy-on-write area, in percent of its volume
(100: the snapshot can never overflow).
"""),
]


def register_opts(conf):
    # A group object of its own per ConfigOpts: an OptGroup holds its
    # options' overrides, so sharing one would leak them between configs.
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]
