"""The fake hypervisor: in-memory guests on any number of virtual hosts."""
