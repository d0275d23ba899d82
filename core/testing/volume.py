"""Conformance kit for volume drivers and volume targets.

A plugin proves it keeps the contract of
:mod:`nimbus.core.interfaces.volume` by subclassing these mixins together
with ``unittest.TestCase``::

    class TestMyDriver(VolumeDriverConformanceTests, unittest.TestCase):
        def make_driver(self):
            return MyDriver(conf, "host-a")   # an empty backend

    class TestMyTarget(VolumeTargetConformanceTests, unittest.TestCase):
        def make_target(self):
            return MyTarget(conf, "host-a")

        def make_device(self, volume):
            return LocalDevice("file", path_of_a_file_of(volume.size))

Drivers declaring ``data_path`` are checked with real bytes: the kit
writes markers through :meth:`LocalDevice.path` (raw files and block
devices directly, qcow2 through ``qemu-io``) and reads them back from
snapshots, clones and extended volumes. Every test removes what it made,
even on failure.
"""

import json
import os
import shutil
import subprocess
import tempfile
import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if

#: keys of every connection info dict.
CONNECTION_KEYS = frozenset((
    "protocol", "path", "portal", "iqn", "lun", "auth_username",
    "auth_secret", "serial", "disk_format"))

MiB = 1024 * 1024


def new_volume(size=1, **kwargs):
    """A :class:`VolumeSpec` with a fresh id."""
    return volume_if.VolumeSpec(id=str(uuidlib.uuid4()), size=size,
                                name=kwargs.pop("name", "conformance"),
                                **kwargs)


def write_bytes(device, offset, data):
    """Write ``data`` at ``offset`` of the volume at ``device``."""
    if device.disk_format == "qcow2":
        with tempfile.NamedTemporaryFile(prefix="nimbus-kit-") as source:
            source.write(data)
            source.flush()
            subprocess.run(
                ["qemu-io", "-f", "qcow2", "-c",
                 f"write -s {source.name} {offset} {len(data)}",
                 device.path], check=True, capture_output=True, timeout=60)
        return
    with open(device.path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def read_bytes(device, offset, length):
    """Read ``length`` bytes at ``offset`` of the volume at ``device``."""
    if device.disk_format == "qcow2":
        out = subprocess.run(
            ["qemu-io", "-r", "-f", "qcow2", "-c",
             f"read -v {offset} {length}", device.path],
            check=True, capture_output=True, text=True, timeout=60)
        data = bytearray()
        for line in out.stdout.splitlines():
            address, sep, rest = line.partition(":  ")
            if not sep or not all(c in "0123456789abcdef" for c in address):
                continue
            data += bytes.fromhex(rest.split("  ", 1)[0])
        return bytes(data[:length])
    with open(device.path, "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def device_size(device):
    """The virtual size in bytes of the volume at ``device``."""
    out = subprocess.run(
        ["qemu-img", "info", "--output=json", "-f", device.disk_format,
         device.path], check=True, capture_output=True, timeout=60)
    return json.loads(out.stdout)["virtual-size"]


class VolumeDriverConformanceTests:
    """Mixin of driver contract tests; see the module docstring."""

    def make_driver(self):
        raise NotImplementedError("subclasses return a driver instance")

    def setUp(self):
        super().setUp()
        self.driver = self.make_driver()
        self.driver.init_host()
        self.caps = self.driver.capabilities

    # -- helpers ------------------------------------------------------------

    def _create(self, size=1):
        volume = new_volume(size)
        volume.provider_location = self.driver.create_volume(volume)
        self.addCleanup(self._delete_quietly, volume)
        return volume

    def _delete_quietly(self, volume):
        try:
            self.driver.delete_volume(volume)
        except exception.VolumeIsBusy:
            pass

    def _snapshot(self, volume):
        snapshot = volume_if.SnapshotSpec(
            id=str(uuidlib.uuid4()), volume_id=volume.id,
            volume_size=volume.size)
        snapshot.provider_location = self.driver.create_snapshot(
            snapshot, volume)
        self.addCleanup(self.driver.delete_snapshot, snapshot, volume)
        return snapshot

    def _refusal(self, capability):
        """The call that must raise UnsupportedOperation when the
        driver does not declare ``capability`` (None: no such call)."""
        volume = new_volume()
        snapshot = volume_if.SnapshotSpec(id="s", volume_id=volume.id,
                                          volume_size=1)
        return {
            "extend": lambda: self.driver.extend_volume(volume, 2),
            "clone": lambda: self.driver.create_cloned_volume(volume,
                                                              volume),
            "snapshots": lambda: self.driver.create_snapshot(snapshot,
                                                             volume),
            "image_copy": lambda: self.driver.copy_image_to_volume(
                volume, "/nonexistent", "raw"),
        }.get(capability)

    def _needs(self, capability):
        """Whether the driver declares ``capability``; when it does not,
        check the contract of the undeclared instead (its call refuses
        with UnsupportedOperation; no data path means no image copies
        either) and return False so the caller checks nothing more."""
        if getattr(self.caps, capability):
            return True
        refusal = self._refusal(capability)
        if refusal is not None:
            with self.assertRaises(exception.UnsupportedOperation):
                refusal()
        elif capability == "data_path":
            volume = self._create()
            self.assertTrue(self.driver.volume_exists(volume))
            self.assertIn(self.driver.local_path(volume).protocol,
                          ("file", "block"))
        return False

    # -- contract -------------------------------------------------------------

    def test_capabilities_are_data(self):
        self.assertIsInstance(self.caps, volume_if.Capabilities)

    def test_capacity_is_reported_in_gib(self):
        capacity = self.driver.get_capacity()
        self.assertIsInstance(capacity, volume_if.Capacity)
        self.assertGreater(capacity.total_gb, 0)
        self.assertLessEqual(capacity.free_gb, capacity.total_gb)
        self.assertGreaterEqual(capacity.free_gb, 0)

    def test_create_then_delete(self):
        volume = self._create()
        self.assertTrue(self.driver.volume_exists(volume))
        if volume.provider_location is not None:
            self.assertIsInstance(volume.provider_location, str)
        device = self.driver.local_path(volume)
        self.assertIn(device.protocol, ("file", "block"))
        self.assertIn(device.disk_format, ("raw", "qcow2"))
        self.driver.delete_volume(volume)
        self.assertFalse(self.driver.volume_exists(volume))
        with self.assertRaises(exception.VolumeNotOnBackend):
            self.driver.local_path(volume)

    def test_delete_is_idempotent(self):
        volume = self._create()
        self.driver.delete_volume(volume)
        self.driver.delete_volume(volume)
        self.driver.delete_volume(new_volume())
        self.assertFalse(self.driver.volume_exists(volume))

    def test_unknown_volume_is_not_on_backend(self):
        volume = new_volume()
        self.assertFalse(self.driver.volume_exists(volume))
        with self.assertRaises(exception.VolumeNotOnBackend):
            self.driver.local_path(volume)

    def test_thick_create_uses_capacity(self):
        if self.caps.thin_provisioning:
            self.skipTest("thin backends allocate on write")
        before = self.driver.get_capacity().free_gb
        self._create(1)
        after = self.driver.get_capacity().free_gb
        self.assertAlmostEqual(before - after, 1.0, delta=0.05)

    def test_new_volume_reads_zeros(self):
        if not self._needs("data_path"):
            return
        volume = self._create()
        device = self.driver.local_path(volume)
        self.assertEqual(read_bytes(device, 0, 64), b"\0" * 64)
        self.assertEqual(device_size(device), volume.size * volume_if.GiB)

    def test_data_survives_extend(self):
        if not self._needs("extend"):
            return
        volume = self._create(1)
        if self.caps.data_path:
            write_bytes(self.driver.local_path(volume), 0, b"EXTEND-ME")
        self.driver.extend_volume(volume, 2)
        volume.size = 2
        self.assertTrue(self.driver.volume_exists(volume))
        if self.caps.data_path:
            device = self.driver.local_path(volume)
            self.assertEqual(device_size(device), 2 * volume_if.GiB)
            self.assertEqual(read_bytes(device, 0, 9), b"EXTEND-ME")
            self.assertEqual(read_bytes(device, volume_if.GiB + 4096, 16),
                             b"\0" * 16)

    def test_snapshot_keeps_the_data_of_its_moment(self):
        if not self._needs("snapshots"):
            return
        volume = self._create(1)
        if self.caps.data_path:
            write_bytes(self.driver.local_path(volume), 512, b"BEFORE")
        snapshot = self._snapshot(volume)
        if self.caps.data_path:
            write_bytes(self.driver.local_path(volume), 512, b"AFTER!")
        copy = new_volume(2)
        copy.provider_location = self.driver.create_volume_from_snapshot(
            copy, snapshot)
        self.addCleanup(self._delete_quietly, copy)
        self.assertTrue(self.driver.volume_exists(copy))
        if self.caps.data_path:
            self.assertEqual(read_bytes(self.driver.local_path(copy), 512, 6),
                             b"BEFORE")
            self.assertEqual(
                read_bytes(self.driver.local_path(volume), 512, 6),
                b"AFTER!")
            self.assertEqual(device_size(self.driver.local_path(copy)),
                             2 * volume_if.GiB)

    def test_volume_with_snapshots_is_not_deleted(self):
        if not self._needs("snapshots"):
            return
        volume = self._create()
        snapshot = self._snapshot(volume)
        if not self.caps.snapshots_block_delete:
            # declared: the backend deletes a volume with its snapshots
            self.driver.delete_volume(volume)
            self.assertFalse(self.driver.volume_exists(volume))
            return
        with self.assertRaises(exception.VolumeIsBusy):
            self.driver.delete_volume(volume)
        self.assertTrue(self.driver.volume_exists(volume))
        self.driver.delete_snapshot(snapshot, volume)
        self.driver.delete_snapshot(snapshot, volume)  # idempotent
        self.driver.delete_volume(volume)
        self.assertFalse(self.driver.volume_exists(volume))

    def test_clone_copies_data(self):
        if not self._needs("clone"):
            return
        source = self._create(1)
        if self.caps.data_path:
            write_bytes(self.driver.local_path(source), 0, b"CLONED")
        clone = new_volume(1)
        clone.provider_location = self.driver.create_cloned_volume(
            clone, source)
        self.addCleanup(self._delete_quietly, clone)
        self.assertTrue(self.driver.volume_exists(clone))
        if self.caps.data_path:
            self.assertEqual(read_bytes(self.driver.local_path(clone), 0, 6),
                             b"CLONED")

    def test_reimage_writes_over_the_data(self):
        """1.1: with ``reimage``, an image copied onto a volume that
        holds data (another image's) replaces it from the start."""
        if not self.caps.reimage:
            return
        self.assertTrue(self.caps.image_copy)
        volume = self._create(1)
        images = tempfile.mkdtemp(prefix="conformance-img-")
        self.addCleanup(shutil.rmtree, images, True)
        paths = []
        for name, head in (("first", b"FIRST-IMAGE"), ("second", b"NEW")):
            path = os.path.join(images, name)
            with open(path, "wb") as f:
                f.write(head + b"\0" * (1 << 16))
            paths.append(path)
        self.driver.copy_image_to_volume(volume, paths[0], "raw")
        self.driver.copy_image_to_volume(volume, paths[1], "raw")
        self.assertTrue(self.driver.volume_exists(volume))
        if self.caps.data_path:
            self.assertEqual(
                read_bytes(self.driver.local_path(volume), 0, 11),
                b"NEW" + b"\0" * 8)

    def test_undeclared_capabilities_raise_unsupported(self):
        for capability in ("extend", "clone", "snapshots", "image_copy"):
            if not getattr(self.caps, capability):
                with self.assertRaises(exception.UnsupportedOperation):
                    self._refusal(capability)()


class VolumeTargetConformanceTests:
    """Mixin of target contract tests; see the module docstring."""

    #: a connector as a compute on the same host sends it.
    connector = {"host": "conformance-host", "ip": "127.0.0.1",
                 "initiator": "iqn.2010-10.org.nimbus:conformance-host",
                 "platform": "x86_64"}

    def make_target(self):
        raise NotImplementedError("subclasses return a target instance")

    def make_device(self, volume):
        """Return a :class:`LocalDevice` for ``volume`` (the test removes
        it through ``addCleanup``)."""
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.target = self.make_target()
        self.target.init_host()

    def _export(self):
        volume = new_volume()
        device = self.make_device(volume)
        export = self.target.create_export(volume, device)
        self.addCleanup(self.target.remove_export, volume, export)
        return volume, device, export

    def test_export_is_a_json_record(self):
        _, _, export = self._export()
        self.assertIsInstance(export, dict)
        self.assertEqual(json.loads(json.dumps(export)), export)

    def test_connection_info_has_the_contract_keys(self):
        volume, device, export = self._export()
        info = self.target.initialize_connection(volume, device, export,
                                                 self.connector)
        self.assertEqual(set(info), CONNECTION_KEYS)
        self.assertEqual(info["serial"], volume.id)
        self.assertIn(info["protocol"], self.target.protocols)
        self.target.terminate_connection(volume, export, self.connector)
        self.target.terminate_connection(volume, export, self.connector)

    def test_remove_is_idempotent_and_ensure_restores(self):
        volume, device, export = self._export()
        self.target.remove_export(volume, export)
        self.target.remove_export(volume, export)
        export = self.target.ensure_export(volume, device, export)
        again = self.target.ensure_export(volume, device, export)
        self.assertEqual(json.loads(json.dumps(again)), again)
        info = self.target.initialize_connection(volume, device, again,
                                                 self.connector)
        self.assertEqual(info["serial"], volume.id)
        self.target.remove_export(volume, again)

    def test_credentials_differ_per_volume(self):
        first = self._export()
        second = self._export()
        infos = [self.target.initialize_connection(v, d, e, self.connector)
                 for v, d, e in (first, second)]
        if infos[0]["auth_secret"] is None:
            # a target without credentials gives none to any volume
            self.assertIsNone(infos[1]["auth_secret"])
            self.assertIsNone(infos[0]["auth_username"])
            return
        self.assertNotEqual(infos[0]["auth_secret"], infos[1]["auth_secret"])
        self.assertNotEqual(infos[0]["iqn"], infos[1]["iqn"])
