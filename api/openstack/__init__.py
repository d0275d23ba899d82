"""The ``openstack`` dialect: OpenStack Compute API v2.1."""
