"""Controllers of the OpenStack dialect: one module per resource."""
