"""The admin CLI against nimbus-all, as an admin at a console would use
it: server actions with --wait progress bars, keypairs, images, flavors,
server groups, aggregates, zones, quotas, services, hypervisors, usage,
shell completion, and the stock openstack client on the new routes."""

import json
import os
import re
import subprocess
import sys

import pytest
import requests
import yaml
from prometheus_client import parser

from tests.conftest import free_port
from tests.integration.procs import terminate, wait_until

BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cli-admin")
    port = free_port()
    conf = tmp_path / "nimbus.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
                    f"[api]\nbind_port = {port}\n[fake]\npersist = false\n"
                    # the metadata service: never the shared default port
                    f"[network]\nmetadata_port = {free_port()}\n"
                    f"[ec2]\nbind_port = {free_port()}\n"
                    # every CLI call logs in: a cheap hash keeps that fast
                    "[identity]\nbcrypt_rounds = 4\n")
    log_path = tmp_path / "all.log"
    proc = subprocess.Popen([f"{BIN}/nimbus-all", "--config-file", str(conf)],
                            stdout=open(log_path, "wb"),
                            stderr=subprocess.STDOUT)
    clouds = tmp_path / "state" / "clouds.yaml"
    try:
        wait_until(lambda: clouds.exists() or proc.poll() is not None, 60,
                   message="nimbus-all to write clouds.yaml")
        assert proc.poll() is None, log_path.read_text()
        wait_until(lambda: "metrics:" in log_path.read_text(), 10,
                   message="the banner")
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds),
                   OS_CLOUD="nimbus")
        yield {"env": env, "clouds": clouds, "log": log_path,
               "tmp": tmp_path}
    finally:
        terminate(proc, 30)


def run(env, *args, binary="nimbus", ok=True):
    out = subprocess.run([f"{BIN}/{binary}", *args], env=env,
                         capture_output=True, text=True, timeout=180)
    if ok:
        assert out.returncode == 0, (args, out.stderr)
    return out


def js(env, *args):
    return json.loads(run(env, *args, "-f", "json").stdout)


def test_server_lifecycle_with_names_and_progress(embedded):
    env, tmp = embedded["env"], embedded["tmp"]
    key_file = tmp / "k1.pem"
    run(env, "keypair", "create", "k1", "--private-key", str(key_file))
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE KEY" in key_file.read_text()
    assert js(env, "keypair", "show", "k1")["fingerprint"]
    user_data = tmp / "ud.txt"
    user_data.write_text("#!/bin/sh\necho hi\n")
    bad = run(env, "server", "create", "web", "--flavor", "m1.tiny",
              "--image", "demo", "--hint", "nokeyvalue", ok=False)
    assert (bad.returncode, bad.stderr.strip()) == (
        1, "Expected KEY=VALUE, got 'nokeyvalue'.")
    group = js(env, "server", "group", "create", "spread", "--policy",
               "anti-affinity")
    server = js(env, "server", "create", "web", "--flavor", "m1.tiny",
                "--image", "demo", "--key-name", "k1", "--property",
                "role=web", "--availability-zone", "nova", "--user-data",
                str(user_data), "--hint", f"group={group['id']}", "--wait")
    assert js(env, "server", "group", "show", "spread")["members"] == \
        server["id"]
    assert server["status"] == "ACTIVE" and server["key_name"] == "k1"
    assert server["properties"] == "role='web'"
    assert server["flavor"].startswith("m1.tiny (") and \
        server["image"] == "demo"
    rows = js(env, "server", "list")
    assert [(r["Name"], r["Flavor"], r["Image"]) for r in rows] == [
        ("web", "m1.tiny", "demo")]

    for verb, status in (("pause", "PAUSED"), ("unpause", "ACTIVE"),
                         ("suspend", "SUSPENDED"), ("resume", "ACTIVE"),
                         ("stop", "SHUTOFF"), ("start", "ACTIVE")):
        out = run(env, "server", verb, "web", "--wait")
        last = out.stderr.strip().splitlines()[-1]
        assert re.match(r"^\[#{24}\] " + status + r"\s+\d+\.\ds$", last), \
            (verb, out.stderr)
        assert js(env, "server", "show", "web")["status"] == status
    run(env, "server", "reboot", "--hard", "web", "--wait")
    run(env, "server", "lock", "web")
    assert js(env, "server", "show", "web")["locked"] is True
    run(env, "server", "unlock", "web")
    run(env, "server", "set", "web", "--name", "www", "--property", "a=b")
    shown = js(env, "server", "show", "www")
    assert shown["properties"] == "a='b', role='web'"
    run(env, "server", "unset", "www", "--property", "a")
    assert js(env, "server", "show", "www")["properties"] == "role='web'"

    events = js(env, "server", "event", "list", "www")
    actions = [e["Action"] for e in events]
    for action in ("create", "pause", "suspend", "stop", "reboot", "lock"):
        assert action in actions, actions
    one = js(env, "server", "event", "show", "www",
             events[-1]["Request ID"])
    assert one["action"] == events[-1]["Action"]

    usage = js(env, "usage", "list")
    assert usage and usage[0]["Servers"] >= 1
    assert float(js(env, "usage", "show")["cpu_hours"]) >= 0

    out = run(env, "server", "delete", "www", "--wait")
    assert "DELETED" in out.stderr.splitlines()[-1]
    assert js(env, "server", "list") == []
    run(env, "keypair", "delete", "k1")
    run(env, "server", "group", "delete", "spread")
    missing = run(env, "server", "pause", "www", ok=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == \
        "No server with a name or ID of 'www' exists."


def test_operator_resources(embedded):
    env = embedded["env"]
    flavor = js(env, "flavor", "create", "f.ops", "--ram", "128",
                "--vcpus", "2", "--disk", "1", "--property", "hw:x=1")
    assert flavor["properties"] == "hw:x='1'"
    run(env, "flavor", "set", "f.ops", "--property", "hw:y=2")
    run(env, "flavor", "unset", "f.ops", "--property", "hw:x")
    assert js(env, "flavor", "show", "f.ops")["properties"] == "hw:y='2'"
    run(env, "flavor", "delete", "f.ops")
    assert "f.ops" not in [f["Name"] for f in js(env, "flavor", "list")]
    assert js(env, "image", "show", "demo")["name"] == "demo"
    assert [i["Name"] for i in js(env, "image", "list")] == ["demo"]

    group = js(env, "server", "group", "create", "g1", "--policy",
               "anti-affinity")
    assert group["policy"] == "anti-affinity"
    assert [g["Name"] for g in js(env, "server", "group", "list")] == ["g1"]
    assert js(env, "server", "group", "show", "g1")["id"] == group["id"]
    run(env, "server", "group", "delete", "g1")

    agg = js(env, "aggregate", "create", "a1", "--zone", "z1",
             "--property", "ssd=true")
    assert agg["availability_zone"] == "z1" and \
        agg["properties"] == "ssd='true'"
    assert js(env, "aggregate", "add", "host", "a1", "fake-1")["hosts"] == \
        "fake-1"
    run(env, "aggregate", "set", "a1", "--name", "a2")
    run(env, "aggregate", "unset", "a2", "--property", "ssd")
    shown = js(env, "aggregate", "show", "a2")
    assert (shown["name"], shown["properties"]) == ("a2", "")
    zones = js(env, "availability", "zone", "list", "--long")
    assert ("z1", "fake-1", "nova-compute") in {
        (z["Zone Name"], z["Host Name"], z["Service Name"]) for z in zones}
    run(env, "aggregate", "remove", "host", "a2", "fake-1")
    run(env, "aggregate", "delete", "a2")
    assert js(env, "aggregate", "list") == []

    project = js(env, "quota", "show")["project"]
    run(env, "quota", "set", project, "--instances", "7", "--cores", "9")
    assert js(env, "quota", "show")["instances"] == 7
    assert js(env, "quota", "show", "--usage")["instances"].startswith(
        "0 / 7")
    run(env, "quota", "delete", project)
    assert js(env, "quota", "show")["instances"] == \
        js(env, "quota", "show", "--default")["instances"]
    assert dict((r["Name"], r["Value"]) for r in js(env, "limits", "show"))[
        "maxTotalInstances"] > 0

    run(env, "service", "set", "fake-2", "nova-compute", "--disable",
        "--disable-reason", "maintenance")
    row = [s for s in js(env, "service", "list", "--long")
           if s["Host"] == "fake-2" and s["Binary"] == "nova-compute"][0]
    assert (row["Status"], row["Disabled Reason"]) == ("disabled",
                                                       "maintenance")
    run(env, "service", "set", "fake-2", "nova-compute", "--enable",
        "--down")
    row = [s for s in js(env, "service", "list", "--long", "--host",
                         "fake-2")][0]
    assert (row["Status"], row["Forced Down"], row["State"]) == (
        "enabled", True, "down")
    run(env, "service", "set", "fake-2", "nova-compute", "--up")
    nothing = run(env, "service", "set", "fake-2", "nova-compute",
                  ok=False)
    assert nothing.returncode == 1 and "Nothing to set" in nothing.stderr

    node = js(env, "hypervisor", "show", "fake-1")
    assert node["hypervisor_hostname"] == "fake-1"
    assert "load average" in node["uptime"]
    assert js(env, "hypervisor", "stats", "show")["count"] == 3


def test_completion_covers_the_verbs(embedded):
    out = run(embedded["env"], "complete").stdout
    for verb in ("server", "pause", "aggregate", "monitor", "queues"):
        assert verb in out


def test_wrong_password_is_reported_as_such(embedded):
    clouds = yaml.safe_load(embedded["clouds"].read_text())
    clouds["clouds"]["nimbus"]["auth"]["password"] = "wrong"
    bad = embedded["tmp"] / "bad-clouds.yaml"
    bad.write_text(yaml.safe_dump(clouds))
    env = dict(embedded["env"], OS_CLIENT_CONFIG_FILE=str(bad))
    out = run(env, "server", "list", ok=False)
    assert out.returncode == 1
    assert out.stderr.startswith("Authentication failed"), out.stderr
    assert "Cannot reach" not in out.stderr
    clouds["clouds"]["nimbus"]["auth"]["auth_url"] = \
        f"http://127.0.0.1:{free_port()}/identity"
    bad.write_text(yaml.safe_dump(clouds))
    out = run(env, "server", "list", ok=False)
    assert out.returncode == 1 and "Cannot reach the API" in out.stderr


def test_stock_openstack_client_hypervisor_show_and_usage(embedded):
    env = embedded["env"]
    server = js(env, "server", "create", "u1", "--flavor", "m1.tiny",
                "--image", "demo", "--wait")
    try:
        shown = json.loads(run(env, "hypervisor", "show", "fake-1", "-f",
                               "json", binary="openstack").stdout)
        assert shown["hypervisor_hostname"] == "fake-1"
        assert "uptime" in shown, shown
        usage = json.loads(run(env, "usage", "list", "-f", "json",
                               binary="openstack").stdout)
        # The openstack client shows the server usages themselves.
        assert usage and len(usage[0]["Servers"]) >= 1, usage
        one = json.loads(run(env, "usage", "show", "-f", "json",
                             binary="openstack").stdout)
        assert len(one["Servers"]) >= 1, one
    finally:
        run(env, "server", "delete", server["id"], "--wait")


def test_nimbus_all_serves_metrics(embedded):
    url = re.search(r"metrics:\s+(http://\S+)",
                    embedded["log"].read_text()).group(1)

    def requests_total():
        text = requests.get(url, timeout=5).text
        families = {f.name: f for f in
                    parser.text_string_to_metric_families(text)}
        return sum(s.value for s in families["nimbus_api_requests"].samples
                   if s.name == "nimbus_api_requests_total")
    before = requests_total()
    run(embedded["env"], "flavor", "list")
    assert requests_total() > before
