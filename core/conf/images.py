"""[images] options: where image metadata and data come from."""

from oslo_config import cfg

group = cfg.OptGroup("images", title="Image service options")

opts = [
    cfg.StrOpt("backend", default="local",
               help="""
Image plugin (an entry point in ``nimbus.images``).

Possible values:

* ``local``: a directory of images with metadata (``[local_images]``).
* ``glance``: an existing Glance (``[glance]``); compute hosts cache the
  images they boot from.
* ``fake``: in memory, for tests.
"""),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
