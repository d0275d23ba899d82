"""``nimbus-metadata``, the metadata service as its own process: it
serves the version listings, refuses callers that are no server, prints
its threads' stacks on SIGUSR2 and carries on, and stops on SIGTERM."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from tests.conftest import free_port, write_conf
from tests.integration.procs import wait_until

BIN = os.path.dirname(sys.executable)


def _get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                    timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return None, b""


def test_nimbus_metadata_serves_alone(tmp_path):
    port = free_port()
    conf = write_conf(tmp_path / "nimbus.conf", {
        "DEFAULT": {"state_path": tmp_path / "state",
                    "transport_url": "fake://"},
        "database": {"connection": f"sqlite:///{tmp_path}/nimbus.db"},
        "network": {"metadata_port": port},
    })
    subprocess.run([f"{BIN}/nimbus-manage", "--config-file", str(conf),
                    "db", "sync"], check=True, capture_output=True,
                   timeout=120)
    log = open(tmp_path / "metadata.log", "wb")
    proc = subprocess.Popen(
        [f"{BIN}/nimbus-metadata", "--config-file", str(conf)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log_text():
        return (tmp_path / "metadata.log").read_text(errors="replace")
    try:
        wait_until(lambda: _get(port, "/")[0] or proc.poll() is not None,
                   60, message="nimbus-metadata to listen")
        assert proc.poll() is None, (tmp_path / "metadata.log").read_text()
        status, body = _get(port, "/")
        assert status == 200 and body.split(b"\n")[-1] == b"latest"
        status, body = _get(port, "/openstack")
        assert status == 200 and b"2015-10-15" in body
        # 127.0.0.1 is no server's fixed IP: nothing about anyone
        assert _get(port, "/latest/meta-data/instance-id")[0] == 404
        assert _get(port, "/openstack/latest/meta_data.json")[0] == 404

        proc.send_signal(signal.SIGUSR2)
        # The main thread's stack, where it waits for a signal.
        wait_until(lambda: "wait_for_signal" in log_text(), 10,
                   message="the stack dump in the log")
        assert "most recent call first" in log_text()
        assert _get(port, "/")[0] == 200 and proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0, (tmp_path / "metadata.log").read_text()
