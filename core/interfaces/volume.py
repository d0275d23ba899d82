"""The volume contract: what nimbus-volume needs from a storage backend
and from an export target.

Two plugin groups, one per half of a volume's life on a storage host:

* a **volume driver** (``nimbus.volumes``, chosen by ``[volume] driver``:
  ``file``, ``lvm``, ``fake``) makes, grows, snapshots, copies and removes
  the bytes of volumes, and says where a volume lives on this host
  (:meth:`VolumeDriver.local_path`);
* a **volume target** (``nimbus.volumes.targets``, chosen by ``[volume]
  target``: ``tgt``, ``local``, ``fake``) makes such a local device
  reachable by a compute host and returns the *connection info* the
  compute turns into a :class:`~nimbus.core.interfaces.hypervisor.DiskSpec`.

The database is the truth and plugins never read it. Every call carries
what it is about (:class:`VolumeSpec`, :class:`SnapshotSpec`, the export
record a target returned earlier), so nimbus-volume can replay its records
after a restart (:meth:`VolumeTarget.ensure_export` for every exported
volume). nimbus-volume never calls a plugin twice at once for the same
volume; calls for different volumes may run concurrently.

Contracts every driver keeps (checked by the conformance kit,
:mod:`nimbus.core.testing.volume`):

* **all or nothing**: a method that raises leaves nothing half-made (a
  failed create leaves no volume behind; a failed extend leaves the old
  size);
* **idempotent removal**: deleting a volume or snapshot that does not
  exist succeeds, so a delete interrupted by a crash can be retried;
* sizes are whole GiB (``size``), as Cinder's;
* failures raise :class:`~nimbus.core.exception.VolumeBackendError` (or a
  subclass); a volume that still has snapshots raises
  :class:`~nimbus.core.exception.VolumeIsBusy` on delete, before
  touching anything.

Capabilities are class data (:class:`Capabilities`); the service API
refuses, before recording anything, what the configured driver does not
declare, and a method whose capability is not declared raises
:class:`~nimbus.core.exception.UnsupportedOperation`.

Connection info (what :meth:`VolumeTarget.initialize_connection`
returns; the keys of ``DiskSpec``)::

    {"protocol": "iscsi" | "file" | "block", "path": str | None,
     "portal": "host:port" | None, "iqn": str | None, "lun": int,
     "auth_username": str | None, "auth_secret": str | None,
     "serial": <volume id>, "disk_format": "raw" | "qcow2"}

Connector (what a compute sends)::

    {"host": str, "ip": str, "initiator": <an IQN>, "platform": str}
"""

import abc
import dataclasses

from nimbus.core import exception

#: 1.1: capability ``reimage``: :meth:`VolumeDriver.copy_image_to_volume`
#: may be called on a volume that holds data, attached or not, and
#: replaces all of it (Cinder's ``os-reimage``: Compute API 2.93 rebuilds
#: a volume-backed server so); optional: a 1.0 driver declares no
#: ``reimage`` and such a rebuild is refused (400).
INTERFACE_VERSION = "1.1"

GiB = 1024 ** 3

#: the protocols a connection info may carry (``DiskSpec.protocol``).
PROTOCOLS = ("iscsi", "file", "block")


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """What a volume driver can do, declared as data."""

    #: ``create_snapshot``/``delete_snapshot`` and
    #: ``create_volume_from_snapshot`` work.
    snapshots: bool = False
    #: ``create_cloned_volume`` works (``source_volid``).
    clone: bool = False
    #: ``extend_volume`` works.
    extend: bool = False
    #: ``extend_volume`` works while the volume is attached (in-use).
    extend_attached: bool = False
    #: ``copy_image_to_volume`` and ``copy_volume_to_image`` work.
    image_copy: bool = False
    #: ``copy_image_to_volume`` also re-images a volume that holds data
    #: (1.1): the image's bytes replace the volume's from its start
    #: (what lies past the image is not promised to be zeroed, as in
    #: Cinder).
    reimage: bool = False
    #: the bytes of a volume are real and reachable by
    #: :meth:`VolumeDriver.local_path` (``False`` for ``fake`` and for
    #: LVM in metadata mode, where LVs have no device node).
    data_path: bool = False
    #: space is allocated on write (the free capacity reported may be
    #: overcommitted).
    thin_provisioning: bool = False
    #: a volume with snapshots cannot be deleted (LVM's origin rule).
    snapshots_block_delete: bool = True


@dataclasses.dataclass
class VolumeSpec:
    """One volume as nimbus records it."""

    #: the volume's UUID (what the APIs call its id).
    id: str
    #: size in GiB.
    size: int
    name: str | None = None
    #: what the driver returned from create (e.g. a file path or LV
    #: name); ``None`` before creation. Opaque to nimbus.
    provider_location: str | None = None


@dataclasses.dataclass
class SnapshotSpec:
    """One snapshot of a volume."""

    id: str
    volume_id: str
    #: the size of the volume at the snapshot moment, in GiB.
    volume_size: int
    name: str | None = None
    provider_location: str | None = None


@dataclasses.dataclass
class LocalDevice:
    """Where a volume's bytes are on the storage host."""

    #: ``file`` (a regular file) or ``block`` (a block device).
    protocol: str
    path: str
    #: ``raw`` or ``qcow2``; targets that export blocks need ``raw``.
    disk_format: str = "raw"


@dataclasses.dataclass
class Capacity:
    """A backend's space, in GiB (floats: LVM reports bytes)."""

    total_gb: float
    free_gb: float
    #: the sum of the sizes of the volumes it holds.
    provisioned_gb: float = 0.0


class VolumeDriver(abc.ABC):
    """Base class of every volume driver (storage backend).

    :param conf: the configuration (``conf.volume`` is the service's
        group; a plugin may register its own group too).
    :param host: the name of the storage host this service runs on.
    """

    capabilities = Capabilities()

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host

    # -- lifecycle ------------------------------------------------------

    def init_host(self):
        """Check the backend (directory, volume group, tools) before any
        other call; raise :class:`~nimbus.core.exception.ConfigError`
        naming what is missing. Default: nothing."""

    @abc.abstractmethod
    def get_capacity(self):
        """Return the backend's :class:`Capacity` now (the manager
        reports it periodically; the scheduler places volumes by it)."""

    # -- volumes ----------------------------------------------------------

    @abc.abstractmethod
    def create_volume(self, volume):
        """Make an empty (zeroed) volume of ``volume.size`` GiB.

        :param volume: a :class:`VolumeSpec` (``provider_location`` None).
        :returns: the ``provider_location`` to record (a ``str``) or None.
        :raises VolumeBackendError: nothing was made (all or nothing).
        """

    @abc.abstractmethod
    def delete_volume(self, volume):
        """Remove the volume and its bytes. Idempotent: a volume that is
        not there is not an error.

        :raises VolumeIsBusy: it still has snapshots (nothing removed),
            when the capability ``snapshots_block_delete`` says so.
        """

    @abc.abstractmethod
    def volume_exists(self, volume):
        """Whether the backend holds ``volume`` (recovery after a crash
        asks it before finishing or failing an interrupted create)."""

    @abc.abstractmethod
    def local_path(self, volume):
        """Return the :class:`LocalDevice` holding ``volume``'s bytes.

        :raises VolumeNotOnBackend: the volume is not on this backend.
        """

    def extend_volume(self, volume, new_size):
        """Grow ``volume`` (of ``volume.size`` GiB) to ``new_size`` GiB;
        the new space reads as zeros; the old data is kept.

        :raises VolumeBackendError: the size is unchanged.
        """
        self._unsupported("extend")

    def create_cloned_volume(self, volume, source):
        """Make ``volume`` a copy of the volume ``source`` (same or larger
        size). :returns: like :meth:`create_volume`."""
        self._unsupported("clone")

    # -- snapshots --------------------------------------------------------

    def create_snapshot(self, snapshot, volume):
        """Freeze the data of ``volume`` at this moment as ``snapshot``.

        :returns: the snapshot's ``provider_location`` or None.
        """
        self._unsupported("snapshots")

    def delete_snapshot(self, snapshot, volume):
        """Remove ``snapshot``; the volume keeps its current data.
        Idempotent."""
        self._unsupported("snapshots")

    def create_volume_from_snapshot(self, volume, snapshot):
        """Make ``volume`` (``volume.size`` >= ``snapshot.volume_size``)
        holding the data of the snapshot moment.

        :returns: like :meth:`create_volume`.
        """
        self._unsupported("snapshots")

    # -- images -----------------------------------------------------------

    def copy_image_to_volume(self, volume, image_path, image_format):
        """Write the image at ``image_path`` (``raw`` or ``qcow2``,
        converted as needed) into the already created ``volume``.

        With ``capabilities.reimage`` the volume may already hold data
        (a volume-backed server's root, disconnected from its compute for
        the call): the image is written over it from the start.

        :raises VolumeBackendError: the image does not fit or cannot be
            read.
        """
        self._unsupported("image copy")

    def copy_volume_to_image(self, volume, dest_path, disk_format):
        """Write the data of ``volume`` to the new file ``dest_path`` in
        ``disk_format`` (``raw`` or ``qcow2``)."""
        self._unsupported("image copy")

    # -- helpers ----------------------------------------------------------

    def _unsupported(self, operation):
        raise exception.UnsupportedOperation(
            plugin=type(self).__name__, operation=operation)


class VolumeTarget(abc.ABC):
    """Base class of export targets: how compute hosts reach a volume.

    An *export* is the record a target returns from :meth:`create_export`
    (a JSON-serialisable ``dict``: target name, LUN, CHAP credentials...).
    nimbus stores it with the volume and hands it back on every later
    call, so a target keeps no state of its own that a restart could lose.

    :param conf: the configuration.
    :param host: the storage host's name.
    """

    #: the protocols :meth:`initialize_connection` may answer with.
    protocols = ()

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host

    def init_host(self):
        """Check the target machinery (e.g. that ``tgtd`` answers).
        Default: nothing."""

    @abc.abstractmethod
    def create_export(self, volume, device):
        """Export ``device`` (a :class:`LocalDevice`) of ``volume`` and
        return the export record (a ``dict``) to store. Credentials, when
        the target uses them, are new for each volume.

        :raises VolumeExportError: nothing is exported.
        """

    @abc.abstractmethod
    def ensure_export(self, volume, device, export):
        """Make sure the export recorded as ``export`` exists, recreating
        it if it does not (nimbus-volume calls this for every exported
        volume at start). Idempotent.

        :returns: the export record, possibly updated (store it).
        """

    @abc.abstractmethod
    def remove_export(self, volume, export):
        """Remove the export (before the volume is deleted). Idempotent:
        an export already gone is not an error."""

    @abc.abstractmethod
    def initialize_connection(self, volume, device, export, connector):
        """Let the compute of ``connector`` reach the volume and return
        the connection info dict (module docstring) with
        ``serial = volume.id``."""

    @abc.abstractmethod
    def terminate_connection(self, volume, export, connector):
        """Undo :meth:`initialize_connection` for ``connector``.
        Idempotent."""


def connection_info(volume, protocol, path=None, portal=None, iqn=None,
                    lun=0, auth_username=None, auth_secret=None,
                    disk_format="raw"):
    """Build a connection info dict (a helper for targets)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    return {"protocol": protocol, "path": path, "portal": portal,
            "iqn": iqn, "lun": lun, "auth_username": auth_username,
            "auth_secret": auth_secret, "serial": volume.id,
            "disk_format": disk_format}
