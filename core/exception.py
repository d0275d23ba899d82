"""The one exception hierarchy of nimbus.

Every error nimbus raises on purpose derives from :class:`NimbusException`,
which renders ``msg_fmt`` with the keyword arguments it was given and
carries an HTTP-like ``code``. API dialects map ``code`` onto their own
error format in one place; kwargs must be JSON-serialisable because
exceptions cross RPC.

::

    NimbusException (500)
    +-- Invalid (400)
    |   +-- InvalidInput, InvalidState(409-ish: see Conflict), ...
    +-- NotAuthorized (403)
    +-- NotFound (404)
    |   +-- InstanceNotFound, FlavorNotFound, ImageNotFound, ...
    +-- Conflict (409)
    |   +-- InstanceInvalidState, UnexpectedTaskStateError, ...
    +-- OverQuota (413)
    +-- NoValidHost (no HTTP mapping: recorded as an instance fault)
    +-- PluginNotFound, DBNotAllowed, ConfigError
    +-- HypervisorError (driver failures; RescheduledBuild/BuildAbort)
"""

from oslo_serialization import jsonutils


class NimbusException(Exception):
    """Base class: ``msg_fmt % kwargs`` is the message."""

    msg_fmt = "An unknown exception occurred."
    code = 500
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


def _jsonable(value):
    try:
        jsonutils.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


class Invalid(NimbusException):
    msg_fmt = "Invalid input: %(reason)s"
    code = 400
    safe = True


class InvalidInput(Invalid):
    msg_fmt = "Invalid input received: %(reason)s"


class ValidationError(Invalid):
    msg_fmt = "Invalid input for field/attribute %(field)s: %(reason)s"


class NotAuthorized(NimbusException):
    msg_fmt = "Not authorized."
    code = 403
    safe = True


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class Unauthenticated(NimbusException):
    msg_fmt = "Authentication required."
    code = 401
    safe = True


class NotFound(NimbusException):
    msg_fmt = "Resource could not be found."
    code = 404
    safe = True


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class ComputeNodeNotFound(NotFound):
    msg_fmt = "Compute node %(node)s could not be found."


class HypervisorInstanceNotFound(NotFound):
    msg_fmt = "The hypervisor has no guest for instance %(instance_id)s."


class Conflict(NimbusException):
    msg_fmt = "Conflict: %(reason)s"
    code = 409
    safe = True


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is "
               "in %(attr)s %(state)s")


class UnexpectedTaskStateError(Conflict):
    msg_fmt = ("Conflict updating instance %(instance_uuid)s. "
               "Expected: %(expected)s. Actual: %(actual)s")


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    pass


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(key)s %(value)s already exists."


class ClaimConflict(Conflict):
    msg_fmt = ("Compute node %(node)s changed while claiming resources; "
               "the claim was retried too often")


class OverQuota(NimbusException):
    msg_fmt = "Quota exceeded for %(overs)s"
    code = 403
    safe = True


class NoValidHost(NimbusException):
    msg_fmt = "No valid host was found. %(reason)s"
    code = 500
    safe = True


class MaxRetriesExceeded(NoValidHost):
    msg_fmt = "Exceeded maximum number of retries. %(reason)s"


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


class UnsupportedOperation(NimbusException):
    msg_fmt = "Plugin %(plugin)s does not support %(operation)s."
    code = 501
    safe = True


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


# -- compute API: hypervisor capabilities -----------------------------------

class ActionNotSupportedByHost(Conflict):
    """The instance's host runs a hypervisor plugin that does not declare
    the capability the action needs (refused before anything is
    recorded or cast)."""

    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s: the "
               "hypervisor of host %(host)s (%(hypervisor)s) does not "
               "support %(capability)s.")


# -- plugin loading: interface checks ----------------------------------------

class PluginInterfaceMismatch(PluginLoadFailed):
    """An entry point names something that is not a complete
    implementation of its group's interface (a load failure, so the
    service stops with this one line)."""

    msg_fmt = ("%(kind)s plugin %(name)r (%(target)s) does not implement "
               "%(interface)s: %(reason)s")
