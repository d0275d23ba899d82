"""Fixtures of the libvirt plugin's unit tests (no libvirtd needed)."""

import pytest
from oslo_config import cfg

from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf


@pytest.fixture
def conf(tmp_path):
    """A private ConfigOpts with ``[libvirt]`` registered."""
    opts = cfg.ConfigOpts()
    opts.register_opt(cfg.StrOpt("state_path", default=str(tmp_path)))
    libvirt_conf.register_opts(opts)
    opts([], project="nimbus-test", default_config_files=[])
    return opts
