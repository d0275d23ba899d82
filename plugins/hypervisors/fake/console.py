"""What a fake guest "prints" on its console: a short Linux boot log,
so clients that show the last N lines (``openstack console log show
--lines N``) get a realistic answer."""

import datetime


def boot_log(spec):
    """The boot log of the guest ``spec`` (a ``GuestSpec``) as lines."""
    stamp = datetime.datetime.now(datetime.UTC).strftime(
        "%Y-%m-%d %H:%M:%S")
    memory_kb = spec.memory_mb * 1024
    lines = [
        "[    0.000000] Linux version 6.1.0-fake (nimbus@fake) "
        "(gcc 12.2.0) #1 SMP PREEMPT_DYNAMIC",
        "[    0.000000] Command line: console=ttyS0 root=/dev/vda",
        f"[    0.000000] Memory: {memory_kb}K available",
        f"[    0.004000] smpboot: Allowing {spec.vcpus} CPUs, "
        "0 hotplug CPUs",
        "[    0.120000] virtio_blk virtio1: [vda] 2097152 512-byte "
        "logical blocks",
        "[    0.310000] EXT4-fs (vda): mounted filesystem with ordered "
        "data mode" + (f" (booted from volume {spec.root_volume.serial})"
                       if spec.root_volume else ""),
        "[    0.420000] Run /sbin/init as init process",
    ]
    for index, vif in enumerate(spec.vifs):
        lines.append(f"[    0.5{index:05d}] virtio_net virtio{index + 2} "
                     f"eth{index}: {vif.mac}")
    lines += [
        f"cloud-init[{100 + len(lines)}]: Cloud-init v. 23.1 running "
        f"'init' at {stamp}",
        f"cloud-init[{100 + len(lines)}]: instance-id: {spec.uuid}",
        f"cloud-init[{100 + len(lines)}]: hostname: {spec.name}",
        "Starting OpenBSD Secure Shell server: sshd.",
        "",
        f"{spec.name} login:",
    ]
    return lines
