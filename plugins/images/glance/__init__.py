"""The ``glance`` image plugin: image records and data in an existing
OpenStack Glance (Image API v2)."""
