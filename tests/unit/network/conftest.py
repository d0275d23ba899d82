"""Fixtures of the network service tests: a NetworkAPI and a
NetworkManager over a migrated SQLite database whose RPC casts are
recorded instead of sent."""

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core.network import api as network_api
from nimbus.core.network import manager as network_manager
from nimbus.plugins.networks import fake


class Recorder:
    """Stands in for an RPC client: records ``(method, kwargs)``.

    :param group_members: what ``can_refresh_group_members`` answers
        (False: a compute pinned below RPC 1.8).
    """

    def __init__(self, group_members=True):
        self.calls = []
        self.group_members = group_members

    def can_refresh_group_members(self):
        return self.group_members

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def record(context, *args, **kwargs):
            self.calls.append((name, args, kwargs))
        return record

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


@pytest.fixture
def net_api(db_api, nimbus_conf):
    api = network_api.NetworkAPI(nimbus_conf, db_api)
    api._network_rpc = Recorder()
    api._compute_rpc = Recorder()
    return api


@pytest.fixture
def mgr(db_api, nimbus_conf):
    """A NetworkManager ``net-1`` over the fake plugin, its casts
    recorded."""
    manager = network_manager.NetworkManager(
        nimbus_conf, "net-1", db_api,
        driver=fake.FakeNetwork(nimbus_conf, "net-1"))
    manager._network_rpc = Recorder()
    manager._compute_rpc = Recorder()
    yield manager
    manager.cleanup_host()


@pytest.fixture
def admin():
    return nimbus_context.get_admin_context()


def user(project="p1", user_id="u1"):
    return nimbus_context.RequestContext(user_id=user_id, project_id=project,
                                         roles=["member"], overwrite=False)


@pytest.fixture
def alice():
    return user("p1", "alice")


@pytest.fixture
def bob():
    return user("p2", "bob")
