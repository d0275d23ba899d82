"""``nimbus server image create/rebuild/shelve/unshelve/rescue/
unrescue`` with ``--wait`` against a nimbus-all process (fake hosts)."""

import json

from tests.functional.test_cli import embedded, nimbus  # noqa: F401


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _status(env, name):
    return json.loads(_ok(nimbus(env, "server", "show", name, "-f",
                                 "json")).stdout)["status"]


def test_image_workflow_verbs(embedded):  # noqa: F811
    env = embedded
    _ok(nimbus(env, "server", "create", "--flavor", "m1.tiny", "--image",
               "demo", "wf", "--wait"))
    image = json.loads(_ok(nimbus(
        env, "server", "image", "create", "wf", "--name", "wf-snap",
        "--property", "k=v", "--wait", "-f", "json")).stdout)
    assert image["status"] == "ACTIVE" and image["name"] == "wf-snap"

    rebuilt = _ok(nimbus(env, "server", "rebuild", "wf", "--image",
                         "wf-snap", "--name", "wf2", "--wait"))
    assert "ACTIVE" in rebuilt.stderr.splitlines()[-1]
    shown = json.loads(_ok(nimbus(env, "server", "show", "wf2", "-f",
                                  "json")).stdout)
    assert shown["image"].startswith("wf-snap")

    _ok(nimbus(env, "server", "rescue", "wf2", "--wait"))
    assert _status(env, "wf2") == "RESCUE"
    _ok(nimbus(env, "server", "unrescue", "wf2", "--wait"))
    assert _status(env, "wf2") == "ACTIVE"

    shelved = _ok(nimbus(env, "server", "shelve", "wf2", "--wait"))
    assert "SHELVED_OFFLOADED" in shelved.stderr.splitlines()[-1]
    _ok(nimbus(env, "server", "unshelve", "wf2", "--wait"))
    assert _status(env, "wf2") == "ACTIVE"

    # 2.91: onto a host the administrator names (not the one it left)
    was = json.loads(_ok(nimbus(env, "server", "show", "wf2", "-f",
                                "json")).stdout)["OS-EXT-SRV-ATTR:host"]
    target = "fake-3" if was != "fake-3" else "fake-1"
    _ok(nimbus(env, "server", "shelve", "wf2", "--wait"))
    _ok(nimbus(env, "server", "unshelve", "wf2", "--host", target,
               "--wait"))
    shown = json.loads(_ok(nimbus(env, "server", "show", "wf2", "-f",
                                  "json")).stdout)
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", target)
    # a host no compute runs on: one line, non-zero
    _ok(nimbus(env, "server", "shelve", "wf2", "--wait"))
    refused = nimbus(env, "server", "unshelve", "wf2", "--host", "nowhere")
    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    _ok(nimbus(env, "server", "unshelve", "wf2", "--wait"))

    _ok(nimbus(env, "server", "set", "wf2", "--root-password", "n3w-pass"))

    # A server that is up cannot be evacuated: one line, non-zero.
    refused = nimbus(env, "server", "evacuate", "wf2")
    assert refused.returncode != 0
    assert "still in use" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
