"""Remote security groups' members as this process knows them, shared by
every backend instance in it (nimbus-all runs several computes in one
process; a group has the same members for all of them)."""

import threading


class MemberSets:
    """``{group: frozenset(addresses)}`` and its reverse index.

    :attr:`lock` serialises a change with the writes that apply it, so
    what reaches the host never goes back in time.
    """

    def __init__(self):
        self.lock = threading.RLock()
        self._members = {}
        self._groups_of = {}

    def replace(self, group_id, addresses):
        """Set the members of ``group_id``; returns ``(new group?,
        addresses that joined or left)``. Call with :attr:`lock` held."""
        new = frozenset(addresses)
        old = self._members.get(group_id)
        self._members[group_id] = new
        changed = (old or frozenset()) ^ new
        for address in changed:
            groups = self._groups_of.setdefault(address, set())
            if address in new:
                groups.add(group_id)
            else:
                groups.discard(group_id)
                if not groups:
                    del self._groups_of[address]
        return old is None, sorted(changed)

    def groups_of(self, address):
        return set(self._groups_of.get(address, ()))

    def groups(self):
        return dict(self._members)

    def addresses(self):
        return sorted(self._groups_of)


#: the one registry of this process.
SHARED = MemberSets()
