"""``nimbus network|floating ip|security group ...`` against nimbus-all
(fake hypervisor and network plugin) with the clouds.yaml it writes."""

import json

from tests.functional.test_cli import embedded, nimbus  # noqa: F401


def ok(env, *args):
    result = nimbus(env, *args)
    assert result.returncode == 0, (args, result.stderr)
    return json.loads(result.stdout) if "-f" in args else result.stdout


def one_line_error(env, *args):
    result = nimbus(env, *args)
    assert result.returncode != 0, (args, result.stdout)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, \
        result.stderr
    return lines[0]


def test_network_lifecycle(embedded):  # noqa: F811
    env = embedded
    net = ok(env, "network", "create", "--subnet-range", "10.70.0.0/24",
             "--dns-nameserver", "192.0.2.53", "--vlan", "170", "lab",
             "-f", "json")
    assert (net["name"], net["cidr"], net["gateway"], net["vlan"]) == \
        ("lab", "10.70.0.0/24", "10.70.0.1", 170)
    assert net["dns"] == "192.0.2.53"
    shown = ok(env, "network", "show", "lab", "-f", "json")
    assert shown["id"] == net["id"]
    rows = ok(env, "network", "list", "-f", "json")
    assert {"lab": "10.70.0.0/24"}.items() <= {
        r["Name"]: r["CIDR"] for r in rows}.items()
    ok(env, "network", "create", "--external", "--subnet-range",
       "172.24.70.0/24", "outside")
    assert [r["Name"] for r in ok(env, "network", "list", "--external",
                                  "-f", "json")] == ["outside"]

    # Bad input: one line, non-zero, nothing left behind.
    assert "subnet-range" in one_line_error(
        env, "network", "create", "--subnet-range", "10.70.0.0/33", "bad")
    assert "cidr" in one_line_error(
        env, "network", "create", "--subnet-range", "10.70.0.0/25",
        "overlapping").lower()
    assert {"bad", "overlapping"}.isdisjoint(
        r["Name"] for r in ok(env, "network", "list", "-f", "json"))
    assert "nosuch" in one_line_error(env, "network", "show", "nosuch")
    assert "nosuch" in one_line_error(env, "network", "delete", "nosuch")

    ok(env, "network", "delete", "lab")
    assert "lab" not in {r["Name"] for r in ok(env, "network", "list",
                                              "-f", "json")}


def test_floating_ips_and_security_groups(embedded):  # noqa: F811
    env = embedded
    ok(env, "network", "create", "--external", "--subnet-range",
       "172.24.71.0/24", "outside")
    server = ok(env, "server", "create", "--flavor", "m1.tiny", "--image",
                "demo", "vm", "--wait", "-f", "json")
    fip = ok(env, "floating", "ip", "create", "outside", "-f", "json")
    address = fip["floating_ip_address"]
    assert address.startswith("172.24.71.")
    associated = ok(env, "floating", "ip", "associate", address, "vm",
                    "-f", "json")
    assert associated["port"] and associated["fixed_ip_address"]
    rows = ok(env, "floating", "ip", "list", "-f", "json")
    assert [(r["Floating IP Address"], r["Fixed IP Address"])
            for r in rows] == [(address, associated["fixed_ip_address"])]
    assert ok(env, "floating", "ip", "disassociate", address, "-f",
              "json")["port"] == ""
    assert "nosuch" in one_line_error(env, "floating", "ip", "create",
                                      "nosuch")
    assert "10.99.0.1" in one_line_error(env, "floating", "ip", "associate",
                                         address, "vm", "--fixed-ip-address",
                                         "10.99.0.1")
    ok(env, "floating", "ip", "delete", address)
    assert ok(env, "floating", "ip", "list", "-f", "json") == []

    group = ok(env, "security", "group", "create", "web", "-f", "json")
    assert group["name"] == "web"
    rule = ok(env, "security", "group", "rule", "create", "web",
              "--protocol", "tcp", "--dst-port", "80:81", "-f", "json")
    assert (rule["port_range"], rule["remote_ip_prefix"]) == \
        ("80:81", "0.0.0.0/0")
    rules = ok(env, "security", "group", "rule", "list", "web", "-f",
               "json")
    assert rule["id"] in {r["ID"] for r in rules}
    assert "dst-port" in one_line_error(
        env, "security", "group", "rule", "create", "web", "--dst-port",
        "http")
    assert "port_range" in one_line_error(
        env, "security", "group", "rule", "create", "web", "--dst-port",
        "90:80")
    ok(env, "security", "group", "rule", "delete", rule["id"])
    assert rule["id"] not in {r["ID"] for r in ok(
        env, "security", "group", "rule", "list", "-f", "json")}
    ok(env, "security", "group", "delete", "web")
    assert "web" not in {g["Name"] for g in ok(
        env, "security", "group", "list", "-f", "json")}
    ok(env, "server", "delete", "--wait", server["id"])
