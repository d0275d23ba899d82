"""A compute process has no database: object code raises if it tries."""

import subprocess
import sys
import textwrap
import uuid

import pytest

from nimbus.core import exception
from nimbus.core.objects import base as objects_base
from nimbus.core.objects import instance as instance_obj


def test_object_database_access_raises_without_a_database():
    objects_base.forbid_database("nimbus-compute")
    saved = objects_base.NimbusObject.indirection_api
    objects_base.NimbusObject.indirection_api = None
    try:
        with pytest.raises(exception.DBNotAllowed) as err:
            instance_obj.Instance.get_by_uuid(None, str(uuid.uuid4()))
        assert "nimbus-compute has no database access" in str(err.value)
    finally:
        objects_base.NimbusObject.indirection_api = saved


class _RecordingConductor:
    def __init__(self):
        self.calls = []

    def object_class_action_versions(self, context, objname, objmethod,
                                     versions, args, kwargs):
        self.calls.append((objname, objmethod, args))
        return "from-conductor"


def test_remotable_calls_go_to_conductor():
    objects_base.forbid_database("nimbus-compute")
    recorder = _RecordingConductor()
    saved = objects_base.NimbusObject.indirection_api
    objects_base.NimbusObject.indirection_api = recorder
    try:
        result = instance_obj.InstanceList.get_by_host(None, "h1")
    finally:
        objects_base.NimbusObject.indirection_api = saved
    assert result == "from-conductor"
    assert recorder.calls == [("InstanceList", "get_by_host", ("h1",))]


def test_compute_process_never_loads_the_database_layer(tmp_path):
    """Load everything nimbus-compute loads, with no [database] section,
    then show the DB layer is absent and any access raises."""
    conf = tmp_path / "compute.conf"
    conf.write_text(f"[DEFAULT]\ntransport_url = fake://\n"
                    f"state_path = {tmp_path}\nhost = c1\n")
    script = textwrap.dedent(f"""
        import sys
        from nimbus.cli.daemons import compute
        from nimbus.core import bootstrap, exception
        from nimbus.core.objects import base, instance
        conf = bootstrap.parse_config(["--config-file", "{conf}"],
                                      "nimbus-compute")
        assert not conf.database.connection
        svc = compute.build(conf)
        base.forbid_database("nimbus-compute")
        assert "nimbus.core.db" not in sys.modules, "db layer loaded"
        assert not [m for m in sys.modules if m.startswith("sqlalchemy")
                    and "nimbus" in m]
        try:
            base.db()
        except exception.DBNotAllowed as err:
            print("RAISED", err)
        try:
            instance.Instance.get_by_uuid(None, "x")
        except exception.DBNotAllowed:
            print("RAISED-OBJECT")
    """)
    result = subprocess.run([sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "RAISED nimbus-compute has no database access" in result.stdout
    assert "RAISED-OBJECT" in result.stdout
