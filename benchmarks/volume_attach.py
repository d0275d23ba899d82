"""Attach + detach latency of a volume on a running guest.

nimbus-all with the libvirt plugin (QEMU TCG), the ``file`` volume
plugin and the ``tgt`` target (iSCSI with CHAP, a private tgtd), as the
volume integration tests run it. One guest is booted and one 1 GiB
volume created; then ``--runs`` times:

* ``attach``: from ``POST /servers/{id}/os-volume_attachments`` until
  the volume is ``in-use`` (reserved, exported, connected, hot-plugged
  by libvirt, recorded);
* ``detach``: from ``DELETE .../os-volume_attachments/{volume}`` until
  it is ``available`` again (unplugged, the guest released it,
  disconnected, recorded).

Status is polled every 20 ms through the Block Storage API, so each
figure includes up to that much polling slack. Medians are reported
(with min and max).

    .venv/bin/python benchmarks/volume_attach.py [--runs 7] [--json]

Needs root, libvirtd, tgtd (the tgt package) and the test guest
(``tools/build-test-guest.sh``; NIMBUS_GUEST_DIR or .cache/guest). It
removes every domain, target, file and process it made.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.integration.libvirt.conftest import virsh  # noqa: E402
from tests.integration.libvirt.volume_cloud import (  # noqa: E402
    Tgtd,
    VolumeCloud,
)


def _until_status(conn, volume_id, status, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        current = conn.block_storage.get_volume(volume_id).status
        if current == status:
            return time.monotonic()
        if current.startswith("error") or time.monotonic() > deadline:
            raise RuntimeError(f"volume {volume_id} is {current}, "
                               f"waiting for {status}")
        time.sleep(0.02)


def measure(runs, guest_dir):
    workdir = tempfile.mkdtemp(prefix="nimbus-bench-vol-")
    os.chmod(workdir, 0o755)
    tgtd = Tgtd()
    tgtd.start()
    cloud = VolumeCloud(workdir, guest_dir,
                        f"nimbus-bench{uuid.uuid4().hex[:6]}-", tgtd)
    try:
        cloud.start()
        image = cloud.register_guest_images()
        server_id = cloud.boot(["bench"], image)["bench"]
        conn = cloud.sdk()
        volume = conn.block_storage.create_volume(size=1, name="bench")
        _until_status(conn, volume.id, "available")
        attach, detach = [], []
        for run in range(runs):
            start = time.monotonic()
            conn.compute.create_volume_attachment(server_id,
                                                  volume=volume.id)
            attach.append(_until_status(conn, volume.id, "in-use") - start)
            if run == 0:
                # The guest really got it (and wrote its marker).
                cloud.wait_console(server_id, "NIMBUS-WROTE",
                                   f"serial={volume.id[:20]}")
            start = time.monotonic()
            conn.compute.delete_volume_attachment(server_id, volume.id)
            detach.append(_until_status(conn, volume.id, "available")
                          - start)
        return {"runs": runs, "attach_s": _stats(attach),
                "detach_s": _stats(detach),
                "attach_plus_detach_s": _stats(
                    [a + d for a, d in zip(attach, detach, strict=True)])}
    finally:
        cloud.stop()
        cloud.cleanup(virsh)
        tgtd.stop()
        subprocess.run(["rm", "-rf", workdir], check=False)


def _stats(values):
    return {"median": round(statistics.median(values), 3),
            "min": round(min(values), 3), "max": round(max(values), 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--guest-dir", default=os.environ.get(
        "NIMBUS_GUEST_DIR") or os.path.join(REPO, ".cache", "guest"))
    args = parser.parse_args()
    subprocess.run([os.path.join(REPO, "tools", "build-test-guest.sh"),
                    args.guest_dir], check=True, stdout=subprocess.DEVNULL)
    result = measure(args.runs, args.guest_dir)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key in ("attach_s", "detach_s", "attach_plus_detach_s"):
        s = result[key]
        print(f"{key:22} median {s['median']:.3f}  min {s['min']:.3f}  "
              f"max {s['max']:.3f}")


if __name__ == "__main__":
    main()
