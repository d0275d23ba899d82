"""Server tags (Compute API 2.26).

:class:`ServerTagsMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``
and ``db``.
"""

from nimbus.core import exception
from nimbus.core.compute import vm_states

#: Nova's per-server limit.
MAX_TAGS = 50
#: the states in which Nova lets tags change (409 in others).
_TAG_STATES = (vm_states.ACTIVE, vm_states.PAUSED, vm_states.SUSPENDED,
               vm_states.STOPPED)


class ServerTagsMixin:
    """Read and change a server's tags."""

    def tags_for(self, context, instances):
        """``{uuid: [tag, ...]}`` for a page of visible instances."""
        return self.db.instance_tags.tags_for(
            context, [i.uuid for i in instances])

    def server_tags(self, context, uuid):
        self.get(context, uuid)
        return self.db.instance_tags.tags_for(context, [uuid])[uuid]

    def _taggable(self, context, uuid, method):
        instance = self.get(context, uuid)
        if instance.vm_state not in _TAG_STATES:
            raise exception.InstanceInvalidState(
                attr="vm_state", instance_uuid=uuid,
                state=instance.vm_state, action=method)
        return instance

    def set_server_tags(self, context, uuid, tags):
        """Replace every tag; return the new ones."""
        self._taggable(context, uuid, "update tags")
        return self.db.instance_tags.set_all(context, uuid, tags)

    def add_server_tag(self, context, uuid, tag):
        """Add ``tag``; return whether the server lacked it.

        :raises Invalid: the server has :data:`MAX_TAGS` tags already.
        """
        self._taggable(context, uuid, "update tag")
        return self.db.instance_tags.add(context, uuid, tag, MAX_TAGS)

    def remove_server_tag(self, context, uuid, tag):
        """:raises NotFound: the server has no such tag."""
        self._taggable(context, uuid, "delete tag")
        self.db.instance_tags.remove(context, uuid, tag)

    def remove_server_tags(self, context, uuid):
        self._taggable(context, uuid, "delete tags")
        self.db.instance_tags.remove_all(context, uuid)
