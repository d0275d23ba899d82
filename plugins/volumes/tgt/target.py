"""The ``tgt`` volume target: each connected volume an iSCSI target of
tgtd, with CHAP credentials of its own.

* target name ``<iqn_prefix>volume-<volume id>``, LUN 1 backed by the
  volume's file or block device; the target id is the smallest one free
  on this host's tgtd (``control_port`` picks the tgtd);
* CHAP user ``vol-<first 8 hex of the id>-<random>`` and a random
  24-character secret, new for every export, stored by nimbus in the
  export record (the connection info hands them to the compute);
* **tgtd keeps nothing across its restart**: nimbus-volume calls
  :meth:`TgtTarget.ensure_export` for every stored export at start,
  which recreates a missing target with the same name and credentials;
* an export that fails half-way is taken down again (target and
  account), so nothing is left half-made.
"""

import re
import secrets
import threading

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if
from nimbus.plugins.volumes.tgt import conf as tgt_conf
from nimbus.plugins.volumes.tgt import privileged as priv

_TARGET_LINE = re.compile(r"^Target (\d+): (\S+)\s*$")


def parse_targets(text):
    """``{iqn: tid}`` from ``tgtadm --op show --mode target`` output."""
    found = {}
    for line in text.splitlines():
        match = _TARGET_LINE.match(line)
        if match:
            found[match.group(2)] = int(match.group(1))
    return found


class TgtTarget(volume_if.VolumeTarget):
    """iSCSI exports through tgtadm; see the module docstring."""

    protocols = ("iscsi",)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        tgt_conf.register_opts(conf)
        self.options = conf.volume_tgt
        self._lock = threading.Lock()

    # -- helpers --------------------------------------------------------

    @property
    def _port(self):
        return self.options.control_port

    def _run(self, func, *args):
        try:
            return func(self._port, *args)
        except exception.NimbusException as err:
            raise exception.VolumeBackendError(
                reason=f"tgt: {err}") from None

    def _targets(self):
        return parse_targets(self._run(priv.show_targets))

    def iqn(self, volume):
        return f"{self.options.iqn_prefix}volume-{volume.id}"

    def _make(self, volume, device, export):
        """Create the target of ``export`` (its iqn, credentials); fill in
        the target id. Undo everything on failure."""
        with self._lock:
            targets = self._targets()
            if export["iqn"] in targets:
                self._run(priv.delete_target, targets.pop(export["iqn"]))
            used = set(targets.values())
            tid = next(n for n in range(1, len(used) + 2) if n not in used)
            try:
                self._run(priv.new_target, tid, export["iqn"], device.path,
                          self.options.initiator_address)
                if export.get("auth_username"):
                    self._run(priv.bind_account, tid,
                              export["auth_username"],
                              export["auth_secret"])
            except Exception:
                self._cleanup(tid, export.get("auth_username"))
                raise
        return dict(export, tid=tid)

    def _cleanup(self, tid, user):
        for func, arg in ((priv.delete_target, tid),
                          (priv.delete_account, user)):
            if arg is None:
                continue
            try:
                self._run(func, arg)
            except exception.VolumeBackendError:
                pass

    # -- the contract ---------------------------------------------------

    def init_host(self):
        try:
            self._targets()
        except exception.VolumeBackendError as err:
            raise exception.ConfigError(
                reason=f"tgtd (control port {self._port or 'default'}) "
                       f"does not answer: {err}") from None

    def create_export(self, volume, device):
        export = {"iqn": self.iqn(volume), "lun": 1,
                  "portal": f"{self.options.portal_address}:"
                            f"{self.options.portal_port}",
                  "path": device.path, "disk_format": device.disk_format,
                  "auth_username": None, "auth_secret": None}
        if self.options.chap:
            export["auth_username"] = \
                f"vol-{volume.id.replace('-', '')[:8]}-{secrets.token_hex(3)}"
            export["auth_secret"] = secrets.token_urlsafe(18).replace(
                "-", "a").replace("_", "b")
        try:
            return self._make(volume, device, export)
        except exception.VolumeBackendError as err:
            raise exception.VolumeExportError(volume_id=volume.id,
                                              reason=str(err)) from None

    def ensure_export(self, volume, device, export):
        targets = self._targets()
        if export["iqn"] in targets:
            return dict(export, tid=targets[export["iqn"]])
        return self._make(volume, device, dict(export, path=device.path))

    def remove_export(self, volume, export):
        with self._lock:
            tid = self._targets().get(export["iqn"])
            if tid is not None:
                self._run(priv.delete_target, tid)
            if export.get("auth_username"):
                self._run(priv.delete_account, export["auth_username"])

    def initialize_connection(self, volume, device, export, connector):
        return volume_if.connection_info(
            volume, "iscsi", portal=export["portal"], iqn=export["iqn"],
            lun=export["lun"], auth_username=export.get("auth_username"),
            auth_secret=export.get("auth_secret"),
            disk_format=export.get("disk_format", device.disk_format))

    def terminate_connection(self, volume, export, connector):
        """Nothing per connection: the export goes with
        :meth:`remove_export`."""
