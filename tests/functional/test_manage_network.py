"""``nimbus-manage network ...`` / ``floating ...``: the real console
script against a SQLite database; bad input is one line and a non-zero
exit, with nothing written."""

import os
import sqlite3
import subprocess
import sys

import pytest

MANAGE = os.path.join(os.path.dirname(sys.executable), "nimbus-manage")


@pytest.fixture
def manage(tmp_path):
    conf = tmp_path / "manage.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n[database]\n"
                    f"connection = sqlite:///{tmp_path}/nimbus.sqlite\n")

    def run(*args):
        result = subprocess.run([MANAGE, "--config-file", str(conf), *args],
                                capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout, result.stderr
    assert run("db", "sync")[0] == 0
    return run


def test_networks_and_pools_round_trip(manage):
    rc, out, err = manage("network", "create", "--name", "private",
                          "--cidr", "10.70.0.0/24", "--vlan", "120",
                          "--dns", "192.0.2.53")
    assert rc == 0, err
    assert "created network private" in out and "vlan 120" in out
    assert "bridge br120" in out
    rc, out, err = manage("floating", "create", "--ip-range",
                          "172.24.6.0/29", "--pool", "public")
    assert (rc, out.split()[:3]) == (0, ["created", "pool", "public"]), err
    assert "with 6 addresses" in out
    rc, out, _ = manage("floating", "create", "--ip-range",
                        "172.24.7.0/30", "--pool", "public")
    assert (rc, out.strip()) == (0, "added 2 addresses to pool public")
    rc, out, _ = manage("floating", "list", "--pool", "public")
    assert rc == 0 and len(out.strip().splitlines()) == 1 + 8
    rc, out, _ = manage("floating", "delete", "--ip-range",
                        "172.24.7.0/30")
    assert (rc, out.strip()) == (0, "removed 2 addresses")
    rc, out, _ = manage("network", "list")
    assert "private" in out and "public" in out and "external" in out
    rc, out, _ = manage("network", "delete", "private")
    assert rc == 0 and "deleted network private" in out


@pytest.mark.parametrize("args, message", [
    (["network", "create", "--name", "n", "--cidr", "10.0.0.0/33"],
     "Invalid CIDR 10.0.0.0/33"),
    (["network", "create", "--name", "n", "--cidr", "10.71.0.0/24",
      "--bridge", "br;reboot"], "bridge 'br;reboot'"),
    (["network", "create", "--name", "n", "--cidr", "10.71.0.0/24",
      "--vlan", "5000"], "vlan 5000"),
    (["network", "create", "--name", "n", "--cidr", "10.71.0.0/24",
      "--gateway", "10.72.0.1"], "gateway_ip 10.72.0.1"),
    (["floating", "create", "--ip-range", "banana"], "Invalid CIDR banana"),
    (["network", "delete", "nope"], "Network nope could not be found."),
])
def test_bad_input_is_one_line_and_writes_nothing(manage, args, message):
    rc, out, err = manage(*args)
    assert rc == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nimbus-manage: ")
    assert message in lines[0]
    rc, out, _ = manage("network", "list")
    assert len(out.strip().splitlines()) == 1  # the header alone


def test_an_overlapping_network_is_refused(manage):
    assert manage("network", "create", "--name", "a", "--cidr",
                  "10.73.0.0/24")[0] == 0
    rc, _out, err = manage("network", "create", "--name", "b", "--cidr",
                           "10.73.0.128/25")
    assert rc == 1 and "overlaps network" in err


def test_fixed_list_shows_ports_leases_and_host_gateways(manage, tmp_path):
    rc, out, err = manage("network", "create", "--name", "mh", "--cidr",
                          "10.74.0.0/29", "--multi-host")
    assert rc == 0 and out.rstrip().endswith("multi_host"), err
    rc, out, _ = manage("fixed", "list", "mh")
    assert (rc, len(out.splitlines())) == (0, 1)  # nothing in use yet
    # What nimbus-network records: a host's gateway, a lease.
    with sqlite3.connect(tmp_path / "nimbus.sqlite") as db:
        db.execute("UPDATE fixed_ips SET reserved = 1, gateway_host = "
                   "'compute-1' WHERE address = '10.74.0.2'")
        db.execute("UPDATE fixed_ips SET leased = 1, lease_host = "
                   "'compute-1' WHERE address = '10.74.0.5'")
    gateway = "10.74.0.2"
    rc, out, _ = manage("fixed", "list", "mh")
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(rows) == {gateway, "10.74.0.5"}, out
    assert rows[gateway].split()[-1] == "compute-1"
    assert "yes (compute-1)" in rows["10.74.0.5"]
    rc, out, _ = manage("fixed", "list", "mh", "--all")
    assert len(out.splitlines()) == 1 + 8
    rc, _out, err = manage("fixed", "list", "nosuch")
    assert rc == 1 and len(err.strip().splitlines()) == 1
