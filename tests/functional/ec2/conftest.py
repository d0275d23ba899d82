"""An embedded cloud (fake hypervisor, noauth2) with the EC2 dialect on
its own free port, and boto3/awscli clients signed with EC2 credentials
made through the credential service API."""

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import Stack, free_port, write_conf

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


class Ec2Cloud(Stack):
    def __init__(self, conf, started):
        super().__init__(conf, started)
        from nimbus.cli.daemons import all as all_daemon
        self.ec2_url = f"http://127.0.0.1:{all_daemon.ec2_port(started[0])}"
        self._creds = {}

    def credentials(self, user="demo", project="demo"):
        from nimbus.core import context as nimbus_context
        from nimbus.core.db import api as db_api
        from nimbus.core.ec2 import credentials
        if (user, project) not in self._creds:
            api = credentials.CredentialAPI(self.conf, db_api)
            self._creds[user, project] = api.create(
                nimbus_context.get_admin_context(), user, project)
        return self._creds[user, project]

    def client(self, user="demo", project="demo", secret=None,
               access=None, url=None, **config):
        import boto3
        from botocore.config import Config
        cred = self.credentials(user, project)
        return boto3.client(
            "ec2", endpoint_url=url or self.ec2_url,
            region_name="RegionOne",
            aws_access_key_id=access or cred["access"],
            aws_secret_access_key=secret or cred["secret"],
            config=Config(retries={"max_attempts": 1}, **config))

    def aws(self, *args, user="demo", project="demo", check=True):
        """Run the stock AWS CLI; return its stdout (JSON)."""
        cred = self.credentials(user, project)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=cred["access"],
                   AWS_SECRET_ACCESS_KEY=cred["secret"],
                   AWS_DEFAULT_REGION="RegionOne",
                   AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_MAX_ATTEMPTS="1")
        aws = os.path.join(os.path.dirname(sys.executable), "aws")
        done = subprocess.run(
            [aws, "--endpoint-url", self.ec2_url, "--output", "json",
             "ec2", *args], capture_output=True, text=True, env=env,
            timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"aws {args} failed: {done.stderr}")
        return done


@pytest.fixture(scope="module")
def ec2_cloud(tmp_path_factory):
    """One cloud per test module (starting one costs seconds): tests
    keep apart by using projects of their own."""
    from nimbus.cli.daemons import all as all_daemon
    from nimbus.core import bootstrap, rpc
    from nimbus.core.db import engine
    from nimbus.core.objects import base as objects_base
    tmp = tmp_path_factory.mktemp("ec2")
    conf_file = write_conf(tmp / "nimbus.conf", {
        "DEFAULT": {"state_path": tmp / "state", "host": "test-host",
                    "report_interval": 1, "service_down_time": 5},
        "api": {"bind_port": free_port(), "auth_strategy": "noauth2",
                "enabled_dialects": "openstack,identity,image,network,"
                                    "volume,ec2"},
        "all": {"compute_hosts": "fake-1,fake-2"},
        "fake": {"persist": "false"},
        "network": {"metadata_port": free_port()},
        "ec2": {"bind_port": free_port()},
    })
    conf = bootstrap.parse_config(["--config-file", str(conf_file)],
                                  "nimbus-test", default_config_files=[],
                                  transport_url="local://")
    started = all_daemon.start_all(conf)
    cloud = Ec2Cloud(conf, started)
    yield cloud
    cloud.stop()
    rpc.cleanup()
    engine.reset()
    objects_base.NimbusObject.indirection_api = None
    objects_base.NimbusObject.db_api = None
    objects_base.NimbusObject.process_name = "nimbus-test"
    conf.reset()
    conf.clear_override("transport_url")


@pytest.fixture
def ec2(ec2_cloud):
    yield ec2_cloud
    ec2_cloud.conf.clear_override("instances", "quota")


def demo_ami(client):
    images = client.describe_images(
        Filters=[{"Name": "name", "Values": ["demo"]}])["Images"]
    return images[0]["ImageId"]


def wait_state(client, instance_id, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = client.describe_instances(InstanceIds=[instance_id])
        state = found["Reservations"][0]["Instances"][0]["State"]["Name"]
        if state == name:
            return found["Reservations"][0]["Instances"][0]
        time.sleep(0.1)
    raise AssertionError(f"{instance_id} is {state}, not {name}")
