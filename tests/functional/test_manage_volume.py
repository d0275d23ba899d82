"""nimbus-manage volume hosts / reset-status against a SQLite database."""

import os
import subprocess
import sys

from oslo_utils import uuidutils

BIN = os.path.dirname(sys.executable)


def manage(conf, *args):
    return subprocess.run([f"{BIN}/nimbus-manage", "--config-file",
                           str(conf), *args], capture_output=True,
                          text=True, timeout=120)


def test_hosts_and_reset_status(tmp_path):
    conf = tmp_path / "n.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n")
    assert manage(conf, "db", "sync").returncode == 0
    url = f"sqlite:///{tmp_path}/nimbus.sqlite"
    volume_id = uuidutils.generate_uuid()
    script = f"""
import sqlalchemy, datetime
e = sqlalchemy.create_engine({url!r})
now = datetime.datetime.utcnow()
with e.begin() as c:
    c.execute(sqlalchemy.text(
        "insert into volume_hosts (host, driver, availability_zone, total_gb,"
        " free_gb, capabilities, created_at) values ('vh1', 'file', 'nova',"
        " 100, 60, '{{}}', :now)"), {{"now": now}})
    c.execute(sqlalchemy.text(
        "insert into volumes (id, project_id, user_id, host, size, status,"
        " bootable, metadata_json, image_metadata_json, fault_message,"
        " created_at, deleted) values (:id, 'p', 'u', 'vh1', 3, 'extending',"
        " 0, '{{}}', '{{}}', 'stuck', :now, 0)"), {{"id": {volume_id!r},
        "now": now}})
"""
    subprocess.run([sys.executable, "-c", script], check=True)

    out = manage(conf, "volume", "hosts")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].split("\t") == ["host", "driver", "zone", "total_gb",
                                    "free_gb", "allocated_gb", "up"]
    assert lines[1].split("\t") == ["vh1", "file", "nova", "100.0", "60.0",
                                    "3", "no"]

    out = manage(conf, "volume", "reset-status", volume_id, "available")
    assert (out.returncode, out.stdout.strip()) == \
        (0, f"volume {volume_id} is available")

    missing = uuidutils.generate_uuid()
    out = manage(conf, "volume", "reset-status", missing, "error")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == \
        f"nimbus-manage: Volume {missing} could not be found."
    assert "Traceback" not in out.stderr

    out = manage(conf, "volume", "reset-status", volume_id, "deleting")
    assert out.returncode == 2 and "invalid choice" in out.stderr
