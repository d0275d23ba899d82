"""Request contexts: who is asking, for which project, with what roles.

Built on oslo.context so every oslo library understands it; it crosses RPC
as a dict (see :mod:`nimbus.core.rpc`).
"""

from oslo_context import context as oslo_context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(oslo_context.RequestContext):
    """A request context carrying nimbus's fields."""

    def __init__(self, *args, remote_address=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.remote_address = remote_address

    def to_dict(self):
        values = super().to_dict()
        values["remote_address"] = self.remote_address
        return values

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(
            values, remote_address=values.get("remote_address"))

    def elevated(self):
        """Return a copy with admin rights (for service-internal work)."""
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if "admin" not in ctx.roles:
            ctx.roles = list(ctx.roles) + ["admin"]
        return ctx


def get_admin_context():
    """A context for a service's own work, not on behalf of a user.

    It never becomes the thread's logging context: oslo.context would
    store it when the thread has none, and every later line of that
    thread (a periodic task's, a server's start-up) would then carry its
    one request id.
    """
    had_one = oslo_context.get_current() is not None
    ctx = RequestContext(user_id=None, project_id=None, is_admin=True,
                         roles=["admin"], overwrite=False)
    if not had_one:
        clear_store()
    return ctx


def start_request(request_id=None):
    """Make a fresh context, of nobody, this thread's logging context.

    Called as each request starts, before anything knows the caller:
    its log lines carry ``request_id`` (a new ``req-<uuid4>`` when None)
    and no user until authentication
    stores the caller's context, never a previous request's caller
    (servers reuse their worker threads).
    """
    return RequestContext(request_id=request_id, overwrite=True)


def clear_store():
    """Forget this thread's logging context (its lines then show
    ``[-]``)."""
    # NOTE: oslo.context has no public call for this; its own
    # ClearRequestContext fixture deletes the attribute the same way.
    if hasattr(oslo_context._request_store, "context"):
        del oslo_context._request_store.context
