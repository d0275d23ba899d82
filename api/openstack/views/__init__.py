"""Response bodies of the OpenStack dialect."""
