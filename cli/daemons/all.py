"""nimbus-all: every service in one process (the embedded default).

SQLite under ``[DEFAULT] state_path``, the in-process ``fake://``
transport, and one compute service per ``[all] compute_hosts`` entry,
each with its own hypervisor plugin instance. On start it brings the
schema up to date, seeds default flavors and a demo image, writes a
clouds.yaml and prints how to reach the API.
"""

import os
import sys

import yaml

from nimbus.cli.daemons import api, compute, conductor, scheduler
from nimbus.core import bootstrap, loading, service
from nimbus.core import context as nimbus_context
from nimbus.core.db import migration, seed
from nimbus.core.db import setup as db_setup
from nimbus.core.identity import manage as identity_manage

BINARY = "nimbus-all"
DEMO_IMAGE_ID = "a0d1c0de-0000-4000-8000-000000000001"


def seed_demo_image(conf, context):
    images = loading.load_driver(loading.IMAGES, conf.images.backend, conf)
    if images.list(context, {"ids": [DEMO_IMAGE_ID]}):
        return
    images.create(context, {"id": DEMO_IMAGE_ID, "name": "demo",
                            "disk_format": "raw", "visibility": "public",
                            "architecture": "x86_64"})
    images.upload(context, DEMO_IMAGE_ID, [b"\0" * 4096])


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
        return {"auth_type": "admin_token",
                "auth": {"endpoint": base_url + "/v2.1", "token": token},
                "region_name": "RegionOne",
                "compute_endpoint_override": base_url + "/v2.1"}
    return {"clouds": {"nimbus": cloud("admin:admin"),
                       "nimbus-demo": cloud("demo:demo")}}


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


def start_all(conf):
    """Start every service; return them in stop order (API first)."""
    db = db_setup.use_database(conf)
    migration.sync()
    ctx = nimbus_context.get_admin_context()
    if conf.all.seed:
        seed.seed_flavors(ctx)
        seed_demo_image(conf, ctx)
    if conf.api.auth_strategy == "nimbus":
        identity_manage.IdentityAdmin(conf, db).bootstrap(
            ctx, identity_manage.admin_password(conf))
    services = [conductor.build(conf, db), scheduler.build(conf, db)]
    services += [compute.build(conf, host) for host in
                 conf.all.compute_hosts]
    for svc in services:
        svc.start()
    server = api.build(conf, db)
    server.start()
    return [server] + list(reversed(services))


def main(argv=None):
    def _main():
        conf = bootstrap.parse_config(
            sys.argv[1:] if argv is None else argv, BINARY,
            transport_url="fake://")
        started = start_all(conf)
        base_url = f"http://{conf.api.bind_host}:{started[0].port}"
        path = write_clouds_yaml(conf, base_url)
        print(_banner(conf, base_url, path), flush=True)
        service.wait_for_signal([s.stop for s in started])
        return 0
    return bootstrap.run(BINARY, _main)


def _banner(conf, base_url, path):
    if path is None:
        return (f"nimbus is running (all services in one process).\n"
                f"  API: {base_url}/v2.1 (auth: {conf.api.auth_strategy}: "
                f"use your Keystone credentials; docs/api.md says how to "
                f"register nimbus's endpoints)")
    return f"""nimbus is running (all services in one process).
  API:        {base_url}/v2.1   (OpenStack Compute v2.1; auth: {conf.api.auth_strategy})
  state:      {conf.state_path}
  computes:   {', '.join(conf.all.compute_hosts)} (hypervisor: {conf.compute.hypervisor})
  clouds.yaml: {path}
Try:
  nimbus server create --flavor m1.tiny --image demo demo --wait
  nimbus server list
or with the OpenStack client:
  export OS_CLIENT_CONFIG_FILE={path} OS_CLOUD=nimbus
  openstack server list
(the clouds.yaml, mode 0600, holds the credentials)"""
