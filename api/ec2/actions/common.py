"""What every action uses: the :class:`Call` (caller, parameters,
service APIs), policy checks and EC2 id translation."""

from nimbus.core import exception, policy
from nimbus.core.ec2 import ids as ec2_ids

# prefix -> (code for a malformed id, code for an unknown one)
_CODES = {
    "i": ("InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound"),
    "ami": ("InvalidAMIID.Malformed", "InvalidAMIID.NotFound"),
    "aki": ("InvalidAMIID.Malformed", "InvalidAMIID.NotFound"),
    "ari": ("InvalidAMIID.Malformed", "InvalidAMIID.NotFound"),
    "vol": ("InvalidVolumeID.Malformed", "InvalidVolume.NotFound"),
    "snap": ("InvalidSnapshotID.Malformed", "InvalidSnapshot.NotFound"),
    "sg": ("InvalidGroupId.Malformed", "InvalidGroup.NotFound"),
    "eipalloc": ("InvalidAllocationID.Malformed",
                 "InvalidAllocationID.NotFound"),
}
IMAGE_PREFIXES = ("ami", "aki", "ari")


def not_found(prefix, ec2_id):
    return exception.Ec2Error(_CODES[prefix][1],
                              f"The ID '{ec2_id}' does not exist")


class Call:
    """One action's request.

    :ivar context: the caller's ``RequestContext``.
    :ivar params: the :class:`~nimbus.api.ec2.params.Params`.
    :ivar services: the API's service APIs.
    """

    def __init__(self, conf, services, context, params):
        self.conf = conf
        self.services = services
        self.context = context
        self.params = params

    def authorize(self, rule, target=None):
        """Enforce ``rule`` (the OpenStack dialect's own) or raise
        ``UnauthorizedOperation``."""
        policy.authorize(self.conf, self.context, rule, target)

    def may(self, rule, target=None):
        return policy.check(self.conf, self.context, rule, target)

    def ec2_id(self, prefix, uuid):
        return self.services.ec2_ids.ec2_id(self.context, prefix, uuid)

    def ec2_ids(self, prefix, uuids):
        return self.services.ec2_ids.ec2_ids(self.context, prefix, uuids)

    def uuid(self, ec2_id, prefixes):
        """The UUID of ``ec2_id``, one of ``prefixes``' kinds.

        :raises Ec2Error: ``Invalid<Kind>ID.Malformed`` or
            ``Invalid<Kind>ID.NotFound``.
        """
        try:
            return self.services.ec2_ids.uuid(self.context, ec2_id,
                                              prefixes)
        except exception.NotFound:
            raise not_found(ec2_id.split("-", 1)[0], ec2_id)
        except exception.Invalid:
            raise exception.Ec2Error(
                _CODES[prefixes[0]][0], f"Invalid id: '{ec2_id}'")

    def uuids(self, ec2_ids, prefixes):
        """The UUIDs of ``ec2_ids`` in order, in one query per kind.

        :raises Ec2Error: as :meth:`uuid` does, for the first bad id.
        """
        for ec2_id in ec2_ids:
            if parse_prefix(ec2_id, prefixes) is None:
                raise exception.Ec2Error(
                    _CODES[prefixes[0]][0], f"Invalid id: '{ec2_id}'")
        known = self.services.ec2_ids.uuids(self.context, ec2_ids,
                                            prefixes)
        for ec2_id in ec2_ids:
            if ec2_id not in known:
                raise not_found(ec2_id.split("-", 1)[0], ec2_id)
        return [known[ec2_id] for ec2_id in ec2_ids]

    def instance(self, ec2_id):
        """The instance ``ec2_id`` names.

        :raises Ec2Error: ``InvalidInstanceID.Malformed`` or
            ``InvalidInstanceID.NotFound``.
        """
        uuid = self.uuid(ec2_id, ("i",))
        try:
            return self.services.compute.get(self.context, uuid)
        except exception.InstanceNotFound:
            raise not_found("i", ec2_id)


def parse_prefix(ec2_id, prefixes):
    parsed = ec2_ids.parse(ec2_id, prefixes)
    return parsed and parsed[0]
