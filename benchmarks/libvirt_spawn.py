"""Spawn overhead of the libvirt plugin against raw virsh.

Measures, in the same run and interleaved, the time from asking to having
a running domain (not a booted guest):

* ``driver``: ``LibvirtDriver.spawn`` of a direct-kernel-boot guest, which
  includes creating its qcow2 overlay, defining and starting the domain;
* ``virsh``: ``virsh define`` + ``virsh start`` of equivalent XML rendered
  by the plugin's own config classes, with the disk made beforehand.

Usage::

    .venv/bin/python benchmarks/libvirt_spawn.py [--runs 7] [--json]

Needs root, a running libvirtd (qemu:///system) and the test guest
(``tools/build-test-guest.sh .cache/guest``, run here if needed). Every
domain and file it creates is removed at the end.
"""

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

from oslo_concurrency import processutils
from oslo_config import cfg

from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import builder, imagecache
from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf
from nimbus.plugins.hypervisors.libvirt.driver import LibvirtDriver

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URI = "qemu:///system"


def virsh(*args, check=True):
    return processutils.execute("virsh", "-c", URI, *args,
                                check_exit_code=[0] if check else False)[0]


class Bench:
    """One benchmark run: its prefix, directory, driver and guest image."""

    def __init__(self, guest_dir):
        self.guest_dir = guest_dir
        self.workdir = tempfile.mkdtemp(prefix="nimbus-bench-")
        os.chmod(self.workdir, 0o755)
        self.prefix = f"nimbus-bench{uuidlib.uuid4().hex[:6]}-"
        self.conf = cfg.ConfigOpts()
        self.conf.register_opt(cfg.StrOpt("state_path",
                                          default=self.workdir))
        libvirt_conf.register_opts(self.conf)
        self.conf([], project="nimbus-bench", default_config_files=[])
        for name, value in {
                "virt_type": "qemu", "connection_uri": URI,
                "domain_name_prefix": self.prefix,
                "instances_path": os.path.join(self.workdir, "instances"),
        }.items():
            self.conf.set_override(name, value, group="libvirt")
        self.driver = LibvirtDriver(self.conf, "bench-host")

    def spec(self, uuid):
        path = os.path.join(self.guest_dir, "{}")
        return hv.GuestSpec(
            uuid=uuid, name=f"bench-{uuid[:8]}", vcpus=1, memory_mb=128,
            image=hv.ImageSpec(
                id="bench-disk", path=path.format("disk.raw"),
                kernel=hv.ImageSpec(id="bench-kernel",
                                    path=path.format("vmlinuz")),
                ramdisk=hv.ImageSpec(id="bench-ramdisk",
                                     path=path.format("initrd.img"))))

    def time_driver(self):
        uuid = str(uuidlib.uuid4())
        start = time.perf_counter()
        self.driver.spawn(None, self.spec(uuid))
        elapsed = time.perf_counter() - start
        self.driver.destroy(None, uuid)
        return elapsed

    def time_virsh(self):
        uuid = str(uuidlib.uuid4())
        spec = self.spec(uuid)
        paths = builder.InstancePaths(
            os.path.join(self.workdir, "raw"), uuid)
        os.makedirs(paths.dir, mode=0o755)
        cache = self.driver._cache  # same cached base files as the driver
        imagecache.ImageCache.create_disk(
            cache.fetch("bench-disk", spec.image.path), "raw", paths.disk,
            "qcow2")
        disks = [builder.local_disk("qemu", 0, paths.disk, "qcow2",
                                    builder.ROOT_SERIAL)]
        xml_path = os.path.join(paths.dir, "domain.xml")
        with open(xml_path, "w") as f:
            f.write(builder.guest_config(
                self.conf, spec, paths, disks,
                cache.fetch("bench-kernel", spec.image.kernel.path),
                cache.fetch("bench-ramdisk", spec.image.ramdisk.path),
            ).to_string())
        name = builder.domain_name(self.prefix, uuid)
        start = time.perf_counter()
        virsh("define", xml_path)
        virsh("start", name)
        elapsed = time.perf_counter() - start
        virsh("destroy", name)
        virsh("undefine", name)
        shutil.rmtree(paths.dir)
        return elapsed

    def cleanup(self):
        try:
            for name in virsh("list", "--all", "--name").split():
                if name.startswith(self.prefix):
                    virsh("destroy", name, check=False)
                    virsh("undefine", name, "--managed-save", check=False)
            self.driver.cleanup_host()
        finally:
            for log in glob.glob(f"/var/log/libvirt/qemu/{self.prefix}*"):
                os.unlink(log)
            shutil.rmtree(self.workdir, ignore_errors=True)


def measure(runs, guest_dir):
    bench = Bench(guest_dir)
    try:
        bench.driver.init_host()
        bench.time_driver()  # warm-up: fills the image cache
        bench.time_virsh()
        driver, raw = [], []
        for _ in range(runs):
            driver.append(bench.time_driver())
            raw.append(bench.time_virsh())
    finally:
        bench.cleanup()
    result = {
        "runs": runs,
        "driver_spawn_median_s": round(statistics.median(driver), 4),
        "virsh_define_start_median_s": round(statistics.median(raw), 4),
        "driver_samples_s": [round(x, 4) for x in driver],
        "virsh_samples_s": [round(x, 4) for x in raw],
    }
    result["ratio"] = round(result["driver_spawn_median_s"] /
                            result["virsh_define_start_median_s"], 3)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--guest-dir",
                        default=os.path.join(REPO, ".cache", "guest"))
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object")
    args = parser.parse_args(argv)
    subprocess.run([os.path.join(REPO, "tools", "build-test-guest.sh"),
                    args.guest_dir], check=True, stdout=subprocess.DEVNULL)
    result = measure(args.runs, args.guest_dir)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"driver spawn (median of {args.runs}): "
              f"{result['driver_spawn_median_s'] * 1000:.0f} ms")
        print(f"virsh define + start (median): "
              f"{result['virsh_define_start_median_s'] * 1000:.0f} ms")
        print(f"ratio: {result['ratio']} (target <= 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
