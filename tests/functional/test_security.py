"""Security checks against a real nimbus-all over HTTP.

* every request, in every dialect, gets its own ``req-<uuid4>``, and the
  log line of that request carries that id and that request's caller (no
  user at all when it was not authenticated), also when many requests
  run at once on the server's reused worker threads;
* ``[security_compliance]`` lockout: after N wrong passwords the stock
  ``openstack token issue`` is refused with the right one, until the
  configured duration has passed.
"""

import concurrent.futures
import os
import re
import subprocess
import time
import uuid

import boto3
import pytest
import requests
import yaml

from tests.conftest import free_port, write_conf
from tests.integration.procs import BIN, terminate

ADMIN_PASSWORD = "adm-security-pw"
LOCKOUT_ATTEMPTS = 3
LOCKOUT_SECONDS = 8
REQUEST_ID = re.compile(
    r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
    r"[0-9a-f]{12}$")


class Stack:
    def __init__(self, url, ec2_url, state, log):
        self.url = url
        self.ec2_url = ec2_url
        self.state = state
        self.log = log


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security")
    port, ec2_port = free_port(), free_port()
    log = tmp / "nimbus.log"
    conf = write_conf(tmp / "nimbus.conf", {
        "DEFAULT": {"state_path": tmp / "state", "log_file": log},
        "api": {"bind_port": port, "threads": 8,
                "enabled_dialects": "openstack,identity,image,network,"
                                    "volume,ec2"},
        "ec2": {"bind_port": ec2_port},
        "network": {"metadata_port": free_port()},
        "identity": {"admin_password": ADMIN_PASSWORD,
                     "bcrypt_rounds": 4},
        "security_compliance": {
            "lockout_failure_attempts": LOCKOUT_ATTEMPTS,
            "lockout_duration": LOCKOUT_SECONDS},
    })
    out = open(tmp / "stdout.log", "wb")
    proc = subprocess.Popen([f"{BIN}/nimbus-all", "--config-file",
                             str(conf)], stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp / "stdout.log").read_text()
            assert time.monotonic() < deadline, "nimbus-all did not start"
            try:
                requests.get(url + "/identity/v3", timeout=2)
                requests.get(f"http://127.0.0.1:{ec2_port}/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        yield Stack(url, f"http://127.0.0.1:{ec2_port}", tmp / "state",
                    log)
    finally:
        terminate(proc, 15)
        out.close()


def _login(url, user="admin", password=ADMIN_PASSWORD, project="admin"):
    return requests.post(url + "/identity/v3/auth/tokens", json={
        "auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": {"name": "Default"},
                     "password": password}}},
            "scope": {"project": {"name": project,
                                  "domain": {"name": "Default"}}}}},
        timeout=60)


def _http_calls(url, token, project_id):
    """``(name, authenticated, callable)`` across the HTTP dialects."""
    auth = {"X-Auth-Token": token}

    def get(path, headers=None):
        return lambda: requests.get(url + path, headers=headers or {},
                                    timeout=60)
    return [
        ("compute versions", False, get("/")),
        ("compute servers", True, get("/v2.1/servers", auth)),
        ("compute flavors", True, get("/v2.1/flavors", auth)),
        ("compute unauthorized", False, get("/v2.1/servers")),
        ("identity versions", False, get("/identity/v3")),
        ("identity login", False, lambda: _login(url)),
        ("identity projects", True, get("/identity/v3/projects", auth)),
        ("image images", True, get("/image/v2/images", auth)),
        ("network networks", True, get("/network/v2.0/networks", auth)),
        ("volume volumes", True,
         get(f"/volume/v3/{project_id}/volumes", auth)),
        ("volume unauthorized", False,
         get(f"/volume/v3/{project_id}/volumes")),
    ]


def _log_lines(stack, request_id):
    return [line for line in stack.log.read_text().splitlines()
            if f" {request_id} " in line]


def _bracket(line, request_id):
    """The ``user project ...`` fields after the request id."""
    return line.split(f" {request_id} ", 1)[1].split("]", 1)[0].split()


def test_request_ids_unique_and_logged_with_their_caller(stack,
                                                         monkeypatch):
    resp = _login(stack.url)
    assert resp.status_code == 201, resp.text
    token = resp.headers["X-Subject-Token"]
    admin = resp.json()["token"]["user"]["id"]
    project = resp.json()["token"]["project"]["id"]
    calls = _http_calls(stack.url, token, project)
    # 55 HTTP requests, interleaving callers, 8 at a time on 8 server
    # threads: each thread serves authenticated and anonymous requests.
    plan = [calls[i % len(calls)] for i in range(55)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda call: (call, call[2]()), plan))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(stack.state / "aws-config"))
    ec2 = boto3.Session(profile_name="nimbus").client(
        "ec2", endpoint_url=stack.ec2_url)
    ec2_ids = [ec2.describe_regions()["ResponseMetadata"]["RequestId"]
               for _ in range(3)]
    anonymous = requests.get(stack.ec2_url + "/?Action=DescribeRegions",
                             timeout=60)
    ec2_anonymous = re.search(r"<RequestID>(req-[^<]+)</RequestID>",
                              anonymous.text).group(1)

    ids = []
    for (name, authenticated, _call), response in responses:
        assert response.status_code < 500, (name, response.text)
        rid = response.headers["x-openstack-request-id"]
        assert response.headers["x-compute-request-id"] == rid
        ids.append((name, authenticated, rid))
    ids += [("ec2 signed", True, rid) for rid in ec2_ids]
    ids.append(("ec2 unsigned", False, ec2_anonymous))
    all_ids = [rid for _, _, rid in ids]
    assert len(set(all_ids)) == len(all_ids) == 59
    for name, authenticated, rid in ids:
        assert REQUEST_ID.match(rid), (name, rid)
        lines = _log_lines(stack, rid)
        access = [line for line in lines if '" status: ' in line]
        assert len(access) == 1, (name, rid, lines)
        for line in lines:
            caller = _bracket(line, rid)
            if authenticated:
                assert caller[:2] == [admin, project], (name, line)
            else:
                assert caller[:2] == ["-", "-"], (name, line)
                assert admin not in line, (name, line)


def _clouds(stack, path):
    def entry(password):
        return {"auth_type": "password", "region_name": "RegionOne",
                "identity_api_version": 3,
                "auth": {"auth_url": stack.url + "/identity",
                         "username": "locky", "password": password,
                         "project_name": "admin",
                         "user_domain_name": "Default",
                         "project_domain_name": "Default"}}
    path.write_text(yaml.safe_dump({"clouds": {
        "right": entry("locky-right-pw"), "wrong": entry("locky-wrong")}}))
    return path


def _openstack(clouds, cloud, *args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
               OS_CLOUD=cloud, PYTHONWARNINGS="ignore")
    return subprocess.run([f"{BIN}/openstack", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_lockout_after_failed_logins_until_the_duration(stack, tmp_path):
    admin_env = dict(os.environ, PYTHONWARNINGS="ignore",
                     OS_CLIENT_CONFIG_FILE=str(stack.state / "clouds.yaml"),
                     OS_CLOUD="nimbus")
    for args in (["user", "create", "locky", "--password",
                  "locky-right-pw", "--project", "admin"],
                 ["role", "add", "member", "--project", "admin", "--user",
                  "locky"]):
        made = subprocess.run([f"{BIN}/openstack", *args], env=admin_env,
                              capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
    clouds = _clouds(stack, tmp_path / f"clouds-{uuid.uuid4().hex}.yaml")
    assert _openstack(clouds, "right", "token", "issue").returncode == 0

    first_failure = None
    for _ in range(LOCKOUT_ATTEMPTS):
        started = time.monotonic()
        failed = _openstack(clouds, "wrong", "token", "issue")
        assert failed.returncode != 0 and "401" in failed.stderr, \
            failed.stderr
        first_failure = first_failure or started
        last_failure = started
    refused = _openstack(clouds, "right", "token", "issue")
    assert refused.returncode != 0 and "401" in refused.stderr, \
        refused.stderr
    assert _login(stack.url, "locky", "locky-right-pw").status_code == 401
    log = stack.log.read_text()
    assert "failed password logins" in log and \
        "Password login of locked-out user" in log

    deadline = time.monotonic() + LOCKOUT_SECONDS + 90
    while True:
        issued = _openstack(clouds, "right", "token", "issue", "-f",
                            "json")
        if issued.returncode == 0:
            break
        assert "401" in issued.stderr, issued.stderr
        assert time.monotonic() < deadline, "still locked out"
        time.sleep(1)
    # not before the duration: the lock counts from the last failure
    assert time.monotonic() - last_failure >= LOCKOUT_SECONDS
    assert first_failure <= last_failure

    # a success reset the count: N-1 failures do not lock the user again
    for _ in range(LOCKOUT_ATTEMPTS - 1):
        assert _login(stack.url, "locky", "nope").status_code == 401
    assert _login(stack.url, "locky", "locky-right-pw").status_code == 201
