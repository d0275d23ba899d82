"""A compute process has no database: object code raises if it tries."""

import subprocess
import sys
import textwrap
import uuid

import pytest

from nimbus.core import exception
from nimbus.core.objects import base as objects_base
from nimbus.core.objects import instance as instance_obj


@pytest.fixture
def compute_objects(monkeypatch):
    """Object classes as a compute process has them: no database API."""
    monkeypatch.setattr(objects_base.NimbusObject, "db_api", None)
    monkeypatch.setattr(objects_base.NimbusObject, "process_name",
                        "nimbus-compute")
    monkeypatch.setattr(objects_base.NimbusObject, "indirection_api", None)
    return objects_base.NimbusObject


def test_object_database_access_raises_without_a_database(compute_objects):
    with pytest.raises(exception.DBNotAllowed) as err:
        instance_obj.Instance.get_by_uuid(None, str(uuid.uuid4()))
    assert "nimbus-compute has no database access" in str(err.value)


class _RecordingConductor:
    def __init__(self):
        self.calls = []

    def object_class_action_versions(self, context, objname, objmethod,
                                     versions, args, kwargs):
        self.calls.append((objname, objmethod, args))
        return "from-conductor"


def test_remotable_calls_go_to_conductor(compute_objects):
    recorder = _RecordingConductor()
    compute_objects.indirection_api = recorder
    result = instance_obj.InstanceList.get_by_host(None, "h1")
    assert result == "from-conductor"
    assert recorder.calls == [("InstanceList", "get_by_host", ("h1",))]


def test_compute_process_never_loads_the_database_layer(tmp_path):
    """Load everything nimbus-compute loads, with no [database] section,
    and wire objects as it does at start-up; then show the DB layer is
    absent and any access raises, remotable or not."""
    conf = tmp_path / "compute.conf"
    conf.write_text(f"[DEFAULT]\ntransport_url = fake://\n"
                    f"state_path = {tmp_path}\nhost = c1\n")
    script = textwrap.dedent(f"""
        import sys
        from nimbus.cli.daemons import compute
        from nimbus.core import bootstrap, exception
        from nimbus.core.conductor import rpcapi
        from nimbus.core.objects import base, instance
        conf = bootstrap.parse_config(["--config-file", "{conf}"],
                                      "nimbus-compute")
        assert not conf.database.connection
        svc = compute.build(conf)
        # No conductor runs here: do not wait for one.
        rpcapi.ConductorAPI.wait_until_ready = lambda self, ctx: None
        bootstrap.forbid_database("nimbus-compute")
        assert isinstance(base.NimbusObject.indirection_api,
                          rpcapi.ConductorAPI)
        assert "nimbus.core.db" not in sys.modules, "db layer loaded"
        assert not [m for m in sys.modules if m.startswith("sqlalchemy")
                    and "nimbus" in m]
        try:
            instance.InstanceList.get_by_filters(None, {{}})
        except exception.DBNotAllowed as err:
            print("RAISED", err)
        base.NimbusObject.indirection_api = None
        try:
            instance.Instance.get_by_uuid(None, "x")
        except exception.DBNotAllowed:
            print("RAISED-REMOTABLE")
    """)
    result = subprocess.run([sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "RAISED nimbus-compute has no database access" in result.stdout
    assert "RAISED-REMOTABLE" in result.stdout
