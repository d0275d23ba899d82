"""Every bundled filter and weigher passes its conformance kit.

One TestCase class per entry point the installed ``nimbus`` distribution
declares, so a new plugin is covered as soon as it is registered.
"""

import configparser
import os
import unittest
from importlib import metadata

from nimbus.core import loading
from nimbus.core.testing import scheduler as kit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(__file__))))
_KITS = {loading.FILTERS: ("Filter", kit.HostFilterConformanceTests),
         loading.WEIGHERS: ("Weigher", kit.HostWeigherConformanceTests)}


def _declared(group):
    """Entry-point names ``group`` has in the installed distribution."""
    return sorted(ep.name for ep in metadata.distribution("nimbus")
                  .entry_points if ep.group == group)


def _generate():
    generated = {}
    for group, (kind, mixin) in _KITS.items():
        for name in _declared(group):
            cls_name = f"Test{kind}Conformance_{name}"
            generated[cls_name] = type(cls_name, (mixin, unittest.TestCase), {
                "plugin_name": name, "__module__": __name__})
    return generated


globals().update(_generate())


def test_every_declared_plugin_has_a_kit_class():
    """setup.cfg is the source: a stale install (entry points added but
    not reinstalled) would silently leave plugins untested."""
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    for group, (kind, _mixin) in _KITS.items():
        in_setup = sorted(line.split("=")[0].strip() for line in
                          parser["options.entry_points"][group].split("\n")
                          if line.strip())
        assert in_setup, group
        assert _declared(group) == in_setup, \
            f"{group}: reinstall nimbus (pip install -e .)"
        for name in in_setup:
            assert f"Test{kind}Conformance_{name}" in globals()
