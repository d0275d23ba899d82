#!/usr/bin/env bash
# Install and start everything nimbus's tests need, from nothing, as root:
# Debian packages, the services (PostgreSQL, MariaDB, RabbitMQ, libvirtd,
# virtlogd), the virtualenv with nimbus and its test extras, and the test
# guest image. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${NIMBUS_VENV:-$ROOT/.venv}
GUEST_DIR=${NIMBUS_GUEST_DIR:-$ROOT/.cache/guest}
PACKAGES=(libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
  qemu-block-extra libvirt-dev pkg-config libxml2-utils openvswitch-switch
  tgt dnsmasq-base lvm2 iptables ipset iproute2 cpio gcc python3-dev libssl-dev
  postgresql postgresql-contrib mariadb-server rabbitmq-server graphviz)

log() { printf '[setup-host %4ds] %s\n' "$SECONDS" "$*"; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start_services() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  fi
  if ! mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
    log "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  fi
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    log "starting RabbitMQ"
    rabbitmq-server -detached
  fi
  # libvirt probes QEMU for KVM even for virt_type=qemu; a root-only
  # /dev/kvm makes every domain start re-probe (48 s instead of 0.3 s).
  if [ -e /dev/kvm ]; then
    getent group kvm >/dev/null && chgrp kvm /dev/kvm
    chmod 0660 /dev/kvm
  fi
  # Open vSwitch (the network plugins' default backend; the userspace
  # datapath needs no kernel module). Either daemon may already run.
  if ! ovs-vsctl --timeout=5 show >/dev/null 2>&1; then
    log "starting ovsdb-server"
    /usr/share/openvswitch/scripts/ovs-ctl --system-id=random \
      --no-monitor --no-ovs-vswitchd start >/dev/null
  fi
  if ! pgrep -x ovs-vswitchd >/dev/null; then
    log "starting ovs-vswitchd"
    ovs-vswitchd --detach --pidfile --log-file --no-chdir \
      unix:/var/run/openvswitch/db.sock
  fi
  pgrep -x virtlogd >/dev/null || { log "starting virtlogd"; virtlogd -d; }
  pgrep -x libvirtd >/dev/null || { log "starting libvirtd"; libvirtd -d; }
  local i
  for i in $(seq 1 120); do
    pg_isready -q -h 127.0.0.1 -p 5432 \
      && mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1 \
      && rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1 \
      && virsh -c qemu:///system version >/dev/null 2>&1 \
      && ovs-vsctl --timeout=5 show >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "services did not come up"; return 1
}

# The AMQP 1.0 transport (qpid:// and amqp1:// URLs) talks to RabbitMQ
# through this plugin; enabling it needs no broker restart.
enable_amqp1() {
  if ! rabbitmq-plugins -q list -e -m 2>/dev/null | grep -qx rabbitmq_amqp1_0; then
    log "enabling RabbitMQ's AMQP 1.0 plugin"
    rabbitmq-plugins -q enable rabbitmq_amqp1_0 >/dev/null
  fi
}

# `nimbus monitor queues` reads queue statistics (counts, bytes, rates)
# from RabbitMQ's management HTTP API; enabling a plugin is idempotent
# and needs no broker restart.
enable_rabbitmq_management() {
  if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management
  then
    log "enabling rabbitmq_management"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
  fi
}

make_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  # The test extras include python-qpid-proton (built from source with
  # gcc, python3-dev and libssl-dev for TLS) for the AMQP 1.0 transport.
  log "installing nimbus and its test extras"
  "$VENV/bin/pip" install -q -e "$ROOT[test,docs]"
  log "installing the out-of-tree example plugins"
  "$VENV/bin/pip" install -q --force-reinstall --no-deps \
    "$ROOT/examples/nimbus-example-plugins"
}

install_packages
start_services
enable_amqp1
enable_rabbitmq_management
make_venv
"$ROOT/tools/setup-keystone.sh" "${NIMBUS_KEYSTONE_VENV:-$ROOT/.cache/keystone-venv}"
"$ROOT/tools/setup-glance.sh" "${NIMBUS_GLANCE_VENV:-$ROOT/.cache/glance-venv}"
log "building the test guest in $GUEST_DIR"
"$ROOT/tools/build-test-guest.sh" "$GUEST_DIR" >/dev/null
log "ready"
