"""The bundled image plugins pass the image conformance kit."""

import shutil
import tempfile
import unittest

from oslo_config import cfg

from nimbus.core import loading
from nimbus.core.testing.images import ImageStoreConformanceTests


def _conf(state_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default=state_path))
    conf([], project="nimbus-test", default_config_files=[])
    return conf


class TestFakeImages(ImageStoreConformanceTests, unittest.TestCase):
    def make_store(self):
        return loading.load_driver(loading.IMAGES, "fake", _conf("/none"))


class TestLocalImages(ImageStoreConformanceTests, unittest.TestCase):
    def make_store(self):
        state_path = tempfile.mkdtemp(prefix="nimbus-images-")
        self.addCleanup(shutil.rmtree, state_path)
        return loading.load_driver(loading.IMAGES, "local",
                                   _conf(state_path))
