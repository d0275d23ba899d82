"""The exact commands of the ``lvm`` driver's paths this machine cannot
run for real (no device-mapper: snapshots, zeroing, copies through device
nodes), with privileged.execute recording instead of running."""

import pytest
from oslo_config import cfg

from nimbus.core import exception, loading, privileged
from nimbus.core.interfaces import volume as volume_if
from nimbus.plugins.volumes.lvm import conf as lvm_conf

VG = "vg0"
VOL = volume_if.VolumeSpec(id="11111111-1111-4111-8111-111111111111",
                           size=2)
SNAP = volume_if.SnapshotSpec(id="22222222-2222-4222-8222-222222222222",
                              volume_id=VOL.id, volume_size=2)
NEW = volume_if.VolumeSpec(id="33333333-3333-4333-8333-333333333333",
                           size=3)


class Recorder:
    """Stands in for privileged.execute: records argv, answers lvs/vgs."""

    def __init__(self):
        self.calls = []
        self.lvs = {f"volume-{VOL.id}": (2 << 30, "")}
        self.fail = None

    def __call__(self, *argv, **kwargs):
        argv = [str(a) for a in argv]
        if argv[0] == "lvs":
            out = "".join(f"  {name}|{size}|-wi-a-----|{origin}\n"
                          for name, (size, origin) in self.lvs.items())
            return out, ""
        if argv[0] == "vgs":
            return f"  {20 << 30}|{10 << 30}|4194304\n", ""
        self.calls.append(argv)
        if argv[0] == "qemu-img" and not argv[-1].startswith("/dev/"):
            open(argv[-1], "wb").close()  # what the conversion writes
        if self.fail and self.fail in argv:
            raise exception.PrivilegedCommandFailed(
                command=" ".join(argv), exit_code=5, stderr="boom")
        return "", ""


@pytest.fixture
def run(monkeypatch):
    privileged.context.set_client_mode(False)
    recorder = Recorder()
    monkeypatch.setattr(privileged, "execute", recorder)
    yield recorder
    privileged.context.set_client_mode(True)


def driver(**options):
    conf = cfg.ConfigOpts()
    conf([], project="nimbus-test", default_config_files=[])
    lvm_conf.register_opts(conf)
    conf.set_override("volume_group", VG, group="volume_lvm")
    for key, value in options.items():
        conf.set_override(key, value, group="volume_lvm")
    return loading.load_driver(loading.VOLUMES, "lvm", conf, "h")


def test_create_thick_with_and_without_device_mapper(run):
    assert driver().create_volume(NEW) == f"{VG}/volume-{NEW.id}"
    driver(metadata_only=True).create_volume(NEW)
    assert run.calls == [
        ["lvcreate", "--yes", "-L", "3G", "-n", f"volume-{NEW.id}", VG],
        ["lvcreate", "--driverloaded", "n", "--activate", "n", "--zero",
         "n", "-L", "3G", "-n", f"volume-{NEW.id}", VG]]


def test_snapshot_is_lvcreate_snapshot_of_the_origin(run):
    assert driver().create_snapshot(SNAP, VOL) == \
        f"{VG}/snapshot-{SNAP.id}"
    driver(snapshot_size_percent=50).create_snapshot(SNAP, VOL)
    assert run.calls == [
        ["lvcreate", "--snapshot", "-L", "2G", "-n", f"snapshot-{SNAP.id}",
         f"{VG}/volume-{VOL.id}"],
        ["lvcreate", "--snapshot", "-L", "1G", "-n", f"snapshot-{SNAP.id}",
         f"{VG}/volume-{VOL.id}"]]


def test_volume_with_snapshots_is_not_deleted(run):
    run.lvs[f"snapshot-{SNAP.id}"] = (2 << 30, f"volume-{VOL.id}")
    with pytest.raises(exception.VolumeIsBusy):
        driver().delete_volume(VOL)
    assert run.calls == []
    driver().delete_snapshot(SNAP, VOL)
    assert run.calls == [["lvremove", "-f", f"{VG}/snapshot-{SNAP.id}"]]


def test_delete_zeroes_then_removes(run):
    driver().delete_volume(VOL)
    driver(volume_clear_size=16).delete_volume(VOL)
    driver(volume_clear="none").delete_volume(VOL)
    driver(metadata_only=True).delete_volume(VOL)
    dev = f"/dev/{VG}/volume-{VOL.id}"
    zero = ["dd", "if=/dev/zero", f"of={dev}", "bs=1M"]
    tail = ["oflag=direct", "conv=fdatasync"]
    remove = ["lvremove", "-f", f"{VG}/volume-{VOL.id}"]
    assert run.calls == [
        zero + ["count=2048"] + tail, remove,
        zero + ["count=16"] + tail, remove,
        remove,
        ["lvremove", "--driverloaded", "n", "-f", f"{VG}/volume-{VOL.id}"]]


def test_delete_of_a_missing_volume_does_nothing(run):
    driver().delete_volume(NEW)
    assert run.calls == []


def test_volume_from_snapshot_copies_through_device_nodes(run):
    driver().create_volume_from_snapshot(NEW, SNAP)
    assert run.calls == [
        ["lvcreate", "--yes", "-L", "3G", "-n", f"volume-{NEW.id}", VG],
        ["dd", f"if=/dev/{VG}/snapshot-{SNAP.id}",
         f"of=/dev/{VG}/volume-{NEW.id}", "bs=1M", "oflag=direct",
         "conv=sparse,fdatasync"]]


def test_failed_copy_removes_the_new_lv(run):
    run.fail = "dd"
    with pytest.raises(exception.VolumeBackendError):
        driver().create_cloned_volume(NEW, VOL)
    assert run.calls[-1] == ["lvremove", "-f", f"{VG}/volume-{NEW.id}"]


def test_image_copies_use_qemu_img_on_the_device(run, tmp_path):
    image = tmp_path / "img.qcow2"
    image.write_bytes(b"x")
    driver().copy_image_to_volume(VOL, str(image), "qcow2")
    driver().copy_volume_to_image(VOL, str(tmp_path / "out"), "raw")
    dev = f"/dev/{VG}/volume-{VOL.id}"
    assert run.calls == [
        ["qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", "-n",
         str(image), dev],
        ["qemu-img", "convert", "-q", "-f", "raw", "-O", "raw", dev,
         str(tmp_path / "out")]]


def test_extend_and_capacity(run):
    driver().extend_volume(VOL, 5)
    assert run.calls == [["lvextend", "-L", "5G", f"{VG}/volume-{VOL.id}"]]
    capacity = driver().get_capacity()
    assert (capacity.total_gb, capacity.free_gb, capacity.provisioned_gb) \
        == (20.0, 10.0, 2.0)


@pytest.mark.parametrize("name", ["-rf", "a/b", "", "x" * 200, "..",
                                  "a b"])
def test_bad_names_never_reach_a_command(run, name):
    from nimbus.plugins.volumes.lvm import privileged as priv
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.lvcreate(VG, name, 1, False)
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.lvremove(name, "lv", False)
    assert run.calls == []
