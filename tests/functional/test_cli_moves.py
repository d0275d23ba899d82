"""``nimbus server resize/migrate`` with ``--wait``, confirm/revert and
``nimbus server migration list/show`` against nimbus-all (fake hosts)."""

import json

from tests.functional.test_cli import embedded, nimbus  # noqa: F401


def _server(env):
    out = nimbus(env, "server", "show", "mover", "-f", "json")
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    return {"Host": shown["OS-EXT-SRV-ATTR:host"],
            "Status": shown["status"],
            "Flavor": shown["flavor"].split(" ")[0]}


def _ok(env, *args):
    out = nimbus(env, *args)
    assert out.returncode == 0, (args, out.stderr)
    return out


def test_resize_confirm_migrate_revert_with_wait(embedded):  # noqa: F811
    env = embedded
    _ok(env, "server", "create", "--flavor", "m1.tiny", "--image", "demo",
        "mover", "--wait")
    first = _server(env)["Host"]

    out = _ok(env, "server", "resize", "--flavor", "m1.small", "--wait",
              "mover")
    assert "VERIFY_RESIZE" in out.stderr.splitlines()[-1]
    shown = _server(env)
    assert (shown["Status"], shown["Flavor"]) == ("VERIFY_RESIZE",
                                                  "m1.small")
    assert shown["Host"] != first
    _ok(env, "server", "resize", "confirm", "--wait", "mover")
    assert _server(env)["Status"] == "ACTIVE"

    second = _server(env)["Host"]
    _ok(env, "server", "migrate", "--wait", "mover")
    assert _server(env)["Host"] not in (second, None)
    _ok(env, "server", "resize", "revert", "--wait", "mover")
    shown = _server(env)
    assert (shown["Status"], shown["Host"], shown["Flavor"]) == \
        ("ACTIVE", second, "m1.small")

    rows = json.loads(_ok(env, "server", "migration", "list", "--server",
                          "mover", "-f", "json").stdout)
    # (the Type column fills from API 2.23)
    assert sorted(r["Status"] for r in rows) == ["confirmed", "reverted"]
    one = json.loads(_ok(env, "server", "migration", "show", "mover",
                         str(rows[0]["ID"]), "-f", "json").stdout)
    assert one["status"] == rows[0]["Status"]

    # A bad flavor: one line, non-zero exit.
    bad = nimbus(env, "server", "resize", "--flavor", "nope", "mover")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
