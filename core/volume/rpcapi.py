"""Client side of the volume RPC API (topic ``volume``, server = host).

Each volume lives on one volume host (``volumes.host``); calls go to
``volume.<host>``.

Version history:

* 1.0: initial version: create_volume, delete_volume, extend_volume,
  create_snapshot, delete_snapshot, upload_to_image (casts),
  initialize_connection, terminate_connection (calls).
* 1.1: reimage_volume (cast: write an image onto an existing volume, a
  volume-backed server's root for a rebuild, Compute API 2.93).
"""

import oslo_messaging as messaging

from nimbus.core import rpc

TOPIC = "volume"
#: the newest version this client knows.
VERSION_CAP = "1.1"


class VolumeAPI:
    """Calls to the nimbus-volume service of one host.

    :param timeout: seconds a synchronous call may take.
    """

    def __init__(self, timeout=None):
        target = messaging.Target(topic=TOPIC, version="1.0")
        self.client = rpc.get_client(target, version_cap=VERSION_CAP,
                                     timeout=timeout)

    def _on(self, host):
        return self.client.prepare(server=host)

    def create_volume(self, context, host, volume_id, snapshot_id=None,
                      source_volid=None, image_id=None):
        """Make the recorded volume (status ``creating``) on ``host``,
        empty or from one source; the manager sets ``available`` or
        ``error``."""
        self._on(host).cast(context, "create_volume", volume_id=volume_id,
                            snapshot_id=snapshot_id,
                            source_volid=source_volid, image_id=image_id)

    def delete_volume(self, context, host, volume_id):
        self._on(host).cast(context, "delete_volume", volume_id=volume_id)

    def extend_volume(self, context, host, volume_id, new_size,
                      previous_status):
        """Grow the volume (status ``extending``) to ``new_size`` GiB, then
        set it back to ``previous_status``."""
        self._on(host).cast(context, "extend_volume", volume_id=volume_id,
                            new_size=new_size,
                            previous_status=previous_status)

    def create_snapshot(self, context, host, snapshot_id):
        self._on(host).cast(context, "create_snapshot",
                            snapshot_id=snapshot_id)

    def delete_snapshot(self, context, host, snapshot_id):
        self._on(host).cast(context, "delete_snapshot",
                            snapshot_id=snapshot_id)

    def upload_to_image(self, context, host, volume_id, image_id,
                        disk_format):
        self._on(host).cast(context, "upload_to_image", volume_id=volume_id,
                            image_id=image_id, disk_format=disk_format)

    def reimage_volume(self, context, host, volume_id, image_id,
                       previous_status):
        """Write image ``image_id`` onto the volume (status
        ``downloading``), then set ``previous_status`` (``error`` on
        failure)."""
        self._on(host).prepare(version="1.1").cast(
            context, "reimage_volume", volume_id=volume_id,
            image_id=image_id, previous_status=previous_status)

    def initialize_connection(self, context, host, volume_id, connector):
        """Return the connection info for the compute of ``connector``."""
        return self._on(host).call(context, "initialize_connection",
                                   volume_id=volume_id, connector=connector)

    def terminate_connection(self, context, host, volume_id, connector):
        return self._on(host).call(context, "terminate_connection",
                                   volume_id=volume_id, connector=connector)
