"""[volume_file] options of the file volume driver."""

from oslo_config import cfg

group = cfg.OptGroup("volume_file", title="File volume driver options")

opts = [
    cfg.StrOpt("directory", default="$state_path/volumes",
               help="""
Directory holding the volumes (``volume-<id>.<format>``) and snapshots
(``snapshot-<volume id>-<snapshot id>.<format>``). An export target
(tgt) or a local hypervisor reads the files from here.
"""),
    cfg.StrOpt("format", default="raw", choices=("raw", "qcow2"),
               help="""
Format of new volume files: ``raw`` (sparse files, exportable as plain
block devices) or ``qcow2`` (connection info then says ``qcow2`` and the
hypervisor opens the volume as such).
"""),
    cfg.IntOpt("total_gb", default=0, min=0,
               help="""
Capacity reported to the volume scheduler, in GiB. 0: the size of the
file system holding ``directory``. Files are sparse, but every volume
and snapshot counts with its full size, so the backend is never
overcommitted.
"""),
]


def register_opts(conf):
    # A group object of its own per ConfigOpts: an OptGroup holds its
    # options' overrides, so sharing one would leak them between configs.
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]
