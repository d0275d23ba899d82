"""RunInstances' ``BlockDeviceMapping.N``: EC2's EBS mappings as the
compute service API's ``block_device_mapping_v2`` (see
:mod:`nimbus.core.compute.api_boot_volumes`).

* the root device (``/dev/vda``, ``/dev/xvda``, ``/dev/sda`` or
  ``/dev/sda1``) with ``Ebs.VolumeSize``: the instance boots from a new
  volume made from the AMI (``Ebs.SnapshotId``: from that snapshot);
* another device with ``Ebs.SnapshotId``: a new volume from the
  snapshot (``Ebs.VolumeSize`` at least its size), else a new empty
  volume of ``Ebs.VolumeSize`` GiB;
* ``Ebs.DeleteOnTermination`` (default true, as on AWS) deletes the
  volume with the instance;
* ``NoDevice`` is accepted and does nothing (AMIs carry no mappings to
  suppress); ``VirtualName`` (instance-store ``ephemeralN``),
  ``Ebs.Encrypted`` true, ``Ebs.Iops`` and a ``VolumeType`` other than
  ``standard`` are refused.

The compute names the extra volumes' devices itself (``/dev/vdb``,
``/dev/vdc``, ... in request order), as Nova does; ``DeviceName`` only
picks the root and keeps mappings apart.
"""

import re

from nimbus.core import exception

ROOT_NAMES = ("/dev/vda", "/dev/xvda", "/dev/sda", "/dev/sda1")
_DEVICE = re.compile(r"^(/dev/)?(sd|xvd|vd|hd)[a-z]{1,2}[0-9]{0,2}$")


def invalid(message):
    return exception.Ec2Error("InvalidBlockDeviceMapping", message)


def _bool(value, name):
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in ("true", "false"):
        raise exception.Ec2Error("InvalidParameterValue",
                                 f"Invalid value '{value}' for {name}.")
    return value.lower() == "true"


def _size(value):
    if value is None:
        return None
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or \
            not 1 <= int(value) <= 16384:
        raise exception.Ec2Error(
            "InvalidParameterValue", f"Invalid value '{value}' for "
            "Ebs.VolumeSize: an integer from 1 to 16384 (GiB).")
    return int(value)


def mappings(call, image_uuid):
    """``(block_devices, volume_backed)`` for the compute API's create:
    ``block_devices`` in ``block_device_mapping_v2`` form (None when the
    request has none), ``volume_backed`` when the root is a volume.

    :raises Ec2Error: ``InvalidBlockDeviceMapping`` (no or a bad device
        name, a device named twice, a mapping with nothing to map),
        ``InvalidParameterValue`` (bad sizes and booleans, what nimbus
        cannot give), ``InvalidSnapshot.NotFound``/``Malformed``.
    """
    items = call.params.members("BlockDeviceMapping")
    if not items:
        return None, False
    result, seen, root = [], set(), False
    for index, item in enumerate(items, 1):
        where = f"BlockDeviceMapping.{index}"
        if not isinstance(item, dict):
            raise invalid(f"{where} must have a DeviceName and Ebs.")
        device = item.get("DeviceName")
        if not isinstance(device, str) or not device:
            raise invalid(f"{where}.DeviceName is missing.")
        if not _DEVICE.match(device):
            raise invalid(f"Invalid device name {device}")
        full = device if device.startswith("/dev/") else "/dev/" + device
        if full in seen:
            raise invalid(f"The device {device} is mapped more than once.")
        seen.add(full)
        if item.get("VirtualName") is not None:
            raise exception.Ec2Error(
                "InvalidParameterValue", "Instance-store volumes "
                "(VirtualName) are not supported: use Ebs.")
        if item.get("NoDevice") is not None:
            if full in ROOT_NAMES:
                raise invalid("The root device cannot be suppressed.")
            continue
        ebs = item.get("Ebs")
        if not isinstance(ebs, dict):
            raise invalid(f"{where} needs Ebs (or NoDevice).")
        entry = _ebs(call, ebs, full in ROOT_NAMES, image_uuid)
        if full in ROOT_NAMES:
            root = True
            result.insert(0, entry)
        else:
            result.append(entry)
    return (result or None), root


def _ebs(call, ebs, is_root, image_uuid):
    for name in ("Iops", "Throughput", "KmsKeyId", "OutpostArn"):
        if ebs.get(name) is not None:
            raise exception.Ec2Error(
                "InvalidParameterValue", f"Ebs.{name} is not supported.")
    if _bool(ebs.get("Encrypted"), "Ebs.Encrypted"):
        raise exception.Ec2Error("InvalidParameterValue",
                                 "Encrypted volumes are not supported.")
    volume_type = ebs.get("VolumeType")
    if volume_type is not None and volume_type != "standard":
        raise exception.Ec2Error(
            "InvalidParameterValue", f"Invalid value '{volume_type}' for "
            "Ebs.VolumeType: nimbus has 'standard' volumes only.")
    size = _size(ebs.get("VolumeSize"))
    on_delete = _bool(ebs.get("DeleteOnTermination"),
                      "Ebs.DeleteOnTermination")
    entry = {"destination_type": "volume",
             "delete_on_termination": True if on_delete is None
             else on_delete}
    snap = ebs.get("SnapshotId")
    if snap is not None:
        if not isinstance(snap, str):
            raise invalid("Ebs.SnapshotId must be a single value.")
        entry.update(source_type="snapshot",
                     uuid=call.uuid(snap, ("snap",)))
    elif is_root:
        if size is None:
            raise invalid("The root device needs Ebs.VolumeSize (or "
                          "Ebs.SnapshotId) to boot from a volume.")
        entry.update(source_type="image", uuid=image_uuid)
    else:
        if size is None:
            raise invalid("A new empty volume needs Ebs.VolumeSize.")
        entry["source_type"] = "blank"
    if size is not None:
        entry["volume_size"] = size
    if is_root:
        entry["boot_index"] = 0
    return entry
