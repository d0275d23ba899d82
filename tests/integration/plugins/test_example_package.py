"""nimbus-example-plugins: a vendor's plugin package from outside the tree.

Proves what nimbus promises vendors: a separate distribution importing
only the public surface passes the conformance kits and is enabled by
configuration alone, in the real ``nimbus-all``. Fails (never skips) when
the package is not installed; ``tools/setup-host.sh`` installs it.
"""

import ast
import importlib.metadata
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

from nimbus.cli.daemons.all import DEMO_IMAGE_ID
from nimbus.core import loading
from nimbus.core.conf import scheduler as scheduler_conf
from tests.conftest import free_port, noauth_sdk, write_conf
from tests.integration import procs

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE_DIR = ROOT / "examples" / "nimbus-example-plugins"
DIST = "nimbus-example-plugins"
PUBLIC = ("nimbus.core.interfaces", "nimbus.core.testing",
          "nimbus.core.exception")
ENTRY_POINTS = {
    (loading.HYPERVISORS, "example"):
        "nimbus_example.hypervisor:ExampleHypervisor",
    (loading.FILTERS, "example_reject"):
        "nimbus_example.filters:ExampleRejectFilter",
    ("oslo.config.opts", "nimbus_example"): "nimbus_example.conf:list_opts",
}
BIN = os.path.dirname(sys.executable)


def _distribution():
    try:
        return importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{DIST} is not installed: run tools/setup-host.sh or "
                    f"pip install --no-deps {PACKAGE_DIR}")


# -- the installed distribution ---------------------------------------------

def test_nimbus_example_comes_from_its_distribution():
    dist = _distribution()
    assert dist.version == "1.0.0"
    owners = importlib.metadata.packages_distributions()["nimbus_example"]
    assert owners == [DIST]
    import nimbus_example
    init = pathlib.Path(dist.locate_file("nimbus_example/__init__.py"))
    assert pathlib.Path(nimbus_example.__file__).resolve() == init.resolve()


def test_its_entry_points_are_listed_by_the_loader():
    dist = _distribution()
    declared = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert declared == ENTRY_POINTS
    for group, name in ENTRY_POINTS:
        assert name in loading.installed(group), (group, name)
    from nimbus_example.hypervisor import ExampleHypervisor
    assert loading.load_class(loading.HYPERVISORS, "example") is \
        ExampleHypervisor


def test_the_installed_copy_is_this_checkout():
    dist = _distribution()
    installed = {f.name: pathlib.Path(dist.locate_file(f)).read_bytes()
                 for f in dist.files
                 if f.parts[0] == "nimbus_example" and f.suffix == ".py"}
    source = {p.name: p.read_bytes()
              for p in (PACKAGE_DIR / "nimbus_example").glob("*.py")}
    assert installed == source, (
        f"the installed {DIST} differs from {PACKAGE_DIR}: reinstall it "
        f"with pip install --force-reinstall --no-deps {PACKAGE_DIR}")


# -- the public surface only ------------------------------------------------

def _is_public(module):
    return any(module == p or module.startswith(p + ".") for p in PUBLIC)


def _forbidden_imports(source):
    """Return the nimbus modules ``source`` imports beyond the public
    surface, as ``[(line, module)]``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and \
                not _is_public(node.module or ""):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names
                  if name.split(".")[0] == "nimbus" and not _is_public(name)]
    return found


@pytest.mark.parametrize("source, forbidden", [
    ("from nimbus.core import exception", []),
    ("from nimbus.core.interfaces import hypervisor, power_state", []),
    ("import nimbus.core.testing.hypervisor", []),
    ("from nimbus.core.exception import NoValidHost", []),
    ("import nimbus_example.conf\nfrom oslo_config import cfg", []),
    ("from nimbus.core.compute import power_state",
     [(1, "nimbus.core.compute.power_state")]),
    ("from nimbus.core import loading, exception",
     [(1, "nimbus.core.loading")]),
    ("from nimbus import core", [(1, "nimbus.core")]),
    ("import os\nimport nimbus.plugins.filters",
     [(2, "nimbus.plugins.filters")]),
])
def test_the_import_scan_tells_public_from_private(source, forbidden):
    assert _forbidden_imports(source) == forbidden


def test_the_package_imports_only_the_public_surface():
    files = sorted((PACKAGE_DIR / "nimbus_example").glob("*.py")) + \
        sorted((PACKAGE_DIR / "tests").glob("*.py"))
    assert len(files) >= 5, files
    bad = {str(path.relative_to(PACKAGE_DIR)): found for path in files
           if (found := _forbidden_imports(path.read_text()))}
    assert bad == {}, f"imports beyond {', '.join(PUBLIC)}: {bad}"


# -- its own test suite -----------------------------------------------------

def test_the_package_suite_passes():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
         "examples/nimbus-example-plugins/tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.findall(r"::(\w+)::\w+ PASSED", result.stdout)
    assert set(passed) == {"TestExampleHypervisor", "TestExampleFilter",
                           "TestExampleRejectFilter"}, output
    summary = re.search(r"(\d+) passed", result.stdout)
    assert summary and int(summary.group(1)) == len(passed), output


# -- enabled by configuration alone, in the real nimbus-all -----------------

class NimbusAll:
    """The ``nimbus-all`` console script, started and stopped by PID."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.runs = 0

    def start(self, reject_hosts):
        """Start on a fresh port with the example plugins enabled; the
        state (database, guests) stays across restarts."""
        self.runs += 1
        self.port = free_port()
        filters = _default_filters() + ["example_reject"]
        conf = write_conf(self.workdir / f"nimbus-{self.runs}.conf", {
            "DEFAULT": {"state_path": self.workdir / "state"},
            "api": {"bind_port": self.port, "auth_strategy": "noauth2"},
            "compute": {"hypervisor": "example"},
            "all": {"compute_hosts": "ex-1,ex-2"},
            "scheduler": {"enabled_filters": ",".join(filters)},
            "example": {"reject_hosts": ",".join(reject_hosts)},
            "network": {"metadata_port": free_port()},
            "ec2": {"bind_port": free_port()},
        })
        self.log = self.workdir / f"nimbus-all-{self.runs}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [f"{BIN}/nimbus-all", "--config-file", str(conf)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_api()

    def _wait_api(self, timeout=120):
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"nimbus-all exited:\n{self.log.read_text()}")
            try:
                if requests.get(self.url + "/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"the API did not come up:\n{self.log.read_text()}")

    def stop(self):
        """SIGTERM the process and wait for it (SIGKILL after 30 s)."""
        proc, self.proc = self.proc, None
        if proc is not None:
            procs.terminate(proc, grace=30)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def sdk(self, token="admin:admin"):
        return noauth_sdk(self.url, token)

    def wait_status(self, conn, server_id, status, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = conn.compute.get_server(server_id)
            if server.status == status:
                return server
            time.sleep(0.2)
        pytest.fail(f"{server_id} is {server.status}, not {status}; "
                    f"fault {server.fault}:\n{self.log.read_text()}")


def _default_filters():
    [opt] = [o for o in scheduler_conf.opts if o.name == "enabled_filters"]
    return list(opt.default)


@pytest.fixture
def nimbus_all(tmp_path):
    running = NimbusAll(tmp_path)
    try:
        yield running
    finally:
        running.stop()


def _boot(conn, name):
    return conn.compute.create_server(name=name, image_id=DEMO_IMAGE_ID,
                                      flavor_id="1", networks="auto")


def test_a_server_boots_on_it_by_configuration_alone(nimbus_all, tmp_path):
    _distribution()
    nimbus_all.start(reject_hosts=["ex-1"])
    admin = nimbus_all.sdk()
    kinds = {h.name: h.hypervisor_type
             for h in admin.compute.hypervisors(details=True)}
    assert kinds == {"ex-1": "example", "ex-2": "example"}
    first = nimbus_all.wait_status(admin, _boot(admin, "kept").id, "ACTIVE")
    assert first.compute_host == "ex-2"
    guests = tmp_path / "state" / "example" / "ex-2.json"
    assert first.id in guests.read_text()

    nimbus_all.stop()
    nimbus_all.start(reject_hosts=["ex-1", "ex-2"])
    admin = nimbus_all.sdk()
    # The restarted compute service found its guest again.
    kept = admin.compute.get_server(first.id)
    assert (kept.status, kept.compute_host) == ("ACTIVE", "ex-2")
    server = nimbus_all.wait_status(admin, _boot(admin, "nowhere").id,
                                    "ERROR")
    message = server.fault["message"]
    assert "No valid host was found" in message, message
    assert "2 compute host(s) considered" in message, message
    assert "example_reject removed 2 (listed in [example] reject_hosts)" \
        in message, message
