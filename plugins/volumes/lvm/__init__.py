"""The ``lvm`` volume driver: thick logical volumes in one volume group."""
