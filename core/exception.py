"""The one exception hierarchy of nimbus.

Every error nimbus raises on purpose derives from :class:`NimbusException`,
which renders ``msg_fmt`` with the keyword arguments it was given and
carries two codes as class data: ``code``, the HTTP status the
OpenStack-family dialects answer with (one mapping, in
``nimbus.api.faults``), and ``ec2_code``, the error code the EC2 dialect
renders. A family sets both; a leaf overrides one only where clients
expect a more precise code. kwargs must be JSON-serialisable because
exceptions cross RPC (anything else is kept as its ``str``).

::

    NimbusException (500, InternalError)
    +-- Invalid (400, InvalidParameterValue)
    |   +-- InvalidInput, ValidationError, InvalidAggregateAction
    |   +-- CertificateValidationFailed, ImageSignatureVerificationFailed
    |   +-- InvalidAPIVersionString, UnsupportedAPIVersion (406),
    |       RequestTooLarge (413), BadMediaType (415)
    +-- NotAuthorized (403, UnauthorizedOperation)
    |   +-- PolicyNotAuthorized, ImageForbidden
    +-- Unauthenticated (401, AuthFailure)
    |   +-- AuthFailed, InvalidToken
    +-- NotFound (404, InvalidParameterValue)
    |   +-- InstanceNotFound, HypervisorInstanceNotFound
    |   |   (InvalidInstanceID.NotFound)
    |   +-- ImageNotFound (InvalidAMIID.NotFound), ImageMemberNotFound
    |   +-- MigrationNotFound, MigrationNotFoundByStatus
    |   +-- FlavorNotFound, ServiceNotFound, ComputeHostNotFound,
    |       ComputeNodeNotFound, IdentityNotFound, Aggregate*NotFound,
    |       InstanceGroupNotFound
    +-- Conflict (409, IncorrectState)
    |   +-- InstanceInvalidState, UnexpectedTaskStateError
    |   |   (IncorrectInstanceState), UnexpectedMigrationStatus
    |   +-- FlavorExists, ClaimConflict, AggregateNameExists, ...
    |   +-- GenerationConflict, GroupConflict (claim races, internal)
    +-- OverQuota (403, ResourceLimitExceeded)
    +-- NoValidHost (500, shown: InsufficientInstanceCapacity)
    |   +-- MaxRetriesExceeded
    +-- PluginNotFound, PluginLoadFailed, ConfigError, DBNotAllowed
    +-- HypervisorError (driver failures)
    |   +-- RescheduledBuild (InsufficientResources), BuildAbort,
    |       InstanceExists, ResizeError
    +-- UnsupportedOperation (501, UnsupportedOperation)
    +-- ServiceUnavailable (503, ServiceUnavailable: the database or the
        message broker does not answer; retry later)

Volumes add VolumeNotFound, SnapshotNotFound, VolumeAttachmentNotFound
(404), VolumeInvalidState, SnapshotInvalidState, VolumeIsBusy (409),
InvalidVolumeSize (400) and VolumeBackendError (500, driver and target
failures: VolumeNotOnBackend, VolumeExportError).
"""

import json


class NimbusException(Exception):
    """Base class: ``msg_fmt % kwargs`` is the message."""

    msg_fmt = "An unknown exception occurred."
    code = 500  # the HTTP status
    ec2_code = "InternalError"  # the EC2 API's <Code>
    safe = False  # whether the message may be shown to an API caller

    def __init__(self, message=None, **kwargs):
        self.kwargs = {k: _jsonable(v) for k, v in kwargs.items()}
        self.kwargs.setdefault("code", self.code)
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


#: what oslo.messaging appends to the text of an exception re-raised
#: from another service (and ``_Remote`` to its class name).
_REMOTE_TRACEBACK = "\nTraceback (most recent call last):"
_REMOTE_SUFFIX = "_Remote"


def message_of(err):
    """What ``err`` says, without the traceback of the service that
    raised it when it came over RPC: fault messages are shown to users."""
    return str(err).split(_REMOTE_TRACEBACK, 1)[0]


def name_of(err):
    """``err``'s class name as the raising service knew it."""
    name = type(err).__name__
    return name[:-len(_REMOTE_SUFFIX)] if name.endswith(_REMOTE_SUFFIX) \
        else name


def _jsonable(value):
    """``value`` as an RPC peer will see it: its JSON form (a tuple
    becomes a list), or its ``str`` when it has none."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return str(value)


class Invalid(NimbusException):
    msg_fmt = "Invalid input: %(reason)s"
    code = 400
    ec2_code = "InvalidParameterValue"
    safe = True


class InvalidInput(Invalid):
    msg_fmt = "Invalid input received: %(reason)s"


class AmbiguousHostnameForMultipleInstances(Invalid):
    msg_fmt = "Unable to allocate a single hostname to multiple instances"


class ValidationError(Invalid):
    msg_fmt = "Invalid input for field/attribute %(field)s: %(reason)s"


class NotAuthorized(NimbusException):
    msg_fmt = "Not authorized."
    code = 403
    ec2_code = "UnauthorizedOperation"
    safe = True


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class Unauthenticated(NimbusException):
    msg_fmt = "Authentication required."
    code = 401
    ec2_code = "AuthFailure"
    safe = True


class NotFound(NimbusException):
    msg_fmt = "Resource could not be found."
    code = 404
    ec2_code = "InvalidParameterValue"
    safe = True


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."
    ec2_code = "InvalidInstanceID.NotFound"


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."
    ec2_code = "InvalidAMIID.NotFound"


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class MigrationNotFound(NotFound):
    msg_fmt = "Migration %(migration_id)s could not be found."


class MigrationNotFoundByStatus(MigrationNotFound):
    msg_fmt = ("Instance %(instance_id)s has no migration in status "
               "%(status)s.")


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class ComputeNodeNotFound(NotFound):
    msg_fmt = "Compute node %(node)s could not be found."


class HypervisorInstanceNotFound(NotFound):
    msg_fmt = "The hypervisor has no guest for instance %(instance_id)s."
    ec2_code = "InvalidInstanceID.NotFound"


class Conflict(NimbusException):
    msg_fmt = "Conflict: %(reason)s"
    code = 409
    ec2_code = "IncorrectState"
    safe = True


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is "
               "in %(attr)s %(state)s")
    ec2_code = "IncorrectInstanceState"


class UnshelveInstanceInvalidState(InstanceInvalidState):
    """A zone or host asked of an unshelve that keeps the server's host
    (Compute API 2.77, 2.91)."""
    msg_fmt = ("Specifying an availability zone or a host when unshelving "
               "server \"%(instance_uuid)s\" with status \"%(state)s\" is "
               "not supported. The server status must be "
               "SHELVED_OFFLOADED.")


class UnshelveHostNotInAZ(Conflict):
    """An unshelve's host outside the zone the server will be pinned to
    (Compute API 2.91; Nova's 409)."""
    msg_fmt = "Host \"%(host)s\" is not in the availability zone " \
              "\"%(av_zone)s\"."


class InstanceNotReady(Conflict):
    """The instance is on no host yet (or any more)."""

    msg_fmt = "Instance %(instance_id)s is not ready"


class UnexpectedTaskStateError(Conflict):
    msg_fmt = ("Conflict updating instance %(instance_uuid)s. "
               "Expected: %(expected)s. Actual: %(actual)s")
    ec2_code = "IncorrectInstanceState"


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    pass


class UnexpectedMigrationStatus(Conflict):
    msg_fmt = ("Conflict updating migration %(migration_id)s. "
               "Expected status: %(expected)s. Actual: %(actual)s")


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(key)s %(value)s already exists."


class ClaimConflict(Conflict):
    msg_fmt = ("Compute node %(node)s changed while claiming resources; "
               "the claim was retried too often")


class OverQuota(NimbusException):
    msg_fmt = ("Quota exceeded for %(resources)s: requested %(requested)s, "
               "but already used %(used)s of %(allowed)s.")
    code = 403
    ec2_code = "ResourceLimitExceeded"
    safe = True


class NoValidHost(NimbusException):
    msg_fmt = "No valid host was found. %(reason)s"
    code = 500
    ec2_code = "InsufficientInstanceCapacity"
    safe = True


class MaxRetriesExceeded(NoValidHost):
    msg_fmt = "Exceeded maximum number of retries. %(reason)s"


class SchedulerUnavailable(NimbusException):
    """The scheduler did not answer conductor's request in time (it
    stopped, or the broker lost the request): nothing was placed."""
    code = 503
    safe = True
    msg_fmt = ("No host was chosen: the scheduler did not answer within "
               "%(timeout)ss (it may have stopped or restarted). Nothing "
               "was placed; try again.")


class PluginNotFound(NimbusException):
    msg_fmt = ("%(kind)s plugin %(name)r is not installed; installed: "
               "%(installed)s")


class PluginLoadFailed(NimbusException):
    msg_fmt = "%(kind)s plugin %(name)r failed to load: %(reason)s"


class ConfigError(NimbusException):
    msg_fmt = "Configuration error: %(reason)s"


class DBNotAllowed(NimbusException):
    msg_fmt = ("%(binary)s has no database access: it reaches the database "
               "only through nimbus-conductor")


class HypervisorError(NimbusException):
    msg_fmt = "Hypervisor operation failed: %(reason)s"


class RescheduledBuild(HypervisorError):
    """A build failed in a way another host may not: try an alternate."""

    msg_fmt = "Build of instance %(instance_uuid)s failed: %(reason)s"


class BuildAbort(HypervisorError):
    """A build failed in a way no other host can fix: do not reschedule."""

    msg_fmt = "Build of instance %(instance_uuid)s aborted: %(reason)s"


class InsufficientResources(RescheduledBuild):
    msg_fmt = ("Host cannot fit instance %(instance_uuid)s: %(reason)s")


class InstanceExists(HypervisorError):
    msg_fmt = "The hypervisor already has a guest named %(name)s."


class ResizeError(HypervisorError):
    msg_fmt = "Resize error: %(reason)s"


class UnsupportedOperation(NimbusException):
    msg_fmt = "Plugin %(plugin)s does not support %(operation)s."
    code = 501
    ec2_code = "UnsupportedOperation"
    safe = True


# -- privileged commands (nimbus.core.privileged) ---------------------------

class PrivilegedArgumentInvalid(Invalid):
    msg_fmt = "Refused to run a privileged command: invalid %(argument)s %(value)s"


class PrivilegedCommandFailed(NimbusException):
    msg_fmt = ("Privileged command failed (exit %(exit_code)s): %(command)s: "
               "%(stderr)s")


# -- networks (nimbus-network, nimbus.networks plugins) ----------------------

class NetworkPluginError(NimbusException):
    msg_fmt = "Network plugin operation failed: %(reason)s"


class NetworkNotFound(NotFound):
    msg_fmt = "Network %(network_id)s could not be found."
    ec2_code = "InvalidNetworkID.NotFound"


class SubnetNotFound(NotFound):
    msg_fmt = "Subnet %(subnet_id)s could not be found."
    ec2_code = "InvalidSubnetID.NotFound"


class PortNotFound(NotFound):
    msg_fmt = "Port %(port_id)s could not be found."
    ec2_code = "InvalidNetworkInterfaceID.NotFound"


class FixedIpNotFound(NotFound):
    msg_fmt = "No fixed IP %(address)s on network %(network_id)s."


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(security_group_id)s does not exist."
    ec2_code = "InvalidGroup.NotFound"


class SecurityGroupRuleNotFound(NotFound):
    msg_fmt = "Security group rule %(rule_id)s does not exist."
    ec2_code = "InvalidPermission.NotFound"


class FloatingIpNotFound(NotFound):
    msg_fmt = "Floating IP %(floatingip_id)s could not be found."
    ec2_code = "InvalidAddress.NotFound"


class FloatingIpPoolNotFound(NotFound):
    msg_fmt = "Floating IP pool %(pool)s could not be found."


class InvalidCidr(Invalid):
    msg_fmt = "Invalid CIDR %(cidr)s: %(reason)s"


class InvalidNetworkRequest(Invalid):
    """A server create's ``networks`` the service cannot honour."""

    msg_fmt = "Bad networks format: %(reason)s"


class UnableToAutoAllocateNetwork(Invalid):
    """``networks: "auto"`` (2.37) and no network the project can use."""

    msg_fmt = ("Unable to automatically allocate a network for project "
               "%(project_id)s")


class InvalidSecurityGroupRule(Invalid):
    msg_fmt = "Invalid security group rule: %(reason)s"


class NetworkAmbiguous(Conflict):
    msg_fmt = ("Multiple possible networks found, use a Network ID to be "
               "more specific.")


class NetworkInUse(Conflict):
    msg_fmt = ("Unable to complete operation on network %(network_id)s. "
               "There are one or more ports still in use on the network.")


class NetworkExists(Conflict):
    msg_fmt = "Network conflict: %(reason)s"


class FixedIpAlreadyInUse(Conflict):
    msg_fmt = ("Fixed IP address %(address)s is already in use on network "
               "%(network_id)s.")
    ec2_code = "InvalidIPAddress.InUse"


class PortInUse(Conflict):
    msg_fmt = "Port %(port_id)s is still in use by server %(device_id)s."
    ec2_code = "InvalidNetworkInterface.InUse"


class MacAddressInUse(Conflict):
    msg_fmt = "MAC address %(mac)s is already in use."


class NoMoreFixedIps(Conflict):
    msg_fmt = "No more IP addresses available on network %(network_id)s."
    ec2_code = "InsufficientFreeAddressesInSubnet"


class IpAddressGenerationFailure(NoMoreFixedIps):
    """Neutron's name for an exhausted subnet (what its API says)."""


class NoMoreFloatingIps(Conflict):
    msg_fmt = ("No more IP addresses available on external network "
               "%(network_id)s.")
    ec2_code = "AddressLimitExceeded"


class FloatingIpAssociated(Conflict):
    msg_fmt = ("Floating IP %(address)s is associated with port "
               "%(port_id)s.")
    ec2_code = "InvalidIPAddress.InUse"


class NoMoreVlans(Conflict):
    msg_fmt = "No more VLANs or address ranges for project networks: %(reason)s"


class SecurityGroupInUse(Conflict):
    msg_fmt = "Security group %(security_group_id)s %(reason)s."
    ec2_code = "InvalidGroup.InUse"


class SecurityGroupExists(Conflict):
    msg_fmt = "Security group %(name)s already exists."
    ec2_code = "InvalidGroup.Duplicate"


class SecurityGroupRuleExists(Conflict):
    msg_fmt = "Security group rule already exists. Rule id is %(rule_id)s."
    ec2_code = "InvalidPermission.Duplicate"


class NetworkCapabilityMissing(Conflict):
    """The configured network plugin does not declare what a request
    needs (refused before anything is recorded)."""

    msg_fmt = ("The network plugin %(plugin)s does not support "
               "%(capability)s.")


# -- volumes (nimbus-volume, nimbus.volumes plugins) -------------------------

class VolumeNotFound(NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."
    ec2_code = "InvalidVolume.NotFound"


class SnapshotNotFound(NotFound):
    msg_fmt = "Snapshot %(snapshot_id)s could not be found."
    ec2_code = "InvalidSnapshot.NotFound"


class VolumeAttachmentNotFound(NotFound):
    msg_fmt = "Volume attachment %(attachment_id)s could not be found."


class VolumeBDMNotFound(NotFound):
    msg_fmt = "No volume Block Device Mapping with id %(volume_id)s."


class VolumeInvalidState(Conflict):
    """A guarded status change found the volume in another status."""

    msg_fmt = ("Cannot %(action)s volume %(volume_id)s: its status is "
               "%(status)s (must be %(expected)s).")
    ec2_code = "IncorrectState"


class SnapshotInvalidState(Conflict):
    msg_fmt = ("Cannot %(action)s snapshot %(snapshot_id)s: its status is "
               "%(status)s (must be %(expected)s).")


class InvalidVolume(Invalid):
    msg_fmt = "Invalid volume: %(reason)s"


class MultiattachNotSupportedOldMicroversion(Invalid):
    """A multiattach volume asked for below Compute API 2.60 (Nova's)."""

    msg_fmt = ("Multiattach volumes are only supported starting with "
               "compute API version 2.60.")


class MultiattachNotSupportedByVirtDriver(Conflict):
    """The server's host runs a hypervisor plugin that does not declare
    ``supports_multiattach`` (Nova's 409)."""

    msg_fmt = ("Volume %(volume_id)s has 'multiattach' set, which is not "
               "supported for this instance.")


class MultiattachToShelvedNotSupported(Invalid):
    msg_fmt = ("Attaching multiattach volumes is not supported for "
               "shelved-offloaded instances.")


class VolumeTaggedAttachNotSupported(Invalid):
    msg_fmt = ("Tagged volume attachment is not supported for this "
               "server instance.")


class VolumeTaggedAttachToShelvedNotSupported(VolumeTaggedAttachNotSupported):
    msg_fmt = ("Tagged volume attachment is not supported for "
               "shelved-offloaded instances.")


class NetworkInterfaceTaggedAttachNotSupported(Invalid):
    msg_fmt = ("Tagged network interface attachment is not supported for "
               "this server instance.")


class VolumeIsBusy(Conflict):
    """The volume has dependents (snapshots, attachments)."""

    msg_fmt = "Volume %(volume_id)s is busy: %(reason)s"
    ec2_code = "VolumeInUse"


class InvalidVolumeSize(Invalid):
    msg_fmt = "Invalid volume size: %(reason)s"


class VolumeTypeNotFound(NotFound):
    msg_fmt = "Volume type %(volume_type_id)s could not be found."


class VolumeTypeExists(Conflict):
    msg_fmt = "Volume Type %(name)s already exists."


class VolumeTypeInUse(Invalid):
    """Cinder answers 400 for a type volumes still use."""

    msg_fmt = ("Volume Type %(volume_type_id)s deletion is not allowed "
               "with volumes present with the type.")


class VolumeTypeExtraSpecNotFound(NotFound):
    msg_fmt = ("Volume Type %(volume_type_id)s has no extra specs with key "
               "%(key)s.")


class VolumeTypeAccessNotFound(NotFound):
    msg_fmt = ("Volume type access not found for %(volume_type_id)s / "
               "%(project_id)s combination.")


class VolumeTypeAccessExists(Conflict):
    msg_fmt = ("Volume type access for %(volume_type_id)s / "
               "%(project_id)s combination already exists.")


class MetadataKeyNotFound(NotFound):
    msg_fmt = "%(kind)s %(resource_id)s has no metadata with key %(key)s."


class VolumeBackendError(NimbusException):
    """A volume driver failed; nothing was left half-made."""

    msg_fmt = "Volume backend operation failed: %(reason)s"


class VolumeNotOnBackend(VolumeBackendError):
    msg_fmt = "Volume %(volume_id)s is not on this backend."


class VolumeExportError(VolumeBackendError):
    msg_fmt = "Exporting volume %(volume_id)s failed: %(reason)s"



# -- API: request and microversion errors (OpenStack-family dialects) -------

class InvalidAPIVersionString(Invalid):
    msg_fmt = ("Invalid input: API version string %(version)s format is "
               "not valid. It needs to be of the form X.Y")


class UnsupportedAPIVersion(Invalid):
    msg_fmt = ("Version %(version)s is not supported by the API. Minimum "
               "is %(min)s and maximum is %(max)s.")
    code = 406


class RequestTooLarge(Invalid):
    msg_fmt = "Request is too large."
    code = 413


class BadMediaType(Invalid):
    msg_fmt = "Unsupported Content-Type %(kind)s"
    code = 415


# -- identity: records and credentials --------------------------------------

class IdentityNotFound(NotFound):
    msg_fmt = "Could not find %(kind)s: %(ident)s."


class AuthFailed(Unauthenticated):
    """Bad credentials, or no role on the project."""

    msg_fmt = "The request you have made requires authentication."


class InvalidToken(Unauthenticated):
    """A token that is forged, corrupt, expired or revoked."""

    msg_fmt = "The request you have made requires authentication."


# -- scheduler: claim races (internal: the selector re-reads and retries) ---

class GenerationConflict(Conflict):
    msg_fmt = "Compute node %(node)s changed since it was read."


class GroupConflict(Conflict):
    """The server group's members moved since the scheduler read them."""

    msg_fmt = "The server group's members are now on hosts %(hosts)s."

    @property
    def hosts(self):
        """The hosts the group's members hold now (a list)."""
        return list(self.kwargs["hosts"])


# -- scheduler: aggregates and server groups --------------------------------

class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class InvalidAggregateAction(Invalid):
    msg_fmt = "Cannot %(action)s aggregate %(aggregate_id)s: %(reason)s"


class InstanceGroupNotFound(NotFound):
    msg_fmt = "Server group %(group_uuid)s could not be found."


class EvacuateTargetStateNotSupported(Invalid):
    """2.95 evacuates to a stopped server; services pinned below the RPC
    versions that carry the target state cannot (Nova's 400)."""

    msg_fmt = ("Starting with microversion 2.95, evacuate stops the "
               "server on its new host, which the services cannot do "
               "while [upgrade_levels] pins conductor below 1.5 or "
               "compute below 1.13; use an older microversion until the "
               "upgrade is complete.")
    safe = True


class InvalidExtraSpec(Invalid):
    """A flavor extra spec a plugin declares, with a value it does not
    take, or an undeclared key of a declared namespace (2.86)."""

    msg_fmt = "%(reason)s"


# -- compute API: hypervisor capabilities -----------------------------------

class EventTagMissing(Invalid):
    """An external event that needs a tag came without one (Nova answers
    that event 400)."""

    msg_fmt = "Event %(name)s needs a tag"


class ActionNotSupportedByHost(Conflict):
    """The instance's host runs a hypervisor plugin that does not declare
    the capability the action needs (refused before anything is
    recorded or cast)."""

    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s: the "
               "hypervisor of host %(host)s (%(hypervisor)s) does not "
               "support %(capability)s.")


class SetAdminPasswordNotImplemented(UnsupportedOperation):
    """Nova's 501 (its NotImplementedError) for changePassword on a host
    whose hypervisor cannot set a guest's password (no
    ``set_admin_password`` capability)."""

    msg_fmt = "Unable to set password on instance"


class InstancePasswordSetFailed(Conflict):
    msg_fmt = "Failed to set admin password on %(instance)s: %(reason)s"


class InstanceNotRescuable(Invalid):
    """Nova's 400 for a rescue that cannot be done (a volume-backed
    server below 2.87, or without a stable device rescue image)."""

    msg_fmt = "Instance %(instance_id)s cannot be rescued: %(reason)s"


class ImageUnacceptable(Invalid):
    """Nova's 400 for an image an action cannot take."""

    msg_fmt = "Image %(image_id)s is unacceptable: %(reason)s"


class ComputeServiceUnavailable(NimbusException):
    """A question only the host's compute service can answer, while that
    service is down."""

    msg_fmt = "Compute service of %(host)s is unavailable at this time."
    code = 400
    ec2_code = "Unavailable"
    safe = True


class TransactionLost(NimbusException):
    """A write transaction lost a race the database settles by rolling
    it back (a deadlock, a random value drawn twice): nothing of it was
    written, and running it again from its start may succeed. Raised by
    ``nimbus.core.db`` inside :func:`~nimbus.core.db.api.
    writing_retried`, which runs it again; never seen by a user."""

    msg_fmt = "The transaction was rolled back: %(reason)s"


class ServiceUnavailable(NimbusException):
    """A backend every request needs (the database, the message broker)
    does not answer. Raised where nimbus meets it (``nimbus.core.db``,
    ``nimbus.core.rpc``), never for a bug: the request did nothing and
    may be sent again (the dialects add ``Retry-After``)."""

    msg_fmt = ("The service is temporarily unavailable: the %(backend)s "
               "does not answer. Please retry later.")
    code = 503
    ec2_code = "ServiceUnavailable"
    safe = True


# -- plugin loading: interface checks ----------------------------------------

class PluginInterfaceMismatch(PluginLoadFailed):
    """An entry point names something that is not a complete
    implementation of its group's interface (a load failure, so the
    service stops with this one line)."""

    msg_fmt = ("%(kind)s plugin %(name)r (%(target)s) does not implement "
               "%(interface)s: %(reason)s")


# -- image stores -------------------------------------------------------------

class ImageStoreFull(NimbusException):
    msg_fmt = "The image store has no space left for image %(image_id)s."
    code = 413
    safe = True
    ec2_code = "ResourceLimitExceeded"


class ImageForbidden(NotAuthorized):
    """An image change Glance refuses with 403 (a read-only attribute,
    members of an image that is not shared, ...)."""
    msg_fmt = "%(reason)s"


class ImageMemberNotFound(NotFound):
    msg_fmt = "Member %(member_id)s of image %(image_id)s could not be found."


class ImageStoreError(NimbusException):
    msg_fmt = "The image store failed to store image %(image_id)s."
    safe = True


class CertificateValidationFailed(Invalid):
    """An image's signing certificate is not trusted, or validation is
    asked for where nimbus cannot do it (a volume-backed server: 400 at
    the API, Nova's answer)."""
    msg_fmt = ("Image signature certificate validation failed for "
               "certificate: %(cert_uuid)s. %(reason)s")


class ImageSignatureVerificationFailed(Invalid):
    """An image's data does not match its signature, or its signature
    properties or certificate cannot be used (a build then ends in
    ERROR, with this as the fault's reason)."""
    msg_fmt = "Image %(image_id)s: %(reason)s"


class Ec2Error(Invalid):
    """An error only the EC2 dialect raises, carrying its own EC2 code
    (``MissingParameter``, ``InvalidInstanceID.Malformed``,
    ``SignatureDoesNotMatch``, ...) and HTTP status (400 unless given)."""

    msg_fmt = "%(detail)s"

    def __init__(self, *args, **kwargs):
        """``Ec2Error(ec2_code, detail, status=400)``."""
        if args and "ec2_code" in kwargs:
            args = args[1:]  # rebuilt over RPC: the message comes first
        values = {"ec2_code": "InvalidParameterValue", "detail": "",
                  "status": 400}
        values.update(zip(("ec2_code", "detail", "status"), args,
                          strict=False))
        values.update(kwargs)
        values.pop("code", None)  # the status says it
        super().__init__(**values)
        self.ec2_code = values["ec2_code"]
        self.code = values["status"]
        self.kwargs["code"] = self.code
# -- live migration (wflive) ---------------------------------------------------

class LiveMigrationError(HypervisorError):
    msg_fmt = "Live migration of %(instance_uuid)s failed: %(reason)s"


class LiveMigrationAborted(LiveMigrationError):
    msg_fmt = "Live migration of %(instance_uuid)s was aborted"


class LiveMigrationPreCheckError(Conflict):
    msg_fmt = "Migration pre-check error: %(reason)s"
    safe = True


class LiveMigrationNotRunning(Invalid):
    msg_fmt = ("Migration %(migration_id)s of instance %(instance_uuid)s is "
               "not running (status %(status)s)")
    safe = True


# -- remote consoles -----------------------------------------------------------

class InvalidConsoleToken(NotFound):
    msg_fmt = "The console token is unknown or expired."


class ConsoleTypeInvalid(Invalid):
    msg_fmt = "Invalid console type %(console_type)s"


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = "Unavailable console type %(console_type)s."


class ConsoleUnavailable(Conflict):
    msg_fmt = ("The %(console_type)s console of instance %(instance_uuid)s "
               "is not available: %(reason)s")
