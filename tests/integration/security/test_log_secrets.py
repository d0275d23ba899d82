"""No secret reaches a log line, at any level.

nimbus-all runs at debug level on PostgreSQL and RabbitMQ URLs that carry
passwords; a scripted session logs in (once with a wrong password), makes
a keypair, boots and deletes a server. Then every line nimbus wrote is
searched for every secret the session used.
"""

import secrets
import subprocess
import time
import uuid

import pytest
import requests

from tests import real
from tests.conftest import free_port, write_conf
from tests.integration.procs import BIN, terminate

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


@pytest.fixture
def rabbit_user():
    """A RabbitMQ user with a random password on its own vhost."""
    user = f"nimbus_{uuid.uuid4().hex[:8]}"
    password = "rmq-" + secrets.token_hex(12)
    real.rabbitmqctl("add_user", user, password)
    try:
        with real.rabbit_vhost() as (_url, vhost):
            real.rabbitmqctl("set_permissions", "-p", vhost, user, ".*",
                             ".*", ".*")
            yield (f"rabbit://{user}:{password}@127.0.0.1:5672/{vhost}",
                   password)
    finally:
        real.rabbitmqctl("delete_user", user)


def _wait_for_api(url, proc, log):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            requests.get(url + "/identity/v3", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise AssertionError("nimbus-all did not start: "
                         + log.read_text()[-3000:])


def _session(url, admin_password, wrong_password):
    """Log in, fail a login, make a keypair, boot and delete a server;
    return the secrets the session saw."""
    def login(password):
        return requests.post(url + "/identity/v3/auth/tokens", json={
            "auth": {"identity": {"methods": ["password"], "password": {
                "user": {"name": "admin", "domain": {"name": "Default"},
                         "password": password}}},
                "scope": {"project": {"name": "admin",
                                      "domain": {"name": "Default"}}}}},
            timeout=30)

    assert login(wrong_password).status_code == 401
    resp = login(admin_password)
    assert resp.status_code == 201, resp.text
    token = resp.headers["X-Subject-Token"]
    headers = {"X-Auth-Token": token}
    resp = requests.post(url + "/v2.1/os-keypairs", headers=headers,
                         json={"keypair": {"name": "k1"}}, timeout=30)
    assert resp.status_code == 200, resp.text
    private_key = resp.json()["keypair"]["private_key"]
    resp = requests.post(url + "/v2.1/servers", headers=headers, json={
        "server": {"name": "s1", "imageRef": DEMO_IMAGE, "flavorRef": "1",
                   "key_name": "k1"}}, timeout=30)
    assert resp.status_code == 202, resp.text
    server = resp.json()["server"]["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/v2.1/servers/{server}",
                              headers=headers, timeout=30).json()
        if status["server"]["status"] in ("ACTIVE", "ERROR"):
            break
        time.sleep(0.5)
    assert status["server"]["status"] == "ACTIVE", status
    assert requests.delete(f"{url}/v2.1/servers/{server}", headers=headers,
                           timeout=30).status_code == 204
    # the key's body, line by line (a log might wrap it)
    key_lines = [line for line in private_key.splitlines()
                 if len(line) > 20 and "PRIVATE KEY" not in line]
    return [token] + key_lines


def test_no_secret_in_any_log_line(tmp_path, rabbit_user):
    transport_url, rabbit_password = rabbit_user
    admin_password = "adm-" + secrets.token_hex(12)
    wrong_password = "wrong-" + secrets.token_hex(12)
    db_password = "pg-" + secrets.token_hex(12)
    with real.postgresql_database() as db_url:
        # trust authentication accepts any password: the URL still
        # carries one, which must never be logged.
        db_url = db_url.replace("postgres@", f"postgres:{db_password}@")
        port = free_port()
        log = tmp_path / "nimbus.log"
        conf = write_conf(tmp_path / "nimbus.conf", {
            "DEFAULT": {"transport_url": transport_url, "debug": True,
                        "state_path": tmp_path / "state",
                        "log_file": log},
            "database": {"connection": db_url},
            "api": {"bind_port": port},
            "network": {"metadata_port": free_port()},
            "ec2": {"bind_port": free_port()},
            "identity": {"admin_password": admin_password},
        })
        out = open(tmp_path / "stdout.log", "wb")
        proc = subprocess.Popen([f"{BIN}/nimbus-all", "--config-file",
                                 str(conf)], stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for_api(url, proc, log)
            seen = _session(url, admin_password, wrong_password)
        finally:
            terminate(proc, 15)
            out.close()
    text = log.read_text() + (tmp_path / "stdout.log").read_text()
    assert "DEBUG" in text and "req-" in text  # the log is really there
    leaked = [name for name, secret in [
        ("admin password", admin_password),
        ("wrong password", wrong_password),
        ("database password", db_password),
        ("RabbitMQ password", rabbit_password),
        *[(f"session secret {i}", s) for i, s in enumerate(seen)],
    ] if secret in text]
    assert leaked == []
