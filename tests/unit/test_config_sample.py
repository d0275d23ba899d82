"""etc/nimbus/nimbus.conf.sample must match what the generator makes now."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
GENERATOR_CONF = os.path.join(ROOT, "tools", "config",
                              "nimbus-config-generator.conf")
SAMPLE = os.path.join(ROOT, "etc", "nimbus", "nimbus.conf.sample")


def test_sample_is_current(tmp_path):
    out = tmp_path / "nimbus.conf.sample"
    generator = os.path.join(os.path.dirname(sys.executable),
                             "oslo-config-generator")
    subprocess.run([generator, "--config-file", GENERATOR_CONF,
                    "--output-file", str(out)], check=True,
                   capture_output=True, cwd=ROOT)
    with open(SAMPLE) as f:
        current = f.read()
    assert out.read_text() == current, (
        "etc/nimbus/nimbus.conf.sample is stale: run "
        "oslo-config-generator --config-file "
        "tools/config/nimbus-config-generator.conf")


def test_every_core_conf_module_has_list_opts():
    from nimbus.core.conf import opts
    groups = {getattr(g, "name", g) for g, _ in opts.list_opts()}
    assert {"DEFAULT", "api", "compute", "scheduler", "all"} <= groups
