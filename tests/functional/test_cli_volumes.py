"""``nimbus volume ...`` and ``nimbus server add/remove volume`` against
nimbus-all (fake hypervisor, fake volume backend)."""

import json

from tests.functional.test_cli import embedded, nimbus  # noqa: F401


def _json(env, *args):
    result = nimbus(env, *args, "-f", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_volume_verbs_and_attach(embedded):  # noqa: F811
    env = embedded
    created = _json(env, "volume", "create", "--size", "1", "--wait",
                    "--description", "cli", "data")
    assert (created["name"], created["status"], created["size"]) == (
        "data", "available", 1)
    assert "Waiting for available" in nimbus(
        env, "volume", "create", "--size", "1", "--wait", "spare").stderr
    rows = _json(env, "volume", "list")
    assert sorted((r["Name"], r["Status"]) for r in rows) == [
        ("data", "available"), ("spare", "available")]
    grown = _json(env, "volume", "extend", "data", "--size", "2", "--wait")
    assert grown["size"] == 2

    _json(env, "server", "create", "--flavor", "m1.tiny", "--image", "demo",
          "--wait", "vm")
    added = _json(env, "server", "add", "volume", "vm", "data", "--wait")
    assert added["device"] == "/dev/vdb"
    shown = _json(env, "volume", "show", "data")
    assert shown["status"] == "in-use" and "/dev/vdb" in shown["attachments"]

    refused = nimbus(env, "volume", "delete", "data")
    assert refused.returncode == 1
    assert "in-use" in refused.stderr and "Traceback" not in refused.stderr
    removed = nimbus(env, "server", "remove", "volume", "vm", "data",
                     "--wait")
    assert removed.returncode == 0, removed.stderr
    assert _json(env, "volume", "show", "data")["status"] == "available"
    assert nimbus(env, "volume", "delete", "data", "spare").returncode == 0


def test_volume_mistakes_are_one_line(embedded):  # noqa: F811
    for args, text in (
            (("volume", "show", "nope"), "No volume with a name or ID"),
            (("volume", "create", "nosize"), "--size is required"),
            (("volume", "create", "--size", "0", "zero"), "at least 1"),
            (("volume", "extend", "nope", "--size", "3"), "No volume"),
            (("server", "add", "volume", "nope", "nope"), "No server")):
        result = nimbus(embedded, *args)
        assert result.returncode == 1, (args, result.stdout)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
