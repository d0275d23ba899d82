#!/bin/sh
# Build the nimbus test guest from Debian packages.
#
#   tools/build-test-guest.sh DIR
#
# Writes DIR/vmlinuz (the Debian cloud kernel), DIR/initrd.img (busybox
# initramfs) and DIR/disk.raw (a small disk to act as the machine image).
# The guest's /init prints "NIMBUS-GUEST-BOOTED <kernel>" on the serial
# console, loads virtio, asks DHCP for eth0 when there is one, powers off
# cleanly on the ACPI power button (busybox acpid), and prints
# "NIMBUS-DEV /dev/vdX serial=..." for each virtio disk every 2 seconds.
#
# Idempotent: does nothing when the outputs exist and are newer than this
# script. Needs apt-get, dpkg, cpio and gzip; runs as any user that may
# run "apt-get download".
set -eu

die() { echo "build-test-guest: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 DIR"
OUT=$1
SCRIPT=$(readlink -f "$0")

up_to_date() {
    for f in vmlinuz initrd.img disk.raw; do
        [ -s "$OUT/$f" ] && [ "$OUT/$f" -nt "$SCRIPT" ] || return 1
    done
}

if up_to_date; then
    echo "build-test-guest: $OUT is up to date"
    exit 0
fi

for tool in apt-get apt-cache dpkg cpio gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

KPKG=$(apt-cache depends linux-image-cloud-amd64 |
       awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$KPKG" ] || die "no linux-image-*-cloud-amd64 package found"
KVER=${KPKG#linux-image-}

echo "build-test-guest: downloading $KPKG busybox-static"
(cd "$WORK" && apt-get download -q "$KPKG" busybox-static >/dev/null 2>&1) ||
    (cd "$WORK" && apt-get download "$KPKG" busybox-static) ||
    die "apt-get download failed"
dpkg -x "$WORK"/linux-image-*.deb "$WORK/k"
dpkg -x "$WORK"/busybox-static_*.deb "$WORK/bb"

MODDIR="$WORK/k/lib/modules/$KVER/kernel"
[ -d "$MODDIR" ] || die "no modules in $KPKG"
ROOT="$WORK/initrd"
mkdir -p "$ROOT/bin" "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" \
    "$ROOT/lib/modules" "$ROOT/usr/share/udhcpc" "$ROOT/tmp"
cp "$WORK/bb/bin/busybox" "$ROOT/bin/busybox"

# Load order from ENVIRONMENT.md (the dpkg -x tree has no modules.dep).
MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio
drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev
drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover
drivers/net/virtio_net drivers/block/virtio_blk drivers/acpi/button
drivers/input/evdev"
for m in $MODULES; do
    [ -f "$MODDIR/$m.ko" ] || die "module $m.ko missing from $KPKG"
    cp "$MODDIR/$m.ko" "$ROOT/lib/modules/"
done

cat > "$ROOT/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "NIMBUS-DHCP-BOUND iface=$interface ip=$ip router=$router" ;;
deconfig)
    ip link set "$interface" up ;;
esac
EOF

# busybox acpid maps the power button to /etc/acpi/PWRF/00000080.
mkdir -p "$ROOT/etc/acpi/PWRF"
cat > "$ROOT/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "NIMBUS-GUEST-POWERDOWN"
sync
poweroff -f
EOF

cat > "$ROOT/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "NIMBUS-GUEST-BOOTED $(uname -r)"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
         virtio_pci failover net_failover virtio_net virtio_blk button evdev
do
    insmod /lib/modules/$m.ko || echo "NIMBUS-INSMOD-FAILED $m"
done
# -d: stay in the foreground and log to the console (daemon mode wants
# /var/log/acpid.log, which this initramfs does not have).
acpid -d -c /etc/acpi &
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    udhcpc -i eth0 -t 15 -T 2 -n -q -s /usr/share/udhcpc/default.script \
        >/dev/null 2>&1 || echo "NIMBUS-DHCP-FAILED"
fi
t=0
while true; do
    for d in /dev/vd?; do
        [ -b "$d" ] || continue
        echo "NIMBUS-DEV $d serial=$(cat /sys/block/${d#/dev/}/serial) t=$t"
    done
    t=$((t + 2))
    sleep 2
done
EOF
chmod 0755 "$ROOT/init" "$ROOT/etc/acpi/PWRF/00000080" \
    "$ROOT/usr/share/udhcpc/default.script"

(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$WORK/initrd.img"
cp "$WORK/k/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
truncate -s 16M "$WORK/disk.raw"
printf 'NIMBUS_ROOT_DISK' | dd of="$WORK/disk.raw" conv=notrunc status=none

for f in vmlinuz initrd.img disk.raw; do
    mv -f "$WORK/$f" "$OUT/$f"
done
echo "build-test-guest: built $OUT (kernel $KVER)"
