"""The bundled image plugins pass the image conformance kit."""

import os
import shutil
import tempfile
import unittest

from oslo_config import cfg

from nimbus.core import context, exception, loading
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


class TestLocalImagesDirectory(unittest.TestCase):
    """The store's directory is made by the first write, not by reads."""

    def setUp(self):
        state_path = tempfile.mkdtemp(prefix="nimbus-images-")
        self.addCleanup(shutil.rmtree, state_path)
        self.store = loading.load_driver(loading.IMAGES, "local",
                                         _conf(state_path))
        self.root = self.store.conf.local_images.path
        self.context = context.get_admin_context()

    def test_reads_of_a_missing_directory_find_nothing(self):
        with self.assertRaises(exception.ImageNotFound):
            self.store.get(self.context, "0" * 8)
        self.assertIsNone(self.store.local_path(self.context, "0" * 8))
        self.assertFalse(os.path.exists(self.root))
        self.assertEqual([], self.store.list(self.context))

    def test_first_write_makes_it(self):
        record = self.store.create(self.context, {"name": "first"})
        self.assertTrue(os.path.isdir(self.root))
        self.assertEqual(record["id"],
                         self.store.get(self.context, record["id"])["id"])
