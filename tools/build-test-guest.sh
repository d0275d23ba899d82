#!/bin/sh
# Build the nimbus test guest from Debian packages.
#
#   tools/build-test-guest.sh DIR
#
# Writes DIR/vmlinuz (the Debian cloud kernel), DIR/initrd.img (busybox
# initramfs) and DIR/disk.raw (a small disk to act as the machine image).
# The guest's /init prints "NIMBUS-GUEST-BOOTED <kernel>" on the serial
# console, loads virtio, asks DHCP for eth0 when there is one (then prints
# "NIMBUS-META instance-id=..." from the metadata service and runs a "#!"
# user-data script with its output on the console), powers off
# cleanly on the ACPI power button (busybox acpid), and prints
# "NIMBUS-DEV /dev/vdX serial=... t=... size=..." for each virtio disk
# every 2 seconds; on a newly seen non-root disk it reads back a marker
# ("NIMBUS-READ serial=... mark=...") or writes one ("NIMBUS-WROTE ...").
# At boot it does the same 1 MiB into the root disk (serial nimbus-root):
# "NIMBUS-ROOT-READ ..." or "NIMBUS-ROOT-WROTE ...".
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
    if [ -n "$router" ]; then
        ip route replace default via "${router%% *}" dev "$interface"
    fi
    echo "NIMBUS-DHCP-BOUND iface=$interface ip=$ip router=$router" \
        > /dev/console ;;
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

# After the lease: print the instance id the metadata service gives and,
# when the user data is a script ("#!"), run it with its output on the
# console (tests script pings and connections from inside guests so).
cat > "$ROOT/bin/metadata" <<'EOF'
#!/bin/sh
# busybox 1.35's wget crashes with -T: "timeout" bounds it instead.
MD=http://169.254.169.254
i=0
while [ $i -lt 15 ]; do
    id=$(timeout 5 wget -q -O - "$MD/latest/meta-data/instance-id" \
        2>/dev/null) && break
    i=$((i + 1))
    sleep 1
done
if [ -z "$id" ]; then
    echo "NIMBUS-META-FAILED"
    exit 0
fi
echo "NIMBUS-META instance-id=$id"
# The OpenStack path names the server by its UUID.
if md=$(timeout 5 wget -q -O - "$MD/openstack/latest/meta_data.json" \
    2>/dev/null); then
    echo "NIMBUS-META uuid=$(echo "$md" |
        sed -n 's/.*"uuid": *"\([0-9a-f-]*\)".*/\1/p')"
fi
if timeout 10 wget -q -O /tmp/user-data "$MD/latest/user-data" \
    2>/dev/null; then
    echo "NIMBUS-META user-data-bytes=$(wc -c < /tmp/user-data)"
    if [ "$(head -c 2 /tmp/user-data)" = "#!" ]; then
        chmod 0755 /tmp/user-data
        echo "NIMBUS-USERDATA-START"
        /tmp/user-data 2>&1
        echo "NIMBUS-USERDATA-END rc=$?"
    fi
fi
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
# --- network: DHCP, then the metadata service (in the background, so a
# guest without one still reaches the disk loop at once) ---
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    if udhcpc -i eth0 -t 15 -T 2 -n -q -s /usr/share/udhcpc/default.script \
        >/dev/null 2>&1; then
        /bin/metadata &
    else
        echo "NIMBUS-DHCP-FAILED"
    fi
fi
# Disks: every 2 s one NIMBUS-DEV line per virtio disk (with its size in
# 512-byte sectors). A disk seen for the first time (since it appeared)
# other than the root disk proves data: if it starts with a marker the
# guest prints it (NIMBUS-READ), otherwise it writes one naming the disk
# and this guest (NIMBUS-WROTE), so a test can carry data between guests.
guest=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || hostname)
# The root disk carries a marker 1 MiB in: printed when there
# (NIMBUS-ROOT-READ), else written once naming this guest
# (NIMBUS-ROOT-WROTE), so a test sees root-disk data carried by a
# snapshot or a shelve into another guest.
i=0
while [ $i -lt 10 ]; do
    for d in /dev/vd?; do
        [ -b "$d" ] || continue
        [ "$(cat /sys/block/${d#/dev/}/serial 2>/dev/null)" = nimbus-root ] ||
            continue
        mark=$(dd if=$d bs=512 skip=2048 count=1 2>/dev/null | head -n 1)
        case "$mark" in
        NIMBUS-ROOTMARK:*)
            echo "NIMBUS-ROOT-READ dev=$d mark=$mark" ;;
        *)
            mark="NIMBUS-ROOTMARK:$guest"
            echo "$mark" | dd of=$d bs=512 seek=2048 conv=notrunc \
                2>/dev/null && sync &&
                echo "NIMBUS-ROOT-WROTE dev=$d mark=$mark" ;;
        esac
        i=10
    done
    i=$((i + 1))
    [ $i -lt 10 ] && sleep 0.5
done
seen=" "
t=0
while true; do
    now=" "
    for d in /dev/vd?; do
        [ -b "$d" ] || continue
        n=${d#/dev/}
        s=$(cat /sys/block/$n/serial 2>/dev/null)
        size=$(cat /sys/block/$n/size)
        echo "NIMBUS-DEV $d serial=$s t=$t size=$size"
        # A disk just hot-plugged may not answer for its serial yet: it
        # is not "seen" (nor marked) until it does, or a marker would
        # name no disk.
        [ -n "$s" ] || continue
        now="$now$n:$s "
        case "$seen" in *" $n:$s "*) continue ;; esac
        [ "$s" = nimbus-root ] && continue
        mark=$(dd if=$d bs=512 count=1 2>/dev/null | head -n 1)
        case "$mark" in
        NIMBUS-MARK:*)
            echo "NIMBUS-READ serial=$s mark=$mark size=$size" ;;
        *)
            mark="NIMBUS-MARK:$s:$guest"
            if echo "$mark" | dd of=$d conv=notrunc 2>/dev/null && sync
            then
                echo "NIMBUS-WROTE serial=$s mark=$mark size=$size"
            else
                echo "NIMBUS-WRITE-FAILED serial=$s"
            fi ;;
        esac
    done
    seen=$now
    t=$((t + 2))
    sleep 2
done
EOF
chmod 0755 "$ROOT/init" "$ROOT/etc/acpi/PWRF/00000080" \
    "$ROOT/usr/share/udhcpc/default.script" "$ROOT/bin/metadata"

(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$WORK/initrd.img"
cp "$WORK/k/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
truncate -s 16M "$WORK/disk.raw"
printf 'NIMBUS_ROOT_DISK' | dd of="$WORK/disk.raw" conv=notrunc status=none

for f in vmlinuz initrd.img disk.raw; do
    mv -f "$WORK/$f" "$OUT/$f"
done
echo "build-test-guest: built $OUT (kernel $KVER)"
