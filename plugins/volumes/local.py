"""The ``local`` volume target: the compute shares the storage host.

No export at all: the connection info carries the volume's local path
(``file`` for a file, ``block`` for a device node), which a hypervisor on
the same host opens directly. Connectors from another host are refused,
since the path means nothing there.
"""

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if


class LocalTarget(volume_if.VolumeTarget):
    """Connection info is the volume's path on this host."""

    protocols = ("file", "block")

    def create_export(self, volume, device):
        return {"path": device.path, "protocol": device.protocol,
                "disk_format": device.disk_format}

    def ensure_export(self, volume, device, export):
        return self.create_export(volume, device)

    def remove_export(self, volume, export):
        """Nothing was exported."""

    def initialize_connection(self, volume, device, export, connector):
        host = (connector or {}).get("host")
        if host not in (None, self.host):
            raise exception.VolumeExportError(
                volume_id=volume.id,
                reason=f"the local target serves only host {self.host}, "
                       f"not {host}")
        return volume_if.connection_info(
            volume, device.protocol, path=device.path,
            disk_format=device.disk_format)

    def terminate_connection(self, volume, export, connector):
        """Nothing to undo."""
