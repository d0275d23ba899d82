"""nimbus-all: every service in one process (the embedded default).

SQLite under ``[DEFAULT] state_path``, the in-process ``local://``
transport (nimbus's event-driven in-memory driver), one nimbus-network, and one compute service per ``[all]
compute_hosts`` entry, each with its own hypervisor plugin instance. On
start it brings the schema up to date, seeds default flavors and a demo
image, creates the default network when there is none (``[network]
create_default_network``: with the fake plugins servers get addresses
with no root needed), writes a clouds.yaml and prints how to reach the
API.
"""

import os
import sys

import yaml

from nimbus.cli.daemons import (
    api,
    compute,
    conductor,
    network,
    novncproxy,
    scheduler,
    volume,
)
from nimbus.core import bootstrap, fleet, loading, metrics, service
from nimbus.core import context as nimbus_context
from nimbus.core.conf import vnc as vnc_conf
from nimbus.core.db import api as db_api
from nimbus.core.db import migration, seed
from nimbus.core.db import setup as db_setup
from nimbus.core.ec2 import credentials as ec2_credentials
from nimbus.core.identity import manage as identity_manage
from nimbus.core.network import api as network_api
from nimbus.core.volume import types as volume_types

BINARY = "nimbus-all"
DEMO_IMAGE_ID = "a0d1c0de-0000-4000-8000-000000000001"
#: compute services started at once (docs/benchmarks.md, start/stop).
_START_WORKERS = 8


def seed_demo_image(conf, context):
    """Create the ``demo`` image unless it exists; returns whether it is
    there. Never into a Glance (``[images] backend = glance``): that
    cloud's images are its operators'."""
    if conf.images.backend == "glance":
        return False
    images = loading.load_driver(loading.IMAGES, conf.images.backend, conf)
    if images.list(context, {"ids": [DEMO_IMAGE_ID]}):
        return True
    images.create(context, {"id": DEMO_IMAGE_ID, "name": "demo",
                            "disk_format": "raw", "visibility": "public",
                            "architecture": "x86_64"})
    images.upload(context, DEMO_IMAGE_ID, [b"\0" * 4096])
    return True


def ensure_default_network(conf, db, context):
    """Create ``[network] default_network_name`` (``default_cidr``,
    shared by all projects) when no network exists at all; returns it,
    or None when nothing was created."""
    net = network_api.NetworkAPI(conf, db)
    if not conf.network.create_default_network or \
            net.list_networks(context):
        return None
    return net.create_network(context, conf.network.default_network_name,
                              conf.network.default_cidr,
                              bridge=conf.network.flat_network_bridge)


def clouds_yaml(conf, base_url):
    """The clouds.yaml entries for this deployment's auth strategy."""
    if conf.api.auth_strategy == "nimbus":
        return {"clouds": {"nimbus": {
            "auth_type": "password",
            "auth": {"auth_url": base_url + "/identity",
                     "username": "admin",
                     "password": identity_manage.admin_password(conf),
                     "project_name": "admin",
                     "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": "RegionOne", "identity_api_version": 3}}}

    if conf.api.auth_strategy != "noauth2":
        return None  # keystone: credentials come from that Keystone

    def cloud(token):
        entry = {"auth_type": "admin_token",
                 "auth": {"endpoint": base_url + "/v2.1", "token": token},
                 "region_name": "RegionOne",
                 "compute_endpoint_override": base_url + "/v2.1"}
        if "volume" in conf.api.enabled_dialects:
            entry["block_storage_endpoint_override"] = (
                base_url + "/volume/v3")
        if "network" in conf.api.enabled_dialects:
            entry["network_endpoint_override"] = base_url + "/network"
        if "image" in conf.api.enabled_dialects and \
                _serves_images(conf):
            # "server image create --wait" and "image show" need it.
            entry["image_endpoint_override"] = base_url + "/image"
        return entry
    return {"clouds": {"nimbus": cloud("admin:admin"),
                       "nimbus-demo": cloud("demo:demo")}}


def _serves_images(conf):
    """Whether the image dialect serves /image (not with a Glance's
    images: those are Glance's to serve)."""
    images = getattr(conf, "images", None)
    return images is None or images.backend != "glance"


def write_clouds_yaml(conf, base_url):
    """Write ``$state_path/clouds.yaml``; return its path, or None when
    the auth strategy gives nimbus no credentials to write (keystone)."""
    clouds = clouds_yaml(conf, base_url)
    if clouds is None:
        return None
    path = os.path.join(conf.state_path, "clouds.yaml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(clouds, f, sort_keys=False)
    return path


def ec2_port(server):
    """The EC2 API's port of a started nimbus-api, or None when the ec2
    dialect is not enabled."""
    for one in server.servers:
        if one.name == "nimbus-ec2":
            return one.port
    return None


def write_aws_config(conf, db, ec2_url):
    """Write ``$state_path/aws-config`` (mode 0600): an AWS CLI/boto3
    config file whose profile ``nimbus`` holds the admin's EC2
    credentials (created once, then reused), the region and the
    endpoint. Returns its path, or None without local identities
    (keystone)."""
    if conf.api.auth_strategy == "keystone":
        return None
    ctx = nimbus_context.get_admin_context()
    user, project = "admin", "admin"
    if conf.api.auth_strategy == "nimbus":
        admin = identity_manage.IdentityAdmin(conf, db)
        user = admin.find_user(ctx, "admin")["id"]
        project = admin.find_project(ctx, "admin")["id"]
    creds = ec2_credentials.CredentialAPI(conf, db)
    mine = [c for c in creds.list(ctx, user) if c["project_id"] == project]
    cred = mine[0] if mine else creds.create(ctx, user, project)
    path = os.path.join(conf.state_path, "aws-config")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"""[profile nimbus]
region = {conf.ec2.region_name}
endpoint_url = {ec2_url}
aws_access_key_id = {cred['access']}
aws_secret_access_key = {cred['secret']}
""")
    return path


def start_all(conf):
    """Start every service; return them in stop order (API first)."""
    # One process holds every service: its console proxy takes any free
    # port unless one is configured (several embedded clouds can run side
    # by side; the banner and console URLs say which).
    conf.set_default("novncproxy_port", 0, group="vnc")
    db = db_setup.use_database(conf)
    migration.sync()
    ctx = nimbus_context.get_admin_context()
    if conf.all.seed:
        seed.seed_flavors(ctx)
        seed_demo_image(conf, ctx)
    if conf.api.auth_strategy == "nimbus":
        identity_manage.IdentityAdmin(conf, db).bootstrap(
            ctx, identity_manage.admin_password(conf))
    ensure_default_network(conf, db, ctx)
    volume_types.seed_default_type(conf, db, ctx)
    fleet_hosts = [f"{conf.all.fleet_host_prefix}{n}"
                   for n in range(1, conf.all.fleet_hosts + 1)]
    services = [conductor.build(conf, db), scheduler.build(conf, db),
                network.build(conf, db, served_hosts=(
                    list(conf.all.compute_hosts) + fleet_hosts))]
    computes = [compute.build(conf, host) for host in
                conf.all.compute_hosts]
    if fleet_hosts:
        computes.append(fleet.Fleet(conf, fleet_hosts,
                                    workers=conf.all.fleet_workers))
    volume_service = volume.build(conf, db)
    started = []
    try:
        for svc in services:
            svc.start()
            started.insert(0, svc)
        # After conductor and nimbus-network, which they call.
        for svc in service.start_concurrently(computes,
                                              _START_WORKERS):
            started.insert(0, svc)
        volume_service.start()
        started.insert(0, volume_service)
        started.insert(0, start_console_proxy(conf))
        # Its conductor samples the metrics the API's sampler would.
        server = api.build(conf, db, sample=False)
        server.start()
    except BaseException:
        # Nothing half-started may keep serving (its RPC servers would
        # take another cloud's messages in the same process).
        service.stop_all(started)
        raise
    return [server] + started


def start_console_proxy(conf):
    """Start nimbus-novncproxy; unless ``[vnc] novncproxy_base_url`` is
    set, console URLs point at it (its port may be any free one)."""
    proxy = novncproxy.build(conf)
    proxy.start()
    if conf.vnc.novncproxy_base_url == vnc_conf.DEFAULT_BASE_URL:
        conf.set_override(
            "novncproxy_base_url", f"http://{conf.vnc.novncproxy_host}:"
            f"{proxy.port}/vnc_auto.html", "vnc")
        proxy.base_url = conf.vnc.novncproxy_base_url
    return proxy


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY,
            transport_url="local://")
        # Metrics are on in the embedded install, on any free port (the
        # banner says which); production services keep them off.
        conf.set_default("enabled", True, group="metrics")
        conf.set_default("port", 0, group="metrics")
        # The embedded install serves the EC2 API too.
        conf.set_default("enabled_dialects", list(dict.fromkeys(
            conf.api.enabled_dialects + ["ec2"])), group="api")
        bootstrap.wait_for_broker(conf)
        started = start_all(conf)
        base_url = f"http://{conf.api.bind_host}:{started[0].port}"
        path = write_clouds_yaml(conf, base_url)
        banner = _banner(conf, base_url, path)
        port = ec2_port(started[0])
        if port is not None:
            banner += _ec2_banner(conf, port, started)
        print(banner, flush=True)
        service.wait_for_signal(
            [lambda: service.stop_all(started)])
        return 0
    return bootstrap.run(BINARY, _main)


def _ec2_banner(conf, port, started):
    url = f"http://{conf.ec2.bind_host}:{port}"
    path = write_aws_config(conf, db_api, url)
    if path is None:
        return f"\n  EC2 API:    {url} (credentials: openstack ec2 " \
            "credentials create)"
    return f"""
  EC2 API:    {url}   (region {conf.ec2.region_name})
  aws-config: {path} (profile nimbus: the admin's EC2 keys, mode 0600)
Try:
  AWS_CONFIG_FILE={path} AWS_PROFILE=nimbus aws ec2 describe-images"""


def _metrics_url(conf):
    port = metrics.serve(conf, BINARY)
    return f"http://{conf.metrics.bind_host}:{port}/metrics" if port \
        else "off ([metrics] enabled = false)"


def _computes(conf):
    names = ", ".join(conf.all.compute_hosts)
    if conf.all.fleet_hosts:
        names += (f"{', ' if names else ''}{conf.all.fleet_hosts} fleet "
                  f"hosts {conf.all.fleet_host_prefix}1..")
    return names


def _banner(conf, base_url, path):
    if path is None:
        return (f"nimbus is running (all services in one process).\n"
                f"  API: {base_url}/v2.1 (auth: {conf.api.auth_strategy}: "
                f"use your Keystone credentials; docs/api.md says how to "
                f"register nimbus's endpoints)")
    return f"""nimbus is running (all services in one process).
  API:        {base_url}/v2.1   (OpenStack Compute v2.1; auth: {conf.api.auth_strategy})
  state:      {conf.state_path}
  computes:   {_computes(conf)} (hypervisor: {conf.compute.hypervisor})
  volumes:    {conf.host} (driver: {conf.volume.driver}, target: {conf.volume.target})
  clouds.yaml: {path}
  metrics:    {_metrics_url(conf)}
  consoles:   {conf.vnc.novncproxy_base_url} (openstack console url show)
Try:
  nimbus server create --flavor m1.tiny --image demo demo --wait
  nimbus server list
or with the OpenStack client:
  export OS_CLIENT_CONFIG_FILE={path} OS_CLOUD=nimbus
  openstack server list
(the clouds.yaml, mode 0600, holds the credentials)"""
